"""The programme's receivers: an order earns points and its refund or cancellation takes them
back, a review earns its points at its first decision, an approved referral earns the referrer's,
and a person's part is in their export and anonymised by their erasure (privacy.py). Each returns
at once while the programme is off, except what undoes or erases points earned while it was on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import events
from . import earning, privacy, tasks


def connect() -> None:
    events.order_ingested.connect(_on_order_ingested)
    events.order_event_recorded.connect(_on_order_event)
    events.order_refund_recorded.connect(_on_refund)
    events.review_submitted.connect(_on_review_submitted)
    events.review_decided.connect(_on_review_decided)
    events.referral_approved.connect(_on_referral_approved)
    events.customer_erased.connect(_erase)
    events.customer_export_requested.connect(_export)
    events.shop_settings_changed.connect(_settings_changed)


def _on_order_ingested(shop, *, order, **_: Any) -> None:
    earning.on_order_ingested(shop, order)


def _on_order_event(shop, *, order, kind: str, at: datetime, **_: Any) -> None:
    # Not gated on the programme: points earned while it was on are taken back after it is off.
    if kind in ("refunded", "cancelled"):
        earning.reverse_order(shop, order, cause=kind)


def _on_refund(shop, *, order, refund, **_: Any) -> None:
    earning.reverse_order(shop, order, cause=f"refund:{refund.id}")


def _on_review_submitted(shop, *, review, **_: Any) -> None:
    earning.on_review_submitted(shop, review)


def _on_review_decided(shop_id, *, review, reason: str | None, **_: Any) -> None:
    # Not gated either: a review submitted under the programme keeps what it was offered.
    earning.on_review_decided(review, reason)


def _on_referral_approved(shop_id, *, referral, **_: Any) -> None:
    earning.on_referral_approved(shop_id, referral)


def _settings_changed(shop, *, changed: frozenset[str], **_: Any) -> None:
    if "loyalty" in changed:
        tasks.recheck_tiers(shop)  # new tiers or thresholds: the worker works every member's out again


def _erase(shop, *, customer_id: int | None, **_: Any) -> dict[str, int]:
    return privacy.erase(shop, customer_id)


def _export(shop, *, customer_id: int | None, **_: Any) -> dict[str, Any]:
    return privacy.export(shop, customer_id)
