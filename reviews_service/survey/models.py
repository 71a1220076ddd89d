"""One survey answer per review request: the customer's score and their optional words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, utcnow


class SurveyAnswer(db.Model):
    """The answer to the shop's question, kept once per review request (an edit replaces it).
    The address is kept to find the answer for a customer's export and erasure."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 10", name="score"),
        Index("ix_survey_answers_shop_answered", "shop_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id", ondelete="CASCADE"), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
