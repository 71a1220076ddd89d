"""Referrals as the APIs and the webhooks show them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select

from ..catalog import names
from ..catalog.models import Customer
from ..extensions import db
from ..shops import offers
from . import codes
from .models import Referral, ReferralClick, ReferralCode, Reward


def offer(settings_offer: dict[str, Any], lang: str | None = None, default_lang: str = "en", *,
          side: str = "friend_offer") -> dict[str, Any]:
    """What one side (`friend_offer`, `referrer_reward`) gets, without the shop's internal fields
    (code mode, reward source), its description in the reader's language (`lang`, else the shop's
    `default_lang`): the shop's text, else worded from kind and value."""
    shown = {key: settings_offer.get(key) for key in ("kind", "value", "currency")}
    return {"description": offers.text(settings_offer, side, lang, default_lang), **shown}


def reward(reward: Reward | None) -> dict[str, Any] | None:
    if reward is None:
        return None
    return {"source": reward.source, "code": reward.code, **offer(reward.offer or {}, side="referrer_reward"),
            "created_at": reward.created_at}


def _person(customer: Customer) -> dict[str, Any]:
    return {"email": customer.email, "name": customer.name}


def referral(r: Referral) -> dict[str, Any]:
    """A referral for the shop's backend (server API and webhooks): e-mail addresses included."""
    return {
        "id": r.public_id, "status": r.status, "reason": r.reason, "signals": list(r.signals or []),
        "note": r.note, "source": r.source, "code": r.code.code,
        "referrer": _person(r.referrer), "friend": _person(r.friend),
        "order": {"id": r.order.external_id, "status": r.order.status, "total": r.order_total,
                  "currency": r.currency, "placed_at": r.order.placed_at},
        "hold_until": r.hold_until, "owner_cleared": r.owner_cleared, "created_at": r.created_at,
        "decided_at": r.decided_at, "decided_by": r.decided_by, "reward": reward(r.reward),
    }


def panel(settings: dict[str, Any], code: ReferralCode, customer: Customer, lang: str | None,
          default_lang: str) -> dict[str, Any]:
    """The customer's own referral panel: link, what each side gets (in `lang`), counts, rewards earned."""
    counts = dict(db.session.execute(
        select(Referral.status, func.count()).where(Referral.code_id == code.id,
                                                    Referral.friend_id != customer.id)
        .group_by(Referral.status)).all())
    clicks = db.session.scalar(select(func.count(distinct(ReferralClick.visitor_hash)))
                               .where(ReferralClick.code_id == code.id))
    earned = list(db.session.scalars(select(Reward).where(Reward.customer_id == customer.id)
                                     .order_by(Reward.id.desc()).limit(50)))
    return {
        "enabled": True, "code": code.code, "share_url": codes.share_url(settings["share_url_template"], code),
        "friend_offer": offer(settings["friend_offer"], lang, default_lang),
        "referrer_reward": offer(settings["referrer_reward"], lang, default_lang, side="referrer_reward"),
        "counts": {"clicks": clicks, "friends_ordered": sum(counts.values()),
                   "pending": counts.get("pending", 0) + counts.get("flagged", 0),
                   "approved": counts.get("approved", 0), "rewards": len(earned)},
        "rewards": [{k: v for k, v in reward(r).items() if k != "source"} for r in earned],
    }


def click(settings: dict[str, Any], code: ReferralCode, offer_code: str | None, *, own: bool,
          lang: str | None = None, default_lang: str = "en") -> dict[str, Any]:
    """What the widget shows a visitor who arrived through a link, and how long to keep the code."""
    first_name = names.first_name(names.of_customer(code.customer))
    return {
        "valid": True, "code": code.code, "own": own, "referrer_name": first_name or None,
        "attribution_days": settings["attribution_days"],
        "offer": {**offer(settings["friend_offer"], lang, default_lang), "code": offer_code},
        "email_offer": bool(settings["email_friend_offer"]),
    }
