"""The shop's coupon pool: single-use codes loaded by the shop, each claimed at most once."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from ..errors import Invalid
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from ..shops.service import settings_of
from .models import COUPON_KINDS, ROOM_POOLS, Coupon

LOW_POOL = 10  # fewer unclaimed codes than this, in a pool the program draws from: a warning
MAX_LOAD = 10000
_BATCH = 500


def load(shop: Shop, kind: str, codes: list[str]) -> dict[str, Any]:
    """Add codes to a pool; a code the shop loaded before (into either pool) is skipped.

    Answers how many were received, added and skipped, and what the pool now holds. `kind` is one
    of COUPON_KINDS, or a pool a room above names (ROOM_POOLS: `loyalty:<reward id>`)."""
    if kind not in COUPON_KINDS and not (kind.startswith(ROOM_POOLS) and len(kind) <= 48):
        raise Invalid(f"The kind must be one of {', '.join(COUPON_KINDS)}.", field="kind")
    if len(codes) > MAX_LOAD:
        raise Invalid(f"At most {MAX_LOAD} codes at once.", field="codes")
    cleaned = [c.strip() for c in codes]
    for position, code in enumerate(cleaned):
        if not code or len(code) > 64 or any(ch.isspace() for ch in code):
            raise Invalid(f"codes.{position} must be 1 to 64 characters without spaces.",
                          field=f"codes.{position}")
    unique = list(dict.fromkeys(cleaned))
    now = utcnow()
    added = 0
    for start in range(0, len(unique), _BATCH):
        rows = [{"shop_id": shop.id, "kind": kind, "code": code, "created_at": now}
                for code in unique[start:start + _BATCH]]
        added += db.session.execute(_insert_ignore(rows)).rowcount
    db.session.commit()
    return {"kind": kind, "received": len(codes), "added": added, "duplicates": len(codes) - added,
            "available": available(shop.id, kind)}


def _insert_ignore(rows: list[dict[str, Any]]):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Coupon).values(rows).on_conflict_do_nothing(index_elements=["shop_id", "code"])


def available(shop_id: int, kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Coupon).where(
        Coupon.shop_id == shop_id, Coupon.kind == kind, Coupon.claimed_at.is_(None)))


def claim(shop_id: int, kind: str, claimed_by: str, *, ip_hash: str | None = None) -> Coupon | None:
    """Take one unclaimed code for `claimed_by` (from the network `ip_hash`, for a friend's code),
    inside the caller's transaction; None when the pool is empty. SKIP LOCKED on PostgreSQL lets
    concurrent claims take different codes; the `claimed_at IS NULL` guard makes a lost race take
    nothing rather than a taken code."""
    free = (select(Coupon.id).where(Coupon.shop_id == shop_id, Coupon.kind == kind,
                                    Coupon.claimed_at.is_(None))
            .order_by(Coupon.id).limit(1).with_for_update(skip_locked=True)).scalar_subquery()
    row = db.session.execute(
        update(Coupon).where(Coupon.id == free, Coupon.claimed_at.is_(None))
        .values(claimed_at=utcnow(), claimed_by=claimed_by, claimed_ip_hash=ip_hash).returning(Coupon.id)
        .execution_options(synchronize_session=False)).first()
    return db.session.get(Coupon, row.id) if row is not None else None


def serialize_claims(shop_id: int, kind: str, ip_hash: str) -> None:
    """Make the caller's claims for the network `ip_hash` wait for each other's commit, so that a
    check-then-claim (one code per visitor, a few per network a day) holds under concurrency.
    PostgreSQL: a transaction-scoped advisory lock on the network. SQLite: a write that changes
    nothing opens the transaction and takes the database's one write lock before the check."""
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(update(Coupon).where(Coupon.id == -1).values(claimed_at=None)
                           .execution_options(synchronize_session=False))
        return
    digest = hashlib.sha256(f"coupon-claims|{shop_id}|{kind}|{ip_hash}".encode()).digest()
    db.session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))


def claimed_from(shop_id: int, kind: str, ip_hash: str, since: datetime) -> int:
    """How many codes went to the network `ip_hash` since `since`."""
    return db.session.scalar(select(func.count()).select_from(Coupon).where(
        Coupon.shop_id == shop_id, Coupon.kind == kind, Coupon.claimed_ip_hash == ip_hash,
        Coupon.claimed_at >= since))


def claimed_by(shop_id: int, kind: str, who: str) -> Coupon | None:
    return db.session.scalar(select(Coupon).where(Coupon.shop_id == shop_id, Coupon.kind == kind,
                                                  Coupon.claimed_by == who).limit(1))


def pools(shop: Shop) -> dict[str, Any]:
    """Per kind: available, claimed, total, whether the program draws from it, and low or not."""
    program = settings_of(shop)["referrals"]
    in_use = {"referrer_reward": program["referrer_reward"]["source"] == "pool",
              "friend_offer": program["friend_offer"]["code_mode"] == "pool",
              "review_incentive": settings_of(shop)["incentives"]["enabled"]
              and settings_of(shop)["incentives"]["source"] == "pool"}
    counts = {(kind, claimed): n for kind, claimed, n in db.session.execute(
        select(Coupon.kind, Coupon.claimed_at.is_not(None), func.count())
        .where(Coupon.shop_id == shop.id).group_by(Coupon.kind, Coupon.claimed_at.is_not(None)))}
    out = []
    for kind in COUPON_KINDS:
        free, used = counts.get((kind, False), 0), counts.get((kind, True), 0)
        out.append({"kind": kind, "available": free, "claimed": used, "total": free + used,
                    "in_use": in_use[kind], "low": in_use[kind] and free < LOW_POOL})
    return {"pools": out, "low_threshold": LOW_POOL, "low": [p["kind"] for p in out if p["low"]]}
