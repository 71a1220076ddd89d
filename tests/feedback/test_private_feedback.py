"""Private feedback through HTTP: a message only for the shop, sent with a review or alone as the
answer to a review request; read by the shop's backend, in the reviewer's export, gone with their
erasure; never public, never in the rating, and nothing about the review changes because of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import post_order, run, submit

SECRET = "The courier left it in the rain; the box was soaked."


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


def order_token(client, shop, order_id: str, email: str = "ana@example.com", product: str = "sku-1") -> str:
    return post_order(client, shop, order_id, email=email, items=[(product, "Trail shoes")])["widget_token"]


def feedback(client, shop, headers=None, **query) -> dict:
    response = client.get("/api/v1/feedback", query_string=query, headers=headers or shop.headers)
    assert response.status_code == 200, response.json
    return response.json


def review_with(client, shop, order_id: str, *, rating: int = 4, private: str | None = None,
                email: str = "ana@example.com", product: str = "sku-1") -> dict:
    body = {"rating": rating, "body": "Comfortable from the first day.", "display_name": "Ana P.",
            "token": order_token(client, shop, order_id, email, product)}
    if private is not None:
        body["private_message"] = private
    answer = submit(client, shop, product, **body)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_review_with_a_private_message_keeps_it_for_the_shop_only(client, shop):
    review = review_with(client, shop, "PF-1", private=SECRET)

    assert SECRET not in json.dumps(review)
    [item] = feedback(client, shop)["feedback"]
    assert item["message"] == SECRET and item["review_id"] == review["id"]
    assert item["email"] == "ana@example.com" and item["order_id"] == "PF-1" and item["product_id"] == "sku-1"
    public = client.get(f"{shop.public}/products/sku-1/reviews").get_data(as_text=True)
    seo = client.get(f"{shop.public}/products/sku-1/jsonld").get_data(as_text=True)
    assert review["id"] in public and SECRET not in public and SECRET not in seo


def test_a_review_request_answered_with_private_feedback_alone_has_no_review_and_no_stars(client, shop):
    token = order_token(client, shop, "PF-2")
    answer = client.post(f"{shop.public}/feedback", json={"token": token, "message": SECRET})
    assert answer.status_code == 201, answer.json
    [item] = feedback(client, shop)["feedback"]
    assert item["message"] == SECRET and item["review_id"] is None and item["order_id"] == "PF-2"
    assert "rating" not in item and "stars" not in item
    assert client.get("/api/v1/reviews", headers=shop.headers).json["reviews"] == []
    assert client.get(f"{shop.public}/rating").json["count"] == 0


@pytest.mark.parametrize("body, field", [
    ({"message": "Hello"}, "token"),
    ({"token": "not-a-token", "message": "Hello"}, None),
    ({"token": "TOKEN", "message": "   "}, "message"),
    ({"token": "TOKEN", "message": "x" * 5001}, "message"),
    ({"token": "TOKEN", "message": "Hello", "rating": 1}, "rating"),
])
def test_private_feedback_alone_refuses_bad_input_naming_the_field(client, shop, body, field):
    token = order_token(client, shop, "PF-3")
    body = {k: token if v == "TOKEN" else v for k, v in body.items()}
    answer = client.post(f"{shop.public}/feedback", json=body)
    assert 400 <= answer.status_code < 500, answer.json
    assert answer.content_type == "application/problem+json"
    if field:
        assert field in answer.json["errors"]


def test_feedback_pages_with_a_cursor_and_filters_by_updated_since(client, shop):
    for n in range(5):
        client.post(f"{shop.public}/feedback", json={"token": order_token(client, shop, f"PG-{n}"),
                                                       "message": f"Message {n}"})
    first = feedback(client, shop, limit=2)
    second = feedback(client, shop, limit=2, cursor=first["next_cursor"])
    third = feedback(client, shop, limit=2, cursor=second["next_cursor"])
    seen = [f["message"] for page in (first, second, third) for f in page["feedback"]]
    assert seen == [f"Message {n}" for n in range(5)] and third["next_cursor"] is None
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert feedback(client, shop, updated_since=future)["feedback"] == []
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert len(feedback(client, shop, updated_since=past)["feedback"]) == 5
    bad = client.get("/api/v1/feedback", query_string={"cursor": "nonsense"}, headers=shop.headers)
    assert bad.status_code == 422 and "cursor" in bad.json["errors"]


def test_a_moderation_key_reads_feedback_without_any_email_address(client, shop, runner):
    client.post(f"{shop.public}/feedback", json={"token": order_token(client, shop, "PM-1", "lan@example.com"),
                                                   "message": "Please write to me at lan@example.com"})
    result = run(runner, "keys", "create", shop.slug, "--scope", "moderation", "--json")
    headers = {"Authorization": f"Bearer {json.loads(result.output)['secret_key']}"}
    answer = feedback(client, shop, headers)
    assert "lan@example.com" not in json.dumps(answer)
    assert answer["feedback"][0]["message"].startswith("Please write to me at")
    assert feedback(client, shop)["feedback"][0]["email"] == "lan@example.com"


def test_the_reviewers_export_holds_their_feedback_and_erasure_removes_it(client, shop):
    review_with(client, shop, "PE-1", private=SECRET, email="zed@example.com")
    client.post(f"{shop.public}/feedback", json={"token": order_token(client, shop, "PE-2", "zed@example.com"),
                                                   "message": "Second note"})
    review_with(client, shop, "PE-3", private="Someone else's", email="other@example.com", product="sku-2")
    export = client.get("/api/v1/customers/export", query_string={"email": "zed@example.com"},
                        headers=shop.headers).json
    assert sorted(f["message"] for f in export["private_feedback"]) == sorted([SECRET, "Second note"])

    erased = client.post("/api/v1/customers/erase", json={"email": "zed@example.com"}, headers=shop.headers)
    assert erased.status_code == 200 and erased.json["private_feedback"] == 2
    left = feedback(client, shop)["feedback"]
    assert [f["message"] for f in left] == ["Someone else's"]
    export = client.get("/api/v1/customers/export", query_string={"email": "zed@example.com"},
                        headers=shop.headers).json
    assert "private_feedback" not in export


@pytest.mark.parametrize("rating", [1, 5])
def test_a_reviews_status_position_and_rating_are_the_same_with_and_without_private_feedback(
        app, client, shop, rating):
    def outcome(private):
        from tests.factories import make_shop
        other = make_shop(app, f"Twin {private is not None} {rating}")
        plain = review_with(client, other, "TW-1", rating=3, email="a@example.com")
        mine = review_with(client, other, "TW-2", rating=rating, private=private, email="b@example.com")
        reviews = client.get(f"{other.public}/products/sku-1/reviews").json["reviews"]
        rated = client.get(f"{other.public}/products/sku-1/rating").json
        return (mine["status"], [r["id"] == mine["id"] for r in reviews], [r["rating"] for r in reviews],
                rated["average"], rated["count"], rated["histogram"], plain["status"])

    assert outcome(SECRET) == outcome(None)
