"""Shopify's webhooks through HTTP, end to end: the product, an order with a referral code, its
fulfilment, the review request e-mail at a real SMTP server, a review, then a refund that reverses
the referral. And what must not happen: a duplicate stored twice, an altered body accepted."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import assert_problem, row_counts, set_settings
from tests.referrals.conftest import browser, order, referral_of, set_program

from .conftest import SHOPIFY_DOMAIN, connect, deliveries, fixture, order_of, parse, run_worker, shopify, sign

ORDER_ID = "820982911946154508"
PRODUCT_ID = "788032119674292922"
LINK = re.compile(r"https?://\S+/review/(\S+)")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def connected(client, shop):
    connect(client, shop, "shopify", SHOPIFY_DOMAIN)
    return shop


def referred_order(code: str) -> dict:
    payload = fixture("shopify/orders_create.json")
    payload["discount_codes"][0]["code"] = code
    payload["note_attributes"][0]["value"] = code
    return payload


def test_a_shopify_shop_from_product_to_refund(app, client, connected, smtp):
    shop = connected
    set_program(client, shop)
    set_settings(client, shop, review_request_delay_days=0)

    # The product: title, the store's product URL, image, vendor as brand, barcode as GTIN, SKU.
    assert shopify(client, shop, "products/create", fixture("shopify/products_create.json")).status_code == 200
    product = client.get(f"/api/v1/products/{PRODUCT_ID}", headers=shop.headers).json
    assert (product["name"], product["url"], product["brand"], product["gtin"], product["sku"]) == (
        "Trail shoes", f"https://{SHOPIFY_DOMAIN}/products/trail-shoes", "Peak Outfitters",
        "4006381333931", "TRAIL-42")
    assert product["image_url"].endswith("/trail-shoes.jpg")

    # Ana bought earlier (through the API); her code comes with Bob's order.
    ana = order(client, shop, "ana@example.com", "Ana Buyer")
    code = browser(client, shop).panel(ana["widget_token"]).json["code"]
    answer = shopify(client, shop, "orders/create", referred_order(code))
    assert answer.status_code == 200 and answer.json["status"] == "applied", answer.json
    bob = order_of(client, shop, ORDER_ID)
    assert bob["customer"] | {} == {"email": "bob.friend@example.com", "name": "Bob Friend", "given_name": "Bob",
                                    "family_name": "Friend", "locale": "en", "accepts_marketing": True}
    assert bob["items"] == [{"product_id": PRODUCT_ID, "name": "Trail shoes", "quantity": 2,
                             "price": "49.90", "refunded_quantity": 0}]
    assert (bob["currency"], bob["total"], bob["referral_code"]) == ("EUR", "99.80", code)
    assert referral_of(client, shop, ORDER_ID)["status"] == "pending"

    # Fulfilled: the review request falls due, and its e-mail reaches Bob.
    assert shopify(client, shop, "orders/fulfilled", fixture("shopify/orders_fulfilled.json")).json["status"] == "applied"
    assert order_of(client, shop, ORDER_ID)["status"] == "fulfilled"
    run_worker(app)
    [mail] = [parse(m) for m in smtp.messages if parse(m)["To"].endswith("bob.friend@example.com>")
              or parse(m)["To"] == "bob.friend@example.com"]
    text = mail.get_body(("plain",)).get_content()
    assert "Trail shoes" in text
    token = LINK.search(text).group(1)

    # Bob reviews through the link.
    review = client.post(f"{shop.public}/products/{PRODUCT_ID}/reviews",
                         json={"token": token, "rating": 5, "body": "Grippy and light."})
    assert review.status_code == 201, review.json
    assert review.json["verified_buyer"] is True

    # The whole order is refunded: the order is refunded, the referral rejected.
    refunded = shopify(client, shop, "refunds/create", fixture("shopify/refunds_create.json"))
    assert refunded.json["status"] == "applied", refunded.json
    after = order_of(client, shop, ORDER_ID)
    assert after["status"] == "refunded"
    assert after["refunds"][0]["amount"] == "99.80"
    assert after["refunds"][0]["lines"] == [{"product_id": PRODUCT_ID, "quantity": 2}]
    referral = referral_of(client, shop, ORDER_ID)
    assert (referral["status"], referral["reason"]) == ("rejected", "refunded")
    assert [d["topic"] for d in deliveries(client, shop, "shopify")] == [
        "refunds/create", "orders/fulfilled", "orders/create", "products/create"]


def test_a_webhook_order_is_what_the_api_would_store(app, client, connected, other_shop):
    shopify(client, connected, "orders/create", fixture("shopify/orders_create.json"))
    body = {"id": ORDER_ID, "customer": {"email": "bob.friend@example.com", "first_name": "Bob",
                                         "last_name": "Friend", "locale": "en", "accepts_marketing": True},
            "items": [{"product_id": PRODUCT_ID, "name": "Trail shoes", "quantity": 2, "price": "49.90",
                       "sku": "TRAIL-42"}],
            "placed_at": "2026-11-20T10:15:00+01:00", "currency": "EUR", "total": "99.80",
            "referral_code": "REFERRAL-CODE",  # the rv_ref note attribute, as the API takes it
            "shipping_address": {"line1": "Hauptstraße 1", "city": "Berlin", "postal_code": "10115",
                                 "country": "DE"}}
    assert client.post("/api/v1/orders", json=body, headers=other_shop.headers).status_code == 201
    ignore = {"widget_token", "created_at", "customer_id"}  # the service's own ids differ per shop
    by_hook = {k: v for k, v in order_of(client, connected, ORDER_ID).items() if k not in ignore}
    by_api = {k: v for k, v in order_of(client, other_shop, ORDER_ID).items() if k not in ignore}
    assert by_hook == by_api


def test_a_duplicate_delivery_stores_nothing(app, client, connected):
    payload = fixture("shopify/orders_create.json")
    first = shopify(client, connected, "orders/create", payload, event_id="event-1")
    assert first.json["status"] == "applied"
    before = row_counts(app)
    again = shopify(client, connected, "orders/create", payload, event_id="event-1")
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert row_counts(app) == before


def test_without_an_event_id_the_webhook_id_deduplicates(app, client, connected):
    payload = fixture("shopify/products_create.json")
    body = json.dumps(payload).encode()
    headers = {"X-Shopify-Topic": "products/create", "X-Shopify-Hmac-Sha256": sign(body),
               "X-Shopify-Shop-Domain": SHOPIFY_DOMAIN, "X-Shopify-Webhook-Id": "wh-same",
               "Content-Type": "application/json"}
    url = f"/connect/shopify/{connected.slug}/webhooks"
    assert client.post(url, data=body, headers=headers).json["status"] == "applied"
    assert client.post(url, data=body, headers=headers).json["status"] == "duplicate"


@pytest.mark.parametrize("tamper", ["altered body", "wrong secret", "no signature"])
def test_a_body_altered_after_signing_is_refused_and_nothing_stored(app, client, connected, tamper):
    payload = fixture("shopify/orders_create.json")
    body = json.dumps(payload).encode()
    signature = {"altered body": sign(body), "wrong secret": sign(body, "another secret"),
                 "no signature": ""}[tamper]
    sent = body.replace(b'"99.80"', b'"0.01"') if tamper == "altered body" else body
    before = row_counts(app)
    answer = shopify(client, connected, "orders/create", sent, signature=signature or " ")
    assert_problem(answer, 401)
    assert row_counts(app) == before


def test_another_store_domain_is_refused(app, client, connected):
    before = row_counts(app)
    answer = shopify(client, connected, "orders/create", fixture("shopify/orders_create.json"),
                     domain="someone-else.myshopify.com")
    assert_problem(answer, 401)
    assert row_counts(app) == before


def test_an_unknown_topic_is_answered_200_and_ignored(app, client, connected):
    before = row_counts(app)
    answer = shopify(client, connected, "carts/update", {"id": "cart-1"})
    assert answer.status_code == 200 and answer.json["status"] == "ignored"
    assert row_counts(app) == before


def test_a_refund_before_the_order_waits_for_it_and_one_before_fulfilment_ends_the_request(
        app, client, connected):
    early = shopify(client, connected, "refunds/create", fixture("shopify/refunds_create.json"))
    assert early.json["status"] == "waiting"
    shopify(client, connected, "orders/create", fixture("shopify/orders_create.json"))
    assert order_of(client, connected, ORDER_ID)["status"] == "refunded"
    late = shopify(client, connected, "orders/fulfilled", fixture("shopify/orders_fulfilled.json"))
    assert late.status_code == 200 and late.json["status"] == "ignored"
    shown = order_of(client, connected, ORDER_ID)
    assert shown["status"] == "refunded" and shown["review_request"] is None
    assert [d["status"] for d in deliveries(client, connected, "shopify")] == ["ignored", "applied", "applied"]


def test_a_partial_refund_is_recorded_with_its_amount_and_lines_and_takes_back_only_those(
        app, client, connected):
    payload = fixture("shopify/orders_create.json")
    payload["line_items"].append({**payload["line_items"][0], "id": 2, "product_id": 999, "title": "Wool socks",
                                  "name": "Wool socks", "quantity": 1, "price": "29.90", "sku": "SOCK-1"})
    payload["total_price"] = "129.70"
    shopify(client, connected, "orders/create", payload)
    shopify(client, connected, "orders/fulfilled", fixture("shopify/orders_fulfilled.json"))
    refund = fixture("shopify/refunds_create.json")
    refund["refund_line_items"][0].update(quantity=2, subtotal=99.8)
    refund["transactions"][0]["amount"] = "99.80"
    assert shopify(client, connected, "refunds/create", refund).json["status"] == "applied"
    shown = order_of(client, connected, ORDER_ID)
    assert shown["status"] == "fulfilled"
    assert shown["refunds"] == [{"id": "509562969", "amount": "99.80", "occurred_at": shown["refunds"][0]["occurred_at"],
                                 "lines": [{"product_id": PRODUCT_ID, "quantity": 2}]}]
    assert shown["review_request"]["product_ids"] == ["999"]  # the socks are still asked about


def test_delivered_fulfilment_update_is_the_delivered_event(app, client, connected):
    shopify(client, connected, "orders/create", fixture("shopify/orders_create.json"))
    update = fixture("shopify/fulfillments_update.json")
    assert shopify(client, connected, "fulfillments/update", dict(update, shipment_status="in_transit")).json[
        "status"] == "ignored"
    assert shopify(client, connected, "fulfillments/update", update).json["status"] == "applied"
    assert order_of(client, connected, ORDER_ID)["status"] == "delivered"


def test_a_cancelled_order_is_cancelled(app, client, connected):
    shopify(client, connected, "orders/create", fixture("shopify/orders_create.json"))
    shopify(client, connected, "orders/cancelled", fixture("shopify/orders_cancelled.json"))
    assert order_of(client, connected, ORDER_ID)["status"] == "cancelled"


def test_customers_redact_erases_the_customer(app, client, connected):
    shopify(client, connected, "orders/create", fixture("shopify/orders_create.json"))
    answer = shopify(client, connected, "customers/redact", {
        "shop_id": 954889, "shop_domain": SHOPIFY_DOMAIN, "customer": {"id": 191167, "email": "bob.friend@example.com"},
        "orders_to_redact": [int(ORDER_ID)]})
    assert answer.json["status"] == "applied"
    gone = client.get("/api/v1/customers/export", query_string={"email": "bob.friend@example.com"},
                      headers=connected.headers)
    assert gone.status_code == 404
