"""Signed webhooks: endpoints managed through the server API, events delivered to a real HTTP
receiver on loopback that checks every signature, retries through 500s and timeouts, and the
production guard against calling into the service's own network."""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
from datetime import timedelta
from pathlib import Path

import pytest
import trustme
from sqlalchemy import select

from reviews_service import clock
from reviews_service.config import load as load_config
from reviews_service.extensions import db
from reviews_service.moderation.service import transition
from reviews_service.outbox import webhooks
from reviews_service.reviews.models import Review
from tests.factories import make_product
from tests.helpers import assert_problem, post_order

from .conftest import add_endpoint, outbox, run_worker
from .servers import WebhookReceiver

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def subscribe(client, shop, receiver):
    """Point an endpoint of `shop` at the receiver, and give the receiver its secret."""
    def subscribe(*events: str) -> dict:
        endpoint = add_endpoint(client, shop, receiver.url, list(events))
        receiver.secret = endpoint["secret"]
        return endpoint
    return subscribe


def submit_review(client, shop, **body) -> dict:
    body = {"rating": 4, "body": "Comfortable.", "display_name": "Ana", "email": "ana@example.com", **body}
    response = client.post(f"{shop.public}/products/sku-1/reviews", json=body)
    assert response.status_code == 201, response.json
    return response.json


def only_delivery(receiver):
    [delivery] = receiver.deliveries
    assert delivery.valid
    return delivery


# --- endpoints through the server API ------------------------------------------------------------

def test_new_endpoint_answer_shows_its_secret(client, shop):
    response = client.post("/api/v1/webhooks", json={"url": "https://acme.example/hooks",
                                                      "events": ["review.published"]}, headers=shop.headers)

    assert response.status_code == 201
    assert response.json["secret"].startswith("whsec_") and len(response.json["secret"]) > 32
    assert response.json["id"].startswith("we_")
    assert response.json["events"] == ["review.published"]


def test_endpoint_list_never_shows_the_secret(client, shop):
    created = add_endpoint(client, shop, "https://acme.example/hooks", ["*"])

    listed = client.get("/api/v1/webhooks", headers=shop.headers)

    assert listed.status_code == 200
    assert [e["id"] for e in listed.json["endpoints"]] == [created["id"]]
    assert "secret" not in listed.json["endpoints"][0]
    assert created["secret"] not in listed.text


@pytest.mark.parametrize(("events", "named"), [
    (["review.deleted"], "review.deleted"), (["review.published", "nope"], "nope"),
    ([], "events"), ("review.created", "events"),
])
def test_unknown_or_missing_events_are_422_naming_events(client, shop, events, named):
    response = client.post("/api/v1/webhooks", json={"url": "https://acme.example/hooks", "events": events},
                           headers=shop.headers)

    assert named in assert_problem(response, 422, field="events")["detail"]


@pytest.mark.parametrize("url", ["ftp://acme.example/hooks", "not a url", "https://"])
def test_endpoint_url_must_be_http_or_https_422(client, shop, url):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]}, headers=shop.headers)

    assert_problem(response, 422, field="url")


@pytest.mark.parametrize("url", [
    "https://acme.example/hooks\x1b[2J", "https://acme.example/ho\u202eoks", "https://acme.example/a\rb",
    "https://acme.example/a\u2028b", "https://acme.example/a\u00adb"])
def test_endpoint_url_with_control_or_invisible_characters_is_422(client, shop, url):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]}, headers=shop.headers)

    assert_problem(response, 422, field="url")
    assert client.get("/api/v1/webhooks", headers=shop.headers).get_json()["endpoints"] == []


def test_deleted_endpoint_is_204_and_gone(client, shop):
    created = add_endpoint(client, shop, "https://acme.example/hooks", ["*"])

    deleted = client.delete(f"/api/v1/webhooks/{created['id']}", headers=shop.headers)

    assert deleted.status_code == 204
    assert client.get("/api/v1/webhooks", headers=shop.headers).json["endpoints"] == []
    assert_problem(client.delete(f"/api/v1/webhooks/{created['id']}", headers=shop.headers), 404)


