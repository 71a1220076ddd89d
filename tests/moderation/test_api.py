"""The moderation API, driven as a help desk or a chat bot would with a `moderation` key: the queue
by status and rule a page at a time, approve and reject with a reason from the closed list (through
the one transition, audited with the key), public replies that e-mail the reviewer, each review's
history; bad input is a 422 naming the field, another shop's review a 404, a wrong scope a 403."""

from __future__ import annotations

import json
import re
import threading

import pytest
from sqlalchemy import func, select

from reviews_service.extensions import db
from reviews_service.moderation.models import AuditEvent
from reviews_service.ratings.models import ShopRating
from reviews_service.reviews.models import Review
from tests.factories import make_review, make_shop
from tests.helpers import assert_problem, run
from tests.outbox.conftest import parse, run_worker, smtp  # noqa: F401

QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute"}


def scoped_key(runner, shop, *scopes: str) -> dict:
    """A new key of `shop` with `scopes`, made as an operator does (`reviews-service keys create`);
    answers its headers."""
    args = [a for s in scopes for a in ("--scope", s)]
    result = run(runner, "keys", "create", shop.slug, *args, "--json")
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {json.loads(result.output)['secret_key']}"}


@pytest.fixture
def mod(runner, shop) -> dict:
    return scoped_key(runner, shop, "moderation")


def decide(client, headers, review_id: str, **body):
    return client.post(f"/api/v1/reviews/{review_id}/decision", json=body, headers=headers)


def trail(client, headers, review_id: str) -> list[dict]:
    answer = client.get(f"/api/v1/reviews/{review_id}/history", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json["events"]


# --- the queue ---------------------------------------------------------------------------------------

def test_queue_lists_pending_reviews_oldest_first_a_page_at_a_time(app, client, shop, mod):
    made = [make_review(app, shop, title=f"Review {n}") for n in range(5)]
    make_review(app, shop, status="published")

    first = client.get(QUEUE, query_string={"limit": 3}, headers=mod)
    second = client.get(QUEUE, query_string={"limit": 3, "cursor": first.json["next_cursor"]}, headers=mod)

    assert first.status_code == second.status_code == 200
    assert [r["id"] for r in first.json["reviews"] + second.json["reviews"]] == made
    assert second.json["next_cursor"] is None
    assert {r["status"] for r in first.json["reviews"]} == {"pending"}


def test_queue_filters_by_status_and_by_rule(app, client, shop, mod):
    held = make_review(app, shop, body="Great, see https://spam.example/deal for more")
    plain = make_review(app, shop)
    rejected = make_review(app, shop, status="rejected")

    by_rule = client.get(QUEUE, query_string={"rule": "links"}, headers=mod)
    by_status = client.get(QUEUE, query_string={"status": "rejected"}, headers=mod)

    assert [r["id"] for r in by_rule.json["reviews"]] == [held]
    assert by_rule.json["reviews"][0]["moderation_rule"] == "links"
    assert [r["id"] for r in by_status.json["reviews"]] == [rejected]
    assert plain not in [r["id"] for r in by_rule.json["reviews"]]


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "hidden"}, "status"), ({"rule": "one_star"}, "rule"), ({"cursor": "not-a-cursor"}, "cursor"),
    ({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
])
def test_queue_refuses_bad_filters_naming_the_field(client, shop, mod, query, field):
    assert_problem(client.get(QUEUE, query_string=query, headers=mod), 422, field=field)


# --- decisions ---------------------------------------------------------------------------------------

def test_approve_publishes_and_is_audited_with_the_key_as_actor(app, client, shop, runner, mod):
    review = make_review(app, shop, rating=1)
    prefix = json.loads(run(runner, "keys", "list", shop.slug, "--json").output)[-1]["prefix"]

    answer = decide(client, mod, review, decision="approve", note="checked the order")

    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "published"
    last = trail(client, mod, review)[-1]
    assert (last["actor"], last["action"], last["from_status"], last["to_status"], last["note"]) == \
        (f"key:{prefix}", "status", "pending", "published", "checked the order")
    public = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"]
    assert [r["id"] for r in public] == [review]


