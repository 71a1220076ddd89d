"""The worker's loyalty round (a job registered with the outbox's worker): release the holds that
passed, expire points unused for the shop's period, grant today's birthdays, and look at the tiers
again as the rolling year moves on. Each member is changed in a transaction of its own, through
the ledger's lock and its unique keys, so many workers at once change nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import or_, select, update

from ..extensions import db
from ..models_base import utcnow
from ..outbox import jobs
from ..shops.models import Shop
from ..shops.service import settings_of
from . import earning, expiry, ledger, service
from .models import Member, OrderPoints

log = logging.getLogger(__name__)
BATCH = 200
TIER_RECHECK = timedelta(days=1)


def run_round(limit: int = BATCH) -> int:
    """One round; answers how many members' points or tiers changed."""
    changed = _each(_release_ids(limit), earning.release, "the hold of loyalty order row %s")
    shop_ids = list(db.session.scalars(select(Member.shop_id).distinct()))
    for shop_id in shop_ids:
        shop = db.session.get(Shop, shop_id)
        program = settings_of(shop)["loyalty"]
        if not program["enabled"]:
            continue
        try:
            changed += expiry.expire_due(shop_id, program, limit)
            changed += _birthdays(shop, program, limit)
            changed += _tiers(shop_id, program, limit)
        except Exception:  # one shop's failure must not stop the others; the next round tries again
            db.session.rollback()
            log.exception("the loyalty round of shop %s failed", shop_id)
    db.session.rollback()  # end the read transaction: no snapshot kept open between rounds
    return changed


def _release_ids(limit: int) -> list[int]:
    return list(db.session.scalars(select(OrderPoints.id).where(
        OrderPoints.held > 0, OrderPoints.release_at <= utcnow()).order_by(OrderPoints.release_at).limit(limit)))


def _each(ids: list[int], step: Callable[[int], bool], what: str) -> int:
    done = 0
    for row_id in ids:
        try:
            done += bool(step(row_id))
            db.session.commit()
        except Exception:  # one bad row must not stop the others; the next round tries it again
            db.session.rollback()
            log.exception(f"{what} could not be changed", row_id)
    return done


def _birthdays(shop: Shop, program: dict, limit: int) -> int:
    if program["for_birthday"] <= 0:
        return 0
    today = service.local_today(shop)
    days = [today.day] + ([29] if (today.month, today.day) == (2, 28) else [])
    members = list(db.session.scalars(select(Member).where(
        Member.shop_id == shop.id, Member.birthday_month == today.month, Member.birthday_day.in_(days),
        Member.erased_at.is_(None)).order_by(Member.id)))
    granted = 0
    for member in members:
        if granted >= limit:
            break
        if service.is_birthday(member, today) and not ledger.recorded(shop.id, f"birthday:{member.id}:{today.year}"):
            granted += service.grant_birthday(shop, member, today)
            db.session.commit()
    return granted


def _tiers(shop_id: int, program: dict, limit: int) -> int:
    """Members whose tier was last worked out a day ago or more (the rolling year may have moved
    them down), and every member after the shop changed its programme (`recheck_tiers`)."""
    stale = list(db.session.scalars(select(Member.id).where(
        Member.shop_id == shop_id, Member.erased_at.is_(None),
        or_(Member.tier_checked_at.is_(None),
            Member.tier.is_not(None) & (Member.tier_checked_at < utcnow() - TIER_RECHECK)))
        .order_by(Member.id).limit(limit)))
    moved = 0
    for member_id in stale:
        member = ledger.lock(db.session.get(Member, member_id))
        moved += ledger.refresh_tier(member, program) is not None
        db.session.commit()
    return moved


def recheck_tiers(shop: Shop) -> None:
    """Have the worker work out every member's tier again (the shop changed its tiers). Commits:
    the settings' change is committed before it is announced."""
    db.session.execute(update(Member).where(Member.shop_id == shop.id).values(tier_checked_at=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def register(app: Flask) -> None:
    """The worker runs the loyalty round after the other rooms' jobs."""
    jobs.register_job(app, "loyalty", run_round)
