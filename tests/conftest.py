"""Fixtures: an app on a migrated SQLite file per test, or on the real PostgreSQL server.

PostgreSQL, Redis, browser and nginx tests skip when their server is missing, unless
REVIEWS_TEST_REQUIRE (e.g. "postgres,redis,browser,nginx", set by .ci/run) says they must run:
then a missing server fails them instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from bench._harness import BROTLI_MODULE, NGINX
from reviews_service import clock, create_app
from reviews_service.extensions import db

from .factories import ShopKeys, make_shop

PG_ADMIN_URL = os.environ.get("REVIEWS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REVIEWS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "test-secret-key-that-is-long-enough-0123456789abcdef"


def required(kind: str) -> bool:
    return kind in {k.strip() for k in os.environ.get("REVIEWS_TEST_REQUIRE", "").split(",")}


def unavailable(kind: str, why: str):
    """Skip on a laptop without the server; fail where CI said the server must be there."""
    if required(kind):
        pytest.fail(f"{kind} is required (REVIEWS_TEST_REQUIRE) but unavailable: {why}")
    pytest.skip(f"{kind} unavailable: {why}")


def base_config(tmp_path: Path, **extra) -> dict:
    cfg = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": SECRET,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_URL": "http://reviews.test",
        "MEDIA_ROOT": str(tmp_path / "media"),
        # Tests read their own writes at once; the cache has tests of its own.
        "RATING_CACHE_TTL": 0,
    }
    cfg.update(extra)
    return cfg


def _upgrade(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


# --- SQLite --------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated database per test process; each test gets a copy of the file."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = create_app(base_config(folder, DATABASE_URL=f"sqlite:///{path}"))
    _upgrade(app)
    with app.app_context():
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return path


def _make_sqlite_app(tmp_path, sqlite_template, **extra):
    path = tmp_path / "reviews.db"
    shutil.copy(sqlite_template, path)
    return create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{path}", **extra))


@pytest.fixture
def app_config() -> dict:
    """Override in a module to change the app's settings for its tests."""
    return {}


@pytest.fixture
def app(tmp_path, sqlite_template, app_config):
    app = _make_sqlite_app(tmp_path, sqlite_template, **app_config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- PostgreSQL ----------------------------------------------------------------------------------

def pytest_configure(config):
    # One token per test run, inherited by xdist's workers: two runs on one machine (two terminals,
    # or a run beside CI) must not drop each other's databases.
    os.environ.setdefault("REVIEWS_TEST_RUN", str(os.getpid()))


@pytest.fixture(scope="session")
def pg_url(worker_id) -> str:
    """A fresh, migrated database per test process on the real PostgreSQL server, dropped after."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        unavailable("postgres", str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    name = f"reviews_test_{os.environ['REVIEWS_TEST_RUN']}_{worker_id}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    url = f"{base}/{name}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET,
                      "INSTANCE_PATH": "/tmp/reviews-test-instance"})
    _upgrade(app)
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture
def pg_app(tmp_path, pg_url, app_config):
    app = create_app(base_config(tmp_path, DATABASE_URL=pg_url, **app_config))
    truncate_all(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request):
    """The test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def each_db_app(request):
    """The test runs once on SQLite and once on PostgreSQL (marked, unlike any_app)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


# --- clients and shops ---------------------------------------------------------------------------

@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def shop(app) -> ShopKeys:
    return make_shop(app, "Shop A", origins=["https://shop-a.example"])


@pytest.fixture
def other_shop(app) -> ShopKeys:
    return make_shop(app, "Shop B", origins=["https://shop-b.example"])


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    """The real nginx that serves the published files (deploy/nginx/), with its brotli module."""
    if not os.access(NGINX, os.X_OK):
        unavailable("nginx", f"{NGINX} is not installed (apt-get install nginx)")
    if not BROTLI_MODULE.exists():
        unavailable("nginx", f"{BROTLI_MODULE} is missing (apt-get install libnginx-mod-http-brotli-static)")
    return NGINX


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        unavailable("redis", str(exc))
    return REDIS_URL
