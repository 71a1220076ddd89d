"""The publishing room's receivers: what a storefront sees of a product changed (its rating; a
review published, rejected, removed or erased, an edit applied, a redaction, a photo, a public
reply, helpful votes) queues the product's files, coalesced (a change that sends two of these
signals queues once); a new default language of the shop (its badges' words) queues all of them.
Each returns at once while publishing is off."""

from __future__ import annotations

from typing import Any

from .. import events
from ..extensions import db
from . import service

# The settings a published file shows: the badge without `lang` speaks the shop's default language.
SHOWN_SETTINGS = frozenset({"default_locale"})


def connect() -> None:
    events.product_rating_changed.connect(_rating_changed)
    events.published_reviews_changed.connect(_product_changed)
    events.helpful_votes_changed.connect(_product_changed)
    events.shop_settings_changed.connect(_settings_changed)


def _rating_changed(shop_id: int, *, product_id: int, **_: Any) -> None:
    service.queue_product(shop_id, product_id)  # and the shop's rating.json


def _product_changed(shop_id: int, *, product_id: int, **_: Any) -> None:
    service.queue_product(shop_id, product_id, rating=False)


def _settings_changed(shop, *, changed: frozenset[str], **_: Any) -> None:
    # Sent after the settings' commit: the task is queued in a transaction of its own.
    if changed & SHOWN_SETTINGS and service.enabled():
        service.queue_shop(shop.id)
        db.session.commit()
