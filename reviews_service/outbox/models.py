"""The outbox: every e-mail and webhook, written in the transaction of the change that causes it,
and the shops' webhook endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

STATUSES = ("pending", "sending", "sent", "failed", "dead")
# A task is work a room registered with the worker (`jobs.register_task`), named by its topic.
KINDS = ("email", "webhook", "task")


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        # The worker's claim query: due rows that are waiting, oldest due first.
        Index("ix_outbox_claim", "status", "next_attempt_at"),
        Index("ix_outbox_shop_created", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # What the message is: "review_request", "reminder", "reply", "digest", a webhook event type,
    # or the registered handler of a task ("publish.product").
    topic: Mapped[str] = mapped_column(String(64))
    # Makes scheduling idempotent: the same reason to send never queues a second message.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(2000), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"),
                                                    index=True)
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEndpoint(db.Model):
    """Where a shop wants its events. The secret must stay readable to sign with; it is shown to
    the shop once, at creation, and never again through any API."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
