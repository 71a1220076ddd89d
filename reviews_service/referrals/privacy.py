"""The referral program's part of a person's export and of their erasure: their code, the referrals
they made and the one that brought them, their rewards, their reviews' incentives and the
invitations to share. Sent to them in the export without the other person's address or name;
after an erasure the referrals and rewards stay for the shop's accounts, with nobody in them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update

from ..catalog import privacy as catalog_privacy
from ..catalog.models import Order
from ..extensions import db
from ..outbox import service as outbox
from ..reviews import erasure as review_erasure
from ..shops.models import Shop
from ..web import idempotency
from . import codes, invitations, service
from .models import Invitation, Referral, ReviewIncentive, Reward
from .views import reward as reward_view


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export(shop: Shop, email: str, customer_id: int | None) -> dict[str, Any]:
    """The person's sections of their data export (empty when the shop holds nothing of theirs)."""
    incentives = _incentives(shop, email, customer_id)
    out: dict[str, Any] = {"referral_code": None, "referrals": [], "referral_rewards": [],
                           "referral_invitations": [], "review_incentives": incentives}
    if customer_id is None:
        return out
    code = codes.of_customer(shop.id, customer_id)
    if code is not None:
        out["referral_code"] = {"code": code.code, "created_at": _iso(code.created_at),
                                "disabled_at": _iso(code.disabled_at)}
    out["referrals"] = [_referral(r, customer_id) for r in db.session.scalars(
        select(Referral).where(Referral.shop_id == shop.id, or_(
            Referral.referrer_id == customer_id, Referral.friend_id == customer_id)).order_by(Referral.id))]
    rewards = db.session.scalars(select(Reward).where(
        Reward.shop_id == shop.id, Reward.customer_id == customer_id).order_by(Reward.id))
    out["referral_rewards"] = [{**reward_view(r), "referral_id": r.referral.public_id,
                                "created_at": _iso(r.created_at)} for r in rewards]
    out["referral_invitations"] = [
        {"order_id": order_id, "status": i.status, "reason": i.reason, "due_at": _iso(i.due_at),
         "sent_at": _iso(i.sent_at)}
        for i, order_id in db.session.execute(select(Invitation, Order.external_id).join(
            Order, Order.id == Invitation.order_id).where(
            Invitation.shop_id == shop.id, Invitation.customer_id == customer_id).order_by(Invitation.id))]
    return out


def _referral(r: Referral, customer_id: int) -> dict[str, Any]:
    """One referral as the person's export shows it: their side of it, never the other person."""
    role = "referrer" if r.referrer_id == customer_id else "friend"
    return {"id": r.public_id, "role": role, "code": r.code.code, "status": r.status, "reason": r.reason,
            "order_id": r.order.external_id if role == "friend" else None, "created_at": _iso(r.created_at),
            "hold_until": _iso(r.hold_until), "decided_at": _iso(r.decided_at)}


def _incentives(shop: Shop, email: str, customer_id: int | None) -> list[dict[str, Any]]:
    reviews = {r.id: r.public_id for r in review_erasure.of_person(shop.id, email, customer_id)}
    if not reviews:
        return []
    rows = db.session.scalars(select(ReviewIncentive).where(ReviewIncentive.review_id.in_(reviews))
                              .order_by(ReviewIncentive.id))
    return [{"review_id": reviews[r.review_id], "offer": r.offer, "status": r.status, "source": r.source,
             "code": r.code, "created_at": _iso(r.created_at)} for r in rows]


def erase(shop: Shop, email: str, customer_id: int | None) -> dict[str, int]:
    """Inside the erasure's transaction: the code stops working and loses its name part, also where
    a friend's order, review, webhook or stored answer kept it; the browsers seen with the
    person's token and their invitations are forgotten; the referrals they were part of keep no
    note and, where they were the friend, no trace of their browser. Answers the counts."""
    if customer_id is None:
        return {}
    code = codes.of_customer(shop.id, customer_id)
    old = code.code if code is not None and code.disabled_at is None else None
    service.forget_customer(shop, customer_id)
    invitations.forget_customer(customer_id)
    if old is not None:
        catalog_privacy.rename_referral_code(shop, old, code.code)
        review_erasure.rename_referral_code(shop.id, old, code.code)
        outbox.forget_mentions(shop.id, [old])
        idempotency.forget_mentions(shop.id, [old])
    mine = (Referral.shop_id == shop.id,
            or_(Referral.referrer_id == customer_id, Referral.friend_id == customer_id))
    touched = db.session.execute(update(Referral).where(*mine).values(note="")
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.execute(update(Referral).where(Referral.shop_id == shop.id, Referral.friend_id == customer_id)
                       .values(visitor_hash=None, ip_hash=None, visitor_id_hash=None)
                       .execution_options(synchronize_session=False))
    counts = {"referral_code_disabled": 1} if old is not None else {}
    return counts | ({"referrals_anonymised": touched} if touched else {})
