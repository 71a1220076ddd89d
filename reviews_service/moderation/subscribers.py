"""Moderation's receivers: an erased person's reviews leave through the transition, and a change
to the settings the rules read runs the rules again."""

from __future__ import annotations

from typing import Any

from .. import events
from ..reviews import erasure
from ..shops import settings as shop_settings
from . import service


def connect() -> None:
    events.customer_erased.connect(_remove_reviews)
    events.shop_settings_changed.connect(_rerun_rules)


def _remove_reviews(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, int]:
    """Removed through the transition, so the aggregates stay exact; then emptied by their room."""
    reviews = erasure.of_person(shop.id, email, customer_id)
    for review in reviews:
        if review.status != "removed":
            service.transition(review, "removed", actor="api", note="erasure")
    return erasure.empty(reviews)


def _rerun_rules(shop, *, changed: frozenset[str], actor: str, rerun: bool, **_: Any) -> None:
    if not rerun or not changed & shop_settings.MODERATION_KEYS:
        return
    service.rerun_rules(shop, actor=actor)
