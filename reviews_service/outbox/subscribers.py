"""The outbox's receivers: a new order queues the `order.processed` webhook, and an erasure
empties every stored message that names the person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import events
from ..catalog.service import order_view
from ..extensions import db
from . import service
from .models import WebhookEndpoint


def connect() -> None:
    events.order_ingested.connect(_order_processed)
    events.customer_erased.connect(_forget)


def _order_processed(shop, *, order, **_: Any) -> None:
    if not _wanted(shop.id, "order.processed"):
        return  # no endpoint listens: the order's answer is not even built
    service.emit_event(shop.id, "order.processed", {"order": order_view(order)})


def _wanted(shop_id: int, event_type: str) -> bool:
    return any(event_type in events_ or "*" in events_ for events_ in db.session.scalars(
        select(WebhookEndpoint.events).where(WebhookEndpoint.shop_id == shop_id,
                                             WebhookEndpoint.active.is_(True))))


def _forget(shop, *, email: str, customer_id: int | None, **_: Any) -> None:
    service.forget(shop.id, email, customer_id)
