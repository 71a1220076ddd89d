"""Whether a customer may be e-mailed, and unsubscribing: what the outbox asks of the catalog,
by customer id, so that it reads none of the catalog's rows itself."""

from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from .models import Customer


@dataclass(frozen=True)
class Subscriber:
    """A customer as the unsubscribe page shows them: no address, only what the page says."""
    customer_id: int
    shop_name: str
    locale: str | None
    unsubscribed: bool


def subscriber(shop_id: int, customer_id: int | None) -> Subscriber | None:
    """The shop's customer `customer_id` (None when there is no such customer in that shop)."""
    customer = db.session.get(Customer, customer_id) if customer_id is not None else None
    shop = db.session.get(Shop, shop_id)
    if customer is None or shop is None or customer.shop_id != shop.id:
        return None
    return Subscriber(customer_id=customer.id, shop_name=shop.name, locale=customer.locale,
                      unsubscribed=customer.unsubscribed_at is not None)


def unsubscribe(customer_id: int) -> None:
    """Stop asking this customer for anything, in the caller's transaction (the first date stays)."""
    customer = db.session.get(Customer, customer_id)
    if customer is not None and customer.unsubscribed_at is None:
        customer.unsubscribed_at = utcnow()


def refusal(customer_id: int, *, marketing: bool = False) -> str | None:
    """Why this customer must get no e-mail any more ("erased", "unsubscribed"), or, for a
    marketing e-mail, why not this one ("no marketing consent"); None when it may go."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        return None
    if customer.erased_at is not None:
        return "erased"
    if customer.unsubscribed_at is not None:
        return "unsubscribed"
    if marketing and not customer.accepts_marketing:
        return "no marketing consent"
    return None
