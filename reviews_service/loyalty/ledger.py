"""The ledger: the one place a member's points change. Each change appends an entry and moves the
member's summary row by the same amounts with one atomic UPDATE, in the caller's transaction, so
the summary always equals the sum of the entries.

Every change to a member first locks their summary row (`lock`), so that the reads that decide
an entry (is this order's entry written yet? how much of it is still held?) see every change
committed before: of two transactions changing one member, the second waits for the first.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select, update

from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..outbox import service as outbox
from . import emails
from .models import Entry, Member
from .tiers import tier_for

YEAR = timedelta(days=365)  # tiers count a rolling year


class Overdrawn(Exception):
    """The change would take the spendable points below zero, which only a reversal may do."""


def member_for(shop_id: int, customer_id: int) -> Member:
    """The customer's member row, made on their first entry."""
    db.session.execute(insert_ignore(Member, {
        "shop_id": shop_id, "customer_id": customer_id, "spendable": 0, "pending": 0,
        "created_at": utcnow(), "updated_at": utcnow()}, ["shop_id", "customer_id"]))
    return db.session.scalar(select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id))


def find_member(shop_id: int, customer_id: int) -> Member | None:
    return db.session.scalar(select(Member).where(Member.shop_id == shop_id, Member.customer_id == customer_id))


def lock(member: Member) -> Member:
    """Take the member's row for this transaction and read it afresh. An UPDATE that changes
    nothing that matters: on PostgreSQL it locks the row until commit; on SQLite it takes the
    database's one write lock before anything is read."""
    db.session.execute(update(Member).where(Member.id == member.id).values(updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    return db.session.get(Member, member.id, populate_existing=True)


def recorded(shop_id: int, dedupe: str) -> bool:
    return db.session.scalar(select(Entry.id).where(Entry.shop_id == shop_id, Entry.dedupe == dedupe)) is not None


def record(member: Member, *, kind: str, source: str, dedupe: str, reference: str = "", reason: str = "",
           spendable: int = 0, pending: int = 0, spend: Decimal | None = None, actor: str = "",
           reversal: bool = False, activity: bool = False) -> Entry | None:
    """Append one entry and apply it to the (locked) member's summary. None when `dedupe` was
    recorded before. Raises Overdrawn when the spendable points would go below zero, unless it
    is a `reversal`: then the member is flagged instead."""
    if recorded(member.shop_id, dedupe) or (member.erased_at is not None and kind != "expire"):
        return None  # granted before; or a person erased, whose points were forfeited
    now = utcnow()
    after = Member.spendable + spendable
    values: dict[str, Any] = {
        "spendable": after, "pending": Member.pending + pending, "updated_at": now,
        # Flagged while below zero (since the first reversal that took it there), cleared after.
        "flagged_at": case((after < 0, func.coalesce(Member.flagged_at, now)), else_=None)}
    if activity:
        values["last_activity_at"] = now
    statement = update(Member).where(Member.id == member.id)
    if spendable < 0 and not reversal:
        # The guard is in the UPDATE itself: no read of the balance can be stale.
        statement = statement.where(after >= 0)
    row = db.session.execute(statement.values(**values).returning(Member.spendable, Member.pending)
                             .execution_options(synchronize_session=False)).first()
    if row is None:
        raise Overdrawn
    entry = Entry(shop_id=member.shop_id, member_id=member.id, kind=kind, source=source, reference=reference,
                  spendable_change=spendable, pending_change=pending, spend=spend, reason=reason, actor=actor,
                  spendable_after=row.spendable, pending_after=row.pending, dedupe=dedupe, created_at=now)
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(member)
    return entry


# --- tiers ---------------------------------------------------------------------------------------

def qualifying(member: Member, basis: str) -> Decimal:
    """What the member's tier is decided by: the points earned (less reversals) or the money
    spent (less refunds) in the last 365 days; never below zero."""
    since = utcnow() - YEAR
    column = Entry.spend if basis == "spend" else Entry.spendable_change + Entry.pending_change
    total = db.session.scalar(select(func.coalesce(func.sum(column), 0)).where(
        Entry.member_id == member.id, Entry.kind.in_(("earn", "reverse")), Entry.created_at >= since))
    return max(Decimal(total or 0), Decimal(0))


def refresh_tier(member: Member, program: dict[str, Any]) -> tuple[str | None, str | None] | None:
    """Work the member's tier out again (after an entry, or as the year rolls on); when it changed,
    store it and queue `loyalty.tier_changed`. Answers (old, new) when it changed, else None."""
    now = utcnow()
    new = tier_for(program["tiers"], qualifying(member, program["tier_basis"]))
    old = member.tier
    new_id = new["id"] if new else None
    values: dict[str, Any] = {"tier_checked_at": now}
    if new_id != old:
        values |= {"tier": new_id, "tier_since": now}
    moved = db.session.execute(update(Member).where(Member.id == member.id, Member.tier.is_(old) if old is None
                                                    else Member.tier == old).values(**values)
                               .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(member)
    if new_id == old or not moved:
        return None
    outbox.emit_event(member.shop_id, "loyalty.tier_changed", {
        "customer_id": member.customer_id, "from": old, "to": new_id, "at": now})
    emails.tier_reached(member.shop_id, member, program, old, new_id, now)  # when it went up
    return old, new_id
