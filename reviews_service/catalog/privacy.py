"""A person's data out (export) and a person erased everywhere (erasure). Catalog owns the
customers, so it answers both; every other room adds its part through `events`
(`customer_export_requested`, `customer_erased`), and a new room joins by subscribing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from .. import events
from ..email_addresses import normalize_email
from ..errors import NotFound
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from .models import Customer, Order
from .service import find_customer, order_view

_NOTHING = "This shop holds no data for this e-mail address."


def export(shop: Shop, email: str) -> dict[str, Any]:
    """Everything this shop holds about the person with this e-mail address."""
    email = normalize_email(email)
    customer = find_customer(shop, email)
    answer: dict[str, Any] = {"email": email, "customer": None, "orders": []}
    if customer is not None:
        answer["customer"] = _customer_view(customer)
        answer["orders"] = [order_view(order) for order in db.session.scalars(
            select(Order).where(Order.customer_id == customer.id).order_by(Order.id))]
    sections = _merged(events.customer_export_requested.send(
        shop, email=email, customer_id=customer.id if customer is not None else None))
    if customer is None and not any(sections.values()):
        raise NotFound(_NOTHING, field="email")
    return {**answer, **sections}


def erase(shop: Shop, email: str) -> dict[str, Any]:
    """Blank the customer and end their orders' referral codes, and have every room erase what it
    holds about them (`events.customer_erased`), all in one transaction. Answers the counts."""
    email = normalize_email(email)
    customer = find_customer(shop, email)
    orders = 0
    if customer is not None:
        customer_id = customer.id
        customer.email, customer.name = f"erased-{customer.id}@erased.invalid", ""
        customer.given_name = customer.family_name = ""
        customer.erased_at = utcnow()
        customer.unsubscribed_at = customer.unsubscribed_at or utcnow()
        orders = db.session.execute(update(Order).where(Order.customer_id == customer.id)
                                    .values(referral_code=None)).rowcount
    else:
        customer_id = None
    counts = _merged(events.customer_erased.send(shop, email=email, customer_id=customer_id))
    if customer is None and not any(counts.values()):
        db.session.rollback()
        raise NotFound(_NOTHING, field="email")
    db.session.commit()
    return {"erased": True, **counts, "orders_anonymised": orders}


def rename_referral_code(shop: Shop, old: str, new: str) -> int:
    """Orders placed with an erased referrer's code (their friends' orders) keep that they came
    with a code, under its new name without the referrer's name part. Called by the referral
    program's erasure receiver, inside the erasure's transaction."""
    return db.session.execute(update(Order).where(Order.shop_id == shop.id, Order.referral_code == old)
                              .values(referral_code=new).execution_options(synchronize_session=False)).rowcount


def _customer_view(customer: Customer) -> dict[str, Any]:
    return {"name": customer.name, "given_name": customer.given_name,
            "family_name": customer.family_name, "locale": customer.locale,
            "accepts_marketing": customer.accepts_marketing,
            "created_at": customer.created_at.isoformat(),
            "unsubscribed_at": customer.unsubscribed_at.isoformat() if customer.unsubscribed_at else None}


def _merged(replies: list[tuple[Any, dict[str, Any] | None]]) -> dict[str, Any]:
    """The receivers' answers in one dict; a receiver that has nothing to add answers None."""
    merged: dict[str, Any] = {}
    for _, part in replies:
        merged.update(part or {})
    return merged
