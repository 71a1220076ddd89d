"""What moderation tells people by e-mail: the reviewer, that the shop replied in public (queued in
the reply's transaction); the moderators, once a day, how many reviews wait (a job the worker runs)."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import func, select

from ..catalog import names
from ..catalog.models import Customer
from ..extensions import db
from ..models_base import utcnow
from ..outbox import emails, jobs
from ..outbox.service import enqueue
from ..reviews.models import Review
from ..shops.models import Membership, Shop, User
from ..shops.service import settings_of
from ..shops.settings import customer_email


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
        "reply", shop=shop, to=review.email, lang=review.locale, **customer_email(settings_of(shop), review.locale),
        unsubscribe=emails.unsubscribe_url(shop, customer) if customer else None,
        name=greeted(review, customer),
        reply=review.reply.body if review.reply else "", title=review.title, body=review.body)
    return enqueue(kind="email", topic="reply", payload=payload, shop_id=shop.id, recipient=review.email,
                   customer_id=customer.id if customer else None,
                   dedupe_key=f"reply:{review.id}:{int(utcnow().timestamp())}")


def greeted(review: Review, customer: Customer | None) -> str:
    """Whom the notice greets, as every e-mail does: the customer's given name, else their full name.
    Without a customer record, the name the review shows: "Lan N." greets Lan, a full name is read
    by the review's language ("Nguyễn Thị Lan" is Lan in Vietnamese)."""
    if customer is not None and (customer.name or customer.given_name):
        return names.greeting(names.of_customer(customer))
    words = (review.author_name or "").split()
    if len(words) > 1 and _INITIAL.match(words[-1]):
        return " ".join(words[:-1])
    return names.greeting(names.person_name(review.author_name, locale=review.locale))


_INITIAL = re.compile(r"^\w\.$")


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


def register(app: Flask) -> None:
    """The worker queues the moderators' digest each round (once a day per moderator and shop)."""
    jobs.register_job(app, "moderators' digest", queue_digests)
