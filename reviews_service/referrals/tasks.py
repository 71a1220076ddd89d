"""What the worker does for the referral program each round (a job registered with the outbox's
worker): decide the referrals whose hold has passed, and retry the rewards that waited for an empty
pool.

Safe to run from many workers at once: each referral moves only through a guarded UPDATE, and its
reward is unique, so a referral two workers pick up is decided and rewarded once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask
from sqlalchemy import select

from ..extensions import db
from ..models_base import utcnow
from ..outbox import jobs
from . import coupons, service
from .models import Referral

log = logging.getLogger(__name__)


def process_due(now: datetime | None = None, limit: int = 200) -> int:
    """Settle due referrals and retry pool-starved rewards; answers how many changed status."""
    now = now or utcnow()
    changed = 0
    due = list(db.session.scalars(select(Referral.id).where(
        Referral.status == "pending", Referral.hold_until <= now)
        .order_by(Referral.hold_until, Referral.id).limit(limit)))
    for referral_id in due:
        changed += _run(service.settle, referral_id, "pending")
    starved = list(db.session.execute(select(Referral.id, Referral.shop_id).where(
        Referral.status == "flagged", Referral.reason == "pool_empty").order_by(Referral.id).limit(limit)))
    refilled: dict[int, bool] = {}
    for referral_id, shop_id in starved:
        if shop_id not in refilled:
            refilled[shop_id] = coupons.available(shop_id, "referrer_reward") > 0
        if refilled[shop_id]:
            changed += _run(service.retry_reward, referral_id, "flagged")
    return changed


def _run(step, referral_id: int, status: str) -> int:
    referral = db.session.get(Referral, referral_id, populate_existing=True)
    if referral is None or referral.status != status:
        return 0
    try:
        outcome = step(referral)
    except Exception:  # one bad row must not stop the others; the next round tries it again
        db.session.rollback()
        log.exception("referral %s could not be settled", referral_id)
        return 0
    return int(outcome not in ("unchanged", status))


def register(app: Flask) -> None:
    """The worker settles due referrals and retries starved rewards each round."""
    jobs.register_job(app, "referrals", process_due)
