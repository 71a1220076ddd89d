"""Past orders from a platform's export, so that review requests can go to recent buyers: Shopify's
orders CSV (Orders > Export), or the saved JSON of WooCommerce's REST listing (GET wc/v3/orders).
No network: the operator hands over the file.

Orders placed before the cut-off (30 days unless told) are not imported at all, so no customer
older than it is ever e-mailed. Each order goes through the same mapping as its webhook, with its
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

from ..errors import DomainError, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from . import catalog_ops as ops
from . import woocommerce
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


def shopify_csv(shop: Shop, text: str, since_days: int = 30) -> Report:
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
    for name, rows in orders.items():
        first = rows[0]
        placed = _timestamp(first.get("Created at", ""))
        if placed is None or placed < since:
            report.older += 1
            continue
        report.count(_apply(lambda name=name, rows=rows, placed=placed: _shopify_order(shop, name, rows, placed), name))
    return report


def _shopify_order(shop: Shop, name: str, rows: list[dict[str, str]], placed: datetime) -> Outcome:
    first = rows[0]
    order_id = (first.get("Id") or "").strip() or name
    notes = dict(line.split(":", 1) for line in (first.get("Note Attributes") or "").splitlines() if ":" in line)
    items = [{
        # The CSV names no product id: the SKU, else the line's name, keys the product.
        "product_id": (row.get("Lineitem sku") or "").strip() or row["Lineitem name"].strip()[:255],
        "name": row["Lineitem name"].strip(), "quantity": int(row.get("Lineitem quantity") or 1),
        "price": ops.money(row.get("Lineitem price")),
        **({"sku": row["Lineitem sku"].strip()} if (row.get("Lineitem sku") or "").strip() else {}),
    } for row in rows if (row.get("Lineitem name") or "").strip()]
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
