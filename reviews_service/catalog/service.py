"""Products, customers and orders: upserts, idempotent order ingestion, order events."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import events, tokens
from ..email_addresses import normalize_email
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..shops.models import Shop
from ..shops.service import settings_of
from . import names
from .addresses import address_hash
from .models import Customer, Order, OrderEvent, OrderItem, Product

PRODUCT_FIELDS = ("name", "url", "image_url", "gtin", "mpn", "brand", "sku")
TERMINAL = ("refunded", "cancelled")
EXTERNAL_ID_MAX = 255  # the shop's own ids, as the columns hold them


# --- products ------------------------------------------------------------------------------------

def upsert_product(shop: Shop, external_id: str, data: dict[str, Any]) -> tuple[Product, bool]:
    """Create or replace a product's fields; answers the product and whether it was created."""
    if len(external_id) > EXTERNAL_ID_MAX:
        raise Invalid(f"A product_id may have at most {EXTERNAL_ID_MAX} characters.", field="product_id")
    values = {f: data.get(f) for f in PRODUCT_FIELDS}
    created = db.session.execute(
        insert_ignore(Product, {"shop_id": shop.id, "external_id": external_id, **values},
                      ["shop_id", "external_id"]).returning(Product.id)
    ).first() is not None
    if not created:
        db.session.execute(
            update(Product).where(Product.shop_id == shop.id, Product.external_id == external_id)
            .values(**values, updated_at=utcnow())
        )
    db.session.commit()
    return get_product(shop, external_id), created


def get_product(shop: Shop | int, external_id: str) -> Product:
    """A product of this shop (or shop id) by the shop's own product id; NotFound for another
    shop's or an unknown id. The one product lookup of the server API, the public lists, the
    submission and the SEO answers."""
    product = find_product(shop, external_id)
    if product is None:
        raise NotFound(f"No product {external_id!r} in this shop.")
    return product


def find_product(shop: Shop | int, external_id: str) -> Product | None:
    """The product, or None when the shop has none by this id (for callers to whom that is no error)."""
    return db.session.scalar(select(Product).where(Product.shop_id == _shop_id(shop),
                                                   Product.external_id == external_id))


def _shop_id(shop: Shop | int) -> int:
    return shop if isinstance(shop, int) else shop.id


def products_by_external_ids(shop: Shop, external_ids: list[str]) -> dict[str, Product]:
    if not external_ids:
        return {}
    rows = db.session.scalars(
        select(Product).where(Product.shop_id == shop.id, Product.external_id.in_(external_ids)))
    return {p.external_id: p for p in rows}


def _ensure_products(shop: Shop, items: list[dict[str, Any]]) -> dict[str, int]:
    """Products named by an order but never sent by the shop are created from the items;
    existing products are left as the shop sent them."""
    for item in items:
        db.session.execute(insert_ignore(Product, {
            "shop_id": shop.id, "external_id": item["product_id"], "name": item["name"],
            "url": item.get("url"), "image_url": item.get("image_url"), "sku": item.get("sku"),
            "gtin": item.get("gtin"),
        }, ["shop_id", "external_id"]))
    ids = [i["product_id"] for i in items]
    return {p.external_id: p.id for p in products_by_external_ids(shop, ids).values()}


# --- customers -----------------------------------------------------------------------------------

def ensure_customer(shop: Shop, email: str, name: str = "", locale: str | None = None, *,
                    given_name: str = "", family_name: str = "",
                    accepts_marketing: bool | None = None) -> Customer:
    """The shop's customer by e-mail, created or brought up to date. A name sent replaces the one
    kept, parts and all: parts kept from an earlier name would not belong to the new one. Marketing
    consent, when given (an order states it), replaces the one kept: the latest word counts."""
    email = normalize_email(email)
    locale = locale.replace("_", "-") if locale else None
    person = names.person_name(name, given_name, family_name, locale or _default_locale(shop))
    sent = {"name": person.full, "given_name": given_name.strip(), "family_name": family_name.strip()}
    db.session.execute(insert_ignore(Customer, {
        "shop_id": shop.id, "email": email, **sent, "locale": locale or _default_locale(shop),
    }, ["shop_id", "email"]))
    customer = db.session.scalar(
        select(Customer).where(Customer.shop_id == shop.id, Customer.email == email))
    changes = {key: value for key, value in sent.items()
               if person.full and getattr(customer, key) != value}
    if locale and customer.locale != locale:
        changes["locale"] = locale
    if accepts_marketing is not None and customer.accepts_marketing != accepts_marketing:
        changes["accepts_marketing"] = accepts_marketing
    for key, value in changes.items():
        setattr(customer, key, value)
    return customer


def _default_locale(shop: Shop) -> str:
    return settings_of(shop)["default_locale"]


def find_customer(shop: Shop, email: str) -> Customer | None:
    return db.session.scalar(select(Customer).where(Customer.shop_id == shop.id,
                                                    Customer.email == normalize_email(email)))


def get_customer(shop: Shop, customer_id: int | str) -> Customer:
    """A customer of this shop by the service's own id (the order's `customer_id`); NotFound for
    another shop's, an unknown or a malformed id."""
    number = int(customer_id) if str(customer_id).isascii() and str(customer_id).isdigit() else 0
    customer = db.session.scalar(select(Customer).where(Customer.shop_id == shop.id, Customer.id == number)) \
        if 0 < number < 2**31 else None
    if customer is None:
        raise NotFound(f"No customer {customer_id!r} in this shop.")
    return customer


# --- orders --------------------------------------------------------------------------------------

