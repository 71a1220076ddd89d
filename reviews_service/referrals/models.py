"""The referral program's rows: each customer's code, the visits that arrived through it, the
referrals it earned, their rewards, and the shop's pool of single-use coupon codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Customer, Order
from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

STATUSES = ("pending", "approved", "rejected", "flagged")
COUPON_KINDS = ("referrer_reward", "friend_offer", "review_incentive")
# Pools a room above keeps in the same table, one per thing it gives: `loyalty:<reward id>`.
ROOM_POOLS = ("loyalty:",)
REWARD_SOURCES = ("pool", "webhook")
SOURCES = ("order", "handover")



class ReferralCode(db.Model):
    """A customer's own code: one per customer and shop, unique in the shop (both by constraint)."""

    __tablename__ = "referral_codes"
    __table_args__ = (UniqueConstraint("shop_id", "code"), UniqueConstraint("shop_id", "customer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    # Set by an erasure: the code stops working, and its name part is gone.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()


class ReferralClick(db.Model):
    """A visit that arrived through a referral link: who (keyed hashes only) and when."""

    __tablename__ = "referral_clicks"
    __table_args__ = (
        Index("ix_referral_clicks_code_created", "code_id", "created_at"),
        Index("ix_referral_clicks_shop_visitor", "shop_id", "visitor_hash", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("referral_codes.id", ondelete="CASCADE"))
    visitor_hash: Mapped[str] = mapped_column(String(64))
    ip_hash: Mapped[str] = mapped_column(String(64))
    visitor_id_hash: Mapped[str | None] = mapped_column(String(64))  # the widget's visitor id, keyed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerVisit(db.Model):
    """A browser seen holding a customer's widget token (the thank-you page, the referral panel).

    The self-referral check compares these: a friend whose browser is one the referrer used."""

    __tablename__ = "referral_customer_visits"
    __table_args__ = (UniqueConstraint("customer_id", "visitor_hash"),
                      Index("ix_referral_customer_visits_shop_visitor", "shop_id", "visitor_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    visitor_hash: Mapped[str] = mapped_column(String(64))
    ip_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Referral(db.Model):
    """A friend's order that came through a referrer's code; at most one per order."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("order_id"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        Index("ix_referrals_shop_status_id", "shop_id", "status", "id"),
        Index("ix_referrals_status_hold", "status", "hold_until"),
        Index("ix_referrals_code_created", "code_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("referral_codes.id", ondelete="CASCADE"))
    referrer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    friend_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Named fraud signals, in the order they were found (fraud.SIGNALS).
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Why it is rejected or flagged: a signal's name, "refunded", "below_minimum", "pool_empty", ...
    reason: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")  # the owner's words with a decision
    source: Mapped[str] = mapped_column(String(16), default="order")
    # The browser that converted, when known (a hand-over, or the friend's thank-you page).
    visitor_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The widget's visitor id (keyed) of the click a hand-over found: the friend's browser.
    visitor_id_hash: Mapped[str | None] = mapped_column(String(64))
    order_total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    hold_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # An owner looked at the unclear signals and let the referral go on.
    owner_cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(16))  # "policy", "owner", "order"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    code: Mapped[ReferralCode] = relationship()
    referrer: Mapped[Customer] = relationship(foreign_keys=[referrer_id])
    friend: Mapped[Customer] = relationship(foreign_keys=[friend_id])
    order: Mapped[Order] = relationship()
    reward: Mapped[Reward | None] = relationship(back_populates="referral", uselist=False)


class Reward(db.Model):
    """The referrer's reward for one approved referral: exactly one, by constraint."""

    __tablename__ = "referral_rewards"
    __table_args__ = (
        UniqueConstraint("referral_id"),
        UniqueConstraint("coupon_id"),
        CheckConstraint(one_of("source", REWARD_SOURCES), name="source"),
        Index("ix_referral_rewards_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(64))  # None: the shop makes it (webhook)
    # What was promised when it was earned, kept even if the program's settings change later.
    offer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="reward")


class Coupon(db.Model):
    """A single-use code the shop loaded into its pool; claimed at most once."""

    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("shop_id", "code"),
        CheckConstraint(f"{one_of('kind', COUPON_KINDS)} OR substr(kind, 1, 8) = 'loyalty:'", name="kind"),
        Index("ix_coupons_pool", "shop_id", "kind", "claimed_at", "id"),
        Index("ix_coupons_claimed_by", "shop_id", "claimed_by"),
        Index("ix_coupons_claimed_ip", "shop_id", "kind", "claimed_ip_hash", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    code: Mapped[str] = mapped_column(String(64))
    # "referral:<id>" for a referrer's reward, "visitor:<hash>" for a friend's offer,
    # "loyalty:<redemption id>" for a loyalty reward.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The network (IP hash) a friend's code went to: the pool hands out a few per network a day.
    claimed_ip_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


INVITATION_STATUSES = ("scheduled", "sent", "cancelled", "skipped")


class Invitation(db.Model):
    """The e-mail inviting a customer to share their link, due some days after an order's delivery:
    one per order (by constraint), sent at most once per customer in the shop's period."""

    __tablename__ = "referral_invitations"
    __table_args__ = (
        UniqueConstraint("order_id"),
        CheckConstraint(one_of("status", INVITATION_STATUSES), name="status"),
        Index("ix_referral_invitations_status_due", "status", "due_at"),
        Index("ix_referral_invitations_customer_sent", "customer_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was cancelled or skipped: "refunded", "no marketing consent", "sent within the period", ...
    reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


INCENTIVE_STATUSES = ("issued", "withheld", "waiting")


class ReviewIncentive(db.Model):
    """A review's incentive, decided at its first moderation decision: one row per review (by
    constraint), so a review decided twice, or by two moderators at once, is rewarded once.
    `withheld` when that decision rejected it as spam or abuse; `waiting` when the pool was empty."""

    __tablename__ = "review_incentives"
    __table_args__ = (
        UniqueConstraint("review_id"),
        CheckConstraint(one_of("status", INCENTIVE_STATUSES), name="status"),
        # The rows an empty pool left waiting, oldest first: what a load of codes and the worker's
        # round read, without scanning every reward the shop ever gave.
        Index("ix_review_incentives_waiting", "shop_id", "created_at", "id",
              sqlite_where=text("status = 'waiting'"), postgresql_where=text("status = 'waiting'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    offer: Mapped[str] = mapped_column(String(8))  # "review" or "photo"
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # "pool" or "webhook"
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the code was claimed (or the webhook queued): later than created_at for a waiting row.
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
