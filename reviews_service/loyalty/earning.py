"""Points earned and reversed: an order's (held for the return window, reversed by a refund or a
cancellation, in proportion for a partial refund), a review's (whatever its stars), an approved
referral's, and the events a shop reports. Each runs in the transaction of what caused it, and
each grant is recorded once (ledger `dedupe`, and a unique row per order and per review), however
often or in whatever order its cause arrives."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update

from ..catalog import service as catalog
from ..catalog.models import Order
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..reviews.models import Review
from ..shops import loyalty as loyalty_settings
from ..shops.models import Shop
from ..shops.service import settings_of
from . import ledger, notify, tiers
from .models import Member, OrderPoints, ReviewPoints

_ROUNDING = {"down": ROUND_FLOOR, "nearest": ROUND_HALF_UP, "up": ROUND_CEILING}
WITHHELD_FOR = ("spam", "abuse")  # a first decision that rejects a review for these earns nothing
CENT = Decimal("0.01")


def order_points(program: dict[str, Any], total: Decimal, tier: str | None) -> int:
    """Points for spending `total`: per unit of the currency, times the tier's multiplier, rounded
    the shop's way."""
    raw = total * Decimal(program["points_per_unit"]) * tiers.multiplier(program, tier)
    return int(raw.quantize(Decimal(1), rounding=_ROUNDING[program["rounding"]]))


# --- orders --------------------------------------------------------------------------------------

def on_order_ingested(shop: Shop, order: Order) -> OrderPoints | None:
    """A new order earns points on hold; an order in another currency than the programme's earns
    none (no exchange rate is guessed)."""
    settings = settings_of(shop)
    program = settings["loyalty"]
    if not program["enabled"] or order.currency != program["currency"]:
        return None
    member = ledger.lock(ledger.member_for(shop.id, order.customer_id))
    points = order_points(program, Decimal(order.total), member.tier)
    if points <= 0:
        return None
    now = utcnow()
    days = loyalty_settings.hold_days(settings)
    held = points if days > 0 else 0
    entry = ledger.record(member, kind="earn", source="order", dedupe=f"order:{order.id}",
                          reference=order.external_id, reason=f"order {order.external_id}",
                          spendable=points - held, pending=held, spend=Decimal(order.total), actor="order",
                          activity=True)
    if entry is None:
        return None
    row = OrderPoints(shop_id=shop.id, member_id=member.id, order_id=order.id, earned=points, held=held,
                      reversed=0, spend=Decimal(order.total), reversed_spend=Decimal("0.00"),
                      release_at=now + timedelta(days=days), released_at=None if held else now, created_at=now)
    db.session.add(row)
    db.session.flush()
    ledger.refresh_tier(member, program)
    notify.points_earned(member, entry, available_at=row.release_at)
    return row


