"""Review incentives, issued: at a review's first moderation decision (published or rejected, by a
rule, the policy or a moderator), the offer it was submitted under is issued once, as a code from
the `review_incentive` pool or as the `review.incentive_earned` webhook for the shop to make one.
Its stars are never read. A first decision that rejects the review as spam or abuse withholds it;
later decisions (a re-approval, a second moderator) change nothing, because the review's one row
in `review_incentives` says it was decided.

An empty pool does not lose the reward: the row waits, and is issued, oldest first, when the shop
loads codes into the pool (`pool.load`) or by the worker's round (`issue_due`), then announced
like one issued at once (incentive_notice.py: the webhook, the reviewer's e-mail)."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import select, update

from ..extensions import db
from ..models_base import utcnow
from ..outbox import jobs
from ..reviews.models import Review
from ..shops.models import Shop
from ..shops.service import settings_of
from . import coupons, incentive_notice
from .models import ReviewIncentive

log = logging.getLogger(__name__)

WITHHELD_FOR = ("spam", "abuse")
BATCH = 200  # rows issued per load or worker round; the next round takes the rest


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
                          source=source, status="waiting")
    if review.status == "rejected" and reason in WITHHELD_FOR:
        row.status = "withheld"
    elif source == "webhook":
        row.status, row.issued_at = "issued", utcnow()
    elif not _someone_waits(review.shop_id):  # a new review does not overtake one that waits
        coupon = coupons.claim(review.shop_id, "review_incentive", f"review:{review.id}")
        if coupon is not None:
            row.status, row.issued_at = "issued", utcnow()
            row.coupon_id, row.code = coupon.id, coupon.code
    # Two concurrent first decisions cannot both get here: the transition's compare-and-swap on
    # the status lets one through. The unique key on review_id is the database's own guard.
    db.session.add(row)
    db.session.flush()
    if row.status == "issued":
        incentive_notice.announce(shop, review, row, settings)
    return row


def _someone_waits(shop_id: int) -> bool:
    return db.session.scalar(select(ReviewIncentive.id).where(
        ReviewIncentive.shop_id == shop_id, ReviewIncentive.status == "waiting").limit(1)) is not None


def issue_waiting(shop_id: int, limit: int = BATCH) -> int:
    """Issue the shop's waiting rows, oldest first, each in a transaction of its own, until the
    pool or the rows run out (or `limit`); answers how many were issued. Call it with nothing
    pending in the session: it commits and rolls back."""
    issued = 0
    for _ in range(limit):
        outcome = _issue_next(shop_id)
        if outcome == "done":
            break
        issued += outcome == "issued"
    return issued


def _issue_next(shop_id: int) -> str:
    """The oldest waiting row nobody else holds: "issued", "lost" (another worker issued it
    first, or its reviewer is gone), or "done" (no row waits, or the pool is empty)."""
    # SKIP LOCKED (PostgreSQL): two workers take two different rows; SQLite has one writer at a
    # time, and the guarded UPDATE below lets only one of two readers of the same row issue it.
    row = db.session.scalar(select(ReviewIncentive).where(
        ReviewIncentive.shop_id == shop_id, ReviewIncentive.status == "waiting")
        .order_by(ReviewIncentive.created_at, ReviewIncentive.id).limit(1)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True))
    if row is None:
        db.session.rollback()
        return "done"
    review = db.session.get(Review, row.review_id)
    if not review.email:
        # Its reviewer was erased while it waited: a code would go to nobody, and the row is
        # about a person who asked to be forgotten.
        db.session.delete(row)
        db.session.commit()
        return "lost"
    shop = db.session.get(Shop, shop_id)
    settings = settings_of(shop)
    values = {"status": "issued", "issued_at": utcnow()}
    # A shop that moved to making its own codes gets the webhook for the rows that still wait.
    if settings["incentives"]["source"] == "webhook":
        values["source"] = "webhook"
    else:
        coupon = coupons.claim(shop_id, "review_incentive", f"review:{review.id}")
        if coupon is None:
            db.session.rollback()
            return "done"
        values |= {"coupon_id": coupon.id, "code": coupon.code}
    moved = db.session.execute(update(ReviewIncentive).where(
        ReviewIncentive.id == row.id, ReviewIncentive.status == "waiting").values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        db.session.rollback()  # and the code claimed for it goes back to the pool
        return "lost"
    db.session.refresh(row)
    incentive_notice.announce(shop, review, row, settings)
    db.session.commit()
    return "issued"


def issue_due(limit: int = BATCH) -> int:
    """The worker's round: issue waiting rows in every shop that has codes for them again (or
    now makes its own); answers how many were issued."""
    shop_ids = list(db.session.scalars(select(ReviewIncentive.shop_id).distinct().where(
        ReviewIncentive.status == "waiting")))
    issued = 0
    for shop_id in shop_ids:
        if issued >= limit:
            break
        shop = db.session.get(Shop, shop_id)
        if settings_of(shop)["incentives"]["source"] == "pool" \
                and not coupons.available(shop_id, "review_incentive"):
            continue
        try:
            issued += issue_waiting(shop_id, limit - issued)
        except Exception:  # one shop's failure must not stop the others; the next round tries again
            db.session.rollback()
            log.exception("review incentives of shop %s could not be issued", shop_id)
    db.session.rollback()  # end the read transaction: no snapshot kept open between rounds
    return issued


def register(app: Flask) -> None:
    """The worker issues the review incentives that waited for an empty pool, each round."""
    jobs.register_job(app, "review incentives", issue_due)
