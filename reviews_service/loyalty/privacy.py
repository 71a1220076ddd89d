"""The programme's part of a person's export and of their erasure. The export holds their
standing, their birthday (month and day), every ledger entry and their redemptions with codes.
The erasure anonymises: the birthday and the words of the shop's adjustments go, the points still
standing are forfeited by a last entry, and the ledger stays, with nobody's name in it, for the
shop's accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from . import ledger, views
from .models import Entry, Member, OrderPoints, Redemption


def export(shop: Shop, customer_id: int | None) -> dict[str, Any]:
    member = ledger.find_member(shop.id, customer_id) if customer_id is not None else None
    if member is None:
        return {"loyalty": None}
    entries = db.session.scalars(select(Entry).where(Entry.member_id == member.id).order_by(Entry.id))
    redemptions = db.session.scalars(select(Redemption).where(Redemption.member_id == member.id)
                                     .order_by(Redemption.id))
    birthday = ({"month": member.birthday_month, "day": member.birthday_day}
                if member.birthday_month else None)
    return {"loyalty": {
        **views.balance(member), "birthday": birthday, "member_since": member.created_at.isoformat(),
        "ledger": [_jsonable(views.entry(e)) for e in entries],
        "redemptions": [_jsonable(views.redemption(r)) for r in redemptions]}}


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if k == "spend" and v is not None else v)
            for k, v in row.items()}


def erase(shop: Shop, customer_id: int | None) -> dict[str, int]:
    """Inside the erasure's transaction. Answers the counts."""
    member = ledger.find_member(shop.id, customer_id) if customer_id is not None else None
    if member is None:
        return {}
    member = ledger.lock(member)
    if member.erased_at is not None:
        return {}
    standing = member.spendable + member.pending
    if member.spendable > 0 or member.pending > 0:
        ledger.record(member, kind="expire", source="programme", dedupe=f"erased:{member.id}",
                      reason="the customer was erased", spendable=-max(member.spendable, 0),
                      pending=-member.pending, actor="erasure", reversal=True)
    db.session.execute(update(OrderPoints).where(OrderPoints.member_id == member.id).values(held=0)
                       .execution_options(synchronize_session=False))
    # The shop's words about the person are the only free text a ledger holds.
    blanked = db.session.execute(update(Entry).where(Entry.member_id == member.id, Entry.kind == "adjust")
                                 .values(reason="") .execution_options(synchronize_session=False)).rowcount
    db.session.execute(update(Member).where(Member.id == member.id).values(
        birthday_month=None, birthday_day=None, erased_at=utcnow()).execution_options(synchronize_session=False))
    return {"loyalty_ledger_anonymised": 1} | ({"loyalty_points_forfeited": standing} if standing > 0 else {}) \
        | ({"loyalty_reasons_blanked": blanked} if blanked else {})
