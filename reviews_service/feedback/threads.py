"""Follow-up threads: the inbox of customers someone should answer.

A thread is about one review (its private feedback and its low-rating alert are one thread, so a
moderator sees the whole story once) or about private feedback sent alone (later feedback for the
same order joins it). It is `open` until the shop answers privately (`answered`); new feedback
opens it again; a moderator may close it and open it again. Opening a thread never touches the
review: its status, position and aggregates are moderation's alone."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, tuple_

from .. import cursors
from ..catalog.models import Order, Product
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..moderation import alerts
from ..reviews.models import Review
from ..shops.models import Shop
from .models import THREAD_STATUSES, PrivateFeedback, PrivateReply, Thread

# What a moderator may set by hand: "answered" is what a private reply makes a thread.
SETTABLE = ("open", "closed")
_KEY_KINDS = (cursors.AT, cursors.ID)


def _public_id() -> str:
    return "thr_" + secrets.token_urlsafe(12)


def for_review(review: Review, *, opened_by: str) -> Thread:
    """The review's thread, opened if it has none. An insert that ignores a conflict, so that two
    moderators answering the same review at once still make one thread."""
    now = utcnow()
    db.session.flush()
    db.session.execute(insert_ignore(Thread, {
        "public_id": _public_id(), "shop_id": review.shop_id, "review_id": review.id,
        "order_id": review.order_id, "product_id": review.product_id, "email": review.email,
        "customer_name": (review.author_name or "")[:100], "locale": review.locale, "status": "open",
        "opened_by": opened_by, "created_at": now, "updated_at": now, "activity_at": now}, ["review_id"]))
    return db.session.scalar(select(Thread).where(Thread.review_id == review.id))


def review_arrived(shop: Shop, *, review: Review, **_: Any) -> None:
    """The `review_submitted` receiver: a review of 1 or 2 stars opens a thread, so that someone
    answers the customer. It runs after the review's status is decided and never reads it."""
    if review.rating <= alerts.LOW_RATING:
        for_review(review, opened_by="low_rating")


def attach(feedback: PrivateFeedback, review: Review | None) -> Thread:
    """New private feedback joins its review's thread, or the thread of its order's earlier
    feedback, or opens a thread; an answered or closed thread is open again."""
    if review is not None:
        thread = for_review(review, opened_by="feedback")
    else:
        thread = db.session.scalar(select(Thread).where(
            Thread.shop_id == feedback.shop_id, Thread.review_id.is_(None), Thread.order_id.is_not(None),
            Thread.order_id == feedback.order_id, Thread.email == feedback.email).order_by(Thread.id).limit(1))
        if thread is None:
            thread = Thread(public_id=_public_id(), shop_id=feedback.shop_id, order_id=feedback.order_id,
                            product_id=feedback.product_id, email=feedback.email,
                            customer_name=feedback.author_name[:100], locale=feedback.locale, opened_by="feedback")
            db.session.add(thread)
            db.session.flush()
    feedback.thread_id = thread.id
    thread.status, thread.activity_at = "open", utcnow()
    return thread


# --- reading --------------------------------------------------------------------------------------

def get(shop: Shop, thread_id: str) -> Thread:
    thread = db.session.scalar(select(Thread).where(Thread.shop_id == shop.id, Thread.public_id == str(thread_id)))
    if thread is None:
        raise NotFound("No thread with this id in this shop.")
    return thread


def of_feedback(shop: Shop, feedback_id: str) -> Thread:
    """The thread of a message of private feedback (by the feedback's id)."""
    feedback = db.session.scalar(select(PrivateFeedback).where(
        PrivateFeedback.shop_id == shop.id, PrivateFeedback.public_id == str(feedback_id)))
    if feedback is None:
        raise NotFound("No private feedback with this id in this shop.")
    if feedback.thread_id is None:  # stored before threads existed
        return attach(feedback, db.session.get(Review, feedback.review_id) if feedback.review_id else None)
    return db.session.get(Thread, feedback.thread_id)


def of_review(review: Review) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.review_id == review.id))


def review_of(thread: Thread) -> Review | None:
    return db.session.get(Review, thread.review_id) if thread.review_id else None


def counts(shop: Shop) -> dict[str, int]:
    """The number of threads in each status."""
    found = dict(db.session.execute(select(Thread.status, func.count()).where(Thread.shop_id == shop.id)
                                    .group_by(Thread.status)).all())
    return {status: found.get(status, 0) for status in THREAD_STATUSES}


