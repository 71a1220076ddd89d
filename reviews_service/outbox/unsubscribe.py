"""Unsubscribing from a link in an e-mail: one signed token per customer and shop."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from .. import tokens
from ..catalog import mailing
from ..extensions import db
from .models import OutboxMessage


@dataclass
class Resolved:
    state: str  # "ok", "expired", "invalid"
    customer_id: int | None = None
    shop_name: str = ""
    locale: str | None = None
    already: bool = False


def resolve(token: str) -> Resolved:
    try:
        shop_id = tokens.peek_shop(tokens.UNSUBSCRIBE_TOKEN, token)
        claims = tokens.unsign(tokens.UNSUBSCRIBE_TOKEN, token, shop_id=shop_id)
    except tokens.TokenError as exc:
        return Resolved(state=exc.reason)
    found = mailing.subscriber(shop_id, claims.get("customer"))
    if found is None:
        return Resolved(state="invalid")
    return Resolved(state="ok", customer_id=found.customer_id, shop_name=found.shop_name,
                    locale=found.locale, already=found.unsubscribed)


def apply(result: Resolved) -> None:
    """Stop every e-mail that asks for something; the stop is effective for queued ones too."""
    mailing.unsubscribe(result.customer_id)
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.customer_id == result.customer_id, OutboxMessage.status.in_(("pending", "failed")),
        OutboxMessage.kind == "email").values(status="dead", last_error="unsubscribed"))
    db.session.commit()
