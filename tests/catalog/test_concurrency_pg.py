"""Concurrent posts against the real PostgreSQL server: twenty threads, released at once by a
barrier, each with its own test client (and so its own database connection)."""

from __future__ import annotations

import threading

import pytest

from ..factories import make_order, make_shop, order_payload
from ..helpers import row_counts

pytestmark = pytest.mark.postgres

THREADS = 20
ORDERS = "/api/v1/orders"


def all_at_once(app, requests):
    """Send each (path, body, headers) from its own thread at the same moment; answers in order."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def send(i, path, body, headers):
        client = app.test_client()
        barrier.wait()
        answers[i] = client.post(path, json=body, headers=headers)

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a is not None for a in answers), "a request thread died"
    return answers


@pytest.fixture
def pg_shop(pg_app):
    return make_shop(pg_app, "Shop A")


def test_twenty_concurrent_posts_of_one_order_store_it_once(pg_app, pg_shop):
    body = order_payload("ORDER-1", items=[("sku-1", "Shoes"), ("sku-2", "Socks")])
    answers = all_at_once(pg_app, [(ORDERS, body, pg_shop.headers)] * THREADS)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * (THREADS - 1) + [201], [a.get_data(as_text=True) for a in answers]
    assert {a.get_json()["id"] for a in answers} == {"ORDER-1"}
    assert len({a.get_data() for a in answers}) == 1
    counts = row_counts(pg_app)
    assert (counts["orders"], counts["order_items"], counts["customers"], counts["products"]) == (1, 2, 1, 2)


def test_twenty_concurrent_posts_with_one_idempotency_key_store_the_order_once(pg_app, pg_shop):
    headers = {**pg_shop.headers, "Idempotency-Key": "key-1"}
    answers = all_at_once(pg_app, [(ORDERS, order_payload("ORDER-1"), headers)] * THREADS)

    assert {a.status_code for a in answers} <= {200, 201, 409}, [a.get_data(as_text=True) for a in answers]
    created = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(created) == 1
    for answer in answers:
        if answer.status_code == 409:
            assert answer.mimetype == "application/problem+json"
            assert "Retry-After" in answer.headers
        else:
            assert answer.get_json()["id"] == "ORDER-1"
    counts = row_counts(pg_app)
    assert (counts["orders"], counts["order_items"], counts["idempotency_keys"]) == (1, 1, 1)


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_refunds_and_fulfilments_always_end_refunded(pg_app, pg_shop, round_):
    """Whatever the order they apply in, a refund is never overwritten by a fulfilment."""
    order_id = make_order(pg_app, pg_shop, "ORDER-1")
    path = f"{ORDERS}/{order_id}/events"
    requests = [(path, {"type": "fulfilled" if i % 2 else "refunded"}, pg_shop.headers)
                for i in range(THREADS)]
    answers = all_at_once(pg_app, requests)

    assert {a.status_code for a in answers} <= {200, 409}, [a.get_data(as_text=True) for a in answers]
    final = pg_app.test_client().get(f"{ORDERS}/{order_id}", headers=pg_shop.headers).get_json()
    assert final["status"] == "refunded"
    assert row_counts(pg_app)["order_events"] in (1, 2)


def test_twenty_concurrent_identical_events_record_one(pg_app, pg_shop):
    order_id = make_order(pg_app, pg_shop, "ORDER-1")
    path = f"{ORDERS}/{order_id}/events"
    answers = all_at_once(pg_app, [(path, {"type": "fulfilled"}, pg_shop.headers)] * THREADS)

    assert {a.status_code for a in answers} == {200}
    assert len({a.get_json()["fulfilled_at"] for a in answers}) == 1
    assert row_counts(pg_app)["order_events"] == 1
