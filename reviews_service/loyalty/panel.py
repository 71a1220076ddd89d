"""The shopper's loyalty panel (the widget): what a customer's points are, how more are earned,
what they buy and what happened to them. An order's widget token only shows it; spending points
needs the short-lived customer token the shop renders into its account page, which travels in a
request body only (a URL ends up in logs and in the Referer of every link on the page)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from .. import i18n
from ..catalog.models import Customer
from ..collecting import requests as review_requests
from ..errors import Forbidden
from ..extensions import db
from ..shops import offers
from ..shops.models import Shop
from ..shops.service import settings_of
from . import ledger, redeeming, service
from .models import Entry, Redemption

HISTORY = 20  # ledger entries the panel shows, newest first
REDEEMED = 10  # rewards bought, with their codes (customer token only)
# What the panel calls each way to earn, and the setting that says how many points it gives.
EARNINGS = (("review", "for_review"), ("review_with_photos", "for_review_with_photos"),
            ("referral", "for_referral"), ("account_created", "for_account_created"), ("birthday", "for_birthday"))


def customer_for_widget_token(shop: Shop, token: str) -> Customer:
    """The customer of an order's widget token (or a review-request token) of this shop: view only."""
    try:
        grant = review_requests.grant_for_token(shop, token)
    except Forbidden:
        raise Forbidden("The token is not valid for this shop, or it has expired.", field="token") from None
    return service.customer(shop, grant.order.customer.id)


def view_with_widget_token(shop: Shop, token: str, lang: str | None) -> dict[str, Any]:
    """`GET loyalty/me`: the panel of the order's customer, without redeeming."""
    person = customer_for_widget_token(shop, token)
    return panel(shop, person, lang, can_redeem=False)


def view_with_customer_token(shop: Shop, token: str, lang: str | None) -> dict[str, Any]:
    """`POST loyalty/account`: the panel of the customer token's customer, who may redeem."""
    return panel(shop, service.customer_for_token(shop, token), lang, can_redeem=True)


def redeem_with_customer_token(shop: Shop, token: str, reward_id: str, lang: str | None) -> dict[str, Any]:
    """`POST loyalty/redemptions`: spend points on a reward (redeeming.redeem: one guarded UPDATE
    and a code from the reward's pool); answers the redemption and the panel as it is now."""
    person = service.customer_for_token(shop, token)
    redemption = redeeming.redeem(shop, person, reward_id)
    shown = panel(shop, person, lang, can_redeem=True)
    return {"redemption": _redeemed(shop, redemption, shown["lang"]), "panel": shown}


def panel(shop: Shop, person: Customer, lang: str | None, *, can_redeem: bool) -> dict[str, Any]:
    settings = settings_of(shop)
    plan = settings["loyalty"]
    lang = i18n.negotiate(lang, person.locale, settings["default_locale"])
    if not plan["enabled"]:
        return {"enabled": False, "can_redeem": False, "lang": lang}
    standing = service.standing(shop, person, lang)
    member = ledger.find_member(shop.id, person.id)
    spendable = standing["spendable"]
    rewards = [{**item, "affordable": can_redeem and not standing["flagged"] and spendable >= item["points"]
                and item["available"] != 0}
               for item in service.rewards(shop, lang)["rewards"]]
    return {
        "enabled": True, "can_redeem": can_redeem, "lang": lang,
        **{key: standing[key] for key in ("spendable", "pending", "flagged", "tier", "progress", "expiring")},
        "spendable_value": offers.amount(Decimal(standing["spendable_value"]), plan["currency"], lang),
        # Tiers by spend: what is missing, worded as money in the reader's language.
        "missing_amount": offers.amount(Decimal(standing["progress"]["missing"]), plan["currency"], lang)
        if plan["tier_basis"] == "spend" and standing["progress"]["missing"] is not None else None,
        "ways_to_earn": ways_to_earn(plan, lang),
        "rewards": [{key: item[key] for key in ("id", "points", "description", "available", "affordable")}
                    for item in rewards],
        "history": history(member),
        "redeemed": redeemed(shop, member, lang) if can_redeem else [],
    }


def ways_to_earn(plan: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """What earns points, as numbers the widget words: spending (points for each unit of the
    programme's currency, the unit worded here in `lang`), then each event that earns any."""
    ways = []
    per_unit = Decimal(plan["points_per_unit"])
    if per_unit > 0:
        ways.append({"kind": "spend", "points": str(per_unit.normalize()),
                     "per": offers.amount(Decimal(1), plan["currency"], lang)})
    for kind, key in EARNINGS:
        if plan[key] > 0:
            ways.append({"kind": kind, "points": str(plan[key]), "per": None})
    return ways


def history(member) -> list[dict[str, Any]]:
    """The member's last entries, labelled for the shopper (never the shop's reasons, which are
    written for its staff)."""
    if member is None:
        return []
    rows = db.session.scalars(select(Entry).where(Entry.member_id == member.id)
                              .order_by(Entry.id.desc()).limit(HISTORY))
    return [{"label": _label(e), "points": e.points, "pending": e.pending_change != 0 and e.spendable_change == 0,
             "created_at": e.created_at} for e in rows]


def _label(e: Entry) -> str:
    if e.kind == "earn":
        return e.reference if e.source == "event" and e.reference in ("account_created", "birthday") else e.source
    return e.kind


def redeemed(shop: Shop, member, lang: str) -> list[dict[str, Any]]:
    if member is None:
        return []
    rows = db.session.scalars(select(Redemption).where(Redemption.member_id == member.id)
                              .order_by(Redemption.id.desc()).limit(REDEEMED))
    return [_redeemed(shop, r, lang) for r in rows]


def _redeemed(shop: Shop, r: Redemption, lang: str) -> dict[str, Any]:
    return {"id": r.public_id, "reward": r.reward, "points": r.points, "description": _described(shop, r, lang),
            "code": r.code, "created_at": r.created_at}


def _described(shop: Shop, r: Redemption, lang: str) -> str:
    """The reward bought, in the panel's language while the shop still offers the same one; else
    as it was worded when it was bought (in the customer's language)."""
    offer = r.offer or {}
    now = next((item for item in service.program(shop)["rewards"] if item["id"] == r.reward), None)
    if now is not None and all(now[key] == offer.get(key) for key in ("kind", "value", "currency", "product_id")):
        return service.describe_reward(shop, now, lang)
    return offer.get("description") or r.reward
