"""Fraud checks on a referral, each recorded on it by name.

Clear signals reject the referral: the friend is the referrer (same customer; same e-mail address
once normalised; same name and shipping address), or the friend had ordered before. Unclear
signals send it to the owner's flagged queue: the same browser on both sides (a shared family
computer, or one person with two accounts), many conversions from one browser or network, and a
code clicked from many unrelated networks in a short time (leaked to a coupon site).

"The same browser" means the same widget visitor id, never only the same address and user agent:
a friend on the referrer's network with the same browser model is a genuine friend. The
referrer's visitor ids are those of the reviews they wrote with their own token.

The checks run when the referral is created and again when its hold ends, since what shows fraud
(the friend's thank-you page seen from the referrer's browser, a burst of clicks) may come later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, or_, select

from ..catalog.addresses import address_hash, fold  # noqa: F401  (address_hash: part of this module's interface)
from ..catalog.models import Customer, Order
from ..collecting import service as reviews
from ..email_addresses import normalize_email
from ..extensions import db
from .models import Referral, ReferralClick, ReferralCode

CLEAR = ("self_referral_customer", "self_referral_email", "self_referral_name_address", "not_first_order")
UNCLEAR = ("self_referral_visitor", "velocity", "leaked_code")
SIGNALS = CLEAR + UNCLEAR

VELOCITY_WINDOW = timedelta(hours=24)
VELOCITY_LIMIT = 3  # conversions from one browser or one network in the window, this one included
LEAK_WINDOW = timedelta(hours=24)
LEAK_NETWORKS = 20  # distinct IP hashes clicking one code in the window

# Providers that deliver mail for "a.n.a+shop@gmail.com" to "ana@gmail.com": dots and plus-tags
# are dropped for them, and only for them (elsewhere "a.na" and "an.a" may be two people).
DOTS_AND_PLUS = frozenset({"gmail.com"})
# Providers that ignore a plus-tag, but not dots.
PLUS_ONLY = frozenset({
    "outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de",
    "hotmail.it", "hotmail.es", "outlook.de", "outlook.fr", "live.co.uk", "live.fr",
    "icloud.com", "fastmail.com", "fastmail.fm", "proton.me", "protonmail.com", "pm.me",
    "yandex.ru", "yandex.com", "zoho.com",
})
# One mailbox under two names.
DOMAIN_ALIASES = {"googlemail.com": "gmail.com", "me.com": "icloud.com", "mac.com": "icloud.com",
                  "protonmail.ch": "protonmail.com", "ya.ru": "yandex.ru"}


def mailbox_key(email: str | None) -> str:
    """The mailbox an address delivers to, as far as the providers above say (dots, plus-tags, aliases)."""
    email = normalize_email(email)
    local, _, domain = email.rpartition("@")
    if not local:
        return email
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in DOTS_AND_PLUS or domain in PLUS_ONLY:
        local = local.split("+", 1)[0]
    if domain in DOTS_AND_PLUS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def normalize_name(name: str | None) -> str:
    return fold(name or "")


@dataclass
class Conversion:
    """What the checks look at: both customers, the friend's order, the code, and the browser."""

    referrer: Customer
    friend: Customer
    order: Order
    code: ReferralCode
    at: datetime  # when the referral was (or is being) created
    visitor_hash: str | None = None
    ip_hash: str | None = None
    referral_id: int | None = None
    visitor_id_hash: str | None = None  # of the friend's click that a hand-over found


def signals(c: Conversion) -> list[str]:
    """The names of every signal the conversion trips, in the order of SIGNALS."""
    found = []
    same = c.referrer.id == c.friend.id
    if same:
        found.append("self_referral_customer")
    if not same and c.friend.erased_at is None and c.referrer.erased_at is None:
        if mailbox_key(c.referrer.email) == mailbox_key(c.friend.email):
            found.append("self_referral_email")
        if _same_name_and_address(c):
            found.append("self_referral_name_address")
    if _ordered_before(c):
        found.append("not_first_order")
    if not same and _same_browser(c):
        found.append("self_referral_visitor")
    if _velocity(c):
        found.append("velocity")
    if _leaked(c):
        found.append("leaked_code")
    return found


def verdict(names: list[str], *, owner_cleared: bool = False) -> tuple[str | None, str | None]:
    """("rejected", signal) for clear fraud, ("flagged", signal) for an unclear case the owner has
    not cleared yet, (None, None) when nothing stands in the way."""
    for name in CLEAR:
        if name in names:
            return "rejected", name
    if not owner_cleared:
        for name in UNCLEAR:
            if name in names:
                return "flagged", name
    return None, None


def _same_name_and_address(c: Conversion) -> bool:
    name = normalize_name(c.friend.name)
    if not name or name != normalize_name(c.referrer.name) or not c.order.shipping_address_hash:
        return False
    return db.session.scalar(select(Order.id).where(
        Order.customer_id == c.referrer.id,
        Order.shipping_address_hash == c.order.shipping_address_hash).limit(1)) is not None


def _ordered_before(c: Conversion) -> bool:
    return db.session.scalar(select(Order.id).where(
        Order.customer_id == c.friend.id, Order.id != c.order.id,
        or_(Order.id < c.order.id, Order.placed_at < c.order.placed_at)).limit(1)) is not None


def _same_browser(c: Conversion) -> bool:
    """The friend's browser (the click that converted, or one the friend reviewed from with their
    token) has a visitor id that the referrer reviewed from with theirs."""
    friend_side = reviews.visitor_ids_of(c.friend.id) | ({c.visitor_id_hash} if c.visitor_id_hash else set())
    return bool(friend_side and friend_side & reviews.visitor_ids_of(c.referrer.id))


def _velocity(c: Conversion) -> bool:
    if not c.visitor_hash and not c.ip_hash:
        return False
    same_source = or_(*[column == value for column, value in
                        ((Referral.visitor_hash, c.visitor_hash), (Referral.ip_hash, c.ip_hash)) if value])
    others = db.session.scalar(select(func.count()).select_from(Referral).where(
        Referral.shop_id == c.code.shop_id, same_source,
        Referral.id != (c.referral_id or -1),
        Referral.created_at.between(c.at - VELOCITY_WINDOW, c.at + VELOCITY_WINDOW)))
    return others + 1 >= VELOCITY_LIMIT


def _leaked(c: Conversion) -> bool:
    networks = db.session.scalar(select(func.count(distinct(ReferralClick.ip_hash))).where(
        ReferralClick.code_id == c.code.id,
        ReferralClick.created_at.between(c.at - LEAK_WINDOW, c.at + LEAK_WINDOW)))
    return networks >= LEAK_NETWORKS
