"""What the worker queues on its own: review-request e-mails when they fall due, one reminder,
the moderators' daily digest; and the reply notice a moderation action queues.

Each step is safe to run from many workers at once: a request moves on only through a guarded
UPDATE, and every message has a dedupe key, so a race queues nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..catalog.models import Customer, Order
from ..collecting import requests as review_requests
from ..extensions import db
from ..models_base import utcnow
from ..reviews.models import Review, ReviewRequest
from ..shops.models import Membership, Shop, User
from ..shops.service import settings_of
from . import emails
from .models import OutboxMessage
from .service import enqueue

CAPPED_TOPICS = ("review_request", "reminder")


def _under_cap(customer: Customer, settings: dict, now: datetime) -> bool:
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
            for item in order.items]


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
    if not _under_cap(customer, settings, now):
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
    payload = emails.render(
        topic, shop=shop, to=customer.email, lang=customer.locale or settings["default_locale"],
        unsubscribe=emails.unsubscribe_url(shop, customer), name=(customer.name or "").split(" ")[0],
        link=review_requests.link_for(request), products=_products(order),
        subject_params={"product": _products(order)[0]["name"] if order.items else ""})
    payload["request_id"] = request.id  # for `withdrawn`: a refund may still come before sending
    enqueue(kind="email", topic=topic, payload=payload, shop_id=shop.id, recipient=customer.email,
            customer_id=customer.id, dedupe_key=f"{topic}:{request.id}")
    db.session.commit()
    return 1


def withdrawn(message: OutboxMessage) -> str | None:
    """Why a queued e-mail must not go out any more (None when it still may).

    A message waits in the outbox while SMTP is down or unset: the order may be refunded, the
    customer may unsubscribe or be erased, or review, before the worker gets to it."""
    if message.customer_id is not None:
        customer = db.session.get(Customer, message.customer_id)
        if customer is not None and customer.erased_at is not None:
            return "erased"
        if customer is not None and customer.unsubscribed_at is not None:
            return "unsubscribed"
    request_id = (message.payload or {}).get("request_id")
    if message.topic not in CAPPED_TOPICS or request_id is None:
        return None
    request = db.session.get(ReviewRequest, request_id)
    if request is None or request.status == "cancelled":
        return "the order was refunded or cancelled"
    if message.topic == "reminder" and db.session.scalar(
            select(Review.id).where(Review.order_id == request.order_id).limit(1)) is not None:
        return "reviewed"
    return None


def queue_reply_notice(review: Review) -> bool:
    """Tell a reviewer that the shop replied in public (called in the reply's transaction)."""
    if not review.email:
        return False
    shop = db.session.get(Shop, review.shop_id)
    customer = db.session.scalar(select(Customer).where(Customer.shop_id == shop.id,
                                                        Customer.email == review.email))
    if customer is not None and (customer.unsubscribed_at or customer.erased_at):
        return False
    payload = emails.render(
        "reply", shop=shop, to=review.email, lang=review.locale,
        unsubscribe=emails.unsubscribe_url(shop, customer) if customer else None,
        name=review.author_name.split(" ")[0] if review.author_name else "",
        reply=review.reply.body if review.reply else "", title=review.title, body=review.body)
    return enqueue(kind="email", topic="reply", payload=payload, shop_id=shop.id, recipient=review.email,
                   customer_id=customer.id if customer else None,
                   dedupe_key=f"reply:{review.id}:{int(utcnow().timestamp())}")


def queue_digests(now: datetime | None = None) -> int:
    """Once a day, after DIGEST_HOUR (UTC), each moderator of a shop with pending reviews hears how
    many wait; the dedupe key makes it once per shop, person and day."""
    now = now or utcnow()
    if now.hour < current_app.config["DIGEST_HOUR"]:
        return 0
    pending = db.session.execute(select(Review.shop_id, func.count()).where(Review.status == "pending")
                                 .group_by(Review.shop_id)).all()
    queued = 0
    for shop_id, count in pending:
        shop = db.session.get(Shop, shop_id)
        people = db.session.scalars(select(User).join(Membership).where(Membership.shop_id == shop_id))
        for user in people:
            payload = emails.render("digest", shop=shop, to=user.email, lang=settings_of(shop)["default_locale"],
                                    count=count, link=f"{current_app.config['PUBLIC_URL']}/admin/",
                                    subject_params={"count": count})
            queued += enqueue(kind="email", topic="digest", payload=payload, shop_id=shop_id,
                              recipient=user.email, dedupe_key=f"digest:{shop_id}:{user.id}:{now.date()}")
    db.session.commit()
    return queued
