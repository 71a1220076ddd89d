"""Unsubscribing from a link in an e-mail: one signed token per customer and shop."""

from __future__ import annotations

from dataclasses import dataclass

from .. import tokens
from ..catalog.models import Customer
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop


@dataclass
class Resolved:
    state: str  # "ok", "expired", "invalid"
    customer: Customer | None = None
    shop_name: str = ""
    locale: str | None = None
    already: bool = False


def resolve(token: str) -> Resolved:
    try:
        shop_id = tokens.peek_shop(tokens.UNSUBSCRIBE_TOKEN, token)
        claims = tokens.unsign(tokens.UNSUBSCRIBE_TOKEN, token, shop_id=shop_id)
    except tokens.TokenError as exc:
        return Resolved(state=exc.reason)
    customer = db.session.get(Customer, claims.get("customer"))
    shop = db.session.get(Shop, shop_id)
    if customer is None or shop is None or customer.shop_id != shop.id:
        return Resolved(state="invalid")
    return Resolved(state="ok", customer=customer, shop_name=shop.name, locale=customer.locale,
                    already=customer.unsubscribed_at is not None)


def apply(result: Resolved) -> None:
    """Stop every e-mail that asks for something; the stop is effective for queued ones too."""
    from sqlalchemy import update

    from .models import OutboxMessage

    customer = result.customer
    if customer.unsubscribed_at is None:
        customer.unsubscribed_at = utcnow()
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.customer_id == customer.id, OutboxMessage.status.in_(("pending", "failed")),
        OutboxMessage.kind == "email").values(status="dead", last_error="unsubscribed"))
    db.session.commit()
