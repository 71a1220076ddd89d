"""The referral invitation: an e-mail asking a customer to share their referral link, due
`invitation_delay_days` after their order was delivered, while the program and the invitation are
on, and only to a customer who accepts marketing (the consent their latest order carried).

At most one goes to a customer in `invitation_period_days` (other delivered orders in the period
are skipped), and it counts towards the shop's cap on asking e-mails like a review request does
(`collecting.scheduling.under_cap`): over the cap it waits a day. A refund or cancellation of the
order, unsubscribing, erasure or withdrawn consent stops it, before it is queued and while it
waits in the outbox.

Nothing here reads reviews: whether the customer reviewed, and with how many stars, never
decides whether, when or what they are invited to share.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete, select, update

from .. import i18n
from ..catalog import names
from ..catalog.models import Customer, Order
from ..collecting.scheduling import under_cap
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..outbox import emails, jobs
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue
from ..shops.models import Shop
from ..shops.service import settings_of
from ..shops.settings import customer_email
from . import codes, views
from .models import Invitation

TOPIC = "referral_invitation"


def _on(settings: dict[str, Any]) -> bool:
    program = settings["referrals"]
    return bool(program["enabled"] and program["invitation_enabled"])


def schedule(shop: Shop, order: Order, delivered_at: datetime) -> None:
    """A delivered order, inside its transaction: its invitation falls due after the delay, when
    the shop invites and the customer accepts marketing. Once per order."""
    settings = settings_of(shop)
    customer = order.customer
    if not _on(settings) or not customer.accepts_marketing or _stopped(customer):
        return
    due = delivered_at + timedelta(days=settings["referrals"]["invitation_delay_days"])
    db.session.execute(insert_ignore(Invitation, {
        "shop_id": shop.id, "customer_id": customer.id, "order_id": order.id, "status": "scheduled",
        "due_at": due, "created_at": utcnow()}, ["order_id"]))


def cancel(order: Order, reason: str) -> None:
    """A refund or cancellation, inside its transaction: the order's invitation is not sent."""
    db.session.execute(update(Invitation).where(Invitation.order_id == order.id,
                                                Invitation.status == "scheduled")
                       .values(status="cancelled", reason=reason))


def forget_customer(customer_id: int) -> None:
    """An erasure, inside its transaction: the person's invitations are gone."""
    db.session.execute(delete(Invitation).where(Invitation.customer_id == customer_id))


def _stopped(customer: Customer) -> str | None:
    if customer.erased_at is not None:
        return "erased"
    if customer.unsubscribed_at is not None:
        return "unsubscribed"
    return None


def queue_due(now: datetime | None = None, limit: int = 200) -> int:
    """Turn due invitations into e-mails; answers how many were queued."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Invitation.id).where(
        Invitation.status == "scheduled", Invitation.due_at <= now)
        .order_by(Invitation.due_at, Invitation.id).limit(limit)))
    return sum(_send(invitation_id, now) for invitation_id in due)


def _why_not(settings: dict[str, Any], order: Order, customer: Customer) -> str | None:
    if not _on(settings):
        return "invitations off"
    if order.status in ("refunded", "cancelled"):
        return order.status
    if not customer.accepts_marketing:
        return "no marketing consent"
    return _stopped(customer)


def _send(invitation_id: int, now: datetime) -> int:
    invitation = db.session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None or invitation.status != "scheduled":
        return 0
    shop = db.session.get(Shop, invitation.shop_id)
    order = db.session.get(Order, invitation.order_id)
    # The customer's row is locked (PostgreSQL) so that two workers deciding two of their orders'
    # invitations take turns, and the second sees the first one sent.
    customer = db.session.get(Customer, invitation.customer_id, with_for_update=True,
                              populate_existing=True)
    settings = settings_of(shop)
    program = settings["referrals"]
    reason = _why_not(settings, order, customer)
    status = "cancelled"
    if reason is None and _sent_within(customer, now - timedelta(days=program["invitation_period_days"])):
        reason, status = "sent within the period", "skipped"
    if reason is not None:
        _move(invitation, status=status, reason=reason)
        return 0
    if not under_cap(customer, settings, now):
        # Over the cap: ask again tomorrow, as a review request does.
        db.session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                    Invitation.status == "scheduled")
                           .values(due_at=now + timedelta(days=1)))
        db.session.commit()
        return 0
    if not _move(invitation, status="sent", sent_at=now, commit=False):
        return 0
    lang = i18n.negotiate(customer.locale or settings["default_locale"])
    default_lang = settings["default_locale"]
    code = codes.code_for(shop, customer)
    payload = emails.render(
        TOPIC, shop=shop, to=customer.email, lang=lang, **customer_email(settings, lang),
        unsubscribe=emails.unsubscribe_url(shop, customer), name=names.greeting(names.of_customer(customer)),
        share_url=codes.share_url(program["share_url_template"], code),
        offer=views.offer(program["friend_offer"], lang, default_lang),
        reward=views.offer(program["referrer_reward"], lang, default_lang, side="referrer_reward"))
    payload["invitation_id"] = invitation.id  # for `withdrawn`: a refund may still come before sending
    enqueue(kind="email", topic=TOPIC, payload=payload, shop_id=shop.id, recipient=customer.email,
            customer_id=customer.id, dedupe_key=f"{TOPIC}:{invitation.id}")
    db.session.commit()
    return 1


def _sent_within(customer: Customer, since: datetime) -> bool:
    return db.session.scalar(select(Invitation.id).where(
        Invitation.customer_id == customer.id, Invitation.status == "sent",
        Invitation.sent_at >= since).limit(1)) is not None


def _move(invitation: Invitation, *, commit: bool = True, **values: Any) -> bool:
    """Move a scheduled invitation on; whoever moves it is the one who acts on it."""
    moved = db.session.execute(update(Invitation).where(Invitation.id == invitation.id,
                                                        Invitation.status == "scheduled")
                               .values(**values)).rowcount
    if not moved:
        db.session.rollback()
        return False
    if commit:
        db.session.commit()
    return True


def withdrawn(message: OutboxMessage) -> str | None:
    """Why a queued invitation must not go out any more (None when it still may): its order was
    refunded or cancelled, or the shop stopped inviting, while it waited in the outbox. (The
    customer's unsubscribing, erasure and consent the worker asks the catalog about.)"""
    invitation_id = (message.payload or {}).get("invitation_id")
    if invitation_id is None:
        return None
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        return "the customer was erased"
    order = db.session.get(Order, invitation.order_id)
    if order is None or order.status in ("refunded", "cancelled"):
        return "the order was refunded or cancelled"
    if not _on(settings_of(db.session.get(Shop, invitation.shop_id))):
        return "the shop stopped inviting"
    return None


def register(app: Flask) -> None:
    """The worker queues due invitations each round, and asks before sending one."""
    jobs.register_job(app, "referral invitations", queue_due)
    jobs.register_check(app, (TOPIC,), withdrawn)
