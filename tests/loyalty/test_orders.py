"""An order's points: earned once on hold, released when the hold passes, reversed by a refund or a
cancellation (a partial refund in proportion), whatever arrives twice or in whatever order; only a
reversal takes a balance below zero, and then nothing is redeemed until it is positive again."""

from __future__ import annotations

import pytest

from tests.connectors.conftest import SHOPIFY_DOMAIN, connect, fixture, shopify
from tests.factories import order_payload

from .conftest import ledger, load_codes, order, redeem, set_program, standing, travel, worker

ORDER_ID = "820982911946154508"  # the Shopify fixture's order (EUR 99.80, bob.friend@example.com)


def event(client, shop, order_id: str, kind: str):
    answer = client.post(f"/api/v1/orders/{order_id}/events", json={"type": kind}, headers=shop.headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def kinds(client, shop, customer: int) -> list[tuple[str, int]]:
    return [(e["kind"], e["points"]) for e in ledger(client, shop, customer)]


def test_an_order_posted_twice_earns_once(client, program):
    body = order_payload("TWICE-1", total="80.00")
    first = client.post("/api/v1/orders", json=body, headers=program.headers)
    again = client.post("/api/v1/orders", json=body, headers=program.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert kinds(client, program, first.json["customer_id"]) == [("earn", 80)]


def test_a_refund_reported_twice_reverses_once_and_the_hold_then_releases_nothing(client, runner, program):
    placed = order(client, program, "80.00")
    event(client, program, placed["id"], "refunded")
    event(client, program, placed["id"], "refunded")  # the same event again: nothing
    travel(15)
    worker(runner)
    customer = placed["customer_id"]
    assert kinds(client, program, customer) == [("earn", 80), ("reverse", -80)]
    assert (standing(client, program, customer)["spendable"], standing(client, program, customer)["pending"]) == (0, 0)


def test_a_cancellation_after_the_hold_takes_the_released_points(client, runner, program):
    placed = order(client, program, "80.00")
    travel(15)
    worker(runner)
    event(client, program, placed["id"], "fulfilled")
    event(client, program, placed["id"], "cancelled")
    assert kinds(client, program, placed["customer_id"]) == [("earn", 80), ("hold_release", 80), ("reverse", -80)]


def test_a_partial_refund_takes_back_its_share_and_the_whole_refund_the_rest(client, program):
    connect(client, program, "shopify", SHOPIFY_DOMAIN)
    assert shopify(client, program, "orders/create", fixture("shopify/orders_create.json")).json["status"] == "applied"
    customer = client.get(f"/api/v1/orders/{ORDER_ID}", headers=program.headers).json["customer_id"]
    refund = fixture("shopify/refunds_create.json")
    refund["refund_line_items"][0].update(quantity=1, subtotal=49.9)
    refund["transactions"][0]["amount"] = "49.90"
    assert shopify(client, program, "refunds/create", refund).json["status"] == "applied"
    assert shopify(client, program, "refunds/create", refund).json["status"] == "applied"  # again: nothing
    assert kinds(client, program, customer) == [("earn", 99), ("reverse", -50)]  # half of 99, rounded

    rest = fixture("shopify/refunds_create.json")
    rest["id"] = 509562970
    rest["refund_line_items"][0].update(quantity=1, subtotal=49.9)
    rest["transactions"][0]["amount"] = "49.90"
    shopify(client, program, "refunds/create", rest)
    assert kinds(client, program, customer) == [("earn", 99), ("reverse", -50), ("reverse", -49)]
    assert standing(client, program, customer)["pending"] == 0


def test_a_reversal_may_take_the_balance_below_zero_and_then_nothing_is_redeemed(client, runner, program):
    load_codes(client, program)
    placed = order(client, program, "150.00")
    travel(15)
    worker(runner)
    customer = placed["customer_id"]
    assert redeem(client, program, customer).status_code == 201  # 150 - 100
    event(client, program, placed["id"], "refunded")

    now = standing(client, program, customer)
    assert (now["spendable"], now["flagged"]) == (-100, True)
    refused = redeem(client, program, customer, "shipping")
    assert refused.status_code == 409 and "below zero" in refused.json["detail"]
    taken = client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", headers=program.headers,
                        json={"points": -1, "reason": "test"})
    assert taken.status_code == 409  # an adjustment never goes below zero

    client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", headers=program.headers,
                json={"points": 160, "reason": "Goodwill after the refund"})
    now = standing(client, program, customer)
    assert (now["spendable"], now["flagged"]) == (60, False)
    assert redeem(client, program, customer, "shipping").status_code == 201


def test_an_order_in_another_currency_earns_nothing(client, program):
    placed = order(client, program, "80.00", currency="USD")
    assert kinds(client, program, placed["customer_id"]) == []


@pytest.mark.parametrize(("rounding", "points"), [("down", 49), ("nearest", 50), ("up", 50)])
def test_the_rounding_rule(client, shop, rounding, points):
    set_program(client, shop, rounding=rounding, points_per_unit="1.00")
    placed = order(client, shop, "49.90")
    assert kinds(client, shop, placed["customer_id"]) == [("earn", points)]


def test_a_tier_multiplies_the_points_of_the_orders_after_it_is_reached(client, shop):
    set_program(client, shop, hold_days=0)
    first = order(client, shop, "300.00")  # bronze when it is placed: x1; silver after it
    second = order(client, shop, "100.00")
    assert kinds(client, shop, first["customer_id"]) == [("earn", 300), ("earn", 150)]
    assert standing(client, shop, second["customer_id"])["tier"]["id"] == "silver"


def test_without_a_hold_of_its_own_the_return_window_holds_the_points(client, runner, shop):
    set_program(client, shop, hold_days=None)
    client.patch("/api/v1/shop", json={"settings": {"referrals": {"hold_days": 5}}}, headers=shop.headers)
    placed = order(client, shop, "20.00")
    travel(4)
    worker(runner)
    assert standing(client, shop, placed["customer_id"])["pending"] == 20
    travel(2)
    worker(runner)
    assert standing(client, shop, placed["customer_id"])["spendable"] == 20
