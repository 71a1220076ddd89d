"""Storefront reads on PostgreSQL run on the thread's held read connection, in autocommit: no
transaction stays open between page views, each read sees the latest commit, and a connection the
server killed costs the shopper nothing (the read is answered on a new one)."""

from __future__ import annotations

import psycopg
import pytest

from tests.factories import make_shop
from tests.helpers import publish

from . import CONFIG

pytestmark = pytest.mark.postgres

READS = ["/products/sku-1/rating", "/rating", "/products/sku-1/reviews", "/products/sku-1/reviews?limit=1",
         "/products/sku-1/reviews?lang_first=pt%2DBR"]  # the last one through Flask


@pytest.fixture
def app_config():
    return {**CONFIG, "RATING_CACHE_TTL": 0}


@pytest.fixture
def storefront(pg_app):
    client, shop = pg_app.test_client(), make_shop(pg_app)
    publish(client, shop, rating=5, email="a@example.com")
    return client, shop


def backends(pg_url: str) -> list[tuple[int, str]]:
    """The other sessions on the test's database: (pid, state)."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        return admin.execute("SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() "
                             "AND pid <> pg_backend_pid()").fetchall()


def test_no_transaction_stays_open_between_reads(storefront, pg_url):
    client, shop = storefront
    for path in READS:
        assert client.get(shop.public + path).status_code == 200, path
        assert all(state == "idle" for _, state in backends(pg_url)), backends(pg_url)


def test_each_read_sees_the_latest_commit(storefront):
    client, shop = storefront
    url = f"{shop.public}/products/sku-1/rating"
    assert client.get(url).get_json()["count"] == 1
    publish(client, shop, rating=3, email="b@example.com")
    assert client.get(url).get_json()["count"] == 2
    assert len(client.get(f"{shop.public}/products/sku-1/reviews").get_json()["reviews"]) == 2


@pytest.fixture(params=[("GET", "/products/sku-1/rating"), ("GET", "/products/sku-1/reviews"),
                        ("HEAD", "/products/sku-1/rating"), ("GET", "/ratings?ids=sku-1,sku-2"),
                        ("GET", "/products/sku-1/badge.svg"), ("GET", READS[-1])],
                ids=["rating", "list", "head", "bulk", "badge", "list-through-flask"])
def first_read(request):
    """The first read after the kill: by the fast path, or by Flask (which the pool's ping used to
    protect)."""
    return request.param


def test_a_killed_connection_costs_the_shopper_nothing(storefront, pg_url, first_read):
    client, shop = storefront
    for path in READS:
        assert client.get(shop.public + path).status_code == 200
    with psycopg.connect(pg_url, autocommit=True) as admin:
        killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                               "datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
    assert killed >= 1
    method, path = first_read
    got = client.open(shop.public + path, method=method)
    assert got.status_code == 200, (first_read, got.get_data(as_text=True))
    assert client.get(f"{shop.public}/products/sku-1/rating").get_json()["count"] == 1
