"""Past orders from a platform's export, so that review requests can go to recent buyers: Shopify's
orders CSV (Orders > Export), or the saved JSON of WooCommerce's REST listing (GET wc/v3/orders).
No network: the operator hands over the file.

Orders placed before the cut-off (30 days unless told) are not imported at all, so no customer
older than it is ever e-mailed.

Shopify's orders CSV names no product id, only each line's `Lineitem sku` and `Lineitem name`,
while its webhooks and the storefront (`{{ product.id }}`) name products by id. So a CSV line is
keyed by the product id it belongs to, never by its SKU: found through the shop's product listing
given beside it (`--products`: the saved JSON of the Admin API's products.json, or the storefront's
/products.json; every variant's SKU and the product's title), else through the products already
received (a product's SKU, or its name). A line whose product is found nowhere is left out, and
said so, rather than create a product that later webhooks would never update. Each order goes through the same mapping as its webhook, with its
marketing consent as the export states it (a Shopify CSV's "Accepts Marketing"; WooCommerce's
meta `accepts_marketing`), so an import and the webhooks agree.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from marshmallow import ValidationError
from sqlalchemy import select

from ..catalog.models import Product
from ..errors import DomainError, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from . import catalog_ops as ops
from . import shopify, woocommerce
from .models import Connection
from .receiver import Outcome, WaitForOrder

_SHOPIFY_COLUMNS = {"Name", "Email", "Created at", "Currency", "Total", "Lineitem name", "Lineitem quantity",
                    "Lineitem price"}


@dataclass
class Report:
    imported: int = 0
    already: int = 0
    older: int = 0
    skipped: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        if outcome.status == "applied" and "already" not in outcome.detail:
            self.imported += 1
        elif outcome.status == "applied":
            self.already += 1
        else:
            self.skipped.append(outcome.detail)


def cut_off(since_days: int) -> datetime:
    return utcnow() - timedelta(days=since_days)


def _timestamp(text: str) -> datetime | None:
    """Shopify's CSV writes "2026-11-20 10:15:00 +0100"."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


@dataclass
class ProductIndex:
    """Where a Shopify CSV line's product id is found: every variant's SKU, and the titles."""
    by_sku: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)
    stored: int = 0


def shopify_products(shop: Shop, connection: Connection, text: str) -> ProductIndex:
    """Store the products of a saved products.json listing (as their products/update webhook
    would) and index them by each variant's SKU and by title."""
    try:
        listing = json.loads(text)
    except ValueError:
        raise Invalid("Not JSON: save the answer of products.json as it is.", field="products")
    products = listing.get("products") if isinstance(listing, dict) else listing
    if not isinstance(products, list) or not all(isinstance(p, dict) and p.get("id") for p in products):
        raise Invalid("Not a Shopify product listing: {\"products\": [...]} with each product's id.",
                      field="products")
    index = ProductIndex()
    for product in products:
        product_id = str(product["id"])
        if _apply(lambda product=product: shopify.on_product(shop, connection, product),
                  product_id).status == "applied":
            index.stored += 1
        for variant in product.get("variants") or []:
            if (variant.get("sku") or "").strip():
                index.by_sku.setdefault(variant["sku"].strip(), product_id)
        if (product.get("title") or "").strip():
            index.by_title.setdefault(product["title"].strip(), product_id)
    return index


def _product_id(shop: Shop, index: ProductIndex, sku: str, name: str) -> str | None:
    """The Shopify product id of a CSV line: its SKU, then its title ("Title - Variant" names the
    variant after the product's title), in the listing given, then among the products stored."""
    titles = [name, name.rsplit(" - ", 1)[0]] if " - " in name else [name]
    if sku and sku in index.by_sku:
        return index.by_sku[sku]
    for title in titles:
        if title in index.by_title:
            return index.by_title[title]
    if sku:
        found = db.session.scalar(select(Product.external_id).where(Product.shop_id == shop.id, Product.sku == sku)
                                  .order_by(Product.id).limit(1))
        if found:
            return found
    return db.session.scalar(select(Product.external_id).where(Product.shop_id == shop.id, Product.name.in_(titles))
                             .order_by(Product.id).limit(1))