def test_deleted_endpoint_gets_none_of_its_undelivered_events(app, client, shop, subscribe, receiver):
    endpoint = subscribe("order.processed")
    post_order(client, shop)

    client.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=shop.headers)
    run_worker(app)

    assert receiver.deliveries == []
    assert outbox(app, kind="webhook") == []


def test_other_shops_endpoint_is_404_and_stays(client, shop, other_shop):
    created = add_endpoint(client, shop, "https://acme.example/hooks", ["*"])

    response = client.delete(f"/api/v1/webhooks/{created['id']}", headers=other_shop.headers)

    assert_problem(response, 404)
    assert client.get("/api/v1/webhooks", headers=other_shop.headers).json["endpoints"] == []
    assert len(client.get("/api/v1/webhooks", headers=shop.headers).json["endpoints"]) == 1


def test_webhooks_need_the_secret_key(client, shop):
    assert_problem(client.get("/api/v1/webhooks"), 401)
    assert_problem(client.post("/api/v1/webhooks", json={"url": "https://a.example", "events": ["*"]}), 401)


# --- events, delivered and signed ----------------------------------------------------------------

def test_order_processed_is_delivered_signed_with_the_event_id(app, client, shop, subscribe, receiver):
    subscribe("order.processed")
    order = post_order(client, shop, "ORDER-77")

    stats = run_worker(app)

    delivery = only_delivery(receiver)
    assert stats.sent == 1
    assert set(delivery.body) == {"id", "type", "created", "data"}
    assert delivery.body["type"] == "order.processed"
    assert delivery.body["data"]["order"]["id"] == order["id"] == "ORDER-77"
    assert delivery.headers[webhooks.EVENT_HEADER] == delivery.body["id"]
    assert delivery.headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", delivery.headers[webhooks.SIGNATURE_HEADER])
    assert abs(delivery.body["created"] - time.time()) < 3600


def test_review_created_is_delivered_for_a_pending_review(app, client, shop, subscribe, receiver):
    make_product(app, shop)
    subscribe("review.created")
    review = submit_review(client, shop)

    run_worker(app)

    delivery = only_delivery(receiver)
    assert delivery.body["type"] == "review.created"
    assert delivery.body["data"]["review"]["id"] == review["id"]
    assert delivery.body["data"]["review"]["status"] == "pending"


def test_verified_review_is_delivered_as_created_then_published(app, client, shop, subscribe, receiver):
    make_product(app, shop)
    subscribe("review.created", "review.published")
    order = post_order(client, shop)
    review = submit_review(client, shop, token=order["widget_token"])

    run_worker(app)

    assert [d.body["type"] for d in receiver.deliveries] == ["review.created", "review.published"]
    assert all(d.valid for d in receiver.deliveries)
    assert receiver.deliveries[1].body["data"]["review"]["id"] == review["id"]
    assert len(set(receiver.event_ids)) == 2


def test_review_rejected_by_a_moderator_is_delivered(app, client, shop, subscribe, receiver):
    make_product(app, shop)
    subscribe("review.rejected")
    public_id = submit_review(client, shop)["id"]

    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.public_id == public_id))
        transition(review, "rejected", actor="test", reason="spam")
        db.session.commit()
    run_worker(app)

    delivery = only_delivery(receiver)
    assert delivery.body["type"] == "review.rejected"
    assert delivery.body["data"]["review"]["reject_reason"] == "spam"


def test_endpoint_gets_only_the_events_it_subscribed_to(app, client, shop, subscribe, receiver):
    make_product(app, shop)
    subscribe("review.published")
    post_order(client, shop)
    submit_review(client, shop)

    run_worker(app)

    assert receiver.deliveries == []


def test_star_subscribes_to_every_event(app, client, shop, subscribe, receiver):
    make_product(app, shop)
    subscribe("*")
    post_order(client, shop)
    submit_review(client, shop)

    run_worker(app)

    assert sorted(d.body["type"] for d in receiver.deliveries) == ["order.processed", "review.created"]


def test_an_event_is_not_sent_to_another_shops_endpoint(app, client, shop, other_shop, receiver):
    receiver.secret = add_endpoint(client, other_shop, receiver.url, ["*"])["secret"]
    post_order(client, shop)

    run_worker(app)

    assert receiver.deliveries == []


