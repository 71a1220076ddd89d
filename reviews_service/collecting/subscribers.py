"""The collecting room's receivers: an order event schedules or cancels its review request, an
order's answer shows that request, and an erased person's pending requests are cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from .. import events
from ..extensions import db
from ..models_base import utcnow
from ..reviews.models import ReviewRequest
from . import requests


def connect() -> None:
    events.order_event_recorded.connect(_on_order_event)
    events.order_view_requested.connect(_review_request_of)
    events.customer_erased.connect(_cancel_requests)


def _on_order_event(shop, *, order, kind: str, at: datetime, **_: Any) -> None:
    requests.on_order_event(shop, order, kind, at)


def _review_request_of(order, **_: Any) -> dict[str, Any]:
    return {"review_request": requests.view(order)}


def _cancel_requests(shop, *, customer_id: int | None, **_: Any) -> None:
    """No more e-mails asking an erased person for a review, and their links stop working."""
    if customer_id is None:
        return
    db.session.execute(update(ReviewRequest).where(
        ReviewRequest.shop_id == shop.id, ReviewRequest.customer_id == customer_id,
        ReviewRequest.status.in_(("scheduled", "sent"))).values(status="cancelled", cancelled_at=utcnow()))
