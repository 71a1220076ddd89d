"""A shop's connection to its platform, and the deliveries its webhooks made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

PLATFORMS = ("shopify", "woocommerce")
# applied: mapped onto the catalog; ignored: a topic or a state we do not act on; waiting: it
# names an order not received yet (applied when the order arrives); refused: the payload made no
# sense to the catalog (the reason is in `detail`).
DELIVERY_STATUSES = ("applied", "ignored", "waiting", "refused")


class Connection(db.Model):
    __tablename__ = "connections"
    __table_args__ = (
        UniqueConstraint("shop_id", "platform"),
        CheckConstraint(one_of("platform", PLATFORMS), name="platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    # The store's own domain: shop.myshopify.com (X-Shopify-Shop-Domain), or the WooCommerce
    # site's host (X-WC-Webhook-Source).
    domain: Mapped[str] = mapped_column(String(255), default="")
    # The webhook secret, Fernet-encrypted (connectors/secrets.py); never answered.
    secret_encrypted: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Delivery(db.Model):
    """One webhook delivery received, once: (connection, topic, the platform's delivery key)
    is unique, so that of two identical deliveries arriving together one is stored and acted on."""

    __tablename__ = "connector_deliveries"
    __table_args__ = (
        UniqueConstraint("connection_id", "topic", "dedupe_key"),
        CheckConstraint(one_of("status", DELIVERY_STATUSES), name="status"),
        Index("ix_connector_deliveries_waiting", "connection_id", "order_external_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(100))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
    order_external_id: Mapped[str | None] = mapped_column(String(255))
    # Kept only while the delivery waits for its order (a refund before the order): then cleared.
    payload: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
