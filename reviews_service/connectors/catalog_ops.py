"""The catalog's operations as the connectors call them: the bodies go through the server API's
own schemas (OrderIn, ProductIn, OrderEventIn), so a webhook stores exactly what the API would,
and is refused for exactly what the API would refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..catalog import refunds
from ..catalog import service as catalog
from ..catalog.schemas import OrderEventIn, OrderIn, ProductIn
from ..referrals import codes
from ..shops.models import Shop
from .receiver import Outcome, WaitForOrder


def ingest(shop: Shop, body: dict[str, Any]) -> Outcome:
    order, created = catalog.ingest_order(shop, OrderIn().load(body))
    return Outcome("applied", "order stored" if created else "order already stored", order.external_id)


def event(shop: Shop, order_id: str, kind: str, at: str | datetime | None) -> Outcome:
    if catalog.find_order(shop, order_id) is None:
        raise WaitForOrder(order_id)
    data = OrderEventIn().load({"type": kind, "occurred_at": iso(at)} if at else {"type": kind})
    _, changed = catalog.record_event(shop, order_id, data["type"], data["occurred_at"])
    return Outcome("applied", f"{kind}" if changed else f"already {kind}", order_id)


def refund(shop: Shop, order_id: str, refund_id: str, amount: Decimal, lines: list[dict[str, Any]],
           at: str | datetime | None) -> Outcome:
    order = catalog.find_order(shop, order_id)
    if order is None:
        raise WaitForOrder(order_id)
    held = {item.product.external_id for item in order.items}
    kept = [line for line in lines if line["product_id"] in held and line["quantity"] > 0]
    when = OrderEventIn().load({"type": "refunded", "occurred_at": iso(at)})["occurred_at"] if at else None
    order, stored = refunds.record_refund(shop, order_id, refund_id, amount, kept, when)
    if not stored:
        return Outcome("applied", f"refund {refund_id} already stored", order_id)
    whole = " (the whole order: refunded)" if order.status == "refunded" else ""
    return Outcome("applied", f"refund {refund_id} of {amount}{whole}", order_id)


def product(shop: Shop, product_id: str, body: dict[str, Any]) -> Outcome:
    _, created = catalog.upsert_product(shop, product_id, ProductIn().load(body))
    return Outcome("applied", "product created" if created else "product updated")


def referral_code(shop: Shop, kept: str | None, discount_codes: list[str]) -> str | None:
    """The code the widget's rv_ref cookie kept (handed to the order by the storefront snippet),
    else the first discount code that is one of the shop's referral codes: a shared friend code
    such as FRIEND10 names no referrer."""
    if kept and kept.strip():
        return kept.strip()[:64]
    for code in discount_codes:
        if code and codes.find(shop.id, code) is not None:
            return code.strip()[:64]
    return None


def iso(value: str | datetime | None) -> str | None:
    """A platform's timestamp as the schemas read it; WooCommerce's *_gmt fields carry no zone."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    text = str(value).strip()
    if len(text) == 19 and text[10] == "T":  # 2026-11-01T12:00:00, UTC by the field's name
        return text + "+00:00"
    return text


def money(value: Any) -> str | None:
    """A platform's amount ("49.90", 49.9, "-5.00") as the schemas' decimal string."""
    if value is None or value == "":
        return None
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return str(value)


def gtin(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if text.isdigit() and len(text) in (8, 12, 13, 14) else None


def merge_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per product: a platform's lines of two variants of one product become one item
    with their quantities added (the API refuses a product twice)."""
    merged: dict[str, dict[str, Any]] = {}
    for item in items:
        if item["product_id"] in merged:
            merged[item["product_id"]]["quantity"] += item["quantity"]
        else:
            merged[item["product_id"]] = dict(item)
    return list(merged.values())
