"""The API contract tells the truth: `/api/openapi.json` is a valid OpenAPI document, and every
operation answers as it documents (status code, content type, body), checked by generated requests."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reviews_service import create_app
from reviews_service.extensions import db
from reviews_service.moderation import replies
from reviews_service.shops import service as shops
from tests import photo_corpus as corpus
from tests.conftest import base_config
from tests.factories import ShopKeys, make_shop, order_payload

# Generated writes must not run into the rate limits: 429 is documented, but it would hide the
# answers the run is there to check.
HIGH_LIMITS = {"PUBLIC_WRITE_LIMIT": "100000 per minute", "SERVER_API_LIMIT": "100000 per minute"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SEED = 20261205
# Per operation: about three cases for each of real and random ids, with valid and with invalid data.
EXAMPLES = 12


def _spec() -> dict:
    """The document as the app serves it; building an app opens no connection."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(base_config(Path(folder), DATABASE_URL="sqlite://"))
        return app.test_client().get("/api/openapi.json").get_json()


SPEC = _spec()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
METHODS = {"get", "put", "post", "patch", "delete"}


def _operations() -> list:
    """Every operation of the document, named as schemathesis names it."""
    return [pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
            for path, item in SPEC["paths"].items() for method in item if method in METHODS]


@pytest.fixture
def app_config():
    return dict(HIGH_LIMITS)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _populate(app, client, shop: ShopKeys) -> dict:
    """Something in the shop, made through the API, and the real ids the paths can name: a
    fulfilled order and its token, a published review with a photo and a reply, a pending one, a
    referral, a webhook endpoint."""
    _ok(client.patch("/api/v1/shop", json={"settings": {"referrals": {
        "enabled": True, "friend_offer": {"code_mode": "shared", "shared_code": "FRIEND10"}}}},
                     headers=shop.headers))
    order = _ok(client.post("/api/v1/orders", json=order_payload("ORDER-1", email="ana@example.com"),
                            headers=shop.headers), 201)
    _ok(client.post("/api/v1/orders/ORDER-1/events", json={"type": "fulfilled"}, headers=shop.headers))
    token = order["widget_token"]
    photo = _ok(client.post(f"{shop.public}/photos", content_type="multipart/form-data",
                            data={"photo": (io.BytesIO(corpus.small_jpeg()), "p.jpg")}), 201)
    review = _ok(client.post(f"{shop.public}/products/sku-1/reviews", json={
        "rating": 4, "title": "Warm", "body": "Dry feet all day.", "display_name": "Ana P.", "token": token,
        "photo_ids": [photo["id"]]}), 201)
    _ok(client.post(f"{shop.public}/products/sku-1/reviews", json={"rating": 2, "email": "eve@example.com",
                                                                  "display_name": "Eve"}), 201)
    with app.app_context():
        replies.set_reply(shops.get_shop(shop.id), review["id"], "Thank you!", user_id=None)
    code = _ok(client.get(f"{shop.public}/referrals/me", query_string={"token": token}))["code"]
    _ok(client.post("/api/v1/orders", json=order_payload("ORDER-2", email="bob@example.com", referral_code=code),
                    headers=shop.headers), 201)
    referral = _ok(client.get("/api/v1/referrals", headers=shop.headers))["referrals"][0]
    endpoint = _ok(client.post("/api/v1/webhooks", json={"url": "https://hooks.example.com/reviews",
                                                         "events": ["*"]}, headers=shop.headers), 201)
    customer_id = _loyalty(client, shop)
    return {"path": {"public_key": shop.public_key, "product_id": "sku-1", "order_id": "ORDER-1",
                     "review_id": review["id"], "token": token, "referral_id": referral["id"],
                     "endpoint_id": endpoint["id"], "platform": "shopify", "customer_id": customer_id,
                     "reward_id": "five-off"},
            "query": {"token": token}}


