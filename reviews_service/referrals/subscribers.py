"""The referral program's receivers: orders are attributed and their referrals voided, a review's
hand-over attributes its order, a delivery schedules the invitation to share (a refund cancels
it), and a person's part of the program in their export, gone with their erasure (privacy.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import events
from . import incentives, invitations, privacy, service


def connect() -> None:
    events.order_ingested.connect(_on_order_ingested)
    events.order_event_recorded.connect(_on_order_event)
    events.review_submitted.connect(_hand_over)
    events.review_decided.connect(_review_decided)
    events.customer_erased.connect(_forget_customer)
    events.customer_export_requested.connect(_export)


def _on_order_ingested(shop, *, order, **_: Any) -> None:
    service.on_order_ingested(shop, order)  # returns at once while the program is off


def _on_order_event(shop, *, order, kind: str, at: datetime, **_: Any) -> None:
    # Not gated on the program: a referral made while it was on keeps its hold after it is off,
    # and a refund during that hold still voids it.
    if kind in ("refunded", "cancelled"):
        service.on_order_event(shop, order, kind, at)
        invitations.cancel(order, kind)
    elif kind == "delivered":
        invitations.schedule(shop, order, at)  # returns at once while the invitation is off


def _hand_over(shop, *, order, visitor, referral_code: str | None, **_: Any) -> None:
    if order is not None and referral_code:
        service.handover(shop, order, visitor, referral_code)  # returns at once while the program is off


def _review_decided(shop_id, *, review, reason: str | None, **_: Any) -> None:
    # Not gated on the switch either: a review submitted under an offer keeps it.
    incentives.on_first_decision(review, reason)  # returns at once for a review without one


def _forget_customer(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, int]:
    # Not gated on the program either: the code of a person erased after it was switched off
    # still holds their first name.
    return privacy.erase(shop, email, customer_id)


def _export(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, Any]:
    return privacy.export(shop, email, customer_id)
