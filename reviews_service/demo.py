"""The demo shop that `reviews-service demo` sets up, so a new user sees everything working."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from flask import current_app

from .catalog import service as catalog
from .models_base import utcnow
from .shops import service as shops

DEMO_SLUG = "demo"
PRODUCTS = [
    ("trail-runner-2", "Trail Runner 2 shoes", "TR2-42", "4006381333931"),
    ("merino-tee", "Merino wool T-shirt", "MT-M", "4006381333948"),
    ("rain-shell", "Packable rain shell", "RS-L", "4006381333955"),
    ("city-backpack", "City backpack 20 l", "CB-20", "4006381333962"),
]


def _keys_file() -> Path:
    return Path(current_app.instance_path) / "demo_shop.json"


def ensure_demo_shop() -> dict:
    """Create the demo shop once (its keys are kept in the instance folder for the next run)."""
    path = _keys_file()
    if path.exists():
        info = json.loads(path.read_text())
        try:
            shops.get_shop(info["public_key"])
            return info
        except Exception:
            path.unlink()
    created = shops.create_shop("Demo Outdoor Shop", slug=DEMO_SLUG,
                                allowed_origins=["http://127.0.0.1:5000", "http://localhost:5000"])
    shop = created.shop
    info = {"name": shop.name, "slug": shop.slug, "public_key": shop.public_key,
            "secret_key": created.secret_key}
    seed(shop)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(info, fh)
    return info


def seed(shop) -> None:
    """Products and a few fulfilled orders, as a shop's backend would push them."""
    for external_id, name, sku, gtin in PRODUCTS:
        catalog.upsert_product(shop, external_id, {
            "name": name, "sku": sku, "gtin": gtin, "brand": "Demo Outdoor",
            "url": f"http://127.0.0.1:5000/demo/products/{external_id}",
        })
    now = utcnow()
    customers = [("ana@example.com", "Ana Petrosyan", "hy"), ("ben@example.com", "Ben Okafor", "en"),
                 ("linh@example.com", "Linh Tran", "vi"), ("nino@example.com", "Nino Beridze", "ka")]
    for n, (email, name, locale) in enumerate(customers, start=1):
        external_id, product_name, _sku, _gtin = PRODUCTS[n % len(PRODUCTS)]
        order, _ = catalog.ingest_order(shop, {
            "id": f"DEMO-{1000 + n}", "customer": {"email": email, "name": name, "locale": locale},
            "items": [{"product_id": external_id, "name": product_name, "quantity": 1, "price": "89.00"}],
            "placed_at": now - timedelta(days=30 - n), "currency": "EUR", "total": "89.00",
        })
        catalog.record_event(shop, order.external_id, "fulfilled", now - timedelta(days=28 - n))