def ingest_order(shop: Shop, data: dict[str, Any]) -> tuple[Order, bool]:
    """Store an order once. Answers the order and whether this call created it.

    The order row is inserted with ON CONFLICT DO NOTHING: of twenty concurrent posts of one order,
    one inserts and the others find its row once that transaction commits, and write nothing.
    """
    existing = find_order(shop, data["id"])
    if existing is not None:
        return existing, False
    customer_in = data["customer"]
    customer = ensure_customer(shop, customer_in["email"], customer_in.get("name", ""),
                               customer_in.get("locale"), given_name=customer_in.get("given_name", ""),
                               family_name=customer_in.get("family_name", ""),
                               accepts_marketing=bool(customer_in.get("accepts_marketing", False)))
    inserted = db.session.execute(
        insert_ignore(Order, {
            "shop_id": shop.id, "external_id": data["id"], "customer_id": customer.id,
            "placed_at": data["placed_at"], "currency": data["currency"],
            "total": Decimal(data["total"]), "referral_code": data.get("referral_code"),
            "status": "placed", "shipping_address_hash": address_hash(data.get("shipping_address")),
        }, ["shop_id", "external_id"]).returning(Order.id)
    ).first()
    if inserted is None:
        db.session.rollback()
        return get_order(shop, data["id"]), False
    product_ids = _ensure_products(shop, data["items"])
    for item in data["items"]:
        db.session.add(OrderItem(order_id=inserted.id, product_id=product_ids[item["product_id"]],
                                 name=item["name"], quantity=item["quantity"],
                                 price=Decimal(item["price"])))
    db.session.flush()
    order = db.session.get(Order, inserted.id)
    events.order_ingested.send(shop, order=order)
    db.session.commit()
    return order, True


def get_order(shop: Shop, external_id: str) -> Order:
    """An order of this shop by the shop's own order id; NotFound for another shop's or an unknown id."""
    order = find_order(shop, external_id)
    if order is None:
        raise NotFound(f"No order {external_id!r} in this shop.")
    return order


def find_order(shop: Shop, external_id: str) -> Order | None:
    """The order, or None when the shop has none by this id (ingestion, the demo pages)."""
    return db.session.scalar(
        select(Order).where(Order.shop_id == shop.id, Order.external_id == external_id))


def record_event(shop: Shop, external_id: str, kind: str, occurred_at: datetime | None,
                 note: str = "") -> tuple[Order, bool]:
    """Apply `fulfilled`, `delivered`, `refunded` or `cancelled`. The same event again changes
    nothing; an event after a refund or cancellation is a conflict."""
    order = get_order(shop, external_id)
    # Lock the order so that two events for it apply one after the other, and reload it: another
    # event may have changed it (a refund) while this one waited for the lock.
    order = db.session.scalar(select(Order).where(Order.id == order.id).with_for_update()
                              .execution_options(populate_existing=True))
    at = occurred_at or utcnow()
    if any(e.kind == kind for e in order.events):
        db.session.rollback()
        return order, False
    if order.status in TERMINAL:
        db.session.rollback()
        raise Conflict(f"Order {external_id!r} is already {order.status}; "
                       f"it cannot be {kind} now.", field="type")
    # No savepoint: the same event stored meanwhile rolls everything back anyway, and on SQLite a
    # savepoint that opens the transaction commits it when released, before the receivers ran.
    try:
        db.session.add(OrderEvent(order_id=order.id, kind=kind, occurred_at=at, note=note))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return get_order(shop, external_id), False
    setattr(order, f"{kind}_at", at)
    if kind == "delivered" and order.fulfilled_at is None:
        order.fulfilled_at = at  # a delivered order was fulfilled, even if nobody said so
    order.status = _status_after(order.status, kind)
    events.order_event_recorded.send(shop, order=order, kind=kind, at=at)
    db.session.commit()
    return order, True


def _status_after(status: str, kind: str) -> str:
    if kind in TERMINAL:
        return kind
    if kind == "fulfilled" and status == "delivered":
        return status  # a late "fulfilled" does not undo a delivery
    return kind


def widget_token(order: Order) -> str:
    max_age = current_app.config["WIDGET_TOKEN_MAX_AGE"]
    return tokens.sign(tokens.WIDGET_TOKEN, order.shop_id, order=order.id,
                     expires_at=order.created_at + timedelta(seconds=max_age))


def order_view(order: Order) -> dict[str, Any]:
    """The order as the server API answers it."""
    view = {
        "id": order.external_id, "status": order.status, "customer_id": order.customer_id,
        "customer": {"email": order.customer.email, "name": order.customer.name,
                     "given_name": order.customer.given_name, "family_name": order.customer.family_name,
                     "locale": order.customer.locale,
                     "accepts_marketing": order.customer.accepts_marketing},
        "items": [{"product_id": i.product.external_id, "name": i.name, "quantity": i.quantity,
                   "price": i.price, "refunded_quantity": i.refunded_quantity} for i in order.items],
        "placed_at": order.placed_at, "currency": order.currency, "total": order.total,
        "referral_code": order.referral_code, "fulfilled_at": order.fulfilled_at,
        "delivered_at": order.delivered_at, "refunded_at": order.refunded_at,
        "cancelled_at": order.cancelled_at, "created_at": order.created_at,
        "refunds": [{"id": r.external_id, "amount": r.amount, "lines": r.lines, "occurred_at": r.occurred_at}
                    for r in order.refunds],
        "widget_token": widget_token(order), "review_request": None,
    }
    for _, added in events.order_view_requested.send(order):
        view.update(added or {})
    return view
