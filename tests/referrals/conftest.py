"""Fixtures for the referral program: the program switched on over HTTP, shoppers' browsers as
distinct (IP, user agent) pairs, and helpers that drive the API as a shop, a widget and a worker."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from reviews_service import clock
from tests.factories import order_payload
from tests.outbox.conftest import add_endpoint, outbox, parse, receiver, run_worker, smtp  # noqa: F401

ORIGIN = "https://shop-a.example"
PROGRAM = {
    "enabled": True,
    "friend_offer": {"description": "10% off your first order", "kind": "percent", "value": "10",
                     "code_mode": "shared", "shared_code": "FRIEND10"},
    "referrer_reward": {"description": "10 EUR off your next order", "kind": "amount", "value": "10",
                        "currency": "EUR", "source": "pool"},
    "hold_days": 30,
    "share_url_template": "https://shop-a.example/?ref={code}",
}
_ips = itertools.count(1)


class Browser:
    """One shopper's browser: its own address and user agent, hence its own visitor hash, and the
    widget's visitor id, sent with its writes (clicks, reviews)."""

    def __init__(self, client, shop, ip: str | None = None, agent: str | None = None):
        n = next(_ips)
        self.client, self.shop = client, shop
        self.ip = ip or f"10.1.{n // 250}.{n % 250 + 1}"
        self.agent = agent or f"browser-{n}"
        self.visitor_id = f"visitor-{n}-".ljust(22, "x")

    def _kw(self) -> dict:
        return {"environ_base": {"REMOTE_ADDR": self.ip},
                "headers": {"User-Agent": self.agent, "Origin": (self.shop.origins or [ORIGIN])[0]}}

    def panel(self, token: str):
        return self.client.get(f"{self.shop.public}/referrals/me", query_string={"token": token}, **self._kw())

    def click(self, code: str):
        return self.client.post(f"{self.shop.public}/referrals/clicks",
                                json={"code": code, "visitor_id": self.visitor_id}, **self._kw())

    def review(self, token: str, product: str = "sku-1"):
        """A review with the order's token, written in this browser's widget."""
        answer = self.client.post(f"{self.shop.public}/products/{product}/reviews", **self._kw(),
                                  json={"rating": 5, "token": token, "visitor_id": self.visitor_id})
        assert answer.status_code == 201, answer.json
        return answer

    def handover(self, token: str, code: str | None = None):
        return self.client.post(f"{self.shop.public}/referrals/handover", json={"token": token, "code": code, "visitor_id": self.visitor_id},
                                **self._kw())

    def offer_email(self, code: str, email: str):
        return self.client.post(f"{self.shop.public}/referrals/offer-email", json={"code": code, "email": email},
                                **self._kw())


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def program(client, shop):
    """The shop's program, switched on with a shared friend code and rewards from the pool."""
    set_program(client, shop)
    return shop


def set_program(client, shop, **changes) -> dict:
    response = client.patch("/api/v1/shop", json={"settings": {"referrals": {**PROGRAM, **changes}}},
                            headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json["settings"]["referrals"]


def browser(client, shop, **kw) -> Browser:
    return Browser(client, shop, **kw)


def order(client, shop, email: str, name: str = "Ana Buyer", *, code: str | None = None,
          total: str = "49.90", address: dict | None = None, order_id: str | None = None) -> dict:
    """Post an order as the shop's backend; answers the order (with its widget_token)."""
    body = order_payload(order_id, email=email, total=total, referral_code=code)
    body["customer"]["name"] = name
    if address is not None:
        body["shipping_address"] = address
    response = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert response.status_code == 201, response.json
    return response.json


def code_of(client, shop, order_answer: dict, who: Browser | None = None) -> str:
    """The order's customer's code, as their referral panel shows it."""
    answer = (who or browser(client, shop)).panel(order_answer["widget_token"])
    assert answer.status_code == 200, answer.json
    return answer.json["code"]


def referrals(client, shop, **query) -> list[dict]:
    response = client.get("/api/v1/referrals", query_string=query, headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json["referrals"]


def referral_of(client, shop, order_id: str) -> dict:
    [found] = [r for r in referrals(client, shop, limit=100) if r["order"]["id"] == order_id]
    return found


def load_coupons(client, shop, *codes: str, kind: str = "referrer_reward") -> dict:
    response = client.post("/api/v1/coupons", json={"kind": kind, "codes": list(codes)}, headers=shop.headers)
    assert response.status_code == 201, response.json
    return response.json


def after_hold(days: int = 31) -> None:
    clock.travel(timedelta(days=days))


def refund(client, shop, order_id: str) -> None:
    response = client.post(f"/api/v1/orders/{order_id}/events", json={"type": "refunded"}, headers=shop.headers)
    assert response.status_code == 200, response.json
