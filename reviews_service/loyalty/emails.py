"""The programme's e-mails to its members: points earned (a daily batch, email_jobs.py), a tier
reached, a reward ready and points expiring soon. Each is rendered in the member's language from
the shop (support_email as Reply-To) and queued through the outbox with a dedupe key, in the
transaction of the change it reports.

None of them is marketing (outbox/emails.py MARKETING_TOPICS): each reports on the member's own
points, what they earned or bought with them, or what they are about to lose; none promotes an
offer to someone who did not earn it. Nor do they count in the shop's cap on asking e-mails
(collecting/scheduling.py), since they ask for nothing; each has its own rhythm instead: points
earned at most once a day, a tier once per rise, a reward once per redemption, the reminder once
per expiring balance. Like every e-mail to a customer they carry the unsubscribe link, and go to
no one unsubscribed or erased (here, and again in the worker before sending)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from .. import i18n
from ..catalog import names
from ..catalog.models import Customer
from ..extensions import db
from ..outbox import emails as outbox_emails
from ..outbox import service as outbox
from ..shops.models import Shop
from ..shops.service import settings_of
from ..shops.settings import customer_email, shop_text
from . import tiers
from .models import Entry, Member, Redemption

POINTS_EARNED = "loyalty_points_earned"
TIER_REACHED = "loyalty_tier_reached"
REWARD_READY = "loyalty_reward_ready"
POINTS_EXPIRING = "loyalty_points_expiring"
TOPICS = (POINTS_EARNED, TIER_REACHED, REWARD_READY, POINTS_EXPIRING)


def reachable(customer: Customer | None) -> bool:
    """Whether the customer may get the programme's e-mails at all."""
    return (customer is not None and bool(customer.email) and customer.unsubscribed_at is None
            and customer.erased_at is None)


def _queue(shop: Shop, member: Member, topic: str, dedupe: str,
           context: Callable[[str, dict[str, Any]], dict[str, Any]], **stored: Any) -> bool:
    """Render `topic` for the member's customer in their language and queue it; `context` gives
    the template's values for that language and the shop's settings, `stored` what the payload
    keeps for the jobs and checks. False when not queued."""
    customer = db.session.get(Customer, member.customer_id)
    if member.erased_at is not None or not reachable(customer):
        return False
    settings = settings_of(shop)
    lang = i18n.negotiate(customer.locale or settings["default_locale"])
    values = context(lang, settings)
    payload = outbox_emails.render(
        topic, shop=shop, to=customer.email, lang=lang, **customer_email(settings, lang),
        unsubscribe=outbox_emails.unsubscribe_url(shop, customer), name=names.greeting(names.of_customer(customer)),
        **values)
    payload.update(member_id=member.id, **stored)
    return outbox.enqueue(kind="email", topic=topic, payload=payload, shop_id=shop.id, recipient=customer.email,
                          customer_id=customer.id, dedupe_key=dedupe)


# --- what the templates show, worded the reader's way ----------------------------------------------

def money(value: Decimal | str, currency: str, lang: str) -> str:
    return format_currency(Decimal(value), currency, locale=lang)


def local_date(shop_settings: dict[str, Any], at: datetime, lang: str) -> str:
    """The day `at` falls on where the shop is, written the reader's way."""
    try:
        at = at.astimezone(ZoneInfo(shop_settings["time_zone"]))
    except (KeyError, ValueError, OSError):
        pass
    return format_date(at.date(), format="long", locale=lang)


def balance(member: Member, program: dict[str, Any], lang: str) -> dict[str, Any]:
    """The member's points after the change, and what the spendable ones are worth."""
    spendable = max(member.spendable, 0)
    worth = (Decimal(program["point_value"]) * spendable).quantize(Decimal("0.01"))
    return {"spendable": spendable, "pending": member.pending,
            "worth": money(worth, program["currency"], lang) if spendable else None}


