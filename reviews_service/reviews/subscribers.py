"""The reviews room's receivers: its part of a person's export. (Its part of an erasure is
moderation's receiver, which removes the reviews through the transition before `erasure.empty`.)"""

from __future__ import annotations

from typing import Any

from .. import events
from . import erasure, views


def connect() -> None:
    events.customer_export_requested.connect(_export_reviews)


def _export_reviews(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, Any]:
    return {"reviews": [views.server_view(r) for r in erasure.of_person(shop.id, email, customer_id)]}
