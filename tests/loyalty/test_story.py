"""The programme end to end through HTTP, with the movable clock, the worker and a real SMTP
server: an order earns points on hold, the hold passes, a review earns its points, a tier is
reached, a redemption issues a code from the pool, a refund of a later order reverses its points,
and points unused for the period expire, with a reminder e-mail first."""

from __future__ import annotations

import pytest

from tests.helpers import submit
from tests.outbox.conftest import parse, smtp  # noqa: F401

from .conftest import add_endpoint, ledger, load_codes, order, outbox, redeem, standing, travel, worker


def webhooks(app, topic: str) -> list[dict]:
    return [row.payload["data"] for row in outbox(app, kind="webhook", topic=topic)]


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute", "SMTP_URL": smtp.url}


def subjects(smtp) -> list[str]:  # noqa: F811
    return [parse(raw)["Subject"] for raw in smtp.messages if parse(raw)["To"] == "ana@example.com"]


def test_the_programme_from_first_order_to_expiry(app, client, runner, program, smtp):  # noqa: F811
    shop = program
    add_endpoint(client, shop, "https://shop-a.example/hooks", ["loyalty.points_earned", "loyalty.tier_changed",
                                                                 "loyalty.reward_redeemed"])
    load_codes(client, shop, "five-off", ["FIVE-A1", "FIVE-B2"])

    first = order(client, shop, "120.00")
    customer = first["customer_id"]
    now = standing(client, shop, customer, lang="hy")
    assert (now["spendable"], now["pending"]) == (0, 120)
    assert now["tier"]["name"] == "Բրոնզ"  # a tier from 0 points: the first order reaches it
    assert now["progress"] == {"basis": "points", "value": "120", "missing": "130",
                               "next_tier": {"id": "silver", "name": "Արծաթ", "threshold": 250, "multiplier": "1.5",
                                             "perks": "Անվճար վերադարձ"}}

    travel(13)
    worker(runner)
    assert standing(client, shop, customer)["spendable"] == 0  # still held
    travel(2)
    worker(runner)
    now = standing(client, shop, customer)
    assert (now["spendable"], now["pending"]) == (120, 0)

    review = submit(client, shop, "sku-1", rating=5, body="Warm.", token=first["widget_token"])
    assert review.status_code == 201 and review.json["incentivized"] is True
    assert standing(client, shop, customer)["spendable"] == 170

    later = order(client, shop, "100.00")
    now = standing(client, shop, customer)
    assert (now["spendable"], now["pending"], now["tier"]["id"]) == (170, 100, "silver")
    assert webhooks(app, "loyalty.tier_changed")[-1] | {"at": None} == {
        "customer_id": customer, "from": "bronze", "to": "silver", "at": None}

    answer = redeem(client, shop, customer, "five-off", key="redeem-1")
    assert answer.status_code == 201, answer.json
    assert (answer.json["code"], answer.json["points"], answer.json["offer"]["description"]) == \
        ("FIVE-A1", 100, "€5 off your next order")
    again = redeem(client, shop, customer, "five-off", key="redeem-1")
    assert again.json == answer.json and again.headers["Idempotent-Replayed"] == "true"
    assert standing(client, shop, customer)["spendable"] == 70
    assert webhooks(app, "loyalty.reward_redeemed")[0]["redemption"]["code"] == "FIVE-A1"

    refunded = client.post(f"/api/v1/orders/{later['id']}/events", json={"type": "refunded"}, headers=shop.headers)
    assert refunded.status_code == 200
    now = standing(client, shop, customer)
    assert (now["spendable"], now["pending"], now["tier"]["id"]) == (70, 0, "bronze")

    # A year passes with the worker stopped: the points are not taken before a reminder has
    # given the member 30 days' notice.
    travel(365)
    worker(runner)
    now = standing(client, shop, customer)
    assert (now["spendable"], now["expiring"]["points"], now["expiring"]["soon"]) == (70, 70, True)
    assert len(outbox(app, kind="email", topic="loyalty_points_expiring")) == 1
    assert subjects(smtp)[-1].startswith("Your 70 points at Shop A expire on ")
    travel(29)
    worker(runner)
    assert standing(client, shop, customer)["spendable"] == 70
    travel(2)
    worker(runner)
    now = standing(client, shop, customer)
    assert (now["spendable"], now["pending"], now["expiring"]) == (0, 0, None)

    assert [(e["kind"], e["source"], e["points"], e["spendable_after"], e["pending_after"])
            for e in ledger(client, shop, customer)] == [
        ("earn", "order", 120, 0, 120), ("hold_release", "order", 120, 120, 0), ("earn", "review", 50, 170, 0),
        ("earn", "order", 100, 170, 100), ("redeem", "redemption", -100, 70, 100),
        ("reverse", "order", -100, 70, 0), ("expire", "programme", -70, 0, 0)]
    mailed = subjects(smtp)
    assert "Your reward from Shop A is ready" in mailed and any("Silver" in m for m in mailed)
    assert [m for m in mailed if "expire" in m] == [mailed[-1]]  # one reminder, before the expiry
    earned = webhooks(app, "loyalty.points_earned")
    assert [(e["entry"]["source"], e["entry"]["points"]) for e in earned] == \
        [("order", 120), ("review", 50), ("order", 100)]