def _line(entry: Entry, points: int, lang: str) -> dict[str, Any]:
    """One earning as the member reads it: what it was for, and the points."""
    key = {"order": "email.loyalty.for_order", "review": "email.loyalty.for_review",
           "referral": "email.loyalty.for_referral"}.get(entry.source)
    if entry.source == "event" and entry.reference in ("account_created", "birthday"):
        key = f"email.loyalty.for_{entry.reference}"
    what = i18n.translate(lang, key or "email.loyalty.for_other", order=entry.reference)
    return {"what": what, "points": f"+{format_decimal(points, locale=lang)}"}


# --- the four e-mails ------------------------------------------------------------------------------

def points_earned(shop: Shop, member: Member, earned: list[tuple[Entry, int]], last: int) -> bool:
    """One e-mail listing `earned` (the member's earnings since their last such e-mail, each with
    the points it kept), through ledger entry `last`; that is its key, so two workers composing
    the same batch queue it once."""
    program = settings_of(shop)["loyalty"]
    total = sum(points for _, points in earned)

    def context(lang: str, _: dict[str, Any]) -> dict[str, Any]:
        return {"lines": [_line(entry, points, lang) for entry, points in earned], "total": total,
                **balance(member, program, lang), "subject_params": {"count": total}}
    # `through_entry`: where the next batch starts (read back from the latest of these e-mails).
    return _queue(shop, member, POINTS_EARNED, f"{POINTS_EARNED}:{member.id}:{last}", context, through_entry=last)


def tier_reached(shop_id: int, member: Member, program: dict[str, Any], old: str | None, new: str | None,
                 at: datetime) -> bool:
    """Called where the ledger moves a tier: an e-mail when it went up. A tier from 0 points is
    where every member starts, so reaching it is no news."""
    order = [tier["id"] for tier in program["tiers"]]
    tier = tiers.find(program["tiers"], new)
    if tier is None or tier["threshold"] <= 0 or (old in order and order.index(old) >= order.index(new)):
        return False
    shop = db.session.get(Shop, shop_id)

    def context(lang: str, settings: dict[str, Any]) -> dict[str, Any]:
        default = settings["default_locale"]
        name = shop_text(tier["name"], lang, default)
        multiplier = Decimal(tier["multiplier"])
        return {"tier": name, "perks": shop_text(tier["perks"], lang, default),
                "multiplier": format_decimal(multiplier, locale=lang) if multiplier > 1 else None,
                **balance(member, program, lang), "subject_params": {"tier": name}}
    return _queue(shop, member, TIER_REACHED, f"{TIER_REACHED}:{member.id}:{new}:{at.isoformat()}", context)


def reward_ready(shop: Shop, member: Member, redemption: Redemption) -> bool:
    """The code a redemption issued from the reward's pool, and how to use it. A webhook reward
    has no code here (the shop makes one and sends it its own way): no e-mail."""
    if not redemption.code:
        return False
    program = settings_of(shop)["loyalty"]

    def context(lang: str, _: dict[str, Any]) -> dict[str, Any]:
        return {"reward": redemption.offer.get("description", ""), "code": redemption.code,
                "spent": redemption.points, **balance(member, program, lang)}
    return _queue(shop, member, REWARD_READY, f"{REWARD_READY}:{redemption.id}", context)


def expiring_key(member: Member) -> str:
    """The reminder's dedupe key: once per quiet spell (the last activity the expiry counts from,
    as the expiry's own key does)."""
    return f"{POINTS_EXPIRING}:{member.id}:{member.last_activity_at.isoformat()}"


def can_be_told(member: Member) -> bool:
    """Whether an e-mail can warn the member before their points expire."""
    return member.erased_at is None and reachable(db.session.get(Customer, member.customer_id))


def points_expiring(shop: Shop, member: Member, at: datetime) -> bool:
    """The reminder before the member's spendable points expire at `at`; once per quiet spell."""
    program = settings_of(shop)["loyalty"]
    activity = member.last_activity_at.isoformat()

    def context(lang: str, settings: dict[str, Any]) -> dict[str, Any]:
        day = local_date(settings, at, lang)
        return {"count": member.spendable, "date": day, **balance(member, program, lang),
                "subject_params": {"count": member.spendable, "date": day}}
    # `activity`: the check drops the reminder when the member was active again before it went out.
    return _queue(shop, member, POINTS_EXPIRING, expiring_key(member), context,
                  activity=activity)
