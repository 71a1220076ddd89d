"""Orders through the server API: ingestion (idempotent on the order id and on Idempotency-Key),
reading back, order events, and the widget token the shop renders into its thank-you page."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import quote

import pytest

from reviews_service import clock, tokens
from reviews_service.catalog import service as catalog_service
from reviews_service.extensions import db
from reviews_service.web.idempotency import IdempotencyKey

from ..factories import make_order, make_product, order_payload
from ..helpers import assert_problem, row_counts

ORDERS = "/api/v1/orders"


def order_url(order_id: str) -> str:
    return f"{ORDERS}/{quote(order_id, safe='')}"


def event(client, shop, order_id: str, kind: str, occurred_at: str | None = None, **headers):
    body = {"type": kind} if occurred_at is None else {"type": kind, "occurred_at": occurred_at}
    return client.post(order_url(order_id) + "/events", json=body, headers={**shop.headers, **headers})


# --- ingestion -----------------------------------------------------------------------------------

def test_new_order_answers_201_with_the_order(client, shop):
    response = client.post(ORDERS, json=order_payload("ORDER-1"), headers=shop.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == "ORDER-1"
    assert body["status"] == "placed"
    assert body["customer"] == {"email": "buyer@example.com", "name": "Ana Buyer", "given_name": "",
                                "family_name": "", "locale": "en", "accepts_marketing": False}
    assert body["items"] == [{"product_id": "sku-1", "name": "Trail shoes", "quantity": 1, "price": "49.90",
                              "refunded_quantity": 0}]
    assert body["refunds"] == []
    assert body["placed_at"] == "2026-11-01T12:00:00+00:00"
    assert (body["currency"], body["total"]) == ("EUR", "49.90")
    assert body["widget_token"]
    assert body["fulfilled_at"] is None and body["refunded_at"] is None


@pytest.mark.parametrize(("sent", "answered"), [(49.9, "49.90"), (10, "10.00"), ("0", "0.00"), ("7.5", "7.50")])
def test_amounts_are_answered_as_strings_with_two_decimals(client, shop, sent, answered):
    body = order_payload(total=sent)
    body["items"][0]["price"] = sent
    answer = client.post(ORDERS, json=body, headers=shop.headers).get_json()
    assert answer["total"] == answered
    assert answer["items"][0]["price"] == answered


@pytest.mark.parametrize("email", ["Ana.Buyer@Example.COM", "ANA.BUYER@EXAMPLE.COM", "ana.buyer@example.com"])
def test_customer_email_is_normalised_to_lower_case(client, shop, email):
    answer = client.post(ORDERS, json=order_payload(email=email), headers=shop.headers).get_json()
    assert answer["customer"]["email"] == "ana.buyer@example.com"


def test_one_customer_whatever_the_case_of_the_email(app, client, shop):
    client.post(ORDERS, json=order_payload("ORDER-1", email="Ana@Example.com"), headers=shop.headers)
    before = row_counts(app)
    client.post(ORDERS, json=order_payload("ORDER-2", email="ana@EXAMPLE.com"), headers=shop.headers)
    after = row_counts(app)
    assert after["customers"] == before["customers"]
    assert after["orders"] == before["orders"] + 1


def test_placed_at_with_an_offset_is_answered_in_utc(client, shop):
    body = order_payload(placed_at="2026-11-01T14:00:00+02:00")
    assert client.post(ORDERS, json=body, headers=shop.headers).get_json()["placed_at"] == \
        "2026-11-01T12:00:00+00:00"


@pytest.mark.parametrize(("sent", "answered"), [(None, "en"), ("de", "de"), ("pt_BR", "pt-BR"), ("pt-BR", "pt-BR")])
def test_customer_locale_defaults_to_en_and_is_normalised(client, shop, sent, answered):
    body = order_payload()
    body["customer"]["locale"] = sent
    if sent is None:
        del body["customer"]["locale"]
    assert client.post(ORDERS, json=body, headers=shop.headers).get_json()["customer"]["locale"] == answered


def test_referral_code_is_kept(client, shop):
    answer = client.post(ORDERS, json=order_payload(referral_code="ANA-5X"), headers=shop.headers).get_json()
    assert answer["referral_code"] == "ANA-5X"


def test_unknown_product_in_items_is_created_from_the_item(client, shop):
    body = order_payload(items=[("new/sku ü", "Rain shell")])
    body["items"][0].update(url="https://shop.example/p/rain", sku="RS-L", gtin="4006381333955")
    client.post(ORDERS, json=body, headers=shop.headers)
    product = client.get("/api/v1/products/" + quote("new/sku ü", safe=""), headers=shop.headers)
    assert product.status_code == 200
    got = product.get_json()
    assert (got["name"], got["url"], got["sku"], got["gtin"]) == \
        ("Rain shell", "https://shop.example/p/rain", "RS-L", "4006381333955")


def test_known_product_is_not_overwritten_by_the_item(app, client, shop):
    make_product(app, shop, "sku-1", "Trail Runner 2", brand="Demo")
    client.post(ORDERS, json=order_payload(items=[("sku-1", "renamed in the cart")]), headers=shop.headers)
    got = client.get("/api/v1/products/sku-1", headers=shop.headers).get_json()
    assert (got["name"], got["brand"]) == ("Trail Runner 2", "Demo")


def test_order_with_several_items_keeps_them_in_order(client, shop):
    body = order_payload(items=[("a", "A"), ("b", "B"), ("c", "C")])
    body["items"][1]["quantity"] = 3
    answer = client.post(ORDERS, json=body, headers=shop.headers).get_json()
    assert [(i["product_id"], i["quantity"]) for i in answer["items"]] == [("a", 1), ("b", 3), ("c", 1)]


# --- reading back --------------------------------------------------------------------------------

def test_get_answers_what_the_post_answered(client, shop):
    created = client.post(ORDERS, json=order_payload("ORDER-1"), headers=shop.headers)
    got = client.get(order_url("ORDER-1"), headers=shop.headers)
    assert got.status_code == 200
    assert got.get_data() == created.get_data()


@pytest.mark.parametrize("order_id", ["#1001", "2026/11/0042", "Bestellung-Ä-1", "注文-7", "a b", "x" * 255, "a//b"])
def test_order_id_is_any_url_encoded_string(client, shop, order_id):
    assert client.post(ORDERS, json=order_payload(order_id), headers=shop.headers).status_code == 201
    got = client.get(order_url(order_id), headers=shop.headers)
    assert got.status_code == 200
    assert got.get_json()["id"] == order_id
    assert event(client, shop, order_id, "fulfilled").get_json()["status"] == "fulfilled"


def test_unknown_order_is_404(client, shop):
    assert_problem(client.get(order_url("NO-SUCH-ORDER"), headers=shop.headers), 404)


# --- the same order id again ---------------------------------------------------------------------

def test_same_order_id_again_answers_200_with_the_same_body_and_writes_nothing(app, client, shop):
    body = order_payload("ORDER-1")
    first = client.post(ORDERS, json=body, headers=shop.headers)
    before = row_counts(app)
    again = client.post(ORDERS, json=body, headers=shop.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_data() == first.get_data()
    assert row_counts(app) == before


def test_same_order_id_with_other_content_changes_nothing(app, client, shop):
    first = client.post(ORDERS, json=order_payload("ORDER-1"), headers=shop.headers)
    before = row_counts(app)
    other = order_payload("ORDER-1", email="someone.else@example.com", items=[("sku-9", "Other")], total="1.00")
    again = client.post(ORDERS, json=other, headers=shop.headers)
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert row_counts(app) == before


# --- events --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["fulfilled", "delivered", "refunded", "cancelled"])
def test_event_sets_its_status_and_timestamp(app, client, shop, kind):
    order_id = make_order(app, shop)
    response = event(client, shop, order_id, kind, "2026-11-03T09:30:00+01:00")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == kind
    assert body[f"{kind}_at"] == "2026-11-03T08:30:00+00:00"


def test_event_without_a_timestamp_happens_now(app, client, shop):
    order_id = make_order(app, shop)
    clock.travel(timedelta(days=400))  # far from any real "now": the service's clock decides
    body = event(client, shop, order_id, "fulfilled").get_json()
    assert body["fulfilled_at"][:10] == clock.now().date().isoformat()


def test_event_is_visible_when_the_order_is_read_back(app, client, shop):
    order_id = make_order(app, shop)
    event(client, shop, order_id, "fulfilled", "2026-11-03T09:30:00+00:00")
    got = client.get(order_url(order_id), headers=shop.headers).get_json()
    assert (got["status"], got["fulfilled_at"]) == ("fulfilled", "2026-11-03T09:30:00+00:00")


def test_delivery_implies_fulfilment(app, client, shop):
    order_id = make_order(app, shop)
    body = event(client, shop, order_id, "delivered", "2026-11-05T10:00:00+00:00").get_json()
    assert body["status"] == "delivered"
    assert body["fulfilled_at"] == body["delivered_at"] == "2026-11-05T10:00:00+00:00"


def test_late_fulfilment_does_not_undo_a_delivery(app, client, shop):
    order_id = make_order(app, shop)
    event(client, shop, order_id, "delivered", "2026-11-05T10:00:00+00:00")
    body = event(client, shop, order_id, "fulfilled", "2026-11-04T10:00:00+00:00").get_json()
    assert body["status"] == "delivered"


@pytest.mark.parametrize("kind", ["fulfilled", "delivered", "refunded", "cancelled"])
def test_repeated_event_changes_nothing(app, client, shop, kind):
    order_id = make_order(app, shop)
    first = event(client, shop, order_id, kind, "2026-11-03T09:00:00+00:00")
    before = row_counts(app)
    again = event(client, shop, order_id, kind, "2026-11-09T09:00:00+00:00")
    assert again.status_code == 200
    assert again.get_json()[f"{kind}_at"] == first.get_json()[f"{kind}_at"] == "2026-11-03T09:00:00+00:00"
    assert row_counts(app) == before


@pytest.mark.parametrize(("terminal", "kind"), [
    (terminal, kind) for terminal in ("refunded", "cancelled")
    for kind in ("fulfilled", "delivered", "refunded", "cancelled") if kind != terminal
])
def test_other_event_after_a_refund_or_cancellation_is_409(app, client, shop, terminal, kind):
    order_id = make_order(app, shop)
    event(client, shop, order_id, terminal)
    before = row_counts(app)
    assert_problem(event(client, shop, order_id, kind), 409)
    assert row_counts(app) == before
    assert client.get(order_url(order_id), headers=shop.headers).get_json()["status"] == terminal


def test_refund_after_fulfilment_is_allowed(app, client, shop):
    order_id = make_order(app, shop, fulfilled=True)
    body = event(client, shop, order_id, "refunded").get_json()
    assert body["status"] == "refunded"
    assert body["fulfilled_at"] is not None


def test_event_for_unknown_order_is_404_and_writes_nothing(app, client, shop):
    before = row_counts(app)
    assert_problem(event(client, shop, "NO-SUCH-ORDER", "fulfilled"), 404)
    assert row_counts(app) == before


# --- Idempotency-Key -----------------------------------------------------------------------------

def test_same_key_and_payload_replays_the_first_answer(app, client, shop):
    headers = {**shop.headers, "Idempotency-Key": "key-1"}
    first = client.post(ORDERS, json=order_payload("ORDER-1"), headers=headers)
    before = row_counts(app)
    again = client.post(ORDERS, json=order_payload("ORDER-1"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.get_data() == first.get_data()
    assert row_counts(app) == before


def test_same_key_with_another_payload_is_422(app, client, shop):
    headers = {**shop.headers, "Idempotency-Key": "key-1"}
    client.post(ORDERS, json=order_payload("ORDER-1"), headers=headers)
    before = row_counts(app)
    response = client.post(ORDERS, json=order_payload("ORDER-2"), headers=headers)
    assert_problem(response, 422)
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert row_counts(app) == before


def test_same_key_on_another_endpoint_is_422(app, client, shop):
    order_id = make_order(app, shop)
    headers = {"Idempotency-Key": "key-1"}
    client.post(ORDERS, json=order_payload("ORDER-1"), headers={**shop.headers, **headers})
    assert_problem(event(client, shop, order_id, "fulfilled", **headers), 422)


def test_same_key_in_two_shops_is_two_requests(client, shop, other_shop):
    body = order_payload("ORDER-1")
    a = client.post(ORDERS, json=body, headers={**shop.headers, "Idempotency-Key": "key-1"})
    b = client.post(ORDERS, json=body, headers={**other_shop.headers, "Idempotency-Key": "key-1"})
    assert (a.status_code, b.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in b.headers


def test_refused_request_does_not_use_up_its_key(client, shop):
    headers = {**shop.headers, "Idempotency-Key": "key-1"}
    bad = order_payload("ORDER-1", currency="euro")
    assert client.post(ORDERS, json=bad, headers=headers).status_code == 422
    assert client.post(ORDERS, json=order_payload("ORDER-1"), headers=headers).status_code == 201


def test_event_with_a_key_replays_its_answer(app, client, shop):
    order_id = make_order(app, shop)
    first = event(client, shop, order_id, "fulfilled", "2026-11-03T09:00:00+00:00", **{"Idempotency-Key": "e-1"})
    again = event(client, shop, order_id, "fulfilled", "2026-11-03T09:00:00+00:00", **{"Idempotency-Key": "e-1"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()


@pytest.mark.parametrize("key", ["", "   ", "k" * 256, "key\x01one", "clé-ü"])
def test_malformed_idempotency_key_is_422(app, client, shop, key):
    before = row_counts(app)
    response = client.post(ORDERS, json=order_payload(), headers={**shop.headers, "Idempotency-Key": key})
    assert_problem(response, 422, field="Idempotency-Key")
    assert row_counts(app) == before


def test_same_key_while_the_first_request_is_in_flight_is_409(app, shop, monkeypatch):
    """The first request is held inside the service, after it claimed the key; a retry arrives."""
    inside, release = threading.Event(), threading.Event()
    ingest = catalog_service.ingest_order

    def held_ingest(*args, **kwargs):
        inside.set()
        release.wait()
        return ingest(*args, **kwargs)

    monkeypatch.setattr(catalog_service, "ingest_order", held_ingest)
    headers = {**shop.headers, "Idempotency-Key": "key-1"}
    body = order_payload("ORDER-1")
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault(
        "first", app.test_client().post(ORDERS, json=body, headers=headers)))
    first.start()
    try:
        inside.wait()
        answers["retry"] = app.test_client().post(ORDERS, json=body, headers=headers)
    finally:
        release.set()
        first.join()
    assert_problem(answers["retry"], 409)
    assert int(answers["retry"].headers["Retry-After"]) >= 1
    assert answers["first"].status_code == 201
    monkeypatch.undo()
    replay = app.test_client().post(ORDERS, json=body, headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_data() == answers["first"].get_data()


def test_claim_abandoned_by_a_crashed_request_is_taken_over(app, client, shop):
    with app.app_context():
        db.session.add(IdempotencyKey(shop_id=shop.id, key="key-1", request_hash="0" * 64))
        db.session.commit()
    clock.travel(timedelta(minutes=5))
    response = client.post(ORDERS, json=order_payload("ORDER-1"),
                           headers={**shop.headers, "Idempotency-Key": "key-1"})
    assert response.status_code == 201


# --- the widget token ----------------------------------------------------------------------------

def _token(client, shop, order_id="ORDER-1"):
    return client.post(ORDERS, json=order_payload(order_id), headers=shop.headers).get_json()["widget_token"]


def test_widget_token_verifies_for_its_shop(app, client, shop):
    token = _token(client, shop)
    with app.app_context():
        claims = tokens.unsign(tokens.WIDGET_TOKEN, token, shop_id=shop.id)
    assert claims["shop"] == shop.id
    assert "order" in claims


def test_widget_token_is_refused_for_another_shop(app, client, shop, other_shop):
    token = _token(client, shop)
    with app.app_context(), pytest.raises(tokens.TokenError):
        tokens.unsign(tokens.WIDGET_TOKEN, token, shop_id=other_shop.id)


def test_widget_token_is_refused_for_another_purpose(app, client, shop):
    token = _token(client, shop)
    with app.app_context(), pytest.raises(tokens.TokenError):
        tokens.unsign(tokens.REVIEW_REQUEST_TOKEN, token, shop_id=shop.id)


def test_widget_token_expires(app, client, shop):
    token = _token(client, shop)
    clock.travel(timedelta(seconds=app.config["WIDGET_TOKEN_MAX_AGE"] + 60))
    with app.app_context(), pytest.raises(tokens.TokenError) as refused:
        tokens.unsign(tokens.WIDGET_TOKEN, token, shop_id=shop.id)
    assert refused.value.reason == "expired"


def test_widget_tokens_differ_between_orders(client, shop):
    assert _token(client, shop, "ORDER-1") != _token(client, shop, "ORDER-2")


def test_tampered_widget_token_is_refused(app, client, shop):
    token = _token(client, shop)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with app.app_context(), pytest.raises(tokens.TokenError):
        tokens.unsign(tokens.WIDGET_TOKEN, tampered, shop_id=shop.id)
