"""Moderation's receivers: an erased person's reviews leave through the transition (and the alerts
about them go), a change to the settings the rules read runs the rules again, and a new review of
1 or 2 stars alerts the shop (alerts.py) once its status is decided."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from .. import events
from ..extensions import db
from ..outbox import service as outbox
from ..reviews import erasure
from ..shops import settings as shop_settings
from ..web import idempotency
from . import alerts, service
from .models import AuditEvent


def connect() -> None:
    events.customer_erased.connect(_remove_reviews)
    events.shop_settings_changed.connect(_rerun_rules)
    events.review_submitted.connect(alerts.review_arrived)


def _remove_reviews(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, int]:
    """Removed through the transition, so the aggregates stay exact; then emptied by their room."""
    reviews = erasure.of_person(shop.id, email, customer_id)
    # The audit log keeps every move of their reviews, but not the words a moderator wrote with
    # one ("confirmed with Ana by phone"): those may name them.
    if reviews:
        db.session.execute(update(AuditEvent).where(AuditEvent.review_id.in_([r.id for r in reviews]))
                           .values(note="").execution_options(synchronize_session=False))
    for review in reviews:
        if review.status != "removed":
            service.transition(review, "removed", actor="api", note="erasure")
    ids = [review.public_id for review in reviews]
    alerts.forget(shop.id, email, ids)
    # Webhooks, alert e-mails and stored answers about a review name it by its id, often without
    # the address (a moderator's reply, an anonymous review): they go with it.
    outbox.forget_mentions(shop.id, ids)
    idempotency.forget_mentions(shop.id, ids)
    return erasure.empty(reviews)


def _rerun_rules(shop, *, changed: frozenset[str], actor: str, rerun: bool, **_: Any) -> None:
    if not rerun or not changed & shop_settings.MODERATION_KEYS:
        return
    service.rerun_rules(shop, actor=actor)