def test_reject_needs_a_reason_from_the_closed_list(app, client, shop, mod):
    review = make_review(app, shop, status="published")

    answer = decide(client, mod, review, decision="reject", reason="personal_data")

    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["reject_reason"]) == ("rejected", "personal_data")
    assert trail(client, mod, review)[-1]["reason"] == "personal_data"
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"decision": "reject"}, "reason"),
    ({"decision": "reject", "reason": "negative"}, "reason"),  # never about the stars
    ({"decision": "reject", "reason": "one_star"}, "reason"),
    ({"decision": "approve", "reason": "spam"}, "reason"),
    ({"decision": "publish"}, "decision"),
    ({}, "decision"),
    ({"decision": "approve", "note": "x" * 1001}, "note"),
    ({"decision": "approve", "status": "published"}, "status"),
])
def test_bad_decisions_are_refused_naming_the_field_and_change_nothing(app, client, shop, mod, body, field):
    review = make_review(app, shop)

    assert_problem(decide(client, mod, review, **body), 422, field=field)
    assert [e["action"] for e in trail(client, mod, review)] == ["created"]


def test_a_removed_review_cannot_be_decided(app, client, shop, mod):
    review = make_review(app, shop, email="gone@example.com")
    assert client.post("/api/v1/customers/erase", json={"email": "gone@example.com"},
                       headers=shop.headers).status_code == 200

    body = assert_problem(decide(client, mod, review, decision="approve"), 409)
    assert "removed" in body["errors"]["decision"][0]


def test_a_repeated_decision_with_the_same_idempotency_key_is_made_once(app, client, shop, mod):
    review = make_review(app, shop)
    headers = {**mod, "Idempotency-Key": "desk-ticket-77"}

    first = decide(client, headers, review, decision="reject", reason="spam")
    again = decide(client, headers, review, decision="reject", reason="spam")

    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert [e["action"] for e in trail(client, mod, review)] == ["created", "status"]


# --- replies -----------------------------------------------------------------------------------------

def test_a_reply_is_public_and_the_reviewer_is_emailed(app, client, shop, mod, smtp):  # noqa: F811
    review = make_review(app, shop, status="published", email="ana@example.com", name="Ana Petrosyan")

    answer = client.post(f"/api/v1/reviews/{review}/reply", json={"body": "Thank you, Ana!"}, headers=mod)
    run_worker(app)

    assert answer.status_code == 200, answer.json
    assert answer.json["reply"]["body"] == "Thank you, Ana!"
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]["reply"]["body"] == \
        "Thank you, Ana!"
    *_confirmation, notice = [parse(m) for m in smtp.messages]  # the review's confirmation went first
    assert notice["To"] == "ana@example.com"
    assert "Thank you, Ana!" in notice.get_body(("plain",)).get_content()
    assert [(e["action"], e["actor"][:7]) for e in trail(client, mod, review)][-1] == ("reply", "key:sk_")


def test_a_reply_is_taken_down_once(app, client, shop, mod):
    review = make_review(app, shop, status="published")
    client.post(f"/api/v1/reviews/{review}/reply", json={"body": "Thanks!"}, headers=mod)

    first = client.delete(f"/api/v1/reviews/{review}/reply", headers=mod)
    second = client.delete(f"/api/v1/reviews/{review}/reply", headers=mod)

    assert first.status_code == 204
    assert_problem(second, 404)
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]["reply"] is None
    assert trail(client, mod, review)[-1]["action"] == "reply_deleted"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "body"), ({"body": ""}, "body"), ({"body": "   "}, "body"), ({"body": "x" * 5001}, "body"),
    ({"body": 5}, "body"), ({"body": "ok", "public": True}, "public"),
])
def test_bad_replies_are_refused_naming_the_field(app, client, shop, mod, body, field):
    review = make_review(app, shop, status="published")
    assert_problem(client.post(f"/api/v1/reviews/{review}/reply", json=body, headers=mod), 422, field=field)


def test_only_a_published_review_gets_a_public_reply(app, client, shop, mod):
    review = make_review(app, shop)
    answer = client.post(f"/api/v1/reviews/{review}/reply", json={"body": "Thanks"}, headers=mod)
    assert_problem(answer, 409)


# --- another shop, another scope -----------------------------------------------------------------------

@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("POST", "decision", {"decision": "approve"}), ("POST", "reply", {"body": "Hi"}),
    ("DELETE", "reply", None), ("GET", "history", None),
])
def test_another_shops_review_is_not_found(app, client, shop, mod, method, suffix, body):
    other = make_shop(app, "Shop B")
    theirs = make_review(app, other, status="published")

    answer = client.open(f"/api/v1/reviews/{theirs}/{suffix}", method=method, json=body, headers=mod)

    assert_problem(answer, 404)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.actor.like("key:%"))) == 0


