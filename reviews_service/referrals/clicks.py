"""Visits through a referral link: the click, counted once per browser, and the friend offer it
answers (a shared code, or a single-use code from the pool), also by e-mail.

The referrer's own browser is told apart by the widget's visitor id only (see fraud.py): a
friend on the referrer's network with the same browser model is a friend, and gets the offer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..collecting import service as reviews
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from ..shops.service import settings_of
from . import codes, coupons, notify, views
from .models import ReferralClick, ReferralCode
from .service import Visitor, program

# Friend codes from the pool that one network (IP hash) gets in a day, whatever its browsers'
# visitor ids say: a household or an office has a few genuine friends, a script has many ids.
FRIEND_CODES_PER_NETWORK_PER_DAY = 5


def _active_code(shop: Shop, text: str) -> tuple[dict[str, Any], ReferralCode]:
    settings = program(shop)
    if not settings["enabled"]:
        raise NotFound("This shop has no referral program running.", field="code")
    code = codes.find(shop.id, text)
    if code is None:
        raise NotFound("No such referral code in this shop.", field="code")
    return settings, code


def _own(code: ReferralCode, visitor: Visitor) -> bool:
    """The referrer's own browser: its visitor id is one the referrer wrote a review from with
    their token. The same address and user agent is not enough: a friend on the same network
    with the same browser model would be taken for the referrer and lose the offer."""
    return visitor.visitor_id_hash is not None and \
        visitor.visitor_id_hash in reviews.visitor_ids_of(code.customer_id)


def record_click(shop: Shop, text: str, visitor: Visitor, lang: str | None = None) -> dict[str, Any]:
    """`POST referrals/clicks`: count a visit through a link (once per browser and attribution
    window) and answer the friend offer to show. The referrer's own browser is not counted and
    gets no code from the pool."""
    settings, code = _active_code(shop, text)
    own = _own(code, visitor)
    offer_code = None
    if not own:
        since = utcnow() - timedelta(days=settings["attribution_days"])
        same_browser = (ReferralClick.visitor_id_hash == visitor.visitor_id_hash if visitor.visitor_id_hash
                        else ReferralClick.visitor_hash == visitor.visitor_hash)
        seen = db.session.scalar(select(ReferralClick.id).where(
            ReferralClick.code_id == code.id, same_browser, ReferralClick.created_at >= since).limit(1))
        if seen is None:
            db.session.add(ReferralClick(shop_id=shop.id, code_id=code.id, visitor_hash=visitor.visitor_hash,
                                         ip_hash=visitor.ip_hash, visitor_id_hash=visitor.visitor_id_hash,
                                         created_at=utcnow()))
        offer_code = _friend_code(shop, settings, visitor)
    db.session.commit()
    return views.click(settings, code, offer_code, own=own, lang=lang,
                       default_lang=settings_of(shop)["default_locale"])


def _friend_code(shop: Shop, settings: dict[str, Any], visitor: Visitor) -> str | None:
    """The shared code, or one code from the pool per browser (the same one again on a reload):
    per visitor id when the widget sent one, else per address and user agent; and at most
    FRIEND_CODES_PER_NETWORK_PER_DAY new ones per network."""
    offer = settings["friend_offer"]
    if offer["code_mode"] == "shared":
        return offer["shared_code"] or None
    who = f"visitor:{visitor.visitor_id_hash or visitor.visitor_hash}"
    coupons.serialize_claims(shop.id, "friend_offer", visitor.ip_hash)
    coupon = coupons.claimed_by(shop.id, "friend_offer", who)
    if coupon is None:
        today = coupons.claimed_from(shop.id, "friend_offer", visitor.ip_hash, utcnow() - timedelta(days=1))
        if today < FRIEND_CODES_PER_NETWORK_PER_DAY:
            coupon = coupons.claim(shop.id, "friend_offer", who, ip_hash=visitor.ip_hash)
    return coupon.code if coupon is not None else None


def email_friend_offer(shop: Shop, text: str, email: str, visitor: Visitor, lang: str | None = None) -> None:
    """`POST referrals/offer-email`: send the friend offer to the address the friend gave, when
    the shop wants that (`email_friend_offer`)."""
    settings, code = _active_code(shop, text)
    if not settings["email_friend_offer"]:
        raise Forbidden("This shop does not send its friend offer by e-mail.")
    notify.friend_offer_email(shop, code, email.strip(), _friend_code(shop, settings, visitor), lang)
    db.session.commit()
