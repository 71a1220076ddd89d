"""The programme as its owner sees it in the admin: the members (a page at a time, or found by
e-mail), and the programme's numbers (points issued, redeemed, expired and outstanding, the
liability they stand for, members per tier, and whether members come back more often). Every
number is one aggregate query; nothing is added up in Python."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select

from .. import cursors
from ..catalog.models import Customer, Order
from ..extensions import db
from ..shops.models import Shop
from ..shops.service import settings_of
from .models import Entry, Member

MEMBERS_LIST = "loyalty-members"
SEARCH_LIMIT = 50


def shown(shop: Shop) -> bool:
    """Whether the admin shows the programme: it is on, or it has members (switched off later)."""
    if settings_of(shop)["loyalty"]["enabled"]:
        return True
    return bool(db.session.scalar(select(exists().where(Member.shop_id == shop.id))))


def members(shop: Shop, *, email: str = "", cursor: str | None = None, limit: int = 25) -> dict[str, Any]:
    """The shop's members, newest first, a keyset page at a time; or, with `email`, those whose
    address contains it (at most SEARCH_LIMIT, no pages). Erased members are not listed."""
    query = (select(Member, Customer.email, Customer.name)
             .join(Customer, Customer.id == Member.customer_id)
             .where(Member.shop_id == shop.id, Member.erased_at.is_(None), Customer.erased_at.is_(None)))
    email = email.strip().lower()
    if email:
        escaped = email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Customer.email).like(f"%{escaped}%", escape="\\"))
        limit, cursor = SEARCH_LIMIT, None
    elif cursor:
        query = query.where(Member.id < cursors.decode(cursor, MEMBERS_LIST, (cursors.ID,))[0])
    rows = db.session.execute(query.order_by(Member.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit and not email
    rows = rows[:limit]
    return {"members": [{"customer_id": m.customer_id, "email": address, "name": name, "spendable": m.spendable,
                         "pending": m.pending, "tier": m.tier, "flagged": m.flagged_at is not None}
                        for m, address, name in rows],
            "next_cursor": cursors.encode(MEMBERS_LIST, [rows[-1][0].id]) if more else None}


def totals(shop: Shop) -> dict[str, Any]:
    """Points issued (earned and added by hand), redeemed, expired, reversed (refunds and points
    taken by hand), and outstanding (spendable above zero and still held), with their value in the
    programme's currency."""
    delta = Entry.spendable_change + Entry.pending_change

    def total(condition) -> Any:
        return func.coalesce(func.sum(case((condition, delta), else_=0)), 0)

    issued, redeemed, expired, reversed_ = db.session.execute(select(
        total(or_(Entry.kind == "earn", and_(Entry.kind == "adjust", delta > 0))),
        -total(Entry.kind == "redeem"),
        -total(Entry.kind == "expire"),
        -total(or_(Entry.kind == "reverse", and_(Entry.kind == "adjust", delta < 0))),
    ).where(Entry.shop_id == shop.id)).one()
    spendable, pending, count = db.session.execute(select(
        func.coalesce(func.sum(case((Member.spendable > 0, Member.spendable), else_=0)), 0),
        func.coalesce(func.sum(Member.pending), 0), func.count(Member.id),
    ).where(Member.shop_id == shop.id, Member.erased_at.is_(None))).one()
    plan = settings_of(shop)["loyalty"]
    outstanding = int(spendable) + int(pending)
    return {"issued": int(issued), "redeemed": int(redeemed), "expired": int(expired), "reversed": int(reversed_),
            "spendable": int(spendable), "pending": int(pending), "outstanding": outstanding, "members": int(count),
            "point_value": Decimal(plan["point_value"]), "currency": plan["currency"],
            "liability": Decimal(plan["point_value"]) * outstanding}


def members_per_tier(shop: Shop) -> list[dict[str, Any]]:
    """How many members each of the shop's tiers holds, lowest tier first, then those without a
    tier (None) and those in a tier the settings no longer have (by its id)."""
    counts = dict(db.session.execute(
        select(Member.tier, func.count(Member.id))
        .where(Member.shop_id == shop.id, Member.erased_at.is_(None)).group_by(Member.tier)).all())
    tiers = settings_of(shop)["loyalty"]["tiers"]
    out = [{"tier": tier, "members": counts.pop(tier["id"], 0)} for tier in tiers]
    none = counts.pop(None, 0)
    out += [{"tier": {"id": tier_id, "name": tier_id}, "members": n} for tier_id, n in sorted(counts.items())]
    if none or not tiers:
        out.append({"tier": None, "members": none})
    return out


def repeat_purchase(shop: Shop) -> dict[str, dict[str, Any]]:
    """Of the customers with an order (not cancelled), how many have two or more, for members of
    the programme and for the others; `rate` in percent, None without customers."""
    per_customer = (select(Order.customer_id, func.count(Order.id).label("orders"))
                    .where(Order.shop_id == shop.id, Order.cancelled_at.is_(None))
                    .group_by(Order.customer_id).subquery())
    is_member = case((Member.id.is_(None), 0), else_=1).label("is_member")
    rows = db.session.execute(
        select(is_member, func.count(), func.coalesce(func.sum(case((per_customer.c.orders >= 2, 1), else_=0)), 0))
        .select_from(per_customer)
        .outerjoin(Member, and_(Member.customer_id == per_customer.c.customer_id, Member.shop_id == shop.id,
                                Member.erased_at.is_(None)))
        .group_by(is_member)).all()
    found = {bool(member): (int(customers), int(repeat)) for member, customers, repeat in rows}
    out = {}
    for name, member in (("members", True), ("others", False)):
        customers, repeat = found.get(member, (0, 0))
        out[name] = {"customers": customers, "repeat": repeat,
                     "rate": 100 * repeat / customers if customers else None}
    return out
