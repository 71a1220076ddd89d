"""The programme's rows as the API, the webhooks and the export show them."""

from __future__ import annotations

from typing import Any

from .models import Entry, Member, Redemption


def entry(e: Entry) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "points": e.points, "spendable_change": e.spendable_change,
            "pending_change": e.pending_change, "source": e.source, "reference": e.reference, "reason": e.reason,
            "actor": e.actor, "spend": e.spend, "spendable_after": e.spendable_after,
            "pending_after": e.pending_after, "created_at": e.created_at}


def balance(member: Member) -> dict[str, Any]:
    return {"spendable": member.spendable, "pending": member.pending, "tier": member.tier,
            "flagged": member.flagged_at is not None}


def redemption(r: Redemption) -> dict[str, Any]:
    return {"id": r.public_id, "reward": r.reward, "points": r.points, "source": r.source, "code": r.code,
            "offer": r.offer, "created_at": r.created_at}
