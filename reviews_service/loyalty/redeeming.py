"""Spending points on a reward: the points leave the balance with one guarded UPDATE and the code
comes from the reward's own pool, in one transaction, so that no number of concurrent redemptions
spends a point twice or hands out a code twice. A member below zero (a reversal after the points
were spent) redeems nothing until the balance is positive again."""

from __future__ import annotations

import secrets
from typing import Any

from ..catalog.models import Customer
from ..errors import Conflict
from ..extensions import db
from ..referrals import coupons
from ..shops.models import Shop
from . import emails, ledger, notify, service
from .models import Redemption


def redeem(shop: Shop, person: Customer, reward_id: str) -> Redemption:
    """Spend the reward's points and issue it: a code from its pool, or for a `webhook` reward,
    `loyalty.reward_redeemed` without one for the shop to make it. Commits."""
    service.require_on(shop)
    item = service.reward(shop, reward_id)
    member = ledger.lock(ledger.member_for(shop.id, person.id))
    if member.spendable < 0:
        db.session.rollback()
        raise Conflict(f"This member's balance is below zero ({member.spendable}) after a refund took back "
                       "points already spent; no reward can be redeemed until it is positive again.",
                       field="reward")
    if member.spendable < item["points"]:
        db.session.rollback()
        raise Conflict(f"Not enough points for this reward: {member.spendable} spendable, and {reward_id!r} "
                       f"costs {item['points']}.", field="reward")
    public_id = "rdm_" + secrets.token_urlsafe(12)
    coupon = None
    if item["source"] == "pool":
        coupon = coupons.claim(shop.id, service.pool_of(reward_id), f"loyalty:{public_id}")
        if coupon is None:
            db.session.rollback()
            raise Conflict(f"No codes are left in the pool of reward {reward_id!r}; load some with "
                           f"POST /api/v1/loyalty/rewards/{reward_id}/coupons.", field="reward")
    try:
        ledger.record(member, kind="redeem", source="redemption", dedupe=f"redeem:{public_id}",
                      reference=public_id, reason=f"reward {reward_id}", spendable=-item["points"],
                      actor="api", activity=True)
    except ledger.Overdrawn:  # not after the lock; the UPDATE's own guard, kept as the last word
        db.session.rollback()
        raise Conflict("Not enough points for this reward.", field="reward") from None
    redemption = Redemption(public_id=public_id, shop_id=shop.id, member_id=member.id, reward=reward_id,
                            points=item["points"], source=item["source"],
                            coupon_id=coupon.id if coupon else None, code=coupon.code if coupon else None,
                            offer=_offer(shop, item, person.locale))
    db.session.add(redemption)
    db.session.flush()
    notify.reward_redeemed(member, redemption)
    emails.reward_ready(shop, member, redemption)
    db.session.commit()
    return redemption


def _offer(shop: Shop, item: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """The reward as it was when it was bought, worded in the customer's language."""
    return {"kind": item["kind"], "value": item["value"], "currency": item["currency"],
            "product_id": item["product_id"], "description": service.describe_reward(shop, item, lang)}
