"""The storefront fast path: repeated rating, badge and list reads answered before Flask, exactly
as Flask answered them, never older than the cache TTL (itself capped at the max-age)."""

from __future__ import annotations

import pytest

from reviews_service.web import caching
from reviews_service.web.fastpath import FastPath
from tests.helpers import publish

from . import CONFIG, unannounced

CACHED = {**CONFIG, "RATING_CACHE_TTL": 5, "RATING_MAX_AGE": 5}
PATHS = ["/products/sku-1/rating", "/ratings?ids=sku-1,sku-2", "/rating", "/products/sku-1/badge.svg",
         "/products/sku-1/badge.svg?star=%23000000", "/products/sku-1/reviews?limit=5"]


@pytest.fixture
def app_config():
    return dict(CACHED)


@pytest.mark.parametrize("path", PATHS)
def test_repeated_read_is_answered_before_flask_with_the_same_answer(client, shop, calls, path):
    publish(client, shop, rating=4)
    first = client.get(shop.public + path)
    assert first.status_code == 200
    reached = len(calls)
    again = client.get(shop.public + path)
    assert len(calls) == reached  # replayed by the fast path
    assert again.status_code == 200
    assert again.data == first.data
    assert sorted(again.headers.items()) == sorted(first.headers.items())


@pytest.mark.parametrize("path", PATHS)
def test_replayed_answer_honours_if_none_match(client, shop, path):
    publish(client, shop, rating=4)
    first = client.get(shop.public + path)
    client.get(shop.public + path)
    for header in (first.headers["ETag"], f'W/{first.headers["ETag"]}', f'"other", {first.headers["ETag"]}', "*"):
        answer = client.get(shop.public + path, headers={"If-None-Match": header})
        assert answer.status_code == 304, header
        assert answer.data == b""
        assert answer.headers["ETag"] == first.headers["ETag"]
        assert answer.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert "Content-Type" not in answer.headers
    other = client.get(shop.public + path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


@pytest.mark.parametrize("path", PATHS)
def test_replayed_answer_expires_with_the_ttl(client, shop, frozen, path):
    publish(client, shop, rating=5)
    first = client.get(shop.public + path)
    with unannounced():  # as another process's change without Redis: only the TTL ends the answer
        publish(client, shop, rating=1)
    frozen.travel(4.9)
    assert client.get(shop.public + path).data == first.data  # younger than the max-age
    frozen.travel(0.2)
    fresh = client.get(shop.public + path)
    assert fresh.status_code == 200
    assert fresh.data != first.data and fresh.headers["ETag"] != first.headers["ETag"]


def test_each_query_string_is_its_own_answer(client, shop):
    publish(client, shop, rating=5)
    plain = client.get(f"{shop.public}/products/sku-1/badge.svg").get_data(as_text=True)
    themed = client.get(f"{shop.public}/products/sku-1/badge.svg?star=%23123456").get_data(as_text=True)
    assert "#123456" not in plain and "#123456" in themed
    two = client.get(f"{shop.public}/ratings?ids=sku-1,sku-2").get_json()
    one = client.get(f"{shop.public}/ratings?ids=sku-2").get_json()
    assert [r["product_id"] for r in two["ratings"]] == ["sku-1", "sku-2"]
    assert [r["product_id"] for r in one["ratings"]] == ["sku-2"]


def test_a_404_is_not_replayed_once_the_product_exists(client, shop):
    assert client.get(f"{shop.public}/products/new-shoe/reviews").status_code == 404
    publish(client, shop, product="new-shoe", rating=3)
    listed = client.get(f"{shop.public}/products/new-shoe/reviews")
    assert listed.status_code == 200 and len(listed.get_json()["reviews"]) == 1


def test_head_passes_through_to_flask(client, shop, calls):
    publish(client, shop, rating=4)
    client.get(f"{shop.public}/products/sku-1/rating")
    reached = len(calls)
    head = client.head(f"{shop.public}/products/sku-1/rating")
    assert head.status_code == 200 and len(calls) == reached + 1


@pytest.mark.parametrize("app_config", [{**CONFIG, "RATING_CACHE_TTL": 0, "RATING_MAX_AGE": 60}])
def test_nothing_is_kept_with_the_cache_off(client, shop, calls):
    publish(client, shop, rating=4)
    client.get(f"{shop.public}/products/sku-1/rating")
    reached = len(calls)
    publish(client, shop, rating=2)
    assert client.get(f"{shop.public}/products/sku-1/rating").get_json()["count"] == 2
    assert len(calls) > reached


def _stub_app(environ, start_response):
    """A view that marks every answer as shareable for a minute, with a 1 KB body."""
    environ[caching.BY_URL_SINCE] = caching.now()
    environ[caching.BY_URL_UNTIL] = caching.now() + 60
    environ[caching.BY_URL_SHOP] = 1
    body = environ["PATH_INFO"].encode().ljust(1024, b".")
    start_response("200 OK", [("Content-Type", "text/plain"), ("ETag", '"e"')])
    return [body]


def _get(app, path: str, **environ) -> tuple[str, bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", **environ},
                        start_response))
    return seen["status"], body


def test_memory_stays_within_its_byte_budget():
    fast = FastPath(_stub_app, max_bytes=256 * 1024)
    for n in range(500):
        status, body = _get(fast, f"/api/v1/public/pk_x/products/p{n}/rating")
        assert status == "200 OK" and body.startswith(f"/api/v1/public/pk_x/products/p{n}/".encode())
    assert fast.bytes <= 256 * 1024
    assert 0 < len(fast.kept) < 500
    # The most recent answers are the ones kept.
    assert ("/api/v1/public/pk_x/products/p499/rating", "") in fast.kept


@pytest.mark.parametrize("headers", [
    [("Set-Cookie", "session=1")],
    [("RateLimit-Remaining", "9")],
    [("Vary", "Origin")],
])
def test_personal_answers_are_not_kept(headers):
    def app(environ, start_response):
        environ[caching.BY_URL_SINCE] = caching.now()
        environ[caching.BY_URL_UNTIL] = caching.now() + 60
        environ[caching.BY_URL_SHOP] = 1
        start_response("200 OK", [("ETag", '"e"'), *headers])
        return [b"mine"]

    fast = FastPath(app)
    _get(fast, "/api/v1/public/pk_x/rating")
    assert not fast.kept


def test_fast_path_keeps_languages_apart(client, shop, calls):
    publish(client, shop, rating=4)
    url = f"{shop.public}/products/sku-1/badge.svg"
    first = {lang: client.get(url, query_string={"lang": lang}).get_data() for lang in ("ka", "vi")}
    reached = len(calls)
    again = {lang: client.get(url, query_string={"lang": lang}).get_data() for lang in ("ka", "vi")}
    assert len(calls) == reached  # both replayed before Flask
    assert first["ka"] != first["vi"] and again == first
