"""WooCommerce's webhooks through HTTP, end to end: the product, an order with a referral coupon
and the rv_ref the checkout saved, its completion, the review request e-mail at a real SMTP
server, a review, then the refund that reverses the referral; the ping, duplicates, a partial
refund, an altered body."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import assert_problem, row_counts, set_settings
from tests.referrals.conftest import browser, order, referral_of, set_program

from .conftest import WOO_DOMAIN, connect, deliveries, fixture, order_of, parse, run_worker, sign, woocommerce

LINK = re.compile(r"https?://\S+/review/(\S+)")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def connected(client, shop):
    connect(client, shop, "woocommerce", WOO_DOMAIN)
    return shop


def with_code(payload: dict, code: str) -> dict:
    payload["coupon_lines"][0]["code"] = code
    payload["meta_data"][0]["value"] = code
    return payload


def test_a_woocommerce_shop_from_product_to_refund(app, client, connected, smtp):
    shop = connected
    set_program(client, shop)
    set_settings(client, shop, review_request_delay_days=0)

    assert woocommerce(client, shop, "product.created", fixture("woocommerce/product_created.json")).json[
        "status"] == "applied"
    product = client.get("/api/v1/products/794", headers=shop.headers).json
    assert (product["name"], product["url"], product["gtin"], product["sku"], product["brand"]) == (
        "Trail shoes", "https://shop.example.com/product/trail-shoes/", "4006381333931", "TRAIL-42",
        "Peak Outfitters")

    ana = order(client, shop, "ana@example.com", "Ana Buyer")
    code = browser(client, shop).panel(ana["widget_token"]).json["code"]
    created = woocommerce(client, shop, "order.created", with_code(fixture("woocommerce/order_created.json"), code))
    assert created.json["status"] == "applied", created.json
    bob = order_of(client, shop, "727")
    assert (bob["customer"]["given_name"], bob["customer"]["family_name"], bob["customer"]["accepts_marketing"]) == (
        "Bob", "Friend", True)
    assert bob["items"][0] | {} == {"product_id": "794", "name": "Trail shoes", "quantity": 2, "price": "49.90",
                                    "refunded_quantity": 0}
    assert (bob["total"], bob["placed_at"], bob["referral_code"]) == ("99.80", "2026-11-20T09:15:00+00:00", code)
    assert referral_of(client, shop, "727")["status"] == "pending"

    completed = fixture("woocommerce/order_updated_completed.json")
    assert woocommerce(client, shop, "order.updated", with_code(completed, code)).json["status"] == "applied"
    assert order_of(client, shop, "727")["status"] == "fulfilled"
    run_worker(app)
    [mail] = [parse(m) for m in smtp.messages if "bob.friend@example.com" in parse(m)["To"]]
    token = LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    review = client.post(f"{shop.public}/products/794/reviews", json={"token": token, "rating": 4, "body": "Good."})
    assert review.status_code == 201 and review.json["verified_buyer"] is True

    refunded = woocommerce(client, shop, "order.updated", with_code(fixture("woocommerce/order_updated_refunded.json"), code))
    assert refunded.json["status"] == "applied", refunded.json
    assert order_of(client, shop, "727")["status"] == "refunded"
    referral = referral_of(client, shop, "727")
    assert (referral["status"], referral["reason"]) == ("rejected", "refunded")


def test_the_ping_sent_when_a_webhook_is_saved_is_answered_200_and_stores_nothing(app, client, connected):
    before = row_counts(app)
    answer = client.post(f"/connect/woocommerce/{connected.slug}/webhooks", data=b"webhook_id=12",
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.7)"})
    assert answer.status_code == 200 and answer.json["ping"] is True
    assert row_counts(app) == before


def test_a_duplicate_delivery_stores_nothing(app, client, connected):
    payload = fixture("woocommerce/order_created.json")
    assert woocommerce(client, connected, "order.created", payload, delivery_id="abc123").json["status"] == "applied"
    before = row_counts(app)
    again = woocommerce(client, connected, "order.created", payload, delivery_id="abc123")
    assert again.json["status"] == "duplicate"
    assert row_counts(app) == before


def test_two_updates_in_one_second_share_a_delivery_id_and_both_count(app, client, connected):
    """WooCommerce's delivery id is wp_hash(webhook id . second): the body tells them apart."""
    woocommerce(client, connected, "order.created", fixture("woocommerce/order_created.json"), delivery_id="same")
    completed = woocommerce(client, connected, "order.updated", fixture("woocommerce/order_updated_completed.json"),
                            delivery_id="same")
    partial = woocommerce(client, connected, "order.updated",
                          fixture("woocommerce/order_updated_partial_refund.json"), delivery_id="same")
    assert (completed.json["status"], partial.json["status"]) == ("applied", "applied")
    assert order_of(client, connected, "727")["refunds"][0]["amount"] == "49.90"


def test_a_partial_refund_is_recorded_with_its_amount(app, client, connected):
    woocommerce(client, connected, "order.created", fixture("woocommerce/order_created.json"))
    woocommerce(client, connected, "order.updated", fixture("woocommerce/order_updated_completed.json"))
    woocommerce(client, connected, "order.updated", fixture("woocommerce/order_updated_partial_refund.json"))
    shown = order_of(client, connected, "727")
    assert shown["status"] == "fulfilled"
    assert [(r["id"], r["amount"], r["lines"]) for r in shown["refunds"]] == [("wc-729", "49.90", [])]
    assert shown["review_request"]["status"] == "scheduled"


def test_a_refund_before_completion_ends_the_order_and_the_late_completion_changes_nothing(
        app, client, connected):
    refunded = fixture("woocommerce/order_updated_refunded.json")
    assert woocommerce(client, connected, "order.updated", refunded).json["status"] == "applied"
    assert order_of(client, connected, "727")["status"] == "refunded"
    late = woocommerce(client, connected, "order.updated", fixture("woocommerce/order_updated_completed.json"))
    assert late.status_code == 200
    shown = order_of(client, connected, "727")
    assert shown["status"] == "refunded" and shown["review_request"] is None


def test_a_pending_order_is_not_an_order_yet(app, client, connected):
    before = row_counts(app)
    payload = dict(fixture("woocommerce/order_created.json"), status="pending")
    assert woocommerce(client, connected, "order.created", payload).json["status"] == "ignored"
    after = row_counts(app)
    assert {t: n for t, n in after.items() if n != before[t]} == {"connector_deliveries": before["connector_deliveries"] + 1}


def test_a_body_altered_after_signing_is_refused_and_nothing_stored(app, client, connected):
    body = json.dumps(fixture("woocommerce/order_created.json")).encode()
    before = row_counts(app)
    answer = woocommerce(client, connected, "order.created", body.replace(b'"99.80"', b'"1.00"'),
                         signature=sign(body))
    assert_problem(answer, 401)
    assert row_counts(app) == before


def test_a_delivery_from_another_site_is_refused(app, client, connected):
    answer = woocommerce(client, connected, "order.created", fixture("woocommerce/order_created.json"),
                         source="https://evil.example/")
    assert_problem(answer, 401)
    assert deliveries(client, connected, "woocommerce") == []
