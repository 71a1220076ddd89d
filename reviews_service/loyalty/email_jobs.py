"""The worker's job for the programme's e-mails (after the loyalty round, so that it sees the
holds released and the points expired): each member's points earned since their last such e-mail,
at most one a day, and the reminder before a balance expires. And the pre-send check that drops a
reminder whose points no longer expire then.

Safe to run from many workers at once: every e-mail's dedupe key names what it reports (the last
earning listed; the quiet spell that ends in the expiry), so a race queues nothing twice."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from ..extensions import db
from ..models_base import utcnow
from ..outbox import jobs
from ..outbox.models import OutboxMessage
from ..shops.models import Shop
from ..shops.service import settings_of
from . import emails, expiry
from .models import Entry, Member

log = logging.getLogger(__name__)
BATCH = 200
# At most one "points earned" e-mail a day per member.
EARNED_SPACING = timedelta(days=1)
# Earnings older than this are not listed any more (a batch that could not be sent for a week,
# say to a customer who unsubscribed and came back, is old news).
EARNED_LOOKBACK = timedelta(days=7)
# The reminder comes this long before the expiry: the "expiring soon" the API shows.
REMIND_BEFORE = expiry.SOON


def run(limit: int = BATCH) -> int:
    """Queue the e-mails that fell due; answers how many."""
    queued = 0
    for shop_id in list(db.session.scalars(select(Member.shop_id).distinct())):
        shop = db.session.get(Shop, shop_id)
        program = settings_of(shop)["loyalty"]
        if not program["enabled"]:
            continue
        try:
            queued += _points_earned(shop, limit)
            queued += _expiry_reminders(shop, program, limit)
        except Exception:  # one shop's failure must not stop the others; the next round tries again
            db.session.rollback()
            log.exception("the loyalty e-mails of shop %s failed", shop_id)
    db.session.rollback()  # end the read transaction
    return queued


def _points_earned(shop: Shop, limit: int) -> int:
    now = utcnow()
    mailed_lately = select(OutboxMessage.id).where(
        OutboxMessage.shop_id == shop.id, OutboxMessage.topic == emails.POINTS_EARNED,
        OutboxMessage.customer_id == Member.customer_id, OutboxMessage.created_at > now - EARNED_SPACING).exists()
    members = list(db.session.scalars(select(Member).where(
        Member.shop_id == shop.id, Member.erased_at.is_(None), ~mailed_lately,
        select(Entry.id).where(Entry.member_id == Member.id, Entry.kind == "earn",
                               Entry.created_at > now - EARNED_LOOKBACK).exists())
        .order_by(Member.id).limit(limit)))
    queued = 0
    for member in members:
        entries = list(db.session.scalars(select(Entry).where(
            Entry.member_id == member.id, Entry.kind.in_(("earn", "reverse")), Entry.id > _mailed_through(member),
            Entry.created_at > now - EARNED_LOOKBACK).order_by(Entry.id)))
        earned = _kept(entries)
        if earned:
            queued += emails.points_earned(shop, member, earned, last=entries[-1].id)
            db.session.commit()
    return queued


def _kept(entries: list[Entry]) -> list[tuple[Entry, int]]:
    """The earnings with what is left of each: an order refunded before the e-mail is not news,
    and one refunded in part shows the points it keeps."""
    taken: dict[str, int] = {}
    for entry in entries:
        if entry.kind == "reverse" and entry.source == "order":
            taken[entry.reference] = taken.get(entry.reference, 0) - entry.points
    kept = []
    for entry in entries:
        if entry.kind != "earn":
            continue
        points = entry.points - (taken.pop(entry.reference, 0) if entry.source == "order" else 0)
        if points > 0:
            kept.append((entry, points))
    return kept


def _mailed_through(member: Member) -> int:
    """The last earning the member's latest "points earned" e-mail listed (0 before the first)."""
    latest = db.session.scalar(select(OutboxMessage.payload).where(
        OutboxMessage.shop_id == member.shop_id, OutboxMessage.topic == emails.POINTS_EARNED,
        OutboxMessage.customer_id == member.customer_id).order_by(OutboxMessage.id.desc()).limit(1))
    return int((latest or {}).get("through_entry") or 0)


def _expiry_reminders(shop: Shop, program: dict[str, Any], limit: int) -> int:
    """Members whose points expire within REMIND_BEFORE: the reminder, once per quiet spell. That
    includes members already past the months (the worker was stopped, or the shop shortened the
    months): their points wait SOON after this reminder (expiry.py says why)."""
    months = program["expiry_months"]
    if not months:
        return 0
    now = utcnow()
    due = list(db.session.scalars(select(Member).where(
        Member.shop_id == shop.id, Member.erased_at.is_(None), Member.spendable > 0,
        Member.last_activity_at < expiry.subtract_months(now + REMIND_BEFORE, months) + timedelta(days=1))
        .order_by(Member.last_activity_at.desc())))
    queued = 0
    for member in due:
        if queued >= limit:
            break
        if expiry.reminded_at(member) is not None:
            continue
        at = expiry.expires_at(program, member, now)
        if at is not None and now < at <= now + REMIND_BEFORE:
            queued += emails.points_expiring(shop, member, at)
            db.session.commit()
    return queued


def withdrawn(message: OutboxMessage) -> str | None:
    """Why a queued reminder must not go out any more: the member earned or spent points since
    (the expiry moved), or nothing is left to expire."""
    payload = message.payload or {}
    member = db.session.get(Member, payload.get("member_id") or 0)
    if member is None or member.erased_at is not None:
        return "the member is gone"
    if member.spendable <= 0:
        return "no points left to expire"
    if member.last_activity_at is None or member.last_activity_at.isoformat() != payload.get("activity"):
        return "the member earned or spent points since: the expiry moved"
    return None


def register(app: Flask) -> None:
    """The worker queues the programme's e-mails each round, after the loyalty round."""
    jobs.register_job(app, "loyalty e-mails", run)
    jobs.register_check(app, (emails.POINTS_EXPIRING,), withdrawn)
