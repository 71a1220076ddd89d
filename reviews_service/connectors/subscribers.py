"""The connectors' receiver: an erased person's data leaves the deliveries kept waiting for an order."""

from __future__ import annotations

from typing import Any

from .. import events
from . import service


def connect() -> None:
    events.customer_erased.connect(_forget)


def _forget(shop, *, email: str, **_: Any) -> dict[str, int]:
    forgotten = service.forget(shop, email)
    return {"platform_deliveries": forgotten} if forgotten else {}
