"""The webhook receiver both platforms share: signature, store, de-duplication, dispatch, and the
deliveries that wait for their order.

The order of the checks is the point: nothing is parsed, stored or looked up beyond the
connection before the HMAC over the raw body matched, so a forged or altered delivery leaves no
trace but its 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, update

from ..errors import BadRequest, Conflict, DomainError, Invalid, NotFound, Unauthorized
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..shops.models import Shop
from . import secrets
from .models import Connection, Delivery

MAX_BODY = 2 * 1024 * 1024  # a Shopify order with hundreds of lines stays far below


@dataclass(frozen=True)
class Outcome:
    """What a delivery did: `status` one of models.DELIVERY_STATUSES, a line for the shop."""
    status: str
    detail: str = ""
    order_id: str | None = None


Handler = Callable[[Shop, Connection, dict[str, Any]], Outcome]


@dataclass(frozen=True)
class Platform:
    """What tells one platform's deliveries apart: its headers, its topics, its delivery key."""
    name: str
    signature_header: str
    topic_header: str
    topics: Mapping[str, Handler]
    dedupe_key: Callable[[Mapping[str, str], bytes], str | None]
    source_domain: Callable[[Mapping[str, str]], str | None]
    is_ping: Callable[[Mapping[str, str], bytes], bool] = lambda headers, body: False


def signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, raw body)): what Shopify and WooCommerce both send."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def connection_of(shop: Shop, platform: str) -> Connection | None:
    return db.session.scalar(select(Connection).where(Connection.shop_id == shop.id,
                                                      Connection.platform == platform))


def shop_by_slug(slug: str) -> Shop:
    shop = db.session.scalar(select(Shop).where(Shop.slug == slug))
    if shop is None:
        raise NotFound(f"No shop {slug!r}.")
    return shop


def secret_of(connection: Connection) -> str:
    """The connection's secret in clear; one stored under a previous REVIEWS_SECRET_KEY is written
    again under the current one (committed with the delivery's own changes)."""
    if not secrets.current(connection.secret_encrypted):
        connection.secret_encrypted = secrets.reencrypt(connection.secret_encrypted)
    return secrets.decrypt(connection.secret_encrypted)


