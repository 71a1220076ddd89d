"""Review incentives, issued: at a review's first moderation decision (published or rejected, by a
rule, the policy or a moderator), the offer it was submitted under is issued once, as a code from
the `review_incentive` pool or as the `review.incentive_earned` webhook for the shop to make one.
Its stars are never read. A first decision that rejects the review as spam or abuse withholds it;
later decisions (a re-approval, a second moderator) change nothing, because the review's one row
in `review_incentives` says it was decided."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..outbox import service as outbox
from ..reviews import views as review_views
from ..reviews.models import Review
from ..shops import incentives as shop_incentives
from ..shops.models import Shop
from ..shops.service import settings_of
from . import coupons
from .models import ReviewIncentive

WITHHELD_FOR = ("spam", "abuse")


def on_first_decision(review: Review, reason: str | None) -> ReviewIncentive | None:
    """Issue the review's incentive if this is its first decision; None when it earns nothing or
    was decided before. Runs in the caller's transaction."""
    if not review.incentive:
        return None
    if db.session.scalar(select(ReviewIncentive.id).where(ReviewIncentive.review_id == review.id)):
        return None
    shop = db.session.get(Shop, review.shop_id)
    settings = settings_of(shop)
    source = settings["incentives"]["source"]
    row = ReviewIncentive(shop_id=review.shop_id, review_id=review.id, offer=review.incentive,
                          source=source, status="issued")
    if review.status == "rejected" and reason in WITHHELD_FOR:
        row.status = "withheld"
    elif source == "pool":
        coupon = coupons.claim(review.shop_id, "review_incentive", f"review:{review.id}")
        if coupon is None:
            row.status = "waiting"
        else:
            row.coupon_id, row.code = coupon.id, coupon.code
    # Two concurrent first decisions cannot both get here: the transition's compare-and-swap on
    # the status lets one through. The unique key on review_id is the database's own guard.
    db.session.add(row)
    db.session.flush()
    if row.status == "issued":
        offer = shop_incentives.offer_settings(settings, review.incentive)
        outbox.emit_event(review.shop_id, "review.incentive_earned",
                          {"review": review_views.server_view(review), "incentive": view(row, offer)},
                          dedupe=f"review.incentive_earned:{review.id}")
    return row


def view(row: ReviewIncentive, offer: dict[str, Any]) -> dict[str, Any]:
    """The incentive as the webhook shows it: which offer, what it is, and its code (None when the
    shop makes the code itself)."""
    return {"offer": row.offer, "source": row.source, "code": row.code,
            "kind": offer["kind"], "value": offer["value"], "currency": offer["currency"]}
