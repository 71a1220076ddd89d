"""Reviews and what hangs off them: photos, helpful votes, abuse reports, the merchant's reply,
and the post-purchase review requests that ask for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow
from ..shops.settings import REJECT_REASONS

STATUSES = ("pending", "published", "rejected", "removed")
SOURCES = ("widget", "request", "thank_you", "import", "api")
REPORT_REASONS = ("spam", "abuse", "personal_data", "off_topic", "fake", "other")
REQUEST_STATUSES = ("scheduled", "sent", "completed", "cancelled")
REVISION_STATUSES = ("pending", "applied", "rejected", "superseded")



class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint(f"reject_reason IS NULL OR {one_of('reject_reason', REJECT_REASONS)}",
                        name="reject_reason"),
        # One review per product and order; without an order, one per product and e-mail.
        UniqueConstraint("product_id", "order_id"),
        Index("uq_reviews_product_email_without_order", "product_id", "email", unique=True,
              sqlite_where=text("order_id IS NULL"), postgresql_where=text("order_id IS NULL")),
        Index("ix_reviews_public_list", "product_id", "status", "published_at", "id"),
        # The public list's other sorts (and the star filter, on the first one) read in index order
        # too, so a product with 50,000 reviews costs what one with 50 costs, on any page. The
        # expressions are the very ones queries.py orders by: the planners match them verbatim.
        Index("ix_reviews_public_rating", "product_id", "status", "rating", "published_at", "id"),
        Index("ix_reviews_public_lowest", "product_id", "status", text("(-rating)"), "published_at", "id"),
        Index("ix_reviews_public_helpful", "product_id", "status", "helpful_up", "published_at", "id"),
        Index("ix_reviews_public_photos", "product_id", "status", text("(photo_count > 0)"),
              "published_at", "id"),
        # A reader's language (`?lang=`, and the first part of `?lang_first=`) in the default sort,
        # newest or oldest: read in index order too. The other sorts read that language's rows of
        # the product from it and order them.
        Index("ix_reviews_public_lang", "product_id", "status", "lang", "published_at", "id"),
        Index("ix_reviews_shop_status_updated", "shop_id", "status", "updated_at", "id"),
        # The moderation rules: one person's recent reviews (duplicates), one product's (bursts).
        Index("ix_reviews_shop_visitor_created", "shop_id", "visitor_hash", "created_at"),
        Index("ix_reviews_product_created", "product_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"),
                                                    index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    locale: Mapped[str] = mapped_column(String(16), default="en")  # the language of the form
    # The language the review is written in (a primary subtag: hy, pt), decided at submission
    # (collecting/languages.py); None when nobody knows.
    lang: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    moderation_rule: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    verified_buyer: Mapped[bool] = mapped_column(Boolean, default=False)
    incentivized: Mapped[bool] = mapped_column(Boolean, default=False)
    # The shop's offer in force when it was submitted ("review" or "photo", shops/incentives.py),
    # or None: what the reward, issued at the first moderation decision, will be.
    incentive: Mapped[str | None] = mapped_column(String(8))
    staff: Mapped[bool] = mapped_column(Boolean, default=False)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    helpful_up: Mapped[int] = mapped_column(Integer, default=0)
    helpful_down: Mapped[int] = mapped_column(Integer, default=0)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    visitor_hash: Mapped[str | None] = mapped_column(String(64))
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # A keyed hash of the widget's visitor id: with a token, it tells the referral checks which
    # browser is the buyer's own (referrals/fraud.py).
    visitor_id_hash: Mapped[str | None] = mapped_column(String(64))
    referral_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its reviewer last changed a review the public had seen (the public "edited" label).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    photos: Mapped[list[Photo]] = relationship(back_populates="review", order_by="Photo.position")
    reply: Mapped[Reply | None] = relationship(back_populates="review", uselist=False)


class Photo(db.Model):
    """A re-encoded photo: a display image and a thumbnail; the upload itself is never stored."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    display_name: Mapped[str] = mapped_column(String(200))
    thumb_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    visitor_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    review: Mapped[Review | None] = relationship(back_populates="photos")


class Vote(db.Model):
    """One counted helpful vote. A review holds at most one vote per visitor id and one per network
    (IP hash), by constraint, so that concurrent votes from one address count once; a network's
    vote older than the shop's window gives its address up (`ip_hash` NULL), as addresses change
    hands."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("review_id", "ip_hash"),
        UniqueConstraint("review_id", "visitor_id_hash"),
        Index("ix_votes_review_visitor", "review_id", "visitor_hash"),
        CheckConstraint("value IN (-1, 1)", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    visitor_hash: Mapped[str] = mapped_column(String(64))  # IP and user agent
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    visitor_id_hash: Mapped[str | None] = mapped_column(String(64))  # the widget's visitor id, keyed
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(db.Model):
    """An abuse report: one per browser (IP and user agent) and one per visitor id, by constraint."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("review_id", "visitor_hash"),
        UniqueConstraint("review_id", "visitor_id_hash"),
        CheckConstraint(one_of("reason", REPORT_REASONS), name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    visitor_hash: Mapped[str] = mapped_column(String(64))
    visitor_id_hash: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reply(db.Model):
    """The merchant's one public reply to a review."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    review: Mapped[Review] = relationship(back_populates="reply")


class ReviewRevision(db.Model):
    """A reviewer's edit of their own review: the new stars and words, waiting for the rules or a
    moderator (`pending`), then `applied` to the review, `rejected`, or `superseded` by a later
    edit. At most one waits per review, by constraint. The published version stays as it is
    until its revision is applied (moderation.service.apply_revision)."""

    __tablename__ = "review_revisions"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("previous_rating BETWEEN 1 AND 5", name="previous_rating"),
        CheckConstraint(one_of("status", REVISION_STATUSES), name="status"),
        CheckConstraint(f"reject_reason IS NULL OR {one_of('reject_reason', REJECT_REASONS)}",
                        name="reject_reason"),
        Index("ix_review_revisions_review", "review_id", "id"),
        Index("ix_review_revisions_shop_status_created", "shop_id", "status", "created_at", "id"),
        # Two edits sent at once: the second one's insert fails instead of leaving two waiting.
        Index("uq_review_revisions_one_pending", "review_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    # The review's stars when the edit was made: the direction of the edit (up, down, unchanged).
    previous_rating: Mapped[int] = mapped_column(SmallInteger)
    rating: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    moderation_rule: Mapped[str | None] = mapped_column(String(64))  # the rule or policy that decided or holds it
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(64))  # an audit actor: "policy", "user:<id>", ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewRequest(db.Model):
    """One per order: asks the customer, after fulfilment, to review what they bought."""

    __tablename__ = "review_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        Index("ix_review_requests_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
