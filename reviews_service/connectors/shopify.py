"""Shopify's webhooks (REST resource payloads, Admin API 2025-01 shapes) mapped onto the catalog.

Topics: orders/create and orders/paid (the order), orders/fulfilled and fulfillments/update
(delivered), refunds/create (partial or whole), orders/cancelled, products/create|update,
customers/data_request and customers/redact (sent only to apps), shop/redact (acknowledged).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..catalog import privacy
from ..errors import NotFound
from ..shops.models import Shop
from . import catalog_ops as ops
from .models import Connection
from .receiver import Outcome, Platform, register

# Orders this far along are orders the customer paid for or will pay for; "pending" is not yet.
_ORDER_TOPICS = ("orders/create", "orders/paid")


def order_body(shop: Shop, payload: dict[str, Any]) -> dict[str, Any]:
    """The server API's order body for a Shopify order."""
    customer = payload.get("customer") or {}
    billing = payload.get("billing_address") or {}
    consent = (customer.get("email_marketing_consent") or {}).get("state")
    items = [{
        "product_id": str(line["product_id"]), "name": line.get("title") or line.get("name") or "",
        "quantity": line.get("quantity", 1), "price": ops.money(line.get("price")),
        **({"sku": line["sku"]} if line.get("sku") else {}),
    } for line in payload.get("line_items") or [] if line.get("product_id")]
    notes = {n.get("name"): n.get("value") for n in payload.get("note_attributes") or []}
    discounts = [d.get("code", "") for d in payload.get("discount_codes") or []]
    body: dict[str, Any] = {
        "id": str(payload.get("id", "")),
        "customer": {
            "email": payload.get("email") or payload.get("contact_email") or customer.get("email") or "",
            "given_name": customer.get("first_name") or billing.get("first_name") or "",
            "family_name": customer.get("last_name") or billing.get("last_name") or "",
            "accepts_marketing": bool(payload.get("buyer_accepts_marketing")) or consent == "subscribed",
        },
        "items": ops.merge_items(items),
        "placed_at": ops.iso(payload.get("processed_at") or payload.get("created_at")),
        "currency": payload.get("currency"),
        "total": ops.money(payload.get("total_price")),
        "referral_code": ops.referral_code(shop, notes.get("rv_ref"), discounts),
    }
    if payload.get("customer_locale"):
        body["customer"]["locale"] = payload["customer_locale"]
    address = payload.get("shipping_address")
    if address and address.get("address1"):
        body["shipping_address"] = {
            "line1": address["address1"], "line2": address.get("address2") or "",
            "city": address.get("city") or "", "postal_code": address.get("zip") or "",
            "region": address.get("province") or "", "country": address.get("country_code") or "",
        }
    return body


def on_order(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    if not any(line.get("product_id") for line in payload.get("line_items") or []):
        return Outcome("ignored", "no line names a product (gift cards, custom items)")
    return ops.ingest(shop, order_body(shop, payload))


def on_fulfilled(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    """orders/fulfilled: the order; its latest fulfilment says when."""
    fulfillments = payload.get("fulfillments") or []
    at = fulfillments[-1].get("created_at") if fulfillments else payload.get("updated_at")
    return ops.event(shop, str(payload.get("id", "")), "fulfilled", at)


def on_fulfillment(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    """fulfillments/update: a carrier's status; only `delivered` is an order event of ours."""
    if payload.get("shipment_status") != "delivered":
        return Outcome("ignored", f"shipment status {payload.get('shipment_status')!r}")
    return ops.event(shop, str(payload.get("order_id", "")), "delivered", payload.get("updated_at"))


def on_refund(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    """refunds/create: the money of its successful refund transactions (else its lines'
    subtotals and taxes), and the lines it takes back."""
    transactions = [t for t in payload.get("transactions") or []
                    if t.get("kind") == "refund" and t.get("status") in ("success", None)]
    lines = payload.get("refund_line_items") or []
    if transactions:
        amount = sum((Decimal(ops.money(t.get("amount")) or 0) for t in transactions), Decimal(0))
    else:
        amount = sum((Decimal(ops.money(line.get("subtotal")) or 0) + Decimal(ops.money(line.get("total_tax")) or 0)
                      for line in lines), Decimal(0))
    taken = [{"product_id": str((line.get("line_item") or {}).get("product_id")),
              "quantity": int(line.get("quantity") or 0)}
             for line in lines if (line.get("line_item") or {}).get("product_id")]
    return ops.refund(shop, str(payload.get("order_id", "")), str(payload.get("id", "")),
                      abs(amount), taken, payload.get("processed_at") or payload.get("created_at"))


def on_cancelled(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    return ops.event(shop, str(payload.get("id", "")), "cancelled", payload.get("cancelled_at"))


def on_product(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    variants = payload.get("variants") or []
    image = payload.get("image") or next(iter(payload.get("images") or []), None) or {}
    handle = payload.get("handle")
    body = {
        "name": payload.get("title") or "",
        "url": f"https://{connection.domain}/products/{handle}" if handle and connection.domain else None,
        "image_url": image.get("src"),
        "brand": (payload.get("vendor") or None) and payload["vendor"][:100],
        "gtin": next((ops.gtin(v.get("barcode")) for v in variants if ops.gtin(v.get("barcode"))), None),
        "sku": next((v["sku"][:100] for v in variants if v.get("sku")), None),
    }
    return ops.product(shop, str(payload.get("id", "")), body)


def on_data_request(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    """customers/data_request: the shop owes the customer their data; what we hold is one call
    away (GET /api/v1/customers/export?email=). Nothing leaves here unasked."""
    email = (payload.get("customer") or {}).get("email") or ""
    try:
        data = privacy.export(shop, email)
    except NotFound:
        return Outcome("applied", "no data held for this customer")
    return Outcome("applied", f"{len(data.get('orders') or [])} orders held: export them with "
                              "GET /api/v1/customers/export?email=")


def on_redact(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    """customers/redact: the customer erased everywhere, as POST /api/v1/customers/erase does."""
    email = (payload.get("customer") or {}).get("email") or ""
    try:
        privacy.erase(shop, email)
    except NotFound:
        return Outcome("applied", "no data held for this customer")
    return Outcome("applied", "customer erased")


def on_shop_redact(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    return Outcome("ignored", "a whole shop is erased by the operator (reviews-service), not by a webhook")


TOPICS = {
    **{topic: on_order for topic in _ORDER_TOPICS},
    "orders/fulfilled": on_fulfilled,
    "fulfillments/update": on_fulfillment,
    "refunds/create": on_refund,
    "orders/cancelled": on_cancelled,
    "products/create": on_product,
    "products/update": on_product,
    "customers/data_request": on_data_request,
    "customers/redact": on_redact,
    "shop/redact": on_shop_redact,
}


def _dedupe_key(headers, body: bytes) -> str | None:
    """Shopify's guidance: X-Shopify-Event-Id is one per event (the same across retries and
    subscriptions); older deliveries carry only X-Shopify-Webhook-Id, one per delivery."""
    event_id = headers.get("X-Shopify-Event-Id", "").strip()
    return f"event:{event_id}" if event_id else (
        f"webhook:{headers.get('X-Shopify-Webhook-Id', '').strip()}" if headers.get("X-Shopify-Webhook-Id") else None)


PLATFORM = register(Platform(
    name="shopify", signature_header="X-Shopify-Hmac-Sha256", topic_header="X-Shopify-Topic",
    topics=TOPICS, dedupe_key=_dedupe_key,
    source_domain=lambda headers: headers.get("X-Shopify-Shop-Domain", "").strip() or None,
))
