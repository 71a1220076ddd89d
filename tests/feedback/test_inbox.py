"""The inbox through the server API: a thread opens when private feedback arrives or a review of 1
or 2 stars is submitted (a review's feedback and its low rating are one thread), a private reply
answers it, new feedback opens it again, a moderator closes and reopens it; the listing pages
with a cursor. The person's threads and the shop's replies are in their export and go with their
erasure. Opening a thread changes nothing about the review."""

from __future__ import annotations

import pytest

from tests.helpers import post_order, set_settings, submit

SUPPORT = "help@shop-a.example"


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


def token_of(client, shop, order_id: str, email: str = "ani@example.com") -> str:
    return post_order(client, shop, order_id, email=email, items=[("sku-1", "Trail shoes")])["widget_token"]


def review(client, shop, order_id: str, rating: int, *, private: str = "", email: str = "ani@example.com") -> dict:
    body = {"rating": rating, "body": "Soles wore out fast.", "display_name": "Ani H.",
            "token": token_of(client, shop, order_id, email)}
    if private:
        body["private_message"] = private
    answer = submit(client, shop, "sku-1", **body)
    assert answer.status_code == 201, answer.json
    return answer.json


def send_feedback(client, shop, token: str, message: str) -> None:
    answer = client.post(f"{shop.public}/feedback", json={"token": token, "message": message})
    assert answer.status_code == 201, answer.json


def inbox(client, shop, status: str = "open", **query) -> dict:
    answer = client.get("/api/v1/inbox", query_string={"status": status, **query}, headers=shop.headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_low_rating_and_its_private_feedback_are_one_thread(client, shop):
    low = review(client, shop, "IN-1", 2, private="Please call me about a refund.")
    [thread] = inbox(client, shop)["threads"]
    assert thread["review_id"] == low["id"] and thread["status"] == "open"
    full = client.get(f"/api/v1/inbox/{thread['id']}", headers=shop.headers).json
    assert [(m["kind"], m["body"]) for m in full["messages"]] == [
        ("review", "Soles wore out fast."), ("feedback", "Please call me about a refund.")]


@pytest.mark.parametrize("rating, opens", [(1, True), (2, True), (3, False), (5, False)])
def test_only_a_review_of_one_or_two_stars_opens_a_thread_by_itself(client, shop, rating, opens):
    review(client, shop, "IN-2", rating)
    assert len(inbox(client, shop)["threads"]) == (1 if opens else 0)


def test_a_thread_does_not_change_the_reviews_status(client, shop):
    low, high = review(client, shop, "IN-S1", 1), review(client, shop, "IN-S2", 5, email="bo@example.com")
    assert low["status"] == high["status"]


def test_a_reply_answers_a_thread_new_feedback_opens_it_and_a_moderator_closes_it(client, shop):
    set_settings(client, shop, support_email=SUPPORT)
    token = token_of(client, shop, "IN-3")
    send_feedback(client, shop, token, "Where is my parcel?")
    [thread] = inbox(client, shop)["threads"]
    path = f"/api/v1/inbox/{thread['id']}"

    [feedback] = client.get("/api/v1/feedback", headers=shop.headers).json["feedback"]
    replied = client.post(f"/api/v1/feedback/{feedback['id']}/replies", headers=shop.headers,
                          json={"body": "It left our warehouse today."})
    assert replied.json["status"] == "answered" and inbox(client, shop)["threads"] == []
    assert [t["id"] for t in inbox(client, shop, "answered")["threads"]] == [thread["id"]]

    send_feedback(client, shop, token, "Thanks, it arrived.")  # the same order: the same thread
    again = client.get(path, headers=shop.headers).json
    assert again["status"] == "open"
    assert [m["kind"] for m in again["messages"]] == ["feedback", "reply", "feedback"]

    closed = client.patch(path, headers=shop.headers, json={"status": "closed"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert [t["id"] for t in inbox(client, shop, "closed")["threads"]] == [thread["id"]]
    assert client.patch(path, headers=shop.headers, json={"status": "open"}).json["status"] == "open"


@pytest.mark.parametrize("body, status, field", [
    ({"status": "answered"}, 422, "status"), ({"status": "archived"}, 422, "status"), ({}, 422, "status"),
    ({"status": "closed", "note": "x"}, 422, "note"),
])
def test_bad_status_changes_are_refused_naming_the_field(client, shop, body, status, field):
    review(client, shop, "IN-4", 1)
    [thread] = inbox(client, shop)["threads"]
    answer = client.patch(f"/api/v1/inbox/{thread['id']}", headers=shop.headers, json=body)
    assert answer.status_code == status and answer.content_type == "application/problem+json"
    assert field in answer.json["errors"]


@pytest.mark.parametrize("query, field", [({"status": "pending"}, "status"), ({"cursor": "nonsense"}, "cursor"),
                                          ({"limit": 0}, "limit"), ({"limit": 201}, "limit")])
def test_a_bad_inbox_query_is_refused_naming_the_field(client, shop, query, field):
    answer = client.get("/api/v1/inbox", query_string=query, headers=shop.headers)
    assert answer.status_code == 422 and field in answer.json["errors"]


def test_the_inbox_pages_with_a_cursor_latest_activity_first(client, shop):
    for n in range(5):
        send_feedback(client, shop, token_of(client, shop, f"PG-{n}", f"c{n}@example.com"), f"Message {n}")
    first = inbox(client, shop, limit=2)
    second = inbox(client, shop, limit=2, cursor=first["next_cursor"])
    third = inbox(client, shop, limit=2, cursor=second["next_cursor"])
    seen = [t["email"] for page in (first, second, third) for t in page["threads"]]
    assert seen == [f"c{n}@example.com" for n in range(4, -1, -1)] and third["next_cursor"] is None


def test_the_export_holds_the_persons_threads_and_replies_and_erasure_removes_them(client, shop):
    set_settings(client, shop, support_email=SUPPORT)
    review(client, shop, "EX-1", 1, private="Broken on arrival.", email="zed@example.com")
    review(client, shop, "EX-2", 2, email="other@example.com")
    [zed] = [t for t in inbox(client, shop)["threads"] if t["email"] == "zed@example.com"]
    assert client.post(f"/api/v1/reviews/{zed['review_id']}/private-replies", headers=shop.headers,
                       json={"body": "A new one is on its way."}).status_code == 201

    export = client.get("/api/v1/customers/export", query_string={"email": "zed@example.com"},
                        headers=shop.headers).json
    [thread] = export["private_threads"]
    assert thread["id"] == zed["id"]
    assert [m["kind"] for m in thread["messages"]] == ["review", "feedback", "reply"]
    assert [r["body"] for r in export["private_replies"]] == ["A new one is on its way."]

    erased = client.post("/api/v1/customers/erase", json={"email": "zed@example.com"}, headers=shop.headers)
    assert erased.status_code == 200
    assert (erased.json["private_threads"], erased.json["private_replies"]) == (1, 1)
    left = [t["email"] for status in ("open", "answered", "closed") for t in inbox(client, shop, status)["threads"]]
    assert left == ["other@example.com"]
    assert client.get(f"/api/v1/inbox/{zed['id']}", headers=shop.headers).status_code == 404
    export = client.get("/api/v1/customers/export", query_string={"email": "zed@example.com"},
                        headers=shop.headers)
    assert export.status_code == 404 or "private_threads" not in export.json
