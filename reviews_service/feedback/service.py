"""Private feedback: stored beside a review (in the review's own transaction) or alone, as the
answer to a review request; listed for the shop's backend; told to the shop through the same
batched alert as a low rating. Nothing here reads or writes a review's status, rating or position."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, delete, select, tuple_

from .. import cursors
from ..catalog import names
from ..catalog.models import Order, Product
from ..collecting import requests as review_requests
from ..errors import Invalid
from ..extensions import db
from ..moderation import alerts
from ..outbox.service import emit_event
from ..reviews.models import Review
from ..shops.models import Shop
from ..shops.service import settings_of
from . import threads
from .models import PrivateFeedback

MAX_LENGTH = 5000
_KEY_KINDS = (cursors.AT, cursors.ID)


def record(shop: Shop, message: str, *, email: str | None, author_name: str = "", locale: str | None = None,
           review: Review | None = None, order_id: int | None = None,
           product_id: int | None = None) -> PrivateFeedback | None:
    """Store a message only for the shop in its thread (threads.py: the inbox) and tell the shop
    (alert e-mail, `feedback.received` webhook), inside the caller's transaction. A blank message
    stores nothing."""
    message = message.strip()
    if not message:
        return None
    feedback = PrivateFeedback(public_id=secrets.token_urlsafe(12), shop_id=shop.id, email=email,
                               review_id=review.id if review else None, order_id=order_id,
                               product_id=product_id, author_name=author_name[:100], message=message,
                               locale=locale)
    db.session.add(feedback)
    db.session.flush()
    thread = threads.attach(feedback, review)
    product = db.session.get(Product, product_id) if product_id else None
    # The alert links to the thread's page in the admin, where a member can answer privately.
    link = f"{current_app.config['PUBLIC_URL']}/admin/shops/{shop.slug}/inbox/{thread.public_id}"
    alerts.note_problem(shop.id, kind="feedback", subject_id=feedback.public_id, text=message,
                        product=product.name if product else "", email=email, link=link)
    emit_event(shop.id, "feedback.received", {"feedback": server_view(feedback)})
    return feedback


def with_review(shop: Shop, *, review: Review, private_message: str = "", **_: Any) -> None:
    """The `review_submitted` receiver: the review's private message, if any, stored beside it."""
    if private_message:
        record(shop, private_message, email=review.email, author_name=review.author_name,
               locale=review.locale, review=review, order_id=review.order_id, product_id=review.product_id)


def answer_request(shop: Shop, token: str, message: str, *, display_name: str = "",
                   locale: str | None = None) -> PrivateFeedback:
    """A review request answered with private feedback alone: no review, no stars."""
    grant = review_requests.grant_for_token(shop, token)
    if not message.strip():
        raise Invalid("Please write your message for the shop.", field="message")
    customer = grant.order.customer
    author = display_name.strip() or names.public_name(names.of_customer(customer), customer.locale)
    feedback = record(shop, message, email=customer.email, author_name=author,
                      locale=locale or customer.locale or settings_of(shop)["default_locale"],
                      order_id=grant.order.id)
    db.session.commit()
    return feedback


def server_query(shop: Shop, *, updated_since=None) -> Select:
    query = select(PrivateFeedback).where(PrivateFeedback.shop_id == shop.id)
    if updated_since is not None:
        query = query.where(PrivateFeedback.updated_at >= updated_since)
    return query


def page(query: Select, *, limit: int, cursor: str | None) -> tuple[list[PrivateFeedback], str | None]:
    """Oldest change first, so that a sync can store `next_cursor` and resume from it."""
    columns = [PrivateFeedback.updated_at, PrivateFeedback.id]
    if cursor:
        key = cursors.decode(cursor, "feedback", _KEY_KINDS)
        value = tuple_(*[bindparam(None, v, type_=c.type) for v, c in zip(key, columns, strict=True)])
        query = query.where(tuple_(*columns) > value)
    rows = list(db.session.scalars(query.order_by(*columns).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = cursors.encode("feedback", [last.updated_at, last.id])
    return rows[:limit], next_cursor


def server_view(feedback: PrivateFeedback) -> dict[str, Any]:
    review = db.session.get(Review, feedback.review_id) if feedback.review_id else None
    product = db.session.get(Product, feedback.product_id) if feedback.product_id else None
    order = _order_id(feedback.order_id)
    return {"id": feedback.public_id, "message": feedback.message, "email": feedback.email,
            "author_name": feedback.author_name, "locale": feedback.locale,
            "review_id": review.public_id if review else None,
            "product_id": product.external_id if product else None, "order_id": order,
            "created_at": feedback.created_at, "updated_at": feedback.updated_at}


def _order_id(order_id: int | None) -> str | None:
    if order_id is None:
        return None
    order = db.session.get(Order, order_id)
    return order.external_id if order else None


def of_person(shop_id: int, email: str, customer_id: int | None) -> list[PrivateFeedback]:
    """The person's private feedback: by address (a token's feedback keeps the customer's)."""
    return list(db.session.scalars(select(PrivateFeedback).where(
        PrivateFeedback.shop_id == shop_id, PrivateFeedback.email == email).order_by(PrivateFeedback.id)))


def erase(shop_id: int, email: str) -> int:
    return db.session.execute(delete(PrivateFeedback).where(
        PrivateFeedback.shop_id == shop_id, PrivateFeedback.email == email)
        .execution_options(synchronize_session=False)).rowcount
