"""The outbox: queue messages in the caller's transaction, claim them safely, record the outcome.

Nothing is sent from a request. A change writes its e-mails and webhooks here in its own
transaction; the worker claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, an atomic
UPDATE on SQLite), delivers them, and retries with exponential backoff and jitter.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import mentions
from ..errors import NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from .models import STATUSES, OutboxMessage, WebhookEndpoint  # noqa: F401  (STATUSES: for the pages)

LEASE = timedelta(minutes=5)  # a claim older than this belonged to a worker that died
BACKOFF_BASE = 30  # seconds before the first retry
BACKOFF_CAP = 6 * 3600
# A finished task (published files written) leaves nothing to read in its row: kept this long, for
# the outbox page and the benches' lag figures, then deleted. E-mails and webhooks stay.
TASK_KEEP = timedelta(hours=1)


def enqueue(*, kind: str, topic: str, payload: dict[str, Any], shop_id: int | None,
            recipient: str = "", customer_id: int | None = None, endpoint_id: int | None = None,
            dedupe_key: str | None = None, due_at: datetime | None = None) -> bool:
    """Add a message to the current transaction; answers False when its dedupe key was queued before."""
    now = utcnow()
    values = {
        "kind": kind, "topic": topic, "payload": payload, "shop_id": shop_id, "recipient": recipient,
        "customer_id": customer_id, "endpoint_id": endpoint_id, "dedupe_key": dedupe_key,
        "status": "pending", "attempts": 0, "max_attempts": 8, "due_at": due_at or now,
        "next_attempt_at": due_at or now, "created_at": now,
    }
    if dedupe_key is None:
        db.session.add(OutboxMessage(**values))
        return True
    inserted = db.session.execute(insert_ignore(OutboxMessage, values, ["dedupe_key"])
                                  .returning(OutboxMessage.id)).first()
    return inserted is not None


def enqueue_task(topic: str, payload: dict[str, Any], *, shop_id: int | None, coalesce: str) -> None:
    """Queue the task `topic` (a handler registered with `jobs.register_task`) in the current
    transaction, coalesced: while a row with the key `coalesce` waits, no second one is added.
    The worker clears the key as it starts the row (`start_task`), so a change after that queues
    a new row. A conflict takes the waiting row's lock (`DO UPDATE`, not `DO NOTHING`) and keeps
    it until this transaction ends, so that `start_task` waits for it to commit: the task then
    reads the change it was queued for, never a state from before it."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OutboxMessage).values(
        kind="task", topic=topic, payload=payload, shop_id=shop_id, recipient="", dedupe_key=coalesce,
        status="pending", attempts=0, max_attempts=8, due_at=now, next_attempt_at=now, created_at=now)
    db.session.execute(insert.on_conflict_do_update(index_elements=["dedupe_key"],
                                                    set_={"dedupe_key": insert.excluded.dedupe_key}))


def start_task(message: OutboxMessage) -> None:
    """Free a claimed task's coalescing key and commit, before its handler reads anything: what
    changes from now on queues a task of its own."""
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                   OutboxMessage.locked_by == message.locked_by)
                       .values(dedupe_key=None).execution_options(synchronize_session=False))
    db.session.commit()


def jsonable(value: Any) -> Any:
    """Datetimes and decimals as strings, so that a payload survives the JSON column."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def emit_event(shop_id: int, event_type: str, data: dict[str, Any], *, dedupe: str | None = None) -> str:
    """Queue a webhook event for every active endpoint of the shop subscribed to it.

    One row per endpoint, so that a failing endpoint retries alone. All rows carry the same event
    id, which receivers use to deduplicate."""
    event_id = "evt_" + secrets.token_urlsafe(16)
    body = {"id": event_id, "type": event_type, "created": int(utcnow().timestamp()), "data": jsonable(data)}
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.shop_id == shop_id, WebhookEndpoint.active.is_(True)))
    for endpoint in endpoints:
        if event_type in endpoint.events or "*" in endpoint.events:
            enqueue(kind="webhook", topic=event_type, payload=body, shop_id=shop_id,
                    recipient=endpoint.url, endpoint_id=endpoint.id,
                    dedupe_key=f"{dedupe}:{endpoint.id}" if dedupe else None)
    return event_id


def claim(worker_id: str, *, limit: int = 20, kinds: tuple[str, ...] = ("email", "webhook"),
          now: datetime | None = None) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this worker and commit the claim.

    On PostgreSQL the inner SELECT locks with SKIP LOCKED, so concurrent workers take disjoint rows;
    on SQLite the single UPDATE is atomic because SQLite has one writer at a time. Either way a row
    is claimed by exactly one worker, and a claim that outlives its lease can be taken again.
    """
    now = now or utcnow()
    due = or_(
        OutboxMessage.status.in_(("pending", "failed")) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.locked_until < now),
    )
    # A materialized CTE, not `WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL
    # may run such a subquery once per outer row (a nested-loop semi join), each run locking and
    # returning other rows, so one worker took every due row and later rows outlived its lease.
    candidates = (select(OutboxMessage.id).where(due, OutboxMessage.kind.in_(kinds))
                  .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
                  .with_for_update(skip_locked=True)
                  .cte("candidates").prefix_with("MATERIALIZED", dialect="postgresql"))
    claim_token = f"{worker_id}:{secrets.token_hex(4)}"
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(select(candidates.c.id)), due)
        .values(status="sending", locked_by=claim_token, locked_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.locked_by == claim_token,
                                                               OutboxMessage.status == "sending")
                                   .order_by(OutboxMessage.id)))