def reverse_order(shop: Shop, order: Order, *, cause: str) -> int:
    """Take back the order's points: all of them for a refund of the whole order or a
    cancellation (`cause` "refunded"/"cancelled"), else the share its refunds' amounts are of
    its total (`cause` "refund:<id>"). Held points go first; what was released comes off the
    spendable points, below zero if it must (the member is flagged). Answers the points taken."""
    row = db.session.scalar(select(OrderPoints).where(OrderPoints.order_id == order.id))
    if row is None:
        return 0
    member = ledger.lock(db.session.get(Member, row.member_id))
    row = db.session.get(OrderPoints, row.id, populate_existing=True)
    share = Decimal(1)
    if cause.startswith("refund:") and order.total > 0:
        refunded = sum((r.amount for r in order.refunds), Decimal(0))
        share = min(Decimal(1), refunded / Decimal(order.total))
    target = int((row.earned * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    target_spend = (row.spend * share).quantize(CENT, rounding=ROUND_HALF_UP)
    points, spend = target - row.reversed, target_spend - row.reversed_spend
    if points <= 0 and spend <= 0:
        return 0
    points = max(points, 0)
    from_held = min(points, row.held)
    what = "refund" if cause.startswith("refund:") else cause
    entry = ledger.record(member, kind="reverse", source="order", dedupe=f"order:{order.id}:{cause}",
                          reference=order.external_id, reason=f"order {order.external_id} {what}",
                          spendable=-(points - from_held), pending=-from_held, spend=-max(spend, Decimal(0)),
                          actor="order", reversal=True)
    if entry is None:
        return 0
    db.session.execute(update(OrderPoints).where(OrderPoints.id == row.id).values(
        reversed=OrderPoints.reversed + points, held=OrderPoints.held - from_held,
        reversed_spend=OrderPoints.reversed_spend + max(spend, Decimal(0)))
        .execution_options(synchronize_session=False))
    ledger.refresh_tier(member, settings_of(shop)["loyalty"])
    return points


def release(row_id: int) -> bool:
    """Release an order's held points whose hold has passed (the worker). Answers whether it did."""
    row = db.session.get(OrderPoints, row_id)
    if row is None:
        return False
    member = ledger.lock(db.session.get(Member, row.member_id))
    row = db.session.get(OrderPoints, row_id, populate_existing=True)
    if row.held <= 0 or row.release_at > utcnow():
        return False
    order = db.session.get(Order, row.order_id)
    entry = ledger.record(member, kind="hold_release", source="order", dedupe=f"order:{row.order_id}:release",
                          reference=order.external_id, reason=f"order {order.external_id}: the hold passed",
                          spendable=row.held, pending=-row.held, actor="worker", activity=True)
    if entry is None:
        return False
    db.session.execute(update(OrderPoints).where(OrderPoints.id == row.id).values(held=0, released_at=utcnow())
                       .execution_options(synchronize_session=False))
    return True


# --- reviews -------------------------------------------------------------------------------------

def on_review_submitted(shop: Shop, review: Review) -> None:
    """Note what the review earns, from the settings in force now and whether it has photos, never
    its stars; only a review the form labelled incentivised earns anything. A review the rules
    decided at once is decided here too (the decision came before this signal)."""
    points = loyalty_settings.review_points(settings_of(shop), review.photo_count > 0)
    if points <= 0 or not review.incentivized:
        return
    customer_id = review.customer_id
    if customer_id is None and review.email:
        known = catalog.find_customer(shop, review.email)
        customer_id = known.id if known is not None else None
    if customer_id is None:
        return  # nobody the shop knows: no account to put points in
    member = ledger.member_for(shop.id, customer_id)
    db.session.execute(insert_ignore(ReviewPoints, {
        "shop_id": shop.id, "member_id": member.id, "review_id": review.id, "points": points,
        "status": "offered", "created_at": utcnow()}, ["review_id"]))
    if review.status in ("published", "rejected"):
        on_review_decided(review, review.reject_reason)


def on_review_decided(review: Review, reason: str | None) -> None:
    """At the review's first decision, grant its points, unless that decision rejects it as spam
    or abuse. Later decisions change nothing: the row says it was decided."""
    row = db.session.scalar(select(ReviewPoints).where(ReviewPoints.review_id == review.id,
                                                       ReviewPoints.status == "offered"))
    if row is None:
        return
    withheld = review.status == "rejected" and reason in WITHHELD_FOR
    moved = db.session.execute(update(ReviewPoints).where(
        ReviewPoints.id == row.id, ReviewPoints.status == "offered").values(
        status="withheld" if withheld else "granted", decided_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not moved or withheld:
        return
    member = ledger.lock(db.session.get(Member, row.member_id))
    entry = ledger.record(member, kind="earn", source="review", dedupe=f"review:{review.id}",
                          reference=review.public_id, reason="review", spendable=row.points, activity=True)
    if entry is not None:
        _earned(review.shop_id, member, entry)


# --- referrals and reported events ---------------------------------------------------------------

def on_referral_approved(shop_id: int, referral: Any) -> None:
    """The referrer's points for a referral that was approved (once: its id is the dedupe key)."""
    program = settings_of(db.session.get(Shop, shop_id))["loyalty"]
    if not program["enabled"] or program["for_referral"] <= 0:
        return
    member = ledger.lock(ledger.member_for(shop_id, referral.referrer_id))
    entry = ledger.record(member, kind="earn", source="referral", dedupe=f"referral:{referral.id}",
                          reference=referral.public_id, reason="approved referral",
                          spendable=program["for_referral"], activity=True)
    if entry is not None:
        _earned(shop_id, member, entry)


def grant_event(shop: Shop, member: Member, event: str, dedupe: str, points: int) -> bool:
    """Points for an event the shop reported (`account_created`) or its day (`birthday`)."""
    if points <= 0:
        return False
    member = ledger.lock(member)
    entry = ledger.record(member, kind="earn", source="event", dedupe=dedupe, reference=event, reason=event,
                          spendable=points, actor="api" if event == "account_created" else "worker",
                          activity=True)
    if entry is None:
        return False
    _earned(shop.id, member, entry)
    return True


def _earned(shop_id: int, member: Member, entry) -> None:
    ledger.refresh_tier(member, settings_of(db.session.get(Shop, shop_id))["loyalty"])
    notify.points_earned(member, entry)
