"""Helpers for the ratings tests: reviews made through HTTP, as a shop and its shoppers make them,
and the few moderator actions that have no API yet, made through the services."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from reviews_service import events
from reviews_service.ratings import freshness
from tests.factories import ShopKeys
from tests.helpers import order_event, post_order, submit

# Many reviews per test, all from the test client's one address.
CONFIG = {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


@contextmanager
def unannounced():
    """Changes made inside drop no cached answer (as another process's change does where no Redis
    carries the drop): only the cache's TTL ends what was kept."""
    events.published_reviews_changed.disconnect(freshness._remember)
    try:
        yield
    finally:
        freshness.connect()


def publish_from_request(client, shop: ShopKeys, product: str = "sku-1", rating: int = 5, *,
                         body: str = "Good.", **fields) -> dict:
    """A review written from the review-request e-mail's link (fulfilled order)."""
    order = post_order(client, shop, items=[(product, "Trail shoes")])
    link = order_event(client, shop, order["id"], "fulfilled")["review_request"]["url"]
    token = unquote(urlsplit(link).path.rsplit("/", 1)[-1])
    response = submit(client, shop, product, rating=rating, token=token, body=body, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def pending(client, shop: ShopKeys, product: str = "sku-1", rating: int = 5,
            email: str = "walk-in@example.com", body: str = "Good.", **fields) -> dict:
    """An anonymous review (no order): it waits for a moderator."""
    response = submit(client, shop, product, rating=rating, email=email, display_name="Walk In",
                      body=body, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    review = response.get_json()
    assert review["status"] == "pending"
    return review


def put_product(client, shop: ShopKeys, product_id: str, **fields) -> dict:
    response = client.put(f"/api/v1/products/{product_id}", json={"name": "Trail shoes", **fields},
                          headers=shop.headers)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
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
