"""One error shape: every 4xx and 5xx the app produces is problem+json that says what is wrong,
and a refused request leaves nothing behind."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest

from reviews_service import create_app

from .conftest import base_config
from .factories import make_order, make_shop, order_payload
from .helpers import assert_problem, row_counts

ORDERS = "/api/v1/orders"
DEAD_POSTGRES = "postgresql://postgres@127.0.0.1:1/x"


# --- 400 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b'{"id": ', b"{'id': 'single quotes'}", b"\xff\xfe{}", b"{} {}"])
def test_malformed_json_is_400(app, client, shop, body):
    before = row_counts(app)
    response = client.post(ORDERS, data=body, content_type="application/json", headers=shop.headers)
    assert "JSON" in assert_problem(response, 400)["detail"]
    assert row_counts(app) == before


def test_empty_body_is_422_naming_the_required_fields(client, shop):
    response = client.post(ORDERS, content_type="application/json", headers=shop.headers)
    assert_problem(response, 422, field="id")


def test_deeply_nested_json_is_400_not_a_crash(client, shop):
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post(ORDERS, data=body, content_type="application/json", headers=shop.headers)
    assert "nested" in assert_problem(response, 400)["detail"]


# --- 404 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v2/orders", "/api/v1/products/"])
def test_unknown_route_is_404(client, shop, path):
    assert_problem(client.get(path, headers=shop.headers), 404)


@pytest.mark.parametrize("path", [
    "/api/v1/orders/NO-SUCH-ORDER",
    "/api/v1/products/no-such-product",
    "/api/v1/orders/" + quote("a/b ü", safe=""),
    "/api/v1/orders/" + "x" * 300,
    "/api/v1/orders/" + quote("nul\x00byte", safe=""),
    "/api/v1/products/" + quote("nul\x00byte", safe=""),
])
def test_unknown_order_or_product_is_404(client, shop, path):
    assert_problem(client.get(path, headers=shop.headers), 404)


def test_event_for_unknown_order_is_404(app, client, shop):
    before = row_counts(app)
    response = client.post("/api/v1/orders/NO-SUCH-ORDER/events", json={"type": "fulfilled"},
                           headers=shop.headers)
    assert_problem(response, 404)
    assert row_counts(app) == before


# --- 405 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", ORDERS, {"POST"}),
    ("GET", ORDERS, {"POST"}),
    ("POST", "/api/v1/shop", {"GET", "PATCH"}),
    ("DELETE", "/api/v1/products/sku-1", {"GET", "PUT"}),
    ("PUT", "/api/v1/orders/X", {"GET"}),
])
def test_wrong_method_is_405_with_allow(client, shop, method, path, allowed):
    response = client.open(path, method=method, headers=shop.headers)
    assert_problem(response, 405)
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


# --- 409 -----------------------------------------------------------------------------------------

def test_event_after_refund_is_409(app, client, shop):
    order_id = make_order(app, shop)
    client.post(f"{ORDERS}/{order_id}/events", json={"type": "refunded"}, headers=shop.headers)
    response = client.post(f"{ORDERS}/{order_id}/events", json={"type": "fulfilled"},
                           headers=shop.headers)
    assert "refunded" in assert_problem(response, 409)["detail"]


# --- 413 -----------------------------------------------------------------------------------------

def test_json_body_over_max_json_bytes_is_413(app, client, shop):
    limit = app.config["MAX_JSON_BYTES"]
    body = order_payload()
    body["customer"]["name"] = "x" * limit
    before = row_counts(app)
    response = client.post(ORDERS, json=body, headers=shop.headers)
    assert str(limit) in assert_problem(response, 413)["detail"]
    assert row_counts(app) == before


@pytest.mark.parametrize("app_config", [{"MAX_JSON_BYTES": 1000}])
def test_chunked_json_body_over_the_limit_is_413(app, client, shop):
    """A body without Content-Length (chunked, behind a proxy) is held to the same limit."""
    body = order_payload()
    body["customer"]["name"] = "x" * 2000
    before = row_counts(app)
    response = client.post(ORDERS, input_stream=io.BytesIO(json.dumps(body).encode()),
                           content_type="application/json",
                           headers={**shop.headers, "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert_problem(response, 413)
    assert row_counts(app) == before


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 2000, "MAX_JSON_BYTES": 10_000}])
def test_body_over_max_content_length_is_413(app, client, shop):
    body = order_payload()
    body["customer"]["name"] = "x" * 3000
    response = client.post(ORDERS, json=body, headers=shop.headers)
    assert_problem(response, 413)


# --- 415 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content_type", "data"), [
    ("application/x-www-form-urlencoded", "id=ORDER-1&total=5"),
    ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=id\r\n\r\n1\r\n--x--\r\n"),
    ("text/plain", '{"id": "ORDER-1"}'),
    ("application/xml", "<order/>"),
    (None, '{"id": "ORDER-1"}'),
])
def test_non_json_body_is_415(app, client, shop, content_type, data):
    before = row_counts(app)
    headers = dict(shop.headers)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(ORDERS, data=data, headers=headers)
    detail = assert_problem(response, 415)["detail"]
    assert "application/json" in detail
    assert row_counts(app) == before


def test_json_with_charset_is_accepted(client, shop):
    response = client.post(ORDERS, data=json.dumps(order_payload()),
                           content_type="application/json; charset=utf-8", headers=shop.headers)
    assert response.status_code == 201


# --- 422 -----------------------------------------------------------------------------------------

def _set(*path_and_value):
    *path, value = path_and_value

    def mutate(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(*path):
    def mutate(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _duplicate_item(body):
    body["items"].append(dict(body["items"][0]))


BAD_ORDERS = [
    ("unknown field", _set("colour", "red"), "colour"),
    ("unknown customer field", _set("customer", "phone", "+1 555"), "customer.phone"),
    ("unknown item field", _set("items", 0, "colour", "red"), "items.0.colour"),
    ("quantity as string", _set("items", 0, "quantity", "5"), "items.0.quantity"),
    ("quantity as true", _set("items", 0, "quantity", True), "items.0.quantity"),
    ("quantity as float", _set("items", 0, "quantity", 5.5), "items.0.quantity"),
    ("quantity as 5.0", _set("items", 0, "quantity", 5.0), "items.0.quantity"),
    ("quantity zero", _set("items", 0, "quantity", 0), "items.0.quantity"),
    ("quantity negative", _set("items", 0, "quantity", -1), "items.0.quantity"),
    ("quantity null", _set("items", 0, "quantity", None), "items.0.quantity"),
    ("id as true", _set("id", True), "id"),
    ("id as number", _set("id", 5), "id"),
    ("id empty", _set("id", ""), "id"),
    ("id too long", _set("id", "x" * 256), "id"),
    ("id missing", _drop("id"), "id"),
    ("customer name as true", _set("customer", "name", True), "customer.name"),
    ("item name as true", _set("items", 0, "name", True), "items.0.name"),
    ("product id as number", _set("items", 0, "product_id", 7), "items.0.product_id"),
    ("currency as number", _set("currency", 978), "currency"),
    ("currency lower case", _set("currency", "eur"), "currency"),
    ("currency too long", _set("currency", "EURO"), "currency"),
    ("naive placed_at", _set("placed_at", "2026-11-01T12:00:00"), "placed_at"),
    ("placed_at as words", _set("placed_at", "yesterday"), "placed_at"),
    ("placed_at as epoch", _set("placed_at", 1_790_000_000), "placed_at"),
    ("negative price", _set("items", 0, "price", "-1.00"), "items.0.price"),
    ("negative price number", _set("items", 0, "price", -1), "items.0.price"),
    ("price as true", _set("items", 0, "price", True), "items.0.price"),
    ("price NaN", _set("items", 0, "price", "NaN"), "items.0.price"),
    ("price Infinity", _set("items", 0, "price", "Infinity"), "items.0.price"),
    ("price as words", _set("items", 0, "price", "cheap"), "items.0.price"),
    ("negative total", _set("total", "-0.01"), "total"),
    ("bad e-mail", _set("customer", "email", "not-an-email"), "customer.email"),
    ("e-mail as true", _set("customer", "email", True), "customer.email"),
    ("e-mail missing", _drop("customer", "email"), "customer.email"),
    ("bad locale", _set("customer", "locale", "not a locale"), "customer.locale"),
    ("duplicate product ids", _duplicate_item, "items"),
    ("no items", _set("items", []), "items"),
    ("items not a list", _set("items", "sku-1"), "items"),
    ("customer not an object", _set("customer", "ana@example.com"), "customer"),
    ("empty referral code", _set("referral_code", ""), "referral_code"),
]


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in BAD_ORDERS], ids=[c[0] for c in BAD_ORDERS])
def test_invalid_order_is_422_naming_the_field_and_writes_nothing(app, client, shop, mutate, field):
    body = order_payload()
    mutate(body)
    before = row_counts(app)
    response = client.post(ORDERS, json=body, headers=shop.headers)
    assert_problem(response, 422, field=field)
    assert row_counts(app) == before


def test_every_invalid_field_is_reported_at_once(client, shop):
    body = order_payload()
    body["currency"] = 978
    body["items"][0]["quantity"] = "5"
    response = client.post(ORDERS, json=body, headers=shop.headers)
    errors = assert_problem(response, 422)["errors"]
    assert {"currency", "items.0.quantity"} <= errors.keys()


@pytest.mark.parametrize("body", [[], "order", 5, None])
def test_body_that_is_not_an_object_is_422(client, shop, body):
    response = client.post(ORDERS, data=json.dumps(body), content_type="application/json",
                           headers=shop.headers)
    assert_problem(response, 422)


BAD_PRODUCTS = [
    ("name missing", {}, "name"),
    ("name empty", {"name": ""}, "name"),
    ("name as true", {"name": True}, "name"),
    ("unknown field", {"name": "Shoes", "price": "5.00"}, "price"),
    ("gtin letters", {"name": "Shoes", "gtin": "abcdefgh"}, "gtin"),
    ("gtin as number", {"name": "Shoes", "gtin": 4006381333931}, "gtin"),
    ("javascript url", {"name": "Shoes", "url": "javascript:alert(1)"}, "url"),
    ("relative image url", {"name": "Shoes", "image_url": "/img.png"}, "image_url"),
    ("brand too long", {"name": "Shoes", "brand": "b" * 101}, "brand"),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_PRODUCTS], ids=[c[0] for c in BAD_PRODUCTS])
def test_invalid_product_is_422_naming_the_field_and_writes_nothing(app, client, shop, body, field):
    before = row_counts(app)
    response = client.put("/api/v1/products/sku-1", json=body, headers=shop.headers)
    assert_problem(response, 422, field=field)
    assert row_counts(app) == before


@pytest.mark.parametrize("body", [{"type": "shipped"}, {"type": True}, {},
                                  {"type": "fulfilled", "occurred_at": "2026-11-02T10:00:00"},
                                  {"type": "fulfilled", "colour": "red"}])
def test_invalid_order_event_is_422(app, client, shop, body):
    order_id = make_order(app, shop)
    before = row_counts(app)
    assert_problem(client.post(f"{ORDERS}/{order_id}/events", json=body, headers=shop.headers), 422)
    assert row_counts(app) == before


# Values that pass a type check but that a database column cannot hold: PostgreSQL refuses NUL
# characters, over-long strings and amounts beyond numeric(14, 2); no database holds a time
# before year 1 in UTC. Each must be a 422 naming the field on both databases, never a 500.
UNSTORABLE = [
    ("NUL in order id", _set("id", "ORDER\x00-1"), "id"),
    ("NUL in customer name", _set("customer", "name", "Ana\x00"), "customer.name"),
    ("NUL in product id", _set("items", 0, "product_id", "sku\x00"), "items.0.product_id"),
    ("NUL in item name", _set("items", 0, "name", "\x00"), "items.0.name"),
    ("huge total", _set("total", "1e20"), "total"),
    ("huge price", _set("items", 0, "price", 1e15), "items.0.price"),
    ("placed_at before year 1 in UTC", _set("placed_at", "0001-01-01T00:00:00+14:00"), "placed_at"),
    ("placed_at after year 9999 in UTC", _set("placed_at", "9999-12-31T23:59:59-14:00"), "placed_at"),
]


@pytest.fixture
def any_shop(each_db_app):
    return make_shop(each_db_app, "Shop A")


@pytest.mark.parametrize(("mutate", "field"), [c[1:] for c in UNSTORABLE], ids=[c[0] for c in UNSTORABLE])
def test_unstorable_value_is_422_on_every_database(each_db_app, any_shop, mutate, field):
    body = order_payload()
    mutate(body)
    before = row_counts(each_db_app)
    response = each_db_app.test_client().post(ORDERS, json=body, headers=any_shop.headers)
    assert_problem(response, 422, field=field)
    assert row_counts(each_db_app) == before


@pytest.mark.parametrize(("product_id", "status"), [("p" * 256, 422), ("nul\x00", 404)])
def test_unstorable_product_id_is_refused_on_every_database(each_db_app, any_shop, product_id, status):
    before = row_counts(each_db_app)
    response = each_db_app.test_client().put("/api/v1/products/" + quote(product_id, safe=""),
                                         json={"name": "Shoes"}, headers=any_shop.headers)
    assert_problem(response, status)
    assert row_counts(each_db_app) == before


def test_nul_in_event_note_is_422_on_every_database(each_db_app, any_shop):
    order_id = make_order(each_db_app, any_shop)
    response = each_db_app.test_client().post(f"{ORDERS}/{order_id}/events",
                                          json={"type": "fulfilled", "note": "\x00"},
                                          headers=any_shop.headers)
    assert_problem(response, 422, field="note")


# --- 429 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"SERVER_API_LIMIT": "2 per minute"}])
def test_over_the_limit_is_429_with_retry_after(client, shop):
    for _ in range(2):
        assert client.get("/api/v1/shop", headers=shop.headers).status_code == 200
    response = client.get("/api/v1/shop", headers=shop.headers)
    assert_problem(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


# --- 500 -----------------------------------------------------------------------------------------

def test_unexpected_error_is_500_problem_without_internals(app):
    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "RuntimeError" not in body["detail"]


# --- 503 -----------------------------------------------------------------------------------------

@pytest.fixture
def dead_db_app(tmp_path):
    return create_app(base_config(tmp_path, DATABASE_URL=DEAD_POSTGRES))


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/v1/shop", None),
    ("GET", "/api/v1/orders/ORDER-1", None),
    ("POST", ORDERS, order_payload("ORDER-1")),
    ("PUT", "/api/v1/products/sku-1", {"name": "Shoes"}),
])
def test_unreachable_database_is_503(dead_db_app, method, path, body):
    response = dead_db_app.test_client().open(
        path, method=method, json=body, headers={"Authorization": "Bearer sk_" + "a" * 40})
    assert_problem(response, 503)
    assert "Retry-After" in response.headers


def test_readyz_is_503_and_healthz_200_when_the_database_is_unreachable(dead_db_app):
    client = dead_db_app.test_client()
    assert_problem(client.get("/readyz"), 503)
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/public/pk_%00abc/reviews", "/api/v1/reviews/r%00x",
                                  "/api/v1/public/pk_" + "x" * 300 + "/reviews"])
def test_unstorable_id_in_a_path_is_404_on_every_database(each_db_app, any_shop, path):
    response = each_db_app.test_client().get(path, headers=any_shop.headers)
    assert_problem(response, 404)