# --- failures and retries ------------------------------------------------------------------------

def test_receiver_answering_500_twice_gets_the_event_on_the_third_round(app, client, shop, subscribe, receiver):
    subscribe("order.processed")
    receiver.fail_next = 2
    post_order(client, shop)

    run_worker(app)
    [first] = outbox(app, kind="webhook")
    clock.travel(timedelta(seconds=40))
    run_worker(app)
    [second] = outbox(app, kind="webhook")
    clock.travel(timedelta(seconds=80))
    run_worker(app)

    [row] = outbox(app, kind="webhook")
    assert (first.status, first.attempts) == ("failed", 1) and "500" in first.last_error
    assert (second.status, second.attempts) == ("failed", 2)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(receiver.deliveries) == 3 and len(set(receiver.event_ids)) == 1


def test_outbox_api_shows_a_failed_webhooks_attempts_and_error(app, client, shop, subscribe, receiver):
    subscribe("order.processed")
    receiver.fail_next = 1
    post_order(client, shop)

    run_worker(app)
    [message] = client.get("/api/v1/outbox?status=failed", headers=shop.headers).json["messages"]

    assert message["kind"] == "webhook" and message["topic"] == "order.processed"
    assert message["attempts"] == 1 and "answered 500" in message["last_error"]


def test_failed_webhook_is_not_retried_before_its_backoff(app, client, shop, subscribe, receiver):
    subscribe("order.processed")
    receiver.fail_next = 1
    post_order(client, shop)

    run_worker(app)
    clock.travel(timedelta(seconds=20))
    run_worker(app)

    assert len(receiver.deliveries) == 1


def test_receiver_that_times_out_fails_and_is_retried_later(app, client, shop, subscribe, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.5)
    subscribe("order.processed")
    receiver.stall_seconds = 2
    post_order(client, shop)

    run_worker(app)
    [timed_out] = outbox(app, kind="webhook")
    receiver.stall_seconds = 0
    clock.travel(timedelta(minutes=1))
    run_worker(app)

    [row] = outbox(app, kind="webhook")
    assert timed_out.status == "failed" and "timed out" in timed_out.last_error.lower()
    assert (row.status, row.attempts) == ("sent", 2)


def test_webhook_is_dead_after_max_attempts(app, client, shop, subscribe, receiver):
    subscribe("order.processed")
    receiver.fail_next = 100
    post_order(client, shop)

    for _ in range(10):
        run_worker(app)
        clock.travel(timedelta(hours=7))

    [row] = outbox(app, kind="webhook")
    assert (row.status, row.attempts) == ("dead", row.max_attempts)
    assert len(receiver.deliveries) == row.max_attempts


# --- production: no calls into our own network ---------------------------------------------------

PRODUCTION = {"ENV": "production", "SECRET_KEY": "p" * 48, "WEBHOOK_ALLOW_HTTP": "1"}


@pytest.mark.parametrize("app_config", [PRODUCTION])
@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://2130706433/hooks", "http://10.0.0.7/hooks",
    "http://169.254.169.254/latest/meta-data", "http://[::1]/hooks", "http://[fd00::1]/hooks",
    "http://[::ffff:7f00:1]/hooks",
    "http://[64:ff9b::7f00:1]/hooks",  # NAT64 of 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of 169.254.169.254
    "http://[2002:7f00:1::1]/hooks",  # 6to4 of 127.0.0.1
    "http://[2002:a00:7::1]/hooks",  # 6to4 of 10.0.0.7
    "http://[64:ff9b:1::a00:7]/hooks",  # local-use NAT64
])
def test_production_refuses_a_webhook_into_our_own_network_when_it_is_created(client, shop, url):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]}, headers=shop.headers)

    assert "public address" in assert_problem(response, 422, field="url")["errors"]["url"][0]
    assert client.get("/api/v1/webhooks", headers=shop.headers).json["endpoints"] == []


@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_a_name_that_resolves_into_our_own_network_is_refused_when_created(client, shop, dns):
    dns["hooks.inside.test"] = ["64:ff9b::a00:7"]
    response = client.post("/api/v1/webhooks", json={"url": "https://hooks.inside.test/", "events": ["*"]},
                           headers=shop.headers)

    assert "which is 10.0.0.7" in assert_problem(response, 422, field="url")["errors"]["url"][0]


