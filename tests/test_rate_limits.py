"""Rate limits on the server API: one budget per secret key, announced in the RateLimit-* headers,
kept in memory or in Redis; with Redis unreachable each process falls back to in-memory limits:
never a 500, and never no limit at all."""

from __future__ import annotations

import shutil

import pytest
import redis
from sqlalchemy import event

from reviews_service import create_app
from reviews_service.extensions import db

from .conftest import base_config
from .factories import make_order, make_shop
from .helpers import assert_problem, row_counts

LIMIT = 3
SHOP = "/api/v1/shop"
DEAD_REDIS = "redis://127.0.0.1:1/0"
HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After")


@pytest.fixture
def app_config():
    return {"SERVER_API_LIMIT": f"{LIMIT} per minute"}


def spend(client, shop, n: int = LIMIT, path: str = SHOP):
    answers = [client.get(path, headers=shop.headers) for _ in range(n)]
    assert [a.status_code for a in answers] == [200] * n
    return answers


def test_answers_announce_the_limit_and_what_is_left(client, shop):
    answers = spend(client, shop)
    assert [a.headers["RateLimit-Limit"] for a in answers] == [str(LIMIT)] * LIMIT
    assert [int(a.headers["RateLimit-Remaining"]) for a in answers] == list(range(LIMIT - 1, -1, -1))


def test_ratelimit_reset_counts_seconds_from_now(client, shop):
    (answer,) = spend(client, shop, 1)
    assert 0 <= int(answer.headers["RateLimit-Reset"]) <= 60


