"""The survey room's receivers: a customer's answers in their export, and gone with their erasure."""

from __future__ import annotations

from typing import Any

from .. import events
from . import service


def connect() -> None:
    events.customer_export_requested.connect(_export)
    events.customer_erased.connect(_erase)


def _export(shop, *, email: str, customer_id: int | None, **_: Any) -> dict:
    return service.export(shop, email, customer_id)


def _erase(shop, *, email: str, customer_id: int | None, **_: Any) -> dict:
    return service.erase(shop, email, customer_id)
