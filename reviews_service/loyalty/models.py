"""The loyalty programme's rows: each member's summary, the append-only ledger, and the records
that make each grant happen once (an order's points, a review's points, a redemption)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

ENTRY_KINDS = ("earn", "hold_release", "redeem", "expire", "adjust", "reverse")
# What an entry is about: an order, a review, a referral, the shop's adjustment, an event the shop
# reported (account created, birthday), a redemption, or the programme's own rules (expiry, erasure).
SOURCES = ("order", "review", "referral", "admin", "event", "redemption", "programme")
REVIEW_STATUSES = ("offered", "granted", "withheld")


class Member(db.Model):
    """A customer's place in the programme: the summary the ledger adds up to, kept current in the
    transaction of each entry. `spendable` goes below zero only by a reversal (`flagged_at`)."""

    __tablename__ = "loyalty_members"
    __table_args__ = (
        UniqueConstraint("shop_id", "customer_id"),
        CheckConstraint("pending >= 0", name="pending"),
        CheckConstraint("birthday_month IS NULL OR (birthday_month BETWEEN 1 AND 12 AND birthday_day "
                        "BETWEEN 1 AND 31)", name="birthday"),
        Index("ix_loyalty_members_birthday", "shop_id", "birthday_month", "birthday_day"),
        Index("ix_loyalty_members_activity", "shop_id", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    spendable: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)  # earned, still held
    tier: Mapped[str | None] = mapped_column(String(32))  # the tier's id in the shop's settings
    tier_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the tier was last worked out: the worker looks again daily, as the year rolls on.
    tier_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a reversal took `spendable` below zero; cleared when it is back at zero or above.
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Month and day only, as the shop reported them: no year is ever asked for or kept.
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    # The last time points were earned, released from a hold or spent: expiry counts from it.
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Entry(db.Model):
    """One change of a member's points, never changed or deleted after it is written. `dedupe`
    names what it is for ("order:12", "review:40", ...): unique per shop, so that the same order,
    review or referral is never granted twice, whatever arrives twice."""

    __tablename__ = "loyalty_entries"
    __table_args__ = (
        UniqueConstraint("shop_id", "dedupe"),
        CheckConstraint(one_of("kind", ENTRY_KINDS), name="kind"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        Index("ix_loyalty_entries_member", "member_id", "id"),
        Index("ix_loyalty_entries_member_created", "member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("loyalty_members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    # The order's, review's or referral's id as the API shows it, the redemption's, the event's name.
    reference: Mapped[str] = mapped_column(String(255), default="")
    # What the entry did to the spendable and the held points (a hold's release moves points
    # from one to the other).
    spendable_change: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_change: Mapped[int] = mapped_column(BigInteger, default=0)
    # Money spent that counts for a spend-based tier: an order's total, less what was refunded.
    spend: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64), default="")  # "api", "user:3", "worker", "order"
    spendable_after: Mapped[int] = mapped_column(BigInteger)
    pending_after: Mapped[int] = mapped_column(BigInteger)
    dedupe: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def points(self) -> int:
        """The entry as a member reads it: +50 earned (held or not), +50 released, -500 spent."""
        if self.kind == "hold_release":
            return self.spendable_change
        return self.spendable_change + self.pending_change


class OrderPoints(db.Model):
    """An order's points: earned once (by constraint), held until `release_at`, reversed in
    proportion to what is refunded."""

    __tablename__ = "loyalty_orders"
    __table_args__ = (
        UniqueConstraint("order_id"),
        CheckConstraint("held >= 0 AND held <= earned", name="held"),
        CheckConstraint("reversed >= 0 AND reversed <= earned", name="reversed"),
        Index("ix_loyalty_orders_held", "release_at", sqlite_where=text("held > 0"),
              postgresql_where=text("held > 0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("loyalty_members.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    earned: Mapped[int] = mapped_column(BigInteger)
    held: Mapped[int] = mapped_column(BigInteger)  # still pending
    reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    spend: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    reversed_spend: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))
    release_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewPoints(db.Model):
    """The points a review was submitted under (the settings then, never its stars), granted at
    its first moderation decision; one row per review (by constraint)."""

    __tablename__ = "loyalty_reviews"
    __table_args__ = (
        UniqueConstraint("review_id"),
        CheckConstraint(one_of("status", REVIEW_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("loyalty_members.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="offered")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redemption(db.Model):
    """A reward bought with points: its code from the reward's pool, or none when the shop makes
    it (webhook). What the reward was is kept as it was then, whatever the settings become."""

    __tablename__ = "loyalty_redemptions"
    __table_args__ = (Index("ix_loyalty_redemptions_member", "member_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("loyalty_members.id", ondelete="CASCADE"))
    reward: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16))  # "pool" or "webhook"
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(64))
    offer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
