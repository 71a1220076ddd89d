"""Factory functions: any object in one line, made through the services as the API would."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PIL import Image

from reviews_service.catalog import service as catalog
from reviews_service.catalog.schemas import OrderIn
from reviews_service.collecting import service as collecting
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews import media
from reviews_service.shops import service as shops

PASSWORD = "correct horse battery"
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
        order, _ = catalog.ingest_order(s, OrderIn().load(body))
        if fulfilled:
            catalog.record_event(s, order.external_id, "fulfilled", None)
        return order.external_id


def make_product(app, shop: ShopKeys, product_id: str = "sku-1", name: str = "Trail shoes", **fields):
    with app.app_context():
        s = shops.get_shop(shop.id)
        catalog.upsert_product(s, product_id, {"name": name, **fields})
        return product_id


def make_user(app, email: str | None = None, *, shop: ShopKeys | None = None, role: str = "moderator",
              password: str = PASSWORD) -> str:
    """An admin account (a moderator of `shop` unless told otherwise); answers its e-mail."""
    email = email or f"user{next(_seq)}@example.com"
    with app.app_context():
        shops.create_user(email, password, shop=shops.get_shop(shop.id) if shop else None, role=role)
    return email


def make_review(app, shop: ShopKeys, *, product: str = "sku-1", rating: int = 4, title: str = "Fits well",
                body: str = "Comfortable from the first day.", name: str = "Ana Petrosyan", photos: int = 0,
                status: str = "pending", email: str | None = None, reason: str = "spam") -> str:
    """A review through the submission service (unverified, so it starts pending), moved to
    `status` through the transition; answers its public id."""
    n = next(_seq)
    with app.app_context():
        s = shops.get_shop(shop.id)
        if catalog.find_product(s, product) is None:
            catalog.upsert_product(s, product, {"name": f"Product {product}"})
        photo_ids = [media.upload_photo(s, jpeg(320, 240), visitor_hash="t").public_id for _ in range(photos)]
        data = {"rating": rating, "title": title, "body": body, "display_name": name,
                "email": email or f"reviewer{n}@example.com", "photo_ids": photo_ids}
        review = collecting.submit_review(s, product, data, collecting.Visitor(f"v{n}", f"i{n}"))
        if review.status != status:
            moderation.transition(review, status, actor="test", reason=reason if status == "rejected" else None)
            db.session.commit()
        return review.public_id


def jpeg(width: int = 800, height: int = 600, *, seed: int = 1) -> bytes:
    """A photo-like JPEG (gradients, so that it compresses like a photo rather than a flat colour);
    another `seed` gives another picture of the same size."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    r, g, b = image.split()
    image = Image.merge("RGB", (r, g.rotate(90 + seed % 90, expand=False), b.transpose(Image.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
