"""Fixtures for the loyalty programme: the programme switched on over HTTP, and helpers that drive
the server API as a shop's backend does (a customer's standing, ledger, redemptions) and the
worker as an operator runs it (`reviews-service worker --once`)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from reviews_service import clock
from reviews_service.cli import main
from tests.factories import order_payload
from tests.outbox.conftest import add_endpoint, outbox  # noqa: F401

PROGRAM = {
    "enabled": True,
    "currency": "EUR",
    "point_value": "0.05",
    "points_per_unit": "1",
    "rounding": "down",
    "for_review": 50,
    "for_review_with_photos": 80,
    "hold_days": 14,
    "expiry_months": 12,
    "tier_basis": "points",
    "tiers": [
        {"id": "bronze", "name": {"en": "Bronze", "hy": "Բրոնզ"}, "threshold": 0},
        {"id": "silver", "name": {"en": "Silver", "hy": "Արծաթ"}, "threshold": 250, "multiplier": "1.5",
         "perks": {"en": "Free returns", "hy": "Անվճար վերադարձ"}},
        {"id": "gold", "name": "Gold", "threshold": 1000, "multiplier": "2"},
    ],
    "rewards": [
        {"id": "five-off", "points": 100, "kind": "amount", "value": "5.00", "currency": "EUR"},
        {"id": "shipping", "points": 60, "kind": "free_shipping", "source": "webhook"},
    ],
}
_seq = itertools.count(1)


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def program(client, shop):
    """The shop's programme, on."""
    set_program(client, shop)
    return shop


def set_program(client, shop, **changes) -> dict:
    response = client.patch("/api/v1/shop", json={"settings": {"loyalty": {**PROGRAM, **changes}}},
                            headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json["settings"]["loyalty"]


def order(client, shop, total: str = "120.00", *, email: str = "ana@example.com", order_id: str | None = None,
          **extra) -> dict:
    """An order of `total` EUR; answers the order as the API shows it (with `customer_id`)."""
    body = order_payload(order_id or f"L-{next(_seq)}", email=email, total=total, **extra)
    body["items"][0]["price"] = total
    response = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert response.status_code in (200, 201), response.json
    return response.json


def standing(client, shop, customer_id: int, **query) -> dict:
    response = client.get(f"/api/v1/loyalty/customers/{customer_id}", query_string=query, headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json


def ledger(client, shop, customer_id: int) -> list[dict]:
    """Every entry, oldest first (the API answers newest first, a page at a time)."""
    entries, cursor = [], None
    while True:
        response = client.get(f"/api/v1/loyalty/customers/{customer_id}/ledger", headers=shop.headers,
                              query_string={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.json
        entries += response.json["entries"]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return entries[::-1]


def redeem(client, shop, customer_id: int, reward: str = "five-off", key: str | None = None):
    headers = {**shop.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1/loyalty/customers/{customer_id}/redemptions", json={"reward": reward},
                       headers=headers)


def load_codes(client, shop, reward: str = "five-off", codes: list[str] | None = None) -> dict:
    response = client.post(f"/api/v1/loyalty/rewards/{reward}/coupons", headers=shop.headers,
                           json={"codes": codes or ["FIVE-A1", "FIVE-B2", "FIVE-C3"]})
    assert response.status_code == 201, response.json
    return response.json


def worker(runner) -> None:
    """One round of `reviews-service worker --once`, as an operator runs it."""
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0, result.output


def travel(days: int) -> None:
    clock.travel(timedelta(days=days))
