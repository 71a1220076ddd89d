"""Factory functions: any object in one line, made through the services as the API would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reviews_service.catalog import service as catalog
from reviews_service.shops import service as shops

_seq = itertools.count(1)


@dataclass
class ShopKeys:
    id: int
    slug: str
    public_key: str
    secret_key: str
    origins: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret_key}"}

    @property
    def public(self) -> str:
        return f"/api/v1/public/{self.public_key}"


def make_shop(app, name: str = "Shop", origins: list[str] | None = None, **settings) -> ShopKeys:
    with app.app_context():
        created = shops.create_shop(name, allowed_origins=origins or [])
        if settings:
            shops.update_shop(created.shop, {"settings": settings})
        s = created.shop
        return ShopKeys(s.id, s.slug, s.public_key, created.secret_key, list(s.allowed_origins))


def order_payload(order_id: str | None = None, *, email: str = "buyer@example.com",
                  items: list[tuple[str, str]] | None = None, **extra) -> dict:
    """A valid order body; items are (product id, name) pairs."""
    n = next(_seq)
    items = items or [("sku-1", "Trail shoes")]
    body = {
        "id": order_id or f"ORDER-{n}",
        "customer": {"email": email, "name": "Ana Buyer", "locale": "en"},
        "items": [{"product_id": pid, "name": name, "quantity": 1, "price": "49.90"}
                  for pid, name in items],
        "placed_at": datetime(2026, 11, 1, 12, 0, tzinfo=UTC).isoformat(),
        "currency": "EUR",
        "total": "49.90",
    }
    body.update(extra)
    return body


def make_order(app, shop: ShopKeys, order_id: str | None = None, *, fulfilled: bool = False, **kw):
    """Ingest an order through the service; answers its external id."""
    with app.app_context():
        s = shops.get_shop(shop.id)
        body = order_payload(order_id, **kw)
        from reviews_service.catalog.schemas import OrderIn

        order, _ = catalog.ingest_order(s, OrderIn().load(body))
        if fulfilled:
            catalog.record_event(s, order.external_id, "fulfilled", None)
        return order.external_id


def make_product(app, shop: ShopKeys, product_id: str = "sku-1", name: str = "Trail shoes", **fields):
    with app.app_context():
        s = shops.get_shop(shop.id)
        catalog.upsert_product(s, product_id, {"name": name, **fields})
        return product_id
