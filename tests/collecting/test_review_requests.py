"""Review requests: one per order, scheduled by the shop's trigger event, cancelled by a refund,
and a signed link token that belongs to one shop and expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from reviews_service import clock, tokens
from reviews_service.extensions import db
from reviews_service.reviews.models import ReviewRequest
from tests.helpers import post_order, set_settings

EVENT_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def send_event(client, shop, order_id: str, kind: str, at: datetime | None = None):
    body = {"type": kind, **({"occurred_at": at.isoformat()} if at else {})}
    return client.post(f"/api/v1/orders/{order_id}/events", json=body, headers=shop.headers)


def request_token(answer: dict) -> str:
    return answer["review_request"]["url"].rsplit("/review/", 1)[1]


def fulfilled_order(client, shop, **kw) -> dict:
    order = post_order(client, shop, **kw)
    response = send_event(client, shop, order["id"], "fulfilled", EVENT_AT)
    assert response.status_code == 200, response.json
    return response.json


def requests_of(app) -> list[ReviewRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(ReviewRequest).order_by(ReviewRequest.id)))
        db.session.expunge_all()
        return rows


def test_fulfilment_creates_a_request_due_fourteen_days_after_the_event(client, shop):
    order = post_order(client, shop, items=[("sku-1", "Trail shoes"), ("sku-2", "Socks")])
    assert order["review_request"] is None

    answer = send_event(client, shop, order["id"], "fulfilled", EVENT_AT).json

    request = answer["review_request"]
    assert request["status"] == "scheduled"
    assert datetime.fromisoformat(request["due_at"]) == EVENT_AT + timedelta(days=14)
    assert request["url"].startswith("http://reviews.test/review/")
    assert request["product_ids"] == ["sku-1", "sku-2"]


def test_delivered_trigger_creates_the_request_on_delivery_not_on_fulfilment(client, shop):
    set_settings(client, shop, review_request_trigger="delivered")
    order = post_order(client, shop)

    fulfilled = send_event(client, shop, order["id"], "fulfilled", EVENT_AT).json
    delivered_at = EVENT_AT + timedelta(days=3)
    delivered = send_event(client, shop, order["id"], "delivered", delivered_at).json

    assert fulfilled["review_request"] is None
    assert datetime.fromisoformat(delivered["review_request"]["due_at"]) == delivered_at + timedelta(days=14)


def test_delivery_without_a_fulfilment_event_creates_the_request_under_the_default_trigger(client, shop):
    order = post_order(client, shop)

    answer = send_event(client, shop, order["id"], "delivered", EVENT_AT).json

    assert datetime.fromisoformat(answer["review_request"]["due_at"]) == EVENT_AT + timedelta(days=14)


@pytest.mark.parametrize("days", [0, 1, 30])
def test_delay_is_the_shops_setting_and_zero_is_allowed(client, shop, days):
    set_settings(client, shop, review_request_delay_days=days)

    answer = fulfilled_order(client, shop)

    assert datetime.fromisoformat(answer["review_request"]["due_at"]) == EVENT_AT + timedelta(days=days)


@pytest.mark.parametrize("later", [["delivered"], ["fulfilled"], ["delivered", "fulfilled"]])
def test_a_later_event_does_not_make_a_second_request(app, client, shop, later):
    first = fulfilled_order(client, shop)

    for n, kind in enumerate(later, start=1):
        answer = send_event(client, shop, first["id"], kind, EVENT_AT + timedelta(days=n))
        assert answer.status_code == 200, answer.json

    assert len(requests_of(app)) == 1
    assert answer.json["review_request"] == first["review_request"]


@pytest.mark.parametrize("kind", ["refunded", "cancelled"])
def test_refund_or_cancellation_cancels_the_request(app, client, shop, kind):
    order = fulfilled_order(client, shop)

    answer = send_event(client, shop, order["id"], kind).json

    assert answer["review_request"]["status"] == "cancelled"
    assert [r.status for r in requests_of(app)] == ["cancelled"]


@pytest.mark.parametrize("kind", ["refunded", "cancelled"])
def test_the_link_of_a_cancelled_request_is_403(client, shop, kind):
    order = fulfilled_order(client, shop)
    token = request_token(order)
    send_event(client, shop, order["id"], kind)

    response = client.get(f"{shop.public}/review-requests/{token}")

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def _tampered(app, shop, token: str) -> dict[str, str]:
    """Hostile variants of a valid request token."""
    payload, signature = token.rsplit(".", 1)
    with app.app_context():
        claims = URLSafeSerializer(app.config["SECRET_KEY"], salt=tokens.REVIEW_REQUEST_TOKEN).loads(token)
    return {
        "signature-flipped": f"{payload}.{signature[:-2]}{'AB' if signature[-2:] != 'AB' else 'CD'}",
        "signature-dropped": payload,
        "other-secret": URLSafeSerializer("another-secret-key-0123456789abcdef0123",
                                          salt=tokens.REVIEW_REQUEST_TOKEN).dumps(claims),
        "other-purpose": URLSafeSerializer(app.config["SECRET_KEY"],
                                           salt=tokens.UNSUBSCRIBE_TOKEN).dumps(claims),
        "unsigned-claims": URLSafeSerializer("", salt="").dumps({**claims, "request": claims["request"] + 1}),
        "garbage": "not-a-token",
        "dots": "...",
    }


@pytest.mark.parametrize("variant", ["signature-flipped", "signature-dropped", "other-secret",
                                     "other-purpose", "unsigned-claims", "garbage", "dots"])
def test_a_tampered_token_is_403(app, client, shop, variant):
    token = request_token(fulfilled_order(client, shop))
    hostile = _tampered(app, shop, token)[variant]

    response = client.get(f"{shop.public}/review-requests/{hostile}")

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_the_token_carries_its_shop_and_is_403_in_another_shop(client, shop, other_shop):
    token = request_token(fulfilled_order(client, shop))

    response = client.get(f"{other_shop.public}/review-requests/{token}")

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 403


def test_the_token_is_refused_for_a_review_in_another_shop(client, shop, other_shop):
    token = request_token(fulfilled_order(client, shop))
    client.put("/api/v1/products/sku-1", json={"name": "Trail shoes"}, headers=other_shop.headers)

    response = client.post(f"{other_shop.public}/products/sku-1/reviews",
                           json={"rating": 5, "body": "Great", "token": token})

    assert response.status_code == 403


@pytest.mark.parametrize(("days", "status"), [(179, 200), (181, 403)])
def test_the_token_expires_after_180_days(client, shop, days, status):
    token = request_token(fulfilled_order(client, shop))

    clock.travel(timedelta(days=days))
    response = client.get(f"{shop.public}/review-requests/{token}")

    assert response.status_code == status


def test_the_request_lists_the_orders_products_and_which_are_reviewed(client, shop):
    order = fulfilled_order(client, shop, items=[("sku-1", "Trail shoes"), ("sku-2", "Socks")])
    token = request_token(order)
    posted = client.post(f"{shop.public}/products/sku-2/reviews",
                         json={"rating": 4, "body": "Warm", "token": token})
    assert posted.status_code == 201, posted.json

    info = client.get(f"{shop.public}/review-requests/{token}").json

    assert info["verified"] is True
    # Only a full name: a public answer greets by its first word, never the whole name.
    assert (info["customer_name"], info["display_name"]) == ("Ana", "Ana")
    assert [(p["id"], p["name"], p["reviewed"]) for p in info["products"]] == [
        ("sku-1", "Trail shoes", False), ("sku-2", "Socks", True)]


def test_the_request_is_completed_once_every_product_is_reviewed(client, shop):
    order = fulfilled_order(client, shop, items=[("sku-1", "Trail shoes"), ("sku-2", "Socks")])
    token = request_token(order)

    for product in ("sku-1", "sku-2"):
        client.post(f"{shop.public}/products/{product}/reviews", json={"rating": 5, "token": token})

    answer = client.get(f"/api/v1/orders/{order['id']}", headers=shop.headers).json
    assert answer["review_request"]["status"] == "completed"


def test_an_order_never_fulfilled_has_no_request(app, client, shop):
    post_order(client, shop)

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewRequest)) == 0


@pytest.mark.parametrize("kind", ["refunded", "cancelled"])
def test_the_widget_token_of_a_refunded_or_cancelled_order_no_longer_makes_a_verified_review(
        app, client, shop, kind):
    order = fulfilled_order(client, shop)
    send_event(client, shop, order["id"], kind)

    shown = client.get(f"{shop.public}/review-requests/{order['widget_token']}")
    posted = client.post(f"{shop.public}/products/sku-1/reviews",
                         json={"rating": 5, "token": order["widget_token"]})

    assert (shown.status_code, posted.status_code) == (403, 403)
