"""A shop's connections: settings (platform, store domain, webhook secret), what to register on
the platform, and the deliveries received. The secret is write-only: stored encrypted, never
answered; a view says only whether one is set."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update

from .. import mentions
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..shops.models import Shop
from . import secrets
from .models import PLATFORMS, Connection, Delivery
from .receiver import connection_of

# What the shop registers on its platform (Shopify: Settings > Notifications > Webhooks, JSON;
# WooCommerce: Settings > Advanced > Webhooks, API version WP REST API Integration v3).
TOPICS = {
    "shopify": ["orders/create", "orders/paid", "orders/fulfilled", "fulfillments/update",
                "refunds/create", "orders/cancelled", "products/create", "products/update"],
    "woocommerce": ["order.created", "order.updated", "product.created", "product.updated"],
}
# Sent by Shopify to apps only: a connection made of webhooks created in the Shopify admin does
# not receive them, so erasure goes through the admin or POST /api/v1/customers/erase.
APP_ONLY_TOPICS = {"shopify": ["customers/data_request", "customers/redact", "shop/redact"]}
_SHOPIFY_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def check_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise NotFound(f"No platform {platform!r}: {' or '.join(PLATFORMS)}.", field="platform")
    return platform


def check_domain(platform: str, domain: str) -> str:
    domain = domain.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    if platform == "shopify" and not _SHOPIFY_DOMAIN.match(domain):
        raise Invalid("The store's myshopify.com domain, like my-store.myshopify.com "
                      "(the X-Shopify-Shop-Domain its webhooks carry).", field="domain")
    if platform == "woocommerce" and not _HOST.match(domain):
        raise Invalid("The domain is the WooCommerce site's host name, like shop.example.com.", field="domain")
    return domain


def configure(shop: Shop, platform: str, *, domain: str | None = None,
              secret: str | None = None) -> tuple[Connection, bool]:
    """Create or change the shop's connection to a platform; answers it and whether it is new.
    A new connection needs its domain and secret; a change may send either."""
    check_platform(platform)
    existing = connection_of(shop, platform)
    if existing is None and (not domain or not secret):
        field = "domain" if not domain else "secret"
        raise Invalid(f"A new {platform} connection needs its store domain and webhook secret.", field=field)
    if secret is not None and not (1 <= len(secret.strip()) <= 500):
        raise Invalid("The webhook secret has 1 to 500 characters.", field="secret")
    values: dict[str, Any] = {}
    if domain is not None:
        values["domain"] = check_domain(platform, domain)
    if secret is not None:
        values["secret_encrypted"] = secrets.encrypt(secret.strip())
    created = db.session.execute(insert_ignore(Connection, {
        "shop_id": shop.id, "platform": platform, "domain": values.get("domain", ""),
        "secret_encrypted": values.get("secret_encrypted", ""), "created_at": utcnow(), "updated_at": utcnow(),
    }, ["shop_id", "platform"]).returning(Connection.id)).first() is not None
    connection = connection_of(shop, platform)
    if not created:
        for key, value in values.items():
            setattr(connection, key, value)
        connection.updated_at = utcnow()
    db.session.commit()
    return connection, created


def get_connection(shop: Shop, platform: str) -> Connection:
    connection = connection_of(shop, check_platform(platform))
    if connection is None:
        raise NotFound(f"This shop has no {platform} connection.", field="platform")
    return connection


def remove(shop: Shop, platform: str) -> None:
    db.session.delete(get_connection(shop, platform))
    db.session.commit()


def connections(shop: Shop) -> list[Connection]:
    return list(db.session.scalars(select(Connection).where(Connection.shop_id == shop.id)
                                   .order_by(Connection.platform)))


def webhook_url(shop: Shop, platform: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}/connect/{platform}/{shop.slug}/webhooks"


def view(shop: Shop, connection: Connection) -> dict[str, Any]:
    """The connection as the API, the CLI and the admin show it: never the secret."""
    return {
        "platform": connection.platform, "domain": connection.domain,
        "secret_set": bool(connection.secret_encrypted),
        "webhook_url": webhook_url(shop, connection.platform),
        "topics": TOPICS[connection.platform],
        "app_only_topics": APP_ONLY_TOPICS.get(connection.platform, []),
        "created_at": connection.created_at, "updated_at": connection.updated_at,
    }


def deliveries(shop: Shop, platform: str, limit: int = 50) -> list[dict[str, Any]]:
    """The latest deliveries received, newest first, with what each did."""
    connection = get_connection(shop, platform)
    rows = db.session.scalars(select(Delivery).where(Delivery.connection_id == connection.id)
                              .order_by(Delivery.id.desc()).limit(limit))
    return [{"topic": d.topic, "delivery_key": d.dedupe_key, "status": d.status, "detail": d.detail,
             "order_id": d.order_external_id, "received_at": d.received_at} for d in rows]


def reencrypt_all() -> tuple[int, int]:
    """Every connection's secret under the current REVIEWS_SECRET_KEY; answers (re-encrypted, total).
    Raises secrets.UnreadableSecret when one was stored under a key no longer configured."""
    changed = total = 0
    for connection in db.session.scalars(select(Connection).where(Connection.secret_encrypted != "")):
        total += 1
        if not secrets.current(connection.secret_encrypted):
            connection.secret_encrypted = secrets.reencrypt(connection.secret_encrypted)
            changed += 1
    db.session.commit()
    return changed, total



def forget(shop: Shop, email: str) -> int:
    """An erasure: a delivery kept while it waits for its order (its whole payload, the customer's
    address and name in it) is emptied and let go when it names the person. Its row stays, so
    that the platform's copy of it is still recognised and not applied later."""
    connection_ids = select(Connection.id).where(Connection.shop_id == shop.id)
    found = db.session.execute(select(Delivery.id, Delivery.payload, Delivery.detail).where(
        Delivery.connection_id.in_(connection_ids),
        or_(mentions.condition(Delivery.payload, [email]),
            mentions.condition(Delivery.detail, [email])))).all()
    ids = [row.id for row in found
           if mentions.mentioned(row.payload, [email]) or mentions.mentioned(row.detail, [email])]
    if not ids:
        return 0
    return db.session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(
        status="ignored", detail="erased with the customer it named", payload=None)
        .execution_options(synchronize_session=False)).rowcount
