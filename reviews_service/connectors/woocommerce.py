"""WooCommerce's webhooks (REST API wc/v3 resource payloads) mapped onto the catalog.

Topics: order.created and order.updated (the order whenever it is paid for; then `completed`
is its fulfilment, `refunded` its whole refund, `cancelled` its cancellation, and each entry of
its `refunds` a refund of that amount), product.created|updated. The ping WooCommerce sends when
a webhook is saved (a form body `webhook_id=N`, unsigned) is answered 200 and stores nothing.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from ..catalog import service as catalog
from ..shops.models import Shop
from . import catalog_ops as ops
from .models import Connection
from .receiver import Outcome, Platform, register

# Statuses of an order the customer has paid for or will pay for (cash on delivery: processing).
# pending, failed, checkout-draft: not an order of ours (yet).
PAID = ("processing", "on-hold", "completed", "refunded", "cancelled")
_YES = ("1", "yes", "true", "on")


def _meta(payload: dict[str, Any], key: str) -> Any:
    return next((m.get("value") for m in payload.get("meta_data") or [] if m.get("key") == key), None)


def order_body(shop: Shop, payload: dict[str, Any]) -> dict[str, Any]:
    """The server API's order body for a WooCommerce order."""
    billing = payload.get("billing") or {}
    items = [{
        "product_id": str(line["product_id"]), "name": line.get("name") or "",
        "quantity": line.get("quantity", 1),
        "price": ops.money(line.get("price") if line.get("price") not in (None, "") else
                           Decimal(ops.money(line.get("total")) or 0) / max(int(line.get("quantity") or 1), 1)),
        **({"sku": line["sku"]} if line.get("sku") else {}),
    } for line in payload.get("line_items") or [] if line.get("product_id")]
    # WooCommerce itself has no marketing consent; a checkout plugin or the snippet in the README
    # saves it as the order's meta `accepts_marketing`. Absent means no.
    consent = str(_meta(payload, "accepts_marketing") or "").strip().lower() in _YES
    body: dict[str, Any] = {
        "id": str(payload.get("id", "")),
        "customer": {"email": billing.get("email") or "", "given_name": billing.get("first_name") or "",
                     "family_name": billing.get("last_name") or "", "accepts_marketing": consent},
        "items": ops.merge_items(items),
        "placed_at": ops.iso(payload.get("date_created_gmt") or payload.get("date_created")),
        "currency": payload.get("currency"),
        "total": ops.money(payload.get("total")),
        "referral_code": ops.referral_code(shop, _meta(payload, "rv_ref"),
                                           [c.get("code", "") for c in payload.get("coupon_lines") or []]),
    }
    locale = _meta(payload, "locale") or _meta(payload, "wpml_language")
    if isinstance(locale, str) and re.fullmatch(r"[a-zA-Z]{2,3}([-_][A-Za-z0-9]{2,8})?", locale):
        body["customer"]["locale"] = locale
    address = payload.get("shipping") or {}
    if address.get("address_1"):
        body["shipping_address"] = {
            "line1": address["address_1"], "line2": address.get("address_2") or "",
            "city": address.get("city") or "", "postal_code": address.get("postcode") or "",
            "region": address.get("state") or "", "country": address.get("country") or "",
        }
    return body


def on_order(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    status = payload.get("status")
    if status not in PAID:
        return Outcome("ignored", f"order status {status!r}")
    if not any(line.get("product_id") for line in payload.get("line_items") or []):
        return Outcome("ignored", "no line names a product")
    order_id = str(payload.get("id", ""))
    stored = ops.ingest(shop, order_body(shop, payload))
    done = [stored.detail]
    # Each refund once, by its id; a whole refund makes the order `refunded` on its own.
    for refund in reversed(payload.get("refunds") or []):
        amount = abs(Decimal(ops.money(refund.get("total")) or 0))
        done.append(ops.refund(shop, order_id, f"wc-{refund.get('id')}", amount, [], None).detail)
    order = catalog.find_order(shop, order_id)
    kind = {"completed": "fulfilled", "refunded": "refunded", "cancelled": "cancelled"}.get(status)
    if kind and order is not None and order.status != kind and order.status not in ("refunded", "cancelled"):
        at = payload.get("date_completed_gmt") if kind == "fulfilled" else payload.get("date_modified_gmt")
        done.append(ops.event(shop, order_id, kind, at).detail)
    return Outcome("applied", "; ".join(d for d in done if d), order_id)


def on_product(shop: Shop, connection: Connection, payload: dict[str, Any]) -> Outcome:
    image = next(iter(payload.get("images") or []), None) or {}
    brand = next((b.get("name") for b in payload.get("brands") or [] if b.get("name")), None)
    body = {
        "name": payload.get("name") or "",
        "url": payload.get("permalink") or None,
        "image_url": image.get("src"),
        "brand": brand[:100] if brand else None,
        "gtin": ops.gtin(payload.get("global_unique_id")),
        "sku": (payload.get("sku") or None) and payload["sku"][:100],
    }
    return ops.product(shop, str(payload.get("id", "")), body)


TOPICS = {
    "order.created": on_order,
    "order.updated": on_order,
    "product.created": on_product,
    "product.updated": on_product,
}


def _dedupe_key(headers, body: bytes) -> str | None:
    """X-WC-Webhook-Delivery-ID is wp_hash(webhook id . current second) (class-wc-webhook.php):
    two different updates of one order in the same second share it. With the body's digest, a
    delivery sent again is still one, and those two stay two."""
    delivery = headers.get("X-WC-Webhook-Delivery-ID", "").strip()
    if not delivery:
        return None
    return f"{delivery[:100]}:{hashlib.sha256(body).hexdigest()[:32]}"


def _source(headers) -> str | None:
    """X-WC-Webhook-Source is the site's home URL (https://shop.example/): its host."""
    source = headers.get("X-WC-Webhook-Source", "").strip()
    return urlsplit(source).hostname if source else None


def _is_ping(headers, body: bytes) -> bool:
    """Saving a webhook in WooCommerce posts `webhook_id=<id>`, form-encoded, with no signature
    and no topic (WC_Webhook::deliver_ping), and wants a 200 back."""
    return not headers.get("X-WC-Webhook-Signature") and re.fullmatch(rb"webhook_id=\d+", body.strip()) is not None


PLATFORM = register(Platform(
    name="woocommerce", signature_header="X-WC-Webhook-Signature", topic_header="X-WC-Webhook-Topic",
    topics=TOPICS, dedupe_key=_dedupe_key, source_domain=_source, is_ping=_is_ping,
))