def _loyalty(client, shop: ShopKeys) -> int:
    """The loyalty programme on, with a reward and codes in its pool, and a customer with points to
    spend (ana@example.com, of ORDER-1); answers their customer id."""
    _ok(client.patch("/api/v1/shop", json={"settings": {"loyalty": {
        "enabled": True, "hold_days": 0, "rewards": [
            {"id": "five-off", "points": 100, "kind": "amount", "value": "5", "currency": "EUR"},
            {"id": "shipping", "points": 50, "kind": "free_shipping", "source": "webhook"}]}}},
                     headers=shop.headers))
    _ok(client.post("/api/v1/loyalty/rewards/five-off/coupons", json={"codes": [f"FIVE-{n}" for n in range(50)]},
                    headers=shop.headers), 201)
    customer_id = _ok(client.get("/api/v1/orders/ORDER-1", headers=shop.headers))["customer_id"]
    _ok(client.post(f"/api/v1/loyalty/customers/{customer_id}/adjustments",
                    json={"points": 100000, "reason": "For the contract test"}, headers=shop.headers), 201)
    return customer_id


@pytest.fixture(scope="session")
def populated(tmp_path_factory, sqlite_template) -> tuple[Path, ShopKeys, dict]:
    """The shop and its contents, made once per test process in a copy of the migrated database."""
    folder = tmp_path_factory.mktemp("populated")
    path = folder / "populated.db"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(folder, DATABASE_URL=f"sqlite:///{path}", **HIGH_LIMITS))
    shop = make_shop(app, "Shop A", origins=["https://shop-a.example"])
    ids = _populate(app, app.test_client(), shop)
    with app.app_context():
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return path, shop, ids


# The tests of this module run on a copy of the populated database (conftest's `app` copies the
# template it is given), as its shop.
@pytest.fixture(scope="session")
def sqlite_template(populated) -> Path:
    return populated[0]


@pytest.fixture
def shop(populated) -> ShopKeys:
    return populated[1]


@pytest.fixture
def world(populated) -> dict:
    return populated[2]


def test_spec_is_a_valid_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()

    validate(spec)  # raises on the first violation, naming it


@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_operation_answers_as_documented(method, path, app, shop, world):
    operation = SCHEMA[path][method]  # an operation the document describes wrongly fails here
    names = {p.name for p in operation.path_parameters}
    public = "public_key" in names
    # Real ids in the path, and random ones (the real key always: a random one only ever reaches
    # the 404 for an unknown shop); each with valid and with invalid data.
    real = {"path_parameters": {n: v for n, v in world["path"].items() if n in names},
            "query": {n: v for n, v in world["query"].items() if n in {p.name for p in operation.query}}}
    random = {"path_parameters": {"public_key": shop.public_key} if public else {}}
    cases = st.one_of([operation.as_strategy(mode, **{k: v or None for k, v in fixed.items()})
                       for fixed in (real, random) for mode in GenerationMode])
    headers = None if public else shop.headers

    # The same requests on every run (a fixed seed, no example database), and no clock in the test:
    # neither a deadline nor Hypothesis's "too slow" on a busy machine.
    @seed(SEED)
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(case=cases)
    def answers_as_documented(case):
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)

    answers_as_documented()


# --- grouped by task, with an example request per task -------------------------------------------

TASKS = ["Products and orders", "Reviews", "Ratings", "Referrals", "Loyalty", "Coupons", "Webhooks", "Shop",
         "Privacy", "Moderation", "Connections"]