@pytest.mark.parametrize("app_config", [PRODUCTION])
@pytest.mark.parametrize("url", ["http://[64:ff9b::808:808]/hooks", "http://[2002:808:808::1]/hooks",
                                 "https://hooks.not-yet-in-dns.example/hooks"])
def test_nat64_and_6to4_of_a_public_address_and_unresolved_names_are_taken(client, shop, url):
    response = client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]}, headers=shop.headers)

    assert response.status_code == 201, response.json


@pytest.mark.parametrize("app_config", [PRODUCTION])
@pytest.mark.parametrize(("later", "shown"), [("127.0.0.1", "127.0.0.1"),
                                              ("64:ff9b::7f00:1", "64:ff9b::7f00:1, which is 127.0.0.1"),
                                              ("2002:7f00:1::1", "2002:7f00:1::1, which is 127.0.0.1")])
def test_production_refuses_to_deliver_to_a_name_that_moved_into_our_network(
        app, client, shop, receiver, dns, later, shown):
    # Public when the endpoint was made; our own loopback (directly, or through NAT64 or 6to4) later.
    dns["hooks.moved.test"] = ["93.184.215.14", later]
    send_order_event(app, client, shop, receiver, f"http://hooks.moved.test:{receiver.port}/hooks")

    [row] = outbox(app, kind="webhook")
    assert receiver.deliveries == []
    assert row.status == "failed"
    assert f"non-public address ({shown})" in row.last_error


