"""Fixtures for the connectors: a shop connected to its platform over the server API, and the
platforms' deliveries signed the way Shopify and WooCommerce sign them, posted to the receiver."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reviews_service import clock
from tests.outbox.conftest import parse, run_worker, smtp  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
SHOPIFY_DOMAIN = "peak-outfitters.myshopify.com"
WOO_DOMAIN = "shop.example.com"
SECRET = "whsec-4d1f0c2e9b8a7f6e5d4c3b2a1f0e9d8c"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the fixtures' orders are a week old
_ids = itertools.count(1)


def fixture(name: str) -> dict | list:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture(autouse=True)
def at_fixture_time():
    """The clock where the fixtures' dates are recent (clock.reset runs after each test)."""
    clock.travel(NOW - clock.now())


def connect(client, shop, platform: str, domain: str, secret: str = SECRET, status: int = 201) -> dict:
    answer = client.put(f"/api/v1/connections/{platform}", json={"domain": domain, "secret": secret},
                        headers=shop.headers)
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.json


def shopify(client, shop, topic: str, payload: dict | bytes, *, event_id: str | None = None,
            secret: str = SECRET, domain: str = SHOPIFY_DOMAIN, signature: str | None = None):
    """One Shopify delivery of `topic`, signed as Shopify signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {
        "X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": signature or sign(body, secret),
        "X-Shopify-Shop-Domain": domain, "X-Shopify-API-Version": "2025-01",
        "X-Shopify-Webhook-Id": f"wh-{next(_ids)}",
        "X-Shopify-Event-Id": event_id or f"ev-{next(_ids)}",
        "X-Shopify-Triggered-At": "2026-11-20T09:15:00.000Z",
        "Content-Type": "application/json",
    }
    return client.post(f"/connect/shopify/{shop.slug}/webhooks", data=body, headers=headers)


def woocommerce(client, shop, topic: str, payload: dict | bytes, *, delivery_id: str | None = None,
                secret: str = SECRET, source: str = f"https://{WOO_DOMAIN}/", signature: str | None = None):
    """One WooCommerce delivery of `topic`, signed as WC_Webhook::deliver signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    resource, _, event = topic.partition(".")
    headers = {
        "X-WC-Webhook-Source": source, "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event, "X-WC-Webhook-Signature": signature or sign(body, secret),
        "X-WC-Webhook-ID": "12", "X-WC-Webhook-Delivery-ID": delivery_id or f"d{next(_ids):031x}",
        "Content-Type": "application/json", "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.7)",
    }
    return client.post(f"/connect/woocommerce/{shop.slug}/webhooks", data=body, headers=headers)


def order_of(client, shop, order_id: str) -> dict:
    answer = client.get(f"/api/v1/orders/{order_id}", headers=shop.headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def deliveries(client, shop, platform: str) -> list[dict]:
    answer = client.get(f"/api/v1/connections/{platform}/deliveries", headers=shop.headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json["deliveries"]
