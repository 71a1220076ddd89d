"""`Idempotency-Key` for the server API's POSTs: a retry gets the first answer, not a second write.

The key is claimed in its own committed transaction before the work starts, so a concurrent
request with the same key sees the claim and answers 409 instead of doing the work twice.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import datetime, timedelta

from flask import Response, request
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .. import events, mentions
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models_base import UTCDateTime, insert_ignore, utcnow
from .callers import current_shop


class IdempotencyKey(db.Model):
    """An `Idempotency-Key` the shop sent, with the answer we gave, to replay it on a retry."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("shop_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")
# A claim whose request died without answering is released after this long.
ABANDONED_AFTER = timedelta(minutes=2)


def _fingerprint() -> str:
    material = request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()
    return hashlib.sha256(material).hexdigest()


def idempotent(view):
    """Wrap a view so that the same `Idempotency-Key` replays the stored answer."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        # Visible ASCII only: a control character (NUL above all) could not even be stored.
        if not key.strip() or not VALID_KEY.fullmatch(key):
            raise Invalid("The Idempotency-Key header must have 1 to 255 printable ASCII characters.",
                          field=HEADER)
        shop = current_shop()
        fingerprint = _fingerprint()
        row = _claim(shop.id, key, fingerprint)
        if row is not None:
            return _replay(row, fingerprint)
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            _release(shop.id, key)
            raise
        response = response if isinstance(response, Response) else Response(response)
        if response.status_code >= 500:
            _release(shop.id, key)
            return response
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.shop_id == shop.id, IdempotencyKey.key == key)
            .values(response_status=response.status_code, response_body=response.get_data(as_text=True))
        )
        db.session.commit()
        return response

    return wrapper


def _claim(shop_id: int, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Claim the key; answers None when claimed, or the existing row when someone else has it."""
    created = db.session.execute(
        insert_ignore(IdempotencyKey, {"shop_id": shop_id, "key": key, "request_hash": fingerprint},
                      ["shop_id", "key"]).returning(IdempotencyKey.id)
    ).first()
    db.session.commit()
    if created is not None:
        return None
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.shop_id == shop_id,
                                                         IdempotencyKey.key == key))
    if row is None:  # released between our insert and our read: try once more
        return _claim(shop_id, key, fingerprint)
    if row.response_status is None and row.created_at < utcnow() - ABANDONED_AFTER:
        taken = db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == row.id, IdempotencyKey.response_status.is_(None),
                   IdempotencyKey.created_at == row.created_at)
            .values(created_at=utcnow(), request_hash=fingerprint)
        ).rowcount
        db.session.commit()
        if taken:
            return None
    return row


def _replay(row: IdempotencyKey, fingerprint: str) -> Response:
    if row.request_hash != fingerprint:
        raise Invalid("This Idempotency-Key was used with a different request; "
                      "use a new key for a new request.", field=HEADER)
    if row.response_status is None:
        raise Conflict("A request with this Idempotency-Key is still being processed; "
                       "retry in a moment.", headers={"Retry-After": "1"})
    response = Response(row.response_body, status=row.response_status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _release(shop_id: int, key: str) -> None:
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.shop_id == shop_id,
                                                    IdempotencyKey.key == key))
    db.session.commit()


def purge_expired(ttl_seconds: int) -> int:
    """Forget keys older than the TTL (run by `reviews-service check`)."""
    cutoff = utcnow() - timedelta(seconds=ttl_seconds)
    count = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
    db.session.commit()
    return count


def connect() -> None:
    events.customer_erased.connect(_forget_answers_naming)


def _forget_answers_naming(shop, *, email: str, **_: object) -> None:
    """The stored answers are kept for replays, and an order's answer holds the customer's e-mail
    address and name: an erasure forgets every answer that names the person."""
    forget_mentions(shop.id, [email])


def forget_mentions(shop_id: int, needles: list[str]) -> int:
    """Forget the shop's stored answers (and keys) that mention one of `needles` (an address in any
    case, a review's id, a referral code: `mentions`), inside the caller's transaction. The rooms
    that erase what such an answer showed (a review, a code) call it with what names it."""
    found = db.session.execute(select(
        IdempotencyKey.id, IdempotencyKey.key, IdempotencyKey.response_body).where(
        IdempotencyKey.shop_id == shop_id,
        or_(mentions.condition(IdempotencyKey.response_body, needles),
            mentions.condition(IdempotencyKey.key, needles)))).all()
    ids = [row.id for row in found
           if mentions.mentioned(row.response_body, needles) or mentions.mentioned(row.key, needles)]
    if not ids:
        return 0
    return db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(ids))
                              .execution_options(synchronize_session=False)).rowcount