def _operations_of(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def _has_example(op: dict) -> bool:
    body = op.get("requestBody", {}).get("content", {})
    return any("example" in c for c in body.values()) or any("example" in p for p in op.get("parameters", []))


def test_operations_are_grouped_by_task_in_order(client):
    spec = client.get("/api/openapi.json").get_json()

    assert [tag["name"] for tag in spec["tags"]] == TASKS
    assert all(tag["description"] for tag in spec["tags"])
    untagged = [(m, p, op.get("tags")) for m, p, op in _operations_of(spec)
                if len(op.get("tags", [])) != 1 or op["tags"][0] not in TASKS]
    assert untagged == []
    with_example = {op["tags"][0] for _m, _p, op in _operations_of(spec) if _has_example(op)}
    assert with_example == set(TASKS)


def test_every_example_request_is_accepted(client, shop, world):
    """The examples are real requests: each one, sent as documented, succeeds."""
    spec = client.get("/api/openapi.json").get_json()
    sent = 0
    # An erasure removes the reviewer's reviews for good: it goes last, after the examples that
    # act on the same review (a decision, a reply).
    for method, path, op in sorted(_operations_of(spec), key=lambda o: o[1] == "/api/v1/customers/erase"):
        if not _has_example(op):
            continue
        url = path.format(**world["path"])
        query = {p["name"]: p["example"] for p in op.get("parameters", []) if "example" in p}
        body = next((c["example"] for c in op.get("requestBody", {}).get("content", {}).values()), None)
        headers = None if path.startswith("/api/v1/public/") else shop.headers
        answer = client.open(url, method=method.upper(), query_string=query, json=body, headers=headers)
        assert 200 <= answer.status_code < 300, (method, path, answer.get_json())
        sent += 1
    assert sent >= len(TASKS)


# --- what the generated run found, one test each -------------------------------------------------

def _documented(method: str, path: str, answer) -> None:
    """The answer's status is documented for the operation, and its body matches that schema."""
    SCHEMA[path][method].validate_response(answer)


def test_amounts_are_answered_and_documented_as_strings(client, shop):
    order = client.post("/api/v1/orders", json=order_payload("ORDER-7", total=49.9), headers=shop.headers)
    spec = client.get("/api/openapi.json").get_json()["components"]["schemas"]

    assert order.status_code == 201 and order.json["total"] == "49.90"
    _documented("POST", "/api/v1/orders", order)
    assert spec["OrderOut"]["properties"]["total"]["type"] == ["string"]
    assert spec["OrderIn"]["properties"]["total"]["type"] == ["string", "number"]
    assert spec["OrderIn"]["properties"]["total"]["minimum"] == 0


def test_a_pending_review_answers_as_documented(client, shop):
    path = "/api/v1/public/{public_key}/products/{product_id}/reviews"
    # Without an order link a review waits for a moderator.
    pending = client.post(f"{shop.public}/products/sku-1/reviews",
                          json={"rating": 3, "email": "zoe@example.com", "display_name": "Zoe"})
    server_view = client.get(f"/api/v1/reviews/{pending.json['id']}", headers=shop.headers)

    assert pending.status_code == 201 and pending.json["status"] == "pending"
    assert pending.json["published_at"] is None and server_view.json["published_at"] is None
    _documented("POST", path, pending)
    _documented("GET", "/api/v1/reviews/{review_id}", server_view)


@pytest.mark.parametrize(("method", "path", "kw"), [
    ("GET", "/api/v1/customers/export", {"query_string": {"email": "no@example.com"}}),
    ("POST", "/api/v1/customers/erase", {"json": {"email": "no@example.com"}}),
    ("GET", "/api/v1/reviews", {"query_string": {"product_id": "no-such-product"}}),
])
def test_nothing_found_is_a_documented_404(client, shop, method, path, kw):
    answer = client.open(path, method=method, headers=shop.headers, **kw)

    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    _documented(method, path, answer)


def test_refused_public_writes_answer_as_documented(app, client, shop, world):
    """A disallowed origin (403) and the visitor limit (429, with Retry-After) are documented."""
    path = "/api/v1/public/{public_key}/reviews/{review_id}/votes"
    url = f"{shop.public}/reviews/{world['path']['review_id']}/votes"
    foreign = client.post(url, json={"value": "up"}, headers={"Origin": "https://elsewhere.example"})
    app.config["PUBLIC_WRITE_LIMIT"] = "1 per minute"
    answers = [client.post(url, json={"value": "up"}) for _ in range(2)]

    assert foreign.status_code == 403
    _documented("POST", path, foreign)
    assert [a.status_code for a in answers] == [200, 429]
    assert answers[1].headers["Retry-After"].isdigit()
    assert foreign.mimetype == answers[1].mimetype == "application/problem+json"
    _documented("POST", path, answers[1])