def inbox(shop: Shop, *, status: str, cursor: str | None = None,
          limit: int = 50) -> tuple[list[Thread], str | None]:
    """The shop's threads in one status, latest activity first, a page at a time."""
    if status not in THREAD_STATUSES:
        raise Invalid(f"Unknown status {status!r}: one of {', '.join(THREAD_STATUSES)}.", field="status")
    query: Select = select(Thread).where(Thread.shop_id == shop.id, Thread.status == status)
    columns = [Thread.activity_at, Thread.id]
    if cursor:
        key = cursors.decode(cursor, "inbox", _KEY_KINDS)
        value = tuple_(*[bindparam(None, v, type_=c.type) for v, c in zip(key, columns, strict=True)])
        query = query.where(tuple_(*columns) < value)
    rows = list(db.session.scalars(query.order_by(*[c.desc() for c in columns]).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = cursors.encode("inbox", [last.activity_at, last.id])
    return rows[:limit], next_cursor


def replies_of(thread: Thread) -> list[PrivateReply]:
    return list(db.session.scalars(select(PrivateReply).where(PrivateReply.thread_id == thread.id)
                                   .order_by(PrivateReply.created_at, PrivateReply.id)))


def feedback_of(thread: Thread) -> list[PrivateFeedback]:
    return list(db.session.scalars(select(PrivateFeedback).where(PrivateFeedback.thread_id == thread.id)
                                   .order_by(PrivateFeedback.created_at, PrivateFeedback.id)))


def messages(thread: Thread) -> list[dict[str, Any]]:
    """What the customer wrote (the review, when the thread is about one, then their private
    feedback) and the shop's private replies, oldest first."""
    found: list[dict[str, Any]] = []
    review = review_of(thread)
    if review is not None:
        found.append({"kind": "review", "id": review.public_id, "author": "customer", "rating": review.rating,
                      "title": review.title, "body": review.body, "at": review.created_at, "email": None})
    found += [{"kind": "feedback", "id": f.public_id, "author": "customer", "rating": None, "title": "",
               "body": f.message, "at": f.created_at, "email": None} for f in feedback_of(thread)]
    found += [{"kind": "reply", "id": r.public_id, "author": "api" if r.actor.startswith("key:") else "user",
               "user_id": r.author_user_id, "rating": None, "title": "", "body": r.body, "at": r.created_at,
               "email": r.email} for r in replies_of(thread)]
    return sorted(found, key=lambda m: m["at"])


def view(thread: Thread, *, with_messages: bool = True) -> dict[str, Any]:
    """The thread as the server API shows it."""
    review = review_of(thread)
    product = db.session.get(Product, thread.product_id) if thread.product_id else None
    order = db.session.get(Order, thread.order_id) if thread.order_id else None
    out = {"id": thread.public_id, "status": thread.status, "opened_by": thread.opened_by,
           "review_id": review.public_id if review else None, "order_id": order.external_id if order else None,
           "product_id": product.external_id if product else None, "email": thread.email,
           "customer_name": thread.customer_name, "locale": thread.locale, "created_at": thread.created_at,
           "updated_at": thread.updated_at, "activity_at": thread.activity_at}
    if with_messages:
        out["messages"] = [{k: v for k, v in m.items() if k != "user_id"} for m in messages(thread)]
    return out


def product_name(thread: Thread) -> str:
    product = db.session.get(Product, thread.product_id) if thread.product_id else None
    return product.name if product else ""


# --- changing -------------------------------------------------------------------------------------

def set_status(shop: Shop, thread_id: str, status: str) -> Thread:
    """Close a thread, or open it again (a moderator's choice; a private reply answers it)."""
    if status not in SETTABLE:
        raise Invalid(f"A thread can be set to {' or '.join(SETTABLE)}; a private reply makes it answered.",
                      field="status")
    thread = get(shop, thread_id)
    if thread.status != status:
        thread.status = status
    db.session.commit()
    return thread


# --- the person's data ----------------------------------------------------------------------------

def of_person(shop_id: int, email: str) -> list[Thread]:
    return list(db.session.scalars(select(Thread).where(Thread.shop_id == shop_id, Thread.email == email)
                                   .order_by(Thread.id)))


def erase(shop_id: int, email: str) -> dict[str, int]:
    """The person's threads and the shop's private replies to them go; the anonymous count of
    edits after a private reply stays."""
    ids = [t.id for t in of_person(shop_id, email)]
    replies = db.session.execute(delete(PrivateReply).where(
        PrivateReply.shop_id == shop_id, (PrivateReply.email == email) | PrivateReply.thread_id.in_(ids))
        .execution_options(synchronize_session=False)).rowcount
    threads = db.session.execute(delete(Thread).where(Thread.id.in_(ids))
                                 .execution_options(synchronize_session=False)).rowcount if ids else 0
    return {k: v for k, v in {"private_threads": threads, "private_replies": replies}.items() if v}