@pytest.mark.parametrize("app_config", [{**PRODUCTION, "WEBHOOK_ALLOW_PRIVATE": "1"}])
def test_production_delivers_to_loopback_when_the_operator_allows_private(app, client, shop, subscribe, receiver):
    subscribe("order.processed")
    post_order(client, shop)

    run_worker(app)

    assert only_delivery(receiver).body["type"] == "order.processed"


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """A DNS server that changes its answer (rebinding): each name answers its addresses in turn,
    the last one from then on. Names not listed resolve as usual."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        queue = answers.get(host)
        if queue is None:
            return real(host, port, *args, **kwargs)
        return real(queue.pop(0) if len(queue) > 1 else queue[0], port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def send_order_event(app, client, shop, receiver, url: str) -> None:
    """Subscribe `url` (the receiver, by some name), post an order, run the worker once."""
    receiver.secret = add_endpoint(client, shop, url, ["order.processed"])["secret"]
    post_order(client, shop)
    run_worker(app)


@pytest.mark.parametrize("app_config", [PRODUCTION])
def test_a_name_that_rebinds_to_loopback_after_the_check_gets_nothing(app, client, shop, receiver, dns):
    # Checked at creation and at delivery: a public address (nothing listens there for us).
    # Then: our own loopback.
    dns["hooks.rebind.test"] = ["93.184.215.14", "93.184.215.14", "127.0.0.1"]
    send_order_event(app, client, shop, receiver, f"http://hooks.rebind.test:{receiver.port}/hooks")

    [row] = outbox(app, kind="webhook")
    assert receiver.deliveries == []
    assert row.status == "failed"


@pytest.mark.parametrize("app_config", [{**PRODUCTION, "WEBHOOK_ALLOW_PRIVATE": "1"}])
def test_delivery_goes_to_the_address_that_was_checked_not_a_later_answer(app, client, shop, receiver, dns):
    decoy = WebhookReceiver(host="127.0.0.2", port=receiver.port)
    decoy.start()
    try:
        dns["hooks.rebind.test"] = ["127.0.0.1", "127.0.0.2"]
        send_order_event(app, client, shop, receiver, f"http://hooks.rebind.test:{receiver.port}/hooks")
    finally:
        decoy.stop()

    delivery = only_delivery(receiver)
    assert decoy.deliveries == []
    # The name, not the address, is what the receiver sees: virtual hosts and TLS keep working.
    assert delivery.headers["Host"] == f"hooks.rebind.test:{receiver.port}"


@pytest.mark.parametrize("app_config", [{"ENV": "production", "SECRET_KEY": "p" * 48,
                                         "WEBHOOK_ALLOW_PRIVATE": "1"}])
@pytest.mark.parametrize(("certified", "delivered"), [("hooks.tls.test", True), ("someone-else.test", False)])
def test_https_to_the_pinned_address_checks_the_certificate_against_the_name(
        app, client, shop, dns, tmp_path, monkeypatch, certified, delivered):
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(certified).configure_cert(context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "ca.pem"))  # trust this test CA only
    receiver = WebhookReceiver(ssl_context=context)
    receiver.start()
    try:
        dns["hooks.tls.test"] = ["127.0.0.1"]
        send_order_event(app, client, shop, receiver, f"https://hooks.tls.test:{receiver.port}/hooks")
    finally:
        receiver.stop()

    [row] = outbox(app, kind="webhook")
    if delivered:
        assert only_delivery(receiver).body["type"] == "order.processed"
        assert row.status == "sent"
    else:
        assert receiver.deliveries == []
        assert row.status == "failed" and "hooks.tls.test" in row.last_error


@pytest.mark.parametrize("app_config", [{"ENV": "production", "SECRET_KEY": "p" * 48}])
def test_production_needs_an_https_url(client, shop):
    response = client.post("/api/v1/webhooks", json={"url": "http://acme.example/hooks", "events": ["*"]},
                           headers=shop.headers)

    assert "https" in assert_problem(response, 422)["errors"]["url"][0]


@pytest.mark.parametrize(("env", "value", "allowed"), [
    ("production", None, False), ("development", None, True),
    ("production", "1", True), ("production", "true", True), ("production", "YES", True),
    ("development", "0", False), ("development", "false", False), ("production", "", False),
])
def test_webhook_allow_private_from_the_environment(tmp_path, env, value, allowed):
    environ = {"REVIEWS_ENV": env, "REVIEWS_SECRET_KEY": "p" * 48}
    if value is not None:
        environ["REVIEWS_WEBHOOK_ALLOW_PRIVATE"] = value
        environ["REVIEWS_WEBHOOK_ALLOW_HTTP"] = value

    cfg = load_config(str(tmp_path), environ=environ)

    assert cfg["WEBHOOK_ALLOW_PRIVATE"] is allowed
    assert cfg["WEBHOOK_ALLOW_HTTP"] is allowed


# --- verification, as a receiver does it ---------------------------------------------------------

SECRET = "whsec_test"
BODY = json.dumps({"id": "evt_1", "type": "review.published", "created": 1, "data": {}}).encode()


def test_verify_accepts_a_fresh_signature():
    assert webhooks.verify(SECRET, BODY, webhooks.sign(SECRET, BODY))


@pytest.mark.parametrize(("secret", "body"), [("whsec_other", BODY), (SECRET, BODY.replace(b"1", b"2"))])
def test_verify_rejects_a_wrong_secret_or_a_modified_body(secret, body):
    assert not webhooks.verify(secret, body, webhooks.sign(SECRET, BODY))


@pytest.mark.parametrize("age", [301, -301, 86400])
def test_verify_rejects_a_timestamp_outside_the_tolerance(age):
    t = int(time.time())
    assert not webhooks.verify(SECRET, BODY, webhooks.sign(SECRET, BODY, timestamp=t - age))


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=00", "v1=00", "t=1,v1", "t=1"])
def test_verify_rejects_a_malformed_header(header):
    assert not webhooks.verify(SECRET, BODY, header, now=1)


def readme_verify_signature():
    """The verification function from README.md's "Verifying webhooks" section."""
    section = README.read_text().split("## Verifying webhooks", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_signature"]


@pytest.mark.parametrize(("secret", "body", "age", "valid"), [
    (SECRET, BODY, 0, True), ("whsec_other", BODY, 0, False), (SECRET, BODY + b" ", 0, False),
    (SECRET, BODY, 400, False),
])
def test_readme_verification_agrees_with_the_library(secret, body, age, valid):
    header = webhooks.sign(SECRET, BODY, timestamp=int(time.time()) - age)

    assert readme_verify_signature()(secret, body, header) is valid
    assert webhooks.verify(secret, body, header) is valid
