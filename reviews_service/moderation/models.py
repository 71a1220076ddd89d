"""The audit log: every change of a review's status, who made it and why; and the alerts about
unhappy customers that wait for the next batched e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_review", "review_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    # "system", "policy", "rule:<name>", "user:<id>", "api", "cli"
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProblemAlert(db.Model):
    """Something a customer was unhappy about, waiting to be told to the shop's members who asked
    for alerts (moderation/alerts.py). Today a review of 1 or 2 stars; private feedback and a low
    survey score are meant to arrive through the same `alerts.note_problem` call. What the e-mail
    lists is kept as it was when it arrived, with the customer's address only for an erasure."""

    __tablename__ = "problem_alerts"
    __table_args__ = (Index("ix_problem_alerts_waiting", "shop_id", "notified_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "review" (later "feedback", "survey")
    subject_id: Mapped[str] = mapped_column(String(64))  # the review's public id
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    product: Mapped[str] = mapped_column(String(500), default="")
    stars: Mapped[int | None] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
