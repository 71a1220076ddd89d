"""What the programme tells the shop's backend, through the outbox in the caller's transaction:
`loyalty.points_earned` and `loyalty.reward_redeemed` (`loyalty.tier_changed` is queued by the
ledger where a tier changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..outbox import service as outbox
from . import views
from .models import Entry, Member, Redemption


def points_earned(member: Member, entry: Entry, available_at: datetime | None = None) -> None:
    """One event per entry (its id in the dedupe key): a retried step never announces twice."""
    outbox.emit_event(member.shop_id, "loyalty.points_earned", {
        "customer_id": member.customer_id, "entry": views.entry(entry), "available_at": available_at,
        "balance": views.balance(member)}, dedupe=f"loyalty.points_earned:{entry.id}")


def reward_redeemed(member: Member, redemption: Redemption) -> None:
    data: dict[str, Any] = {"customer_id": member.customer_id, "redemption": views.redemption(redemption),
                            "balance": views.balance(member)}
    outbox.emit_event(member.shop_id, "loyalty.reward_redeemed", data,
                      dedupe=f"loyalty.reward_redeemed:{redemption.id}")
