"""The feedback room's receivers: a review's private message stored beside it, the person's
feedback in their export, and gone with their erasure."""

from __future__ import annotations

from typing import Any

from .. import events
from . import service


def connect() -> None:
    events.review_submitted.connect(service.with_review)
    events.customer_export_requested.connect(_export)
    events.customer_erased.connect(_erase)


def _export(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, Any] | None:
    found = service.of_person(shop.id, email, customer_id)
    return {"private_feedback": [_exported(service.server_view(f)) for f in found]} if found else None


def _exported(view: dict) -> dict:
    return {**view, "created_at": view["created_at"].isoformat(), "updated_at": view["updated_at"].isoformat()}


def _erase(shop, *, email: str, customer_id: int | None = None, **_: Any) -> dict[str, int] | None:
    erased = service.erase(shop.id, email)
    return {"private_feedback": erased} if erased else None
