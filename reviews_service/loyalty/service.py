"""The programme for the shop's backend: a customer's standing and ledger, adjustments, the events
a shop reports, the customer token, and the rewards with their pools. (Redemptions: redeeming.py.)"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from .. import cursors, i18n, tokens
from ..catalog import service as catalog
from ..catalog.models import Customer
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models_base import utcnow
from ..referrals import coupons
from ..shops import offers
from ..shops.models import Shop
from ..shops.service import settings_of
from ..shops.settings import shop_text
from . import earning, expiry, ledger, tiers, views
from .models import Entry, Member

TOKEN_LIFETIME = timedelta(hours=1)


def program(shop: Shop) -> dict[str, Any]:
    return settings_of(shop)["loyalty"]


def require_on(shop: Shop) -> dict[str, Any]:
    settings = program(shop)
    if not settings["enabled"]:
        raise Conflict("The loyalty programme is off for this shop; turn it on in the settings "
                       "(PATCH /api/v1/shop, settings.loyalty.enabled).")
    return settings


def customer(shop: Shop, customer_id: int | str) -> Customer:
    """The shop's customer by the service's id (404 for another shop's or an erased one)."""
    found = catalog.get_customer(shop, customer_id)
    if found.erased_at is not None:
        raise NotFound(f"No customer {customer_id!r} in this shop.")
    return found


def lookup(shop: Shop, email: str) -> Customer:
    found = catalog.find_customer(shop, email)
    if found is None or found.erased_at is not None:
        raise NotFound("No customer with this e-mail address in this shop.")
    return found


# --- a customer's standing -----------------------------------------------------------------------

def standing(shop: Shop, person: Customer, lang: str | None = None) -> dict[str, Any]:
    """Balance, held points, tier, the way to the next tier and what expires when."""
    settings = settings_of(shop)
    plan = settings["loyalty"]
    default_lang = settings["default_locale"]
    lang = i18n.negotiate(lang, default_lang)
    member = ledger.find_member(shop.id, person.id)
    value = ledger.qualifying(member, plan["tier_basis"]) if member else Decimal(0)
    spendable = member.spendable if member else 0
    birthday = None
    if member is not None and member.birthday_month:
        birthday = {"month": member.birthday_month, "day": member.birthday_day}
    return {
        "customer_id": person.id, "enabled": plan["enabled"], "spendable": spendable,
        "pending": member.pending if member else 0, "flagged": bool(member and member.flagged_at),
        "point_value": plan["point_value"], "currency": plan["currency"],
        "spendable_value": str((Decimal(plan["point_value"]) * max(spendable, 0)).quantize(Decimal("0.01"))),
        # Not a member yet: the tier a first point would start from (one from 0, if the shop has it).
        "tier": tiers.view(tiers.find(plan["tiers"], member.tier) if member else tiers.tier_for(plan["tiers"], value),
                           lang, default_lang),
        "progress": tiers.progress(plan, member.tier if member else None, value, lang, default_lang),
        "expiring": expiry.expiring(plan, member), "birthday": birthday,
    }


def entries(shop: Shop, person: Customer, cursor: str | None, limit: int) -> dict[str, Any]:
    """The member's ledger, newest first; keyset pages."""
    member = ledger.find_member(shop.id, person.id)
    if member is None:
        if cursor:
            cursors.decode(cursor, "loyalty-ledger", (cursors.ID,))
        return {"entries": [], "next_cursor": None}
    query = select(Entry).where(Entry.member_id == member.id)
    if cursor:
        query = query.where(Entry.id < cursors.decode(cursor, "loyalty-ledger", (cursors.ID,))[0])
    rows = list(db.session.scalars(query.order_by(Entry.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"entries": [views.entry(e) for e in rows],
            "next_cursor": cursors.encode("loyalty-ledger", [rows[-1].id]) if more else None}


# --- the shop's own changes ----------------------------------------------------------------------

def adjust(shop: Shop, person: Customer, points: int, reason: str, actor: str = "api") -> Entry:
    """Add or take points by hand, with the reason (kept in the ledger with who did it). An
    adjustment never takes the balance below zero."""
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the points change.", field="reason")
    member = ledger.lock(ledger.member_for(shop.id, person.id))
    try:
        entry = ledger.record(member, kind="adjust", source="admin", dedupe=f"adjust:{secrets.token_hex(12)}",
                              reason=reason, spendable=points, actor=actor, activity=points > 0)
    except ledger.Overdrawn:
        db.session.rollback()
        raise Conflict(f"The member has {member.spendable} spendable points; an adjustment may not take "
                       "them below zero.", field="points") from None
    db.session.commit()
    return entry


def report_event(shop: Shop, person: Customer, data: dict[str, Any]) -> dict[str, Any]:
    """`account_created` earns its points once; `birthday` (month and day) is kept, and earns the
    birthday's points on that day each year (at once when it is today)."""
    plan = require_on(shop)
    member = ledger.lock(ledger.member_for(shop.id, person.id))
    granted = 0
    if data["type"] == "account_created":
        points = plan["for_account_created"]
        if earning.grant_event(shop, member, "account_created", f"event:{member.id}:account_created", points):
            granted = points
    else:
        db.session.execute(update(Member).where(Member.id == member.id).values(
            birthday_month=data["month"], birthday_day=data["day"]).execution_options(synchronize_session=False))
        db.session.refresh(member)
        today = local_today(shop)
        if is_birthday(member, today) and grant_birthday(shop, member, today):
            granted = plan["for_birthday"]
    db.session.commit()
    return {**standing(shop, person), "granted": granted}


def local_today(shop: Shop) -> date:
    """Today in the shop's time zone (a birthday is a day where the shop is)."""
    zone = settings_of(shop)["time_zone"]
    try:
        return utcnow().astimezone(ZoneInfo(zone)).date()
    except (KeyError, ValueError, OSError):
        return utcnow().date()


def is_birthday(member: Member, today: date) -> bool:
    if not member.birthday_month:
        return False
    if (member.birthday_month, member.birthday_day) == (today.month, today.day):
        return True
    # 29 February is kept on the 28th in the years without it.
    leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    return (member.birthday_month, member.birthday_day, today.month, today.day) == (2, 29, 2, 28) and not leap


def grant_birthday(shop: Shop, member: Member, today: date) -> bool:
    return earning.grant_event(shop, member, "birthday", f"birthday:{member.id}:{today.year}",
                               program(shop)["for_birthday"])


# --- the customer token --------------------------------------------------------------------------

def customer_token(shop: Shop, person: Customer) -> dict[str, Any]:
    """A token that lets the widget show and spend this customer's points for an hour, signed for
    this purpose and this shop; the shop's backend renders it into its account page."""
    expires_at = (utcnow() + TOKEN_LIFETIME).replace(microsecond=0)
    token = tokens.sign(tokens.LOYALTY_CUSTOMER_TOKEN, shop.id, customer=person.id, expires_at=expires_at)
    return {"token": token, "customer_id": person.id, "expires_at": expires_at}


def customer_for_token(shop: Shop, token: str) -> Customer:
    """The customer a loyalty customer token names (403 for an expired or another shop's token)."""
    try:
        claims = tokens.unsign(tokens.LOYALTY_CUSTOMER_TOKEN, token, shop_id=shop.id)
    except tokens.TokenError as error:
        raise Forbidden(f"This customer token is {error.reason}; ask the shop's page for a new one.",
                        field="token") from None
    return customer(shop, claims.get("customer", 0))


# --- rewards and their pools ---------------------------------------------------------------------

def pool_of(reward_id: str) -> str:
    return f"loyalty:{reward_id}"


def reward(shop: Shop, reward_id: str) -> dict[str, Any]:
    found = next((r for r in program(shop)["rewards"] if r["id"] == reward_id), None)
    if found is None:
        raise NotFound(f"No reward {reward_id!r} in this shop's loyalty programme.")
    return found


def describe_reward(shop: Shop, item: dict[str, Any], lang: str | None) -> str:
    """What the reward is, for a reader of `lang`: the shop's words, else the offer's worded the
    way the referral rewards are ("€5 off your next order"), or the product's name."""
    default_lang = settings_of(shop)["default_locale"]
    lang = i18n.negotiate(lang, default_lang)
    text = shop_text(item["description"], lang, default_lang)
    if text:
        return text
    if item["kind"] == "product":
        product = catalog.find_product(shop, item["product_id"] or "")
        return product.name if product is not None else item["product_id"] or ""
    return offers.worded("referrer_reward", item["kind"], item["value"], item["currency"], lang)


def rewards(shop: Shop, lang: str | None = None) -> dict[str, Any]:
    out = []
    for item in program(shop)["rewards"]:
        out.append({**{k: item[k] for k in ("id", "points", "kind", "value", "currency", "product_id", "source")},
                    "description": describe_reward(shop, item, lang),
                    "available": coupons.available(shop.id, pool_of(item["id"])) if item["source"] == "pool" else None})
    return {"rewards": out}


def load_codes(shop: Shop, reward_id: str, codes: list[str]) -> dict[str, Any]:
    """Load single-use codes into one reward's own pool."""
    reward(shop, reward_id)
    answer = coupons.load(shop, pool_of(reward_id), codes)
    return {**answer, "reward": reward_id}