def shopify_csv(shop: Shop, text: str, since_days: int = 30, products: ProductIndex | None = None) -> Report:
    """Import a Shopify orders CSV: one row per line item, the order's own columns on its first row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = _SHOPIFY_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise Invalid(f"Not a Shopify orders export: no column {', '.join(sorted(missing))}.", field="file")
    orders: dict[str, list[dict[str, str]]] = {}
    for row in reader:
        orders.setdefault(row["Name"], []).append(row)
    report = Report()
    since = cut_off(since_days)
    index = products or ProductIndex()
    for name, rows in orders.items():
        first = rows[0]
        placed = _timestamp(first.get("Created at", ""))
        if placed is None or placed < since:
            report.older += 1
            continue
        report.count(_apply(lambda name=name, rows=rows, placed=placed: _shopify_order(
            shop, name, rows, placed, index, report), name))
    return report


def _shopify_order(shop: Shop, name: str, rows: list[dict[str, str]], placed: datetime, index: ProductIndex,
                   report: Report) -> Outcome:
    first = rows[0]
    order_id = (first.get("Id") or "").strip() or name
    notes = dict(line.split(":", 1) for line in (first.get("Note Attributes") or "").splitlines() if ":" in line)
    items = []
    for row in rows:
        line, sku = (row.get("Lineitem name") or "").strip(), (row.get("Lineitem sku") or "").strip()
        if not line:
            continue
        product_id = _product_id(shop, index, sku, line)
        if product_id is None:
            report.skipped.append(f"{name}: line {line!r}{f' (SKU {sku})' if sku else ''} left out: no product "
                                  "with this SKU or title is known; give the product listing with --products")
            continue
        items.append({"product_id": product_id, "name": line, "quantity": int(row.get("Lineitem quantity") or 1),
                      "price": ops.money(row.get("Lineitem price")), **({"sku": sku} if sku else {})})
    if not items:
        return Outcome("refused", f"{name}: not imported, no line's product is known")
    body = {
        "id": order_id,
        "customer": {"email": first.get("Email", ""), "name": (first.get("Billing Name") or "").strip(),
                     "accepts_marketing": (first.get("Accepts Marketing") or "").strip().lower() == "yes"},
        "items": ops.merge_items(items), "placed_at": placed.isoformat(),
        "currency": first.get("Currency"), "total": ops.money(first.get("Total")),
        "referral_code": ops.referral_code(shop, (notes.get("rv_ref") or "").strip() or None,
                                           [first.get("Discount Code") or ""]),
    }
    outcome = ops.ingest(shop, body)
    status = (first.get("Financial Status") or "").strip()
    fulfilled = _timestamp(first.get("Fulfilled at", ""))
    cancelled = _timestamp(first.get("Cancelled at", ""))
    if cancelled is not None:
        ops.event(shop, order_id, "cancelled", cancelled)
    elif status == "refunded":
        ops.event(shop, order_id, "refunded", None)
    elif fulfilled is not None:
        ops.event(shop, order_id, "fulfilled", fulfilled)
    return outcome


def woocommerce_json(shop: Shop, connection: Connection, text: str, since_days: int = 30) -> Report:
    """Import the saved answer of GET /wp-json/wc/v3/orders (a JSON array of orders)."""
    try:
        orders = json.loads(text)
    except ValueError:
        raise Invalid("Not JSON: save the answer of GET /wp-json/wc/v3/orders as it is.", field="file")
    if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
        raise Invalid("Not a WooCommerce order listing: a JSON array of orders.", field="file")
    report = Report()
    since = cut_off(since_days)
    for order in sorted(orders, key=lambda o: str(o.get("date_created_gmt") or "")):
        placed = _timestamp((ops.iso(order.get("date_created_gmt")) or "").replace("+00:00", "+0000"))
        if placed is None or placed < since:
            report.older += 1
            continue
        report.count(_apply(lambda order=order: woocommerce.on_order(shop, connection, order),
                            str(order.get("id"))))
    return report


def _apply(step, label: str) -> Outcome:
    """One order; a refusal is reported with the order's name and the import goes on."""
    try:
        return step()
    except ValidationError as exc:
        db.session.rollback()
        return Outcome("refused", f"{label}: {exc.messages}")
    except (DomainError, WaitForOrder) as exc:
        db.session.rollback()
        return Outcome("refused", f"{label}: {getattr(exc, 'detail', exc)}")