def receive(platform: Platform, slug: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """Verify, store once and apply one delivery; answers what the platform is told (200)."""
    shop = shop_by_slug(slug)
    connection = connection_of(shop, platform.name)
    if connection is None or not connection.secret_encrypted:
        raise NotFound(f"Shop {slug!r} has no {platform.name} connection.")
    if platform.is_ping(headers, body):
        return {"received": True, "ping": True}
    sent = headers.get(platform.signature_header, "")
    if not sent or not hmac.compare_digest(signature(secret_of(connection), body).encode(),
                                           sent.strip().encode()):
        db.session.rollback()
        raise Unauthorized(f"The {platform.signature_header} signature does not match this body.")
    domain = platform.source_domain(headers)
    if connection.domain and (domain or "").lower() != connection.domain.lower():
        db.session.rollback()
        raise Unauthorized(f"This connection is for {connection.domain}, not {domain or 'an unnamed store'}.")
    topic = headers.get(platform.topic_header, "").strip()
    key = platform.dedupe_key(headers, body)
    if not topic or not key:
        raise BadRequest(f"A delivery needs {platform.topic_header} and its delivery id.")
    handler = platform.topics.get(topic)
    if handler is None:
        db.session.commit()  # a re-encrypted secret
        return {"received": True, "topic": topic, "status": "ignored"}
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadRequest("The body is not JSON.")
    if not isinstance(payload, dict):
        raise BadRequest("The body is not a JSON object.")
    return _once(shop, connection, topic, key[:200], handler, payload)


def _once(shop: Shop, connection: Connection, topic: str, key: str, handler: Handler,
          payload: dict[str, Any]) -> dict[str, Any]:
    """Claim the delivery's row, then apply it in the same transaction: a concurrent copy of it
    waits on the row's unique key and then finds it taken (PostgreSQL), or waits for the
    database's write lock (SQLite). The catalog's operations are idempotent themselves, so a
    copy that slips in where one of them rolled its no-op back changes nothing either."""
    claimed = db.session.execute(insert_ignore(Delivery, {
        "connection_id": connection.id, "topic": topic, "dedupe_key": key, "status": "applied",
        "detail": "", "received_at": utcnow(),
    }, ["connection_id", "topic", "dedupe_key"]).returning(Delivery.id)).first()
    if claimed is None:
        db.session.rollback()
        return {"received": True, "topic": topic, "status": "duplicate"}
    outcome = apply(shop, connection, handler, payload)
    _record(connection, topic, key, outcome, payload)
    if outcome.status == "applied" and outcome.order_id:
        replay_waiting(shop, connection, outcome.order_id)
    return {"received": True, "topic": topic, "status": outcome.status, "detail": outcome.detail}


def apply(shop: Shop, connection: Connection, handler: Handler, payload: dict[str, Any]) -> Outcome:
    """Run a topic's handler; the catalog's refusals become the delivery's status, never a 500
    and never a retry storm: the platform is told 200, the shop sees why in its deliveries."""
    try:
        return handler(shop, connection, payload)
    except ValidationError as exc:
        db.session.rollback()
        return Outcome("refused", _first_error(exc.messages)[:500])
    except WaitForOrder as exc:
        db.session.rollback()
        return Outcome("waiting", f"order {exc.order_id} not received yet", exc.order_id)
    except Conflict as exc:
        db.session.rollback()
        return Outcome("ignored", exc.detail[:500])
    except (Invalid, DomainError) as exc:
        db.session.rollback()
        return Outcome("refused", exc.detail[:500])


class WaitForOrder(Exception):
    """The delivery names an order that has not arrived: keep it until the order does."""

    def __init__(self, order_id: str):
        super().__init__(order_id)
        self.order_id = order_id


def _record(connection: Connection, topic: str, key: str, outcome: Outcome, payload: dict) -> None:
    """Write the delivery's outcome. Its row may have been rolled back with a no-op of the catalog
    (an event already recorded): claim it again then."""
    db.session.execute(insert_ignore(Delivery, {
        "connection_id": connection.id, "topic": topic, "dedupe_key": key, "status": outcome.status,
        "detail": "", "received_at": utcnow(),
    }, ["connection_id", "topic", "dedupe_key"]))
    db.session.execute(update(Delivery).where(
        Delivery.connection_id == connection.id, Delivery.topic == topic, Delivery.dedupe_key == key,
    ).values(status=outcome.status, detail=outcome.detail[:500], order_external_id=outcome.order_id,
             payload=payload if outcome.status == "waiting" else None))
    db.session.commit()


def replay_waiting(shop: Shop, connection: Connection, order_id: str) -> None:
    """Apply, oldest first, what waited for this order (a refund that came before its order)."""
    from_platform = _platform_topics(connection.platform)
    waiting = list(db.session.scalars(select(Delivery).where(
        Delivery.connection_id == connection.id, Delivery.order_external_id == order_id,
        Delivery.status == "waiting").order_by(Delivery.id)))
    for delivery in waiting:
        topic, key, payload = delivery.topic, delivery.dedupe_key, delivery.payload or {}
        outcome = apply(shop, connection, from_platform[topic], payload)
        _record(connection, topic, key, outcome, payload)


_REGISTRY: dict[str, Mapping[str, Handler]] = {}


def register(platform: Platform) -> Platform:
    _REGISTRY[platform.name] = platform.topics
    return platform


def _platform_topics(name: str) -> Mapping[str, Handler]:
    return _REGISTRY[name]


def _first_error(messages: Any, path: str = "") -> str:
    """marshmallow's nested errors as one line naming the field: "customer.email: Not a valid ..."."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            return _first_error(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list) and messages:
        return _first_error(messages[0], path)
    return f"{path}: {messages}" if path else str(messages)
