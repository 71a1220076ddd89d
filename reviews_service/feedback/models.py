"""A customer's message only for the shop, and the private conversation around it.

No rating column on any of them: private feedback carries no stars, so nothing here can weigh on a
review's status, position or the aggregates. A thread (a "follow-up" in the inbox) is about one
review (its private feedback and its low-rating alert are one thread) or about private feedback
sent alone; the shop's private replies hang off it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

THREAD_STATUSES = ("open", "answered", "closed")
# What opened a thread: the customer's message, a review of 1 or 2 stars, or the shop's own
# private reply to a review nobody had flagged.
OPENED_BY = ("feedback", "low_rating", "reply")
DIRECTIONS = ("up", "down", "unchanged")


class Thread(db.Model):
    __tablename__ = "feedback_threads"
    __table_args__ = (
        CheckConstraint(one_of("status", THREAD_STATUSES), name="status"),
        CheckConstraint(one_of("opened_by", OPENED_BY), name="opened_by"),
        # The inbox: a shop's threads in one status, latest activity first.
        Index("ix_feedback_threads_inbox", "shop_id", "status", "activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    # One thread per review; None for a thread about private feedback sent alone.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    # Whom a private reply goes to, in which language; kept here so that an erasure finds it.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    customer_name: Mapped[str] = mapped_column(String(100), default="")
    locale: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_by: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The last message either way (the inbox's order).
    activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PrivateFeedback(db.Model):
    __tablename__ = "private_feedback"
    __table_args__ = (Index("ix_private_feedback_sync", "shop_id", "updated_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    # The review it was sent with, or None when the customer answered with private feedback alone.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_threads.id", ondelete="SET NULL"),
                                                  index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str] = mapped_column(Text)
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PrivateReply(db.Model):
    """The shop's answer by e-mail: sent through the outbox in the transaction that stores it."""

    __tablename__ = "private_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("feedback_threads.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # "user:<id>" for a member in the admin, "key:<prefix>" for the server API.
    actor: Mapped[str] = mapped_column(String(64))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254))  # to whom it was sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EditAfterReply(db.Model):
    """A reviewer's edit of a review the shop had answered privately: only its direction and
    stars, no personal data, so the compliance panel's count outlives an erasure."""

    __tablename__ = "edits_after_private_reply"
    __table_args__ = (
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        Index("ix_edits_after_private_reply_shop_at", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    old_rating: Mapped[int] = mapped_column(SmallInteger)
    new_rating: Mapped[int] = mapped_column(SmallInteger)
    direction: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
