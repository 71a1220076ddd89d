"""Helpers for the ratings tests: reviews made through HTTP, as a shop and its shoppers make them,
and the few moderator actions that have no API yet, made through the services."""

from __future__ import annotations

import io
from urllib.parse import unquote, urlsplit

from PIL import Image

from tests.factories import ShopKeys, order_payload

# Many reviews per test, all from the test client's one address.
CONFIG = {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


def buy(client, shop: ShopKeys, *items: tuple[str, str], **extra) -> dict:
    """Post an order for `items` ((product id, name) pairs); answers the order as the API does."""
    body = order_payload(items=list(items) or [("sku-1", "Trail shoes")], **extra)
    response = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def submit(client, shop: ShopKeys, product_id: str, rating: int, **fields):
    body = {"rating": rating, "title": "", "body": "Good.", **fields}
    return client.post(f"{shop.public}/products/{product_id}/reviews", json=body)


def publish(client, shop: ShopKeys, product_id: str = "sku-1", rating: int = 5,
            name: str = "Trail shoes", **fields) -> dict:
    """A verified buyer's review (thank-you page token): published at once."""
    token = buy(client, shop, (product_id, name))["widget_token"]
    response = submit(client, shop, product_id, rating, token=token, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    review = response.get_json()
    assert review["status"] == "published"
    return review


def publish_from_request(client, shop: ShopKeys, product_id: str = "sku-1", rating: int = 5,
                         **fields) -> dict:
    """A review written from the review-request e-mail's link (fulfilled order)."""
    order = buy(client, shop, (product_id, "Trail shoes"))
    fulfilled = client.post(f"/api/v1/orders/{order['id']}/events", json={"type": "fulfilled"},
                            headers=shop.headers)
    assert fulfilled.status_code == 200, fulfilled.get_data(as_text=True)
    link = fulfilled.get_json()["review_request"]["url"]
    token = unquote(urlsplit(link).path.rsplit("/", 1)[-1])
    response = submit(client, shop, product_id, rating, token=token, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def pending(client, shop: ShopKeys, product_id: str = "sku-1", rating: int = 5,
            email: str = "walk-in@example.com", **fields) -> dict:
    """An anonymous review (no order): it waits for a moderator."""
    response = submit(client, shop, product_id, rating, email=email, display_name="Walk In", **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    review = response.get_json()
    assert review["status"] == "pending"
    return review


def put_product(client, shop: ShopKeys, product_id: str, **fields) -> dict:
    response = client.put(f"/api/v1/products/{product_id}", json={"name": "Trail shoes", **fields},
                          headers=shop.headers)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.get_json()


def upload_photo(client, shop: ShopKeys, size: tuple[int, int] = (640, 480)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    buffer.seek(0)
    response = client.post(f"{shop.public}/photos", data={"photo": (buffer, "photo.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def set_status(app, public_id: str, status: str, reason: str | None = None) -> None:
    """What a moderator does (the admin pages come later): one transition, committed."""
    from sqlalchemy import select

    from reviews_service.extensions import db
    from reviews_service.moderation import service as moderation
    from reviews_service.reviews.models import Review

    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.public_id == public_id))
        moderation.transition(review, status, actor="test", reason=reason)
        db.session.commit()


def reply(app, public_id: str, body: str) -> None:
    """The merchant's public reply (its admin page comes later)."""
    from sqlalchemy import select

    from reviews_service.extensions import db
    from reviews_service.reviews.models import Reply, Review

    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.public_id == public_id))
        existing = db.session.scalar(select(Reply).where(Reply.review_id == review.id))
        if existing is None:
            db.session.add(Reply(review_id=review.id, body=body))
        else:
            existing.body = body
        db.session.commit()