def test_over_the_limit_is_429_problem_with_retry_after(client, shop):
    spend(client, shop)
    response = client.get(SHOP, headers=shop.headers)
    assert "limit" in assert_problem(response, 429)["detail"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Remaining"] == "0"


def test_429_carries_each_header_exactly_once(client, shop):
    spend(client, shop)
    response = client.get(SHOP, headers=shop.headers)
    assert {name: len(response.headers.getlist(name)) for name in HEADERS} == dict.fromkeys(HEADERS, 1)
    assert 0 <= int(response.headers["RateLimit-Reset"]) <= 60


def test_answers_under_the_limit_carry_no_retry_after(client, shop):
    """Retry-After tells a client to wait: only a 429 (or a 503) says that, never a limited 200."""
    answers = spend(client, shop)
    assert [a.headers.get("Retry-After") for a in answers] == [None] * LIMIT
    assert all("RateLimit-Remaining" in a.headers for a in answers)
    assert not any(name.lower().startswith("reviews-limiter") for a in answers for name in a.headers.keys())
    refused = client.get(SHOP, headers=shop.headers)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60


def test_a_limited_public_write_carries_no_retry_after(client, shop):
    make_order(client.application, shop)  # the product exists
    answer = client.post(f"{shop.public}/products/sku-1/reviews", json={
        "rating": 5, "body": "Fits.", "email": "ana@example.com", "display_name": "Ana"})
    assert answer.status_code == 201, answer.get_json()
    assert "RateLimit-Limit" in answer.headers and "Retry-After" not in answer.headers


def test_refused_request_writes_nothing(app, client, shop):
    spend(client, shop)
    before = row_counts(app)
    response = client.put("/api/v1/products/sku-1", json={"name": "Shoes"}, headers=shop.headers)
    assert_problem(response, 429)
    assert row_counts(app) == before


def test_one_budget_per_key_across_the_server_api(app, client, shop):
    order_id = make_order(app, shop)
    client.get(SHOP, headers=shop.headers)
    client.get(f"/api/v1/orders/{order_id}", headers=shop.headers)
    client.put("/api/v1/products/sku-1", json={"name": "Shoes"}, headers=shop.headers)
    assert_problem(client.get(f"/api/v1/orders/{order_id}", headers=shop.headers), 429)


def test_keys_of_different_shops_have_separate_budgets(client, shop, other_shop):
    spend(client, shop)
    assert_problem(client.get(SHOP, headers=shop.headers), 429)
    assert client.get(SHOP, headers=other_shop.headers).status_code == 200


def test_health_checks_are_never_limited(client, shop):
    spend(client, shop)
    assert [client.get("/healthz").status_code for _ in range(LIMIT * 3)] == [200] * LIMIT * 3


def _key_lookups(app):
    """The SQL statements that read the api_keys table, recorded while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        if "api_keys" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("kind", ["server API", "public write"])
def test_the_limiter_and_the_auth_check_look_the_key_up_once(app, client, shop, kind):
    """The limiter picks the key's bucket only for a key that authenticates, and that check is the
    same lookup the server API's authentication then uses."""
    make_order(app, shop)
    seen, stop = _key_lookups(app)
    try:
        if kind == "server API":
            response = client.get(SHOP, headers=shop.headers)
        else:
            response = client.post(f"{shop.public}/referrals/clicks", json={"code": "NOPE-22222"},
                                   headers=shop.headers)
    finally:
        stop()

    assert response.status_code == (200 if kind == "server API" else 404)
    assert len(seen) == 1, seen


# --- Redis ---------------------------------------------------------------------------------------

@pytest.fixture
def database(tmp_path, sqlite_template):
    """One migrated database that several app instances (processes, in production) share."""
    path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def instance(tmp_path, database, name, storage, **extra):
    folder = tmp_path / name
    return create_app(base_config(folder, DATABASE_URL=database, RATELIMIT_STORAGE_URI=storage,
                                  SERVER_API_LIMIT=f"{LIMIT} per minute", **extra))


@pytest.mark.redis
def test_two_app_instances_share_one_budget_in_redis(tmp_path, database, redis_url):
    """Two web processes behind a load balancer: the key's budget is spent across both."""
    first = instance(tmp_path, database, "one", redis_url)
    second = instance(tmp_path, database, "two", redis_url)
    shop = make_shop(first, "Shop A")
    spend(first.test_client(), shop, LIMIT - 1)
    assert second.test_client().get(SHOP, headers=shop.headers).status_code == 200
    assert_problem(first.test_client().get(SHOP, headers=shop.headers), 429)
    assert_problem(second.test_client().get(SHOP, headers=shop.headers), 429)


@pytest.mark.redis
def test_counts_live_in_redis(tmp_path, database, redis_url):
    """Clearing the key's counters in Redis gives its budget back: nothing is counted in the process."""
    app = instance(tmp_path, database, "one", redis_url)
    shop = make_shop(app, "Shop A")
    client = app.test_client()
    spend(client, shop)
    assert_problem(client.get(SHOP, headers=shop.headers), 429)
    server = redis.Redis.from_url(redis_url)
    counters = list(server.scan_iter(match=f"*{shop.secret_key[:12]}*"))
    assert counters
    server.delete(*counters)
    assert client.get(SHOP, headers=shop.headers).status_code == 200


@pytest.fixture
def dead_redis_app(tmp_path, database):
    return instance(tmp_path, database, "one", DEAD_REDIS, RATELIMIT_FALLBACK="5 per minute")


def test_with_redis_unreachable_requests_still_succeed(dead_redis_app):
    shop = make_shop(dead_redis_app, "Shop A")
    response = dead_redis_app.test_client().get(SHOP, headers=shop.headers)
    assert response.status_code == 200
    assert response.headers["RateLimit-Limit"] == "5"


def test_with_redis_unreachable_the_in_memory_fallback_still_limits(dead_redis_app):
    shop = make_shop(dead_redis_app, "Shop A")
    client = dead_redis_app.test_client()
    statuses = [client.get(SHOP, headers=shop.headers).status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    assert_problem(client.get(SHOP, headers=shop.headers), 429)


def test_with_redis_unreachable_every_kind_of_request_is_answered(dead_redis_app):
    shop = make_shop(dead_redis_app, "Shop A")
    client = dead_redis_app.test_client()
    answers = [
        client.get(SHOP, headers=shop.headers),
        client.get(SHOP),
        client.put("/api/v1/products/sku-1", json={"name": "Shoes"}, headers=shop.headers),
        client.get("/api/v1/products/nope", headers=shop.headers),
        client.get("/healthz"),
        client.get("/readyz"),
    ]
    assert [a.status_code for a in answers] == [200, 401, 201, 404, 200, 200]


def test_fallback_limit_comes_from_each_apps_config(tmp_path, database):
    """Flask-Limiter's extension object is shared by every app of the process; the fallback is not."""
    instance(tmp_path, database, "one", DEAD_REDIS, RATELIMIT_FALLBACK="50 per minute")
    app = instance(tmp_path, database, "two", DEAD_REDIS, RATELIMIT_FALLBACK="2 per minute")
    shop = make_shop(app, "Shop A")
    client = app.test_client()
    assert [client.get(SHOP, headers=shop.headers).status_code for _ in range(3)] == [200, 200, 429]


def test_app_built_after_a_redis_outage_uses_its_own_storage(tmp_path, database):
    outage = instance(tmp_path, database, "one", DEAD_REDIS, RATELIMIT_FALLBACK="50 per minute")
    shop = make_shop(outage, "Shop A")
    outage.test_client().get(SHOP, headers=shop.headers)
    fresh = instance(tmp_path, database, "two", "memory://", RATELIMIT_FALLBACK="50 per minute")
    answer = fresh.test_client().get(SHOP, headers=shop.headers)
    assert answer.headers["RateLimit-Limit"] == str(LIMIT)
