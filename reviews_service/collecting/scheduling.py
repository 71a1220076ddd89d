"""Review requests and the one reminder, queued as e-mails when they fall due (a job the worker
runs each round), under the shop's cap on asking e-mails per customer.

Each step is safe to run from many workers at once: a request moves on only through a guarded
UPDATE, and every message has a dedupe key, so a race queues nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select, update

from .. import i18n
from ..catalog import names
from ..catalog.models import Customer, Order
from ..extensions import db
from ..models_base import utcnow
from ..outbox import emails, jobs
from ..outbox.models import OutboxMessage
from ..outbox.service import enqueue
from ..reviews.models import Review, ReviewRequest
from ..shops import incentives
from ..shops.models import Shop
from ..shops.service import settings_of
from ..shops.settings import customer_email, shop_text
from . import requests as review_requests

REQUEST_TOPICS = ("review_request", "reminder")
# The asking e-mails the shop's cap counts together: a review request, its reminder, and the
# referral program's invitation to share a link (queued by referrals/invitations.py).
CAPPED_TOPICS = (*REQUEST_TOPICS, "referral_invitation")


def under_cap(customer: Customer, settings: dict, now: datetime) -> bool:
    """At most `email_cap_count` asking e-mails per customer in `email_cap_days`."""
    since = now - timedelta(days=settings["email_cap_days"])
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.customer_id == customer.id, OutboxMessage.topic.in_(CAPPED_TOPICS),
        OutboxMessage.created_at >= since, OutboxMessage.status != "dead"))
    return count < settings["email_cap_count"]


def _may_email(order: Order, customer: Customer) -> str | None:
    """Why not to e-mail (None when we may)."""
    if customer.unsubscribed_at is not None or customer.erased_at is not None:
        return "unsubscribed"
    if order.status in ("refunded", "cancelled"):
        return order.status
    return None


def _products(order: Order) -> list[dict]:
    return [{"name": item.product.name or item.name, "image_url": item.product.image_url}
            for item in order.kept_items]


def queue_due_requests(now: datetime | None = None, limit: int = 200) -> int:
    """Turn due review requests into e-mails; answers how many were queued."""
    now = now or utcnow()
    due = list(db.session.scalars(select(ReviewRequest).where(
        ReviewRequest.status == "scheduled", ReviewRequest.due_at <= now)
        .order_by(ReviewRequest.due_at).limit(limit)))
    queued = 0
    for request in due:
        queued += _send_request(request, now, reminder=False)
    # One reminder, and only when no review came for the order at all.
    reviewed = select(Review.id).where(Review.order_id == ReviewRequest.order_id).exists()
    reminders = list(db.session.scalars(select(ReviewRequest).where(
        ReviewRequest.status == "sent", ReviewRequest.reminded_at.is_(None),
        ReviewRequest.reminder_due_at <= now, ~reviewed)
        .order_by(ReviewRequest.reminder_due_at).limit(limit)))
    for request in reminders:
        queued += _send_request(request, now, reminder=True)
    return queued


def _send_request(request: ReviewRequest, now: datetime, *, reminder: bool) -> int:
    shop = db.session.get(Shop, request.shop_id)
    order = db.session.get(Order, request.order_id)
    customer = db.session.get(Customer, request.customer_id)
    settings = settings_of(shop)
    blocked = _may_email(order, customer)
    status_from = "sent" if reminder else "scheduled"
    if blocked:
        db.session.execute(update(ReviewRequest).where(ReviewRequest.id == request.id,
                                                       ReviewRequest.status == status_from)
                           .values(status="cancelled", cancelled_at=now))
        db.session.commit()
        return 0
    if not under_cap(customer, settings, now):
        # Over the cap: ask again tomorrow rather than drop the request or break the promise.
        column = "reminder_due_at" if reminder else "due_at"
        db.session.execute(update(ReviewRequest).where(ReviewRequest.id == request.id,
                                                       ReviewRequest.status == status_from)
                           .values({column: now + timedelta(days=1)}))
        db.session.commit()
        return 0
    if reminder:
        values = {"reminded_at": now}
        guard = ReviewRequest.reminded_at.is_(None)
    else:
        values = {"status": "sent", "sent_at": now,
                  "reminder_due_at": now + timedelta(days=settings["reminder_delay_days"])}
        guard = ReviewRequest.status == "scheduled"
    # Whoever moves the request on is the one who queues its e-mail.
    moved = db.session.execute(update(ReviewRequest).where(ReviewRequest.id == request.id, guard)
                               .values(**values)).rowcount
    if not moved:
        db.session.rollback()
        return 0
    topic = "reminder" if reminder else "review_request"
    lang = i18n.negotiate(customer.locale or settings["default_locale"])
    payload = emails.render(
        topic, shop=shop, to=customer.email, lang=lang, **customer_email(settings, lang),
        unsubscribe=emails.unsubscribe_url(shop, customer), name=names.greeting(names.of_customer(customer)),
        link=review_requests.link_for(request), products=_products(order),
        intro=shop_text(settings["review_request_intro"], lang, settings["default_locale"]),
        survey=settings["survey_enabled"],  # the e-mail mentions the page's question; only the page records it
        incentives=incentives.disclosures(settings, lang),  # said before the review is written
        subject_params={"product": _products(order)[0]["name"] if order.kept_items else ""})
    payload["request_id"] = request.id  # for `withdrawn`: a refund may still come before sending
    enqueue(kind="email", topic=topic, payload=payload, shop_id=shop.id, recipient=customer.email,
            customer_id=customer.id, dedupe_key=f"{topic}:{request.id}")
    db.session.commit()
    return 1


def withdrawn(message: OutboxMessage) -> str | None:
    """Why a queued review request or reminder must not go out any more (None when it still may).

    A message waits in the outbox while SMTP is down or unset: the order may be refunded or
    cancelled, or reviewed, before the worker gets to it. (The customer's unsubscribing or erasure
    the worker asks the catalog about, for every e-mail.)"""
    request_id = (message.payload or {}).get("request_id")
    if request_id is None:
        return None
    request = db.session.get(ReviewRequest, request_id)
    if request is None or request.status == "cancelled":
        return "the order was refunded or cancelled"
    if message.topic == "reminder" and db.session.scalar(
            select(Review.id).where(Review.order_id == request.order_id).limit(1)) is not None:
        return "reviewed"
    return None


def register(app: Flask) -> None:
    """The worker queues due review requests and reminders each round, and asks before sending one."""
    jobs.register_job(app, "review requests", queue_due_requests)
    jobs.register_check(app, REQUEST_TOPICS, withdrawn)