@pytest.mark.parametrize("scopes", [("orders",), ("privacy",), ("orders", "privacy")])
def test_a_key_without_the_moderation_scope_is_refused_naming_it(app, client, shop, runner, scopes):
    review = make_review(app, shop)
    headers = scoped_key(runner, shop, *scopes)

    for answer in (client.get(QUEUE, headers=headers), decide(client, headers, review, decision="approve"),
                   client.get(f"/api/v1/reviews/{review}/history", headers=headers)):
        body = assert_problem(answer, 403, field="scope")
        assert "moderation" in body["detail"]
    assert [e["action"] for e in trail(client, shop.headers, review)] == ["created"]


# --- no e-mail address reaches a moderation key ----------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_a_moderation_key_never_sees_an_email_address(app, client, shop, mod):
    pending = make_review(app, shop, email="pat@example.com", body="Write to me at pat.home@example.org!")
    published = make_review(app, shop, status="published", email="kim@example.com")
    make_review(app, shop, status="rejected", email="lee@example.com")
    client.post(f"/api/v1/reviews/{published}/reply", json={"body": "Thanks, kim@example.com"}, headers=mod)
    decide(client, mod, pending, decision="reject", reason="personal_data", note="asked ops@shop.example")

    answers = [client.get(QUEUE, query_string={"status": s}, headers=mod) for s in
               ("pending", "published", "rejected", "removed")]
    answers += [client.get("/api/v1/reviews", headers=mod)]
    for review in (pending, published):
        answers += [client.get(f"/api/v1/reviews/{review}", headers=mod),
                    client.get(f"/api/v1/reviews/{review}/history", headers=mod),
                    decide(client, mod, review, decision="approve")]
    answers += [client.post(f"/api/v1/reviews/{published}/reply", json={"body": "Again, kim@example.com"},
                            headers=mod)]

    assert {a.status_code for a in answers} == {200}
    seen = [s for a in answers for s in _strings(a.json) if EMAIL.search(s)]
    assert seen == []
    assert "email" not in client.get(f"/api/v1/reviews/{published}", headers=mod).json
    # The same reads with the shop's full key do show the addresses: the test would see a leak.
    assert client.get(f"/api/v1/reviews/{pending}", headers=shop.headers).json["email"] == "pat@example.com"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/customers/export?email=ana@example.com", None),
    ("POST", "/api/v1/customers/erase", {"email": "ana@example.com"}),
    ("GET", "/api/v1/reviews/export?format=json", None),
    ("POST", "/api/v1/orders", {"id": "1"}),
    ("GET", "/api/v1/orders/1", None),
    ("GET", "/api/v1/referrals", None),
    ("GET", "/api/v1/outbox", None),
    ("GET", "/api/v1/shop", None),
    ("GET", "/api/v1/webhooks", None),
])
def test_a_moderation_key_cannot_export_erase_or_reach_addresses(app, client, shop, mod, method, path, body):
    make_review(app, shop, email="ana@example.com", status="published")

    body = assert_problem(client.open(path, method=method, json=body, headers=mod), 403, field="scope")

    assert "moderation" in body["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review).where(Review.status == "removed")) == 0


# --- concurrent decisions on PostgreSQL ----------------------------------------------------------------

@pytest.mark.postgres
def test_concurrent_decisions_go_through_the_transition_once(pg_app):
    shop = make_shop(pg_app, "Busy shop")
    review = make_review(pg_app, shop, rating=2)
    headers = scoped_key(pg_app.test_cli_runner(), shop, "moderation")
    n = 8
    barrier = threading.Barrier(n)
    answers = []

    def send() -> None:
        client = pg_app.test_client()
        barrier.wait(timeout=300)  # a guard against a hang, not a time limit
        answers.append(decide(client, headers, review, decision="approve"))

    threads = [threading.Thread(target=send) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Each answer is the published review, or a 409 for a decision that lost the race.
    assert {a.status_code for a in answers} <= {200, 409}
    assert all(a.json["status"] == "published" for a in answers if a.status_code == 200)
    with pg_app.app_context():
        stored = db.session.scalar(select(Review).where(Review.public_id == review))
        moves = db.session.execute(select(AuditEvent.from_status, AuditEvent.to_status).where(
            AuditEvent.review_id == stored.id, AuditEvent.action == "status")).all()
        assert [tuple(m) for m in moves] == [("pending", "published")]
        assert db.session.scalar(select(ShopRating.count).where(ShopRating.shop_id == shop.id)) == 1