def renew(message: OutboxMessage) -> bool:
    """Extend this worker's lease on a message just before delivering it; False when the lease
    ran out and another worker has taken the message over (then it must not be sent here)."""
    renewed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.status == "sending",
                                    OutboxMessage.locked_by == message.locked_by)
        .values(locked_until=utcnow() + LEASE).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at 6 h, each with up to 25 % jitter so that retries of a
    shared outage do not all come back at the same second."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay * (1 + random.uniform(0, 0.25)))


def mark_sent(message: OutboxMessage) -> None:
    _finish(message, status="sent", sent_at=utcnow(), attempts=message.attempts + 1, last_error=None)


def mark_failed(message: OutboxMessage, error: str) -> None:
    attempts = message.attempts + 1
    if attempts >= message.max_attempts:
        _finish(message, status="dead", attempts=attempts, last_error=error[:2000])
    else:
        _finish(message, status="failed", attempts=attempts, last_error=error[:2000],
                next_attempt_at=utcnow() + backoff(attempts))


def drop(message: OutboxMessage, reason: str) -> None:
    """Never send a claimed message (its reason to exist is gone); it stays visible as dead."""
    _finish(message, status="dead", attempts=message.attempts, last_error=reason)


def release(message: OutboxMessage) -> None:
    """Give a claimed message back untouched (e.g. e-mail while no SMTP server is configured)."""
    _finish(message, status="pending", attempts=message.attempts)


def _finish(message: OutboxMessage, **values: Any) -> None:
    # Only the worker holding the claim may record the outcome.
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id,
                                    OutboxMessage.locked_by == message.locked_by)
        .values(locked_by=None, locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def retry_now(shop_id: int, message_id: int) -> bool:
    """Put a failed or dead message back at the front of the queue."""
    changed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.shop_id == shop_id,
                                    OutboxMessage.status.in_(("failed", "dead")))
        .values(status="pending", next_attempt_at=utcnow(), max_attempts=OutboxMessage.attempts + 8)
    ).rowcount
    db.session.commit()
    return bool(changed)


def get_message(shop_id: int, message_id: int) -> OutboxMessage:
    """One message of the shop; NotFound for another shop's or an unknown id."""
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id,
                                                            OutboxMessage.shop_id == shop_id))
    if message is None:
        raise NotFound("No message with this id in this shop.")
    return message


def messages(shop_id: int, *, status: str | None = None, limit: int = 100) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.shop_id == shop_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))


def forget(shop_id: int, email: str, customer_id: int | None) -> int:
    """An erasure reaches the outbox too: the person's queued messages are stopped, and every
    stored copy that names them (e-mails to them, webhook bodies about them) is emptied."""
    rows = forget_mentions(shop_id, [email])
    if customer_id is not None:
        rows += _empty(select(OutboxMessage.id).where(OutboxMessage.shop_id == shop_id,
                                                      OutboxMessage.customer_id == customer_id))
    return rows


def forget_mentions(shop_id: int, needles: list[str]) -> int:
    """Empty every stored message of the shop whose recipient or body mentions one of `needles`
    (an address in any case, a review's id, a referral code: `mentions`), stopping those not yet
    sent; inside the caller's transaction. Each room that erases something others may have
    copied (a review, a code) calls it with what names it."""
    candidates = db.session.execute(select(
        OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.payload).where(
        OutboxMessage.shop_id == shop_id,
        or_(mentions.condition(OutboxMessage.recipient, needles),
            mentions.condition(OutboxMessage.payload, needles)))).all()
    ids = [row.id for row in candidates
           if mentions.mentioned(row.recipient, needles) or mentions.mentioned(row.payload, needles)]
    return _empty(ids) if ids else 0


def forget_queued(shop_id: int, topic: str, wanted: Callable[[str | None], bool]) -> int:
    """Empty the shop's messages of `topic` whose dedupe key `wanted` picks, inside the caller's
    transaction: the room that queued them knows which carried the person (an alert e-mail, by
    the batch its key names) when nothing in the message itself would tell."""
    ids = [row.id for row in db.session.execute(select(OutboxMessage.id, OutboxMessage.dedupe_key).where(
        OutboxMessage.shop_id == shop_id, OutboxMessage.topic == topic)) if wanted(row.dedupe_key)]
    return _empty(ids) if ids else 0


def _empty(ids) -> int:
    """Blank the messages (a sent one keeps its status; one still waiting is stopped)."""
    waiting = OutboxMessage.status.in_(("pending", "failed", "sending"))
    return db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids))
        .values(payload={"erased": True}, recipient="",
                status=case((waiting, "dead"), else_=OutboxMessage.status),
                last_error=case((waiting, "erased"), else_=OutboxMessage.last_error))
        .execution_options(synchronize_session=False)
    ).rowcount


def forget_finished_tasks(now: datetime | None = None) -> int:
    """Delete the task rows sent more than `TASK_KEEP` ago (a task that failed stays, for its
    error and "retry now"); answers how many went."""
    before = (now or utcnow()) - TASK_KEEP
    gone = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.kind == "task", OutboxMessage.status == "sent",
                                    OutboxMessage.sent_at < before)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return gone
