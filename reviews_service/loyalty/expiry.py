"""Points unused for N months expire: when a member has neither earned nor spent points for the
shop's `expiry_months`, their spendable points go (held points wait for their release, which
counts as activity).

Never without warning: a member an e-mail can reach loses nothing until SOON after their
reminder was queued. Normally that is the day the months run out (the reminder goes SOON
before); when the worker was stopped through the reminder's window, or the shop shortened
`expiry_months` or turned expiry on for members already quiet that long, the reminder goes at
the next round and the expiry moves to SOON after it. A member no e-mail can reach (unsubscribed,
erased, no address) loses the points when the months run out, as the settings say."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models_base import utcnow
from ..outbox.models import OutboxMessage
from . import emails, ledger
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


def reminded_at(member: Member) -> datetime | None:
    """When the reminder of the member's current quiet spell was queued, if it was."""
    return db.session.scalar(select(OutboxMessage.created_at).where(
        OutboxMessage.dedupe_key == emails.expiring_key(member)))


def expires_at(program: dict[str, Any], member: Member, now: datetime | None = None) -> datetime | None:
    """When the member's spendable points expire if nothing happens before (the module's doc),
    seen at `now`."""
    months = program["expiry_months"]
    if not months or member.last_activity_at is None:
        return None
    at = add_months(member.last_activity_at, months)
    if not emails.can_be_told(member):
        return at
    told = reminded_at(member)
    return max(at, (told if told is not None else now or utcnow()) + SOON)


def expiring(program: dict[str, Any], member: Member | None) -> dict[str, Any] | None:
    """When the member's spendable points expire if nothing happens before, and whether that is
    soon (within 30 days); None when they never expire or there is nothing to expire."""
    if member is None or member.spendable <= 0:
        return None
    now = utcnow()
    at = expires_at(program, member, now)
    if at is None:
        return None
    return {"points": member.spendable, "at": at, "soon": at - now <= SOON}


def expire_due(shop_id: int, program: dict[str, Any], limit: int) -> int:
    """Expire the points of the shop's members unused for `expiry_months`; each member in its
    own transaction. Answers how many members' points expired."""
    months = program["expiry_months"]
    if not months:
        return 0
    now = utcnow()
    cutoff = subtract_months(now, months)
    # Every quiet member, not the first `limit`: those still waiting for their notice must not
    # keep the others from expiring. Their number is bounded by SOON's worth of quiet members.
    quiet = list(db.session.scalars(select(Member.id).where(
        Member.shop_id == shop_id, Member.spendable > 0, Member.last_activity_at < cutoff)
        .order_by(Member.last_activity_at)))
    done = 0
    for member_id in quiet:
        if done >= limit:
            break
        member = ledger.lock(db.session.get(Member, member_id))
        if member.spendable > 0 and member.last_activity_at < cutoff and expires_at(program, member, now) <= now:
            # One expiry per quiet spell: the key is the last activity it follows.
            entry = ledger.record(member, kind="expire", source="programme",
                                  dedupe=f"expire:{member.id}:{member.last_activity_at.isoformat()}",
                                  reason=f"unused for {months} months", spendable=-member.spendable,
                                  actor="worker")
            done += entry is not None
        db.session.commit()
    return done
