"""The same webhook delivery arriving several times at once, on the real PostgreSQL server: each
thread has its own test client (its own database connection), released together by a barrier.
Exactly one copy is stored and applied, the others answer 200 "duplicate", and one order exists."""

from __future__ import annotations

import threading

import pytest

from tests.factories import make_shop
from tests.helpers import row_counts

from .conftest import SHOPIFY_DOMAIN, WOO_DOMAIN, connect, fixture, shopify, woocommerce

pytestmark = pytest.mark.postgres

THREADS = 12


def all_at_once(app, send) -> list:
    """Run send(client) in THREADS threads at the same moment; answers in thread order."""
    barrier = threading.Barrier(THREADS)
    answers = [None] * THREADS

    def run(i):
        client = app.test_client()
        barrier.wait()
        answers[i] = send(client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a is not None for a in answers), "a request thread died"
    return answers


@pytest.fixture
def pg_shop(pg_app):
    return make_shop(pg_app, "Shop A")


def _one_stored(pg_app, answers) -> None:
    assert [a.status_code for a in answers] == [200] * THREADS, [a.get_data(as_text=True) for a in answers]
    statuses = sorted(a.get_json()["status"] for a in answers)
    assert statuses == ["applied"] + ["duplicate"] * (THREADS - 1), statuses
    counts = row_counts(pg_app)
    assert (counts["connector_deliveries"], counts["orders"], counts["order_items"], counts["customers"]) == (
        1, 1, 1, 1), counts


def test_one_shopify_delivery_sent_by_many_threads_at_once_is_stored_and_applied_once(pg_app, pg_shop):
    connect(pg_app.test_client(), pg_shop, "shopify", SHOPIFY_DOMAIN)
    payload = fixture("shopify/orders_create.json")
    answers = all_at_once(pg_app, lambda client: shopify(client, pg_shop, "orders/create", payload,
                                                         event_id="event-same"))
    _one_stored(pg_app, answers)


def test_one_woocommerce_delivery_sent_by_many_threads_at_once_is_stored_and_applied_once(pg_app, pg_shop):
    connect(pg_app.test_client(), pg_shop, "woocommerce", WOO_DOMAIN)
    payload = fixture("woocommerce/order_created.json")
    answers = all_at_once(pg_app, lambda client: woocommerce(client, pg_shop, "order.created", payload,
                                                             delivery_id="d-same"))
    _one_stored(pg_app, answers)


def test_orders_create_and_orders_paid_of_one_order_at_once_make_one_order(pg_app, pg_shop):
    """Two topics, two deliveries (both stored), one order: the catalog's ingestion is idempotent."""
    connect(pg_app.test_client(), pg_shop, "shopify", SHOPIFY_DOMAIN)
    payload = fixture("shopify/orders_create.json")
    barrier = threading.Barrier(2)
    answers = {}

    def send(topic):
        client = pg_app.test_client()
        barrier.wait()
        answers[topic] = shopify(client, pg_shop, topic, payload)

    threads = [threading.Thread(target=send, args=(t,)) for t in ("orders/create", "orders/paid")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {t: a.get_json()["status"] for t, a in answers.items()} == {"orders/create": "applied",
                                                                       "orders/paid": "applied"}
    assert sorted(a.get_json()["detail"] for a in answers.values()) == ["order already stored", "order stored"]
    counts = row_counts(pg_app)
    assert (counts["connector_deliveries"], counts["orders"], counts["order_items"]) == (2, 1, 1), counts
