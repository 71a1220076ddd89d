"""What the program sends, always through the outbox in the caller's transaction: the webhooks
`referral.created|approved|rejected|flagged|reward_earned`, the referrer's reward e-mail and the
friend's offer e-mail."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app

from ..catalog import names
from ..catalog.service import find_customer
from ..outbox import emails
from ..outbox import service as outbox
from ..shops.models import Shop
from ..shops.service import settings_of
from ..shops.settings import customer_email
from . import codes, fraud, views
from .models import Referral, ReferralCode, Reward


def event(referral: Referral, event_type: str) -> None:
    """One webhook per referral and event (per reason, for `flagged`): a retried step never
    announces the same thing twice."""
    suffix = f":{referral.reason}" if event_type == "referral.flagged" else ""
    outbox.emit_event(referral.shop_id, event_type, {"referral": views.referral(referral)},
                      dedupe=f"{event_type}:{referral.id}{suffix}")


def reward_earned(shop: Shop, referral: Referral, reward: Reward) -> None:
    """The webhook for the shop (with the code, or without one for the shop to make), and the
    referrer's e-mail when there is a code to send."""
    outbox.emit_event(shop.id, "referral.reward_earned",
                      {"referral": views.referral(referral), "reward": views.reward(reward)},
                      dedupe=f"referral.reward_earned:{referral.id}")
    if reward.code is None:
        return
    customer = referral.referrer
    if customer.erased_at is not None:
        return
    settings = settings_of(shop)
    code = referral.code
    payload = emails.render(
        "referral_reward", shop=shop, to=customer.email, lang=customer.locale or settings["default_locale"],
        **customer_email(settings, customer.locale or settings["default_locale"]),
        unsubscribe=emails.unsubscribe_url(shop, customer), name=names.greeting(names.of_customer(customer)),
        reward=views.reward(reward), share_url=codes.share_url(settings["referrals"]["share_url_template"], code))
    outbox.enqueue(kind="email", topic="referral_reward", payload=payload, shop_id=shop.id,
                   recipient=customer.email, customer_id=customer.id,
                   dedupe_key=f"referral_reward:{reward.id}")


def friend_offer_email(shop: Shop, code: ReferralCode, to: str, offer_code: str | None,
                       lang: str | None) -> bool:
    """The friend's offer, to the address the friend gave; once per address and shop, so that the
    form cannot be used to send the same person many e-mails. Answers whether one was queued."""
    settings = settings_of(shop)
    program = settings["referrals"]
    secret = current_app.config["SECRET_KEY"].encode()
    address_key = hmac.new(secret, fraud.mailbox_key(to).encode(), hashlib.sha256).hexdigest()[:32]
    payload: dict[str, Any] = emails.render(
        "referral_friend_offer", shop=shop, to=to, lang=lang or settings["default_locale"],
        **customer_email(settings, lang or settings["default_locale"]),
        referrer=names.first_name(names.of_customer(code.customer)), offer=views.offer(program["friend_offer"], lang, settings["default_locale"]),
        code=offer_code, link=codes.share_url(program["share_url_template"], code))
    # An offer is marketing: to an address the shop knows as a customer's, it goes only with that
    # customer's consent (the worker asks the catalog, with the customer's id, before it leaves).
    known = find_customer(shop, to)
    return outbox.enqueue(kind="email", topic="referral_friend_offer", payload=payload, shop_id=shop.id,
                          recipient=to, customer_id=known.id if known is not None else None,
                          dedupe_key=f"referral_friend_offer:{shop.id}:{address_key}")
