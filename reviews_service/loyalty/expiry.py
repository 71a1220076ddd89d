"""Points unused for N months expire: when a member has neither earned nor spent points for the
shop's `expiry_months`, their spendable points go (held points wait for their release, which
counts as activity)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models_base import utcnow
from . import ledger
from .models import Member

SOON = timedelta(days=30)  # "expiring soon": within this


def add_months(at: datetime, months: int) -> datetime:
    """The same day and time `months` later; the month's last day when it has no such day."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def subtract_months(at: datetime, months: int) -> datetime:
    index = at.month - 1 - months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def expiring(program: dict[str, Any], member: Member | None) -> dict[str, Any] | None:
    """When the member's spendable points expire if nothing happens before, and whether that is
    soon (within 30 days); None when they never expire or there is nothing to expire."""
    months = program["expiry_months"]
    if member is None or not months or member.spendable <= 0 or member.last_activity_at is None:
        return None
    at = add_months(member.last_activity_at, months)
    return {"points": member.spendable, "at": at, "soon": at - utcnow() <= SOON}


def expire_due(shop_id: int, program: dict[str, Any], limit: int) -> int:
    """Expire the points of the shop's members unused for `expiry_months`; each member in its
    own transaction. Answers how many members' points expired."""
    months = program["expiry_months"]
    if not months:
        return 0
    cutoff = subtract_months(utcnow(), months)
    due = list(db.session.scalars(select(Member.id).where(
        Member.shop_id == shop_id, Member.spendable > 0, Member.last_activity_at < cutoff)
        .order_by(Member.last_activity_at).limit(limit)))
    done = 0
    for member_id in due:
        member = ledger.lock(db.session.get(Member, member_id))
        if member.spendable > 0 and member.last_activity_at < cutoff:
            # One expiry per quiet spell: the key is the last activity it follows.
            entry = ledger.record(member, kind="expire", source="programme",
                                  dedupe=f"expire:{member.id}:{member.last_activity_at.isoformat()}",
                                  reason=f"unused for {months} months", spendable=-member.spendable,
                                  actor="worker")
            done += entry is not None
        db.session.commit()
    return done
