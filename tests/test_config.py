"""Settings: working defaults, then REVIEWS_* environment variables, then the mapping passed to
create_app. A setting that cannot work stops the app at start with a message naming it."""

from __future__ import annotations

import os
import shutil
import stat
import threading

import pytest
from flask import request

from reviews_service import config, create_app
from reviews_service.config import ConfigError
from reviews_service.extensions import db

from .conftest import SECRET

GOOD_SECRET = "k" * 48


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Each test sees only the REVIEWS_* variables it sets itself."""
    for name in list(os.environ):
        if name.startswith("REVIEWS_"):
            monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


def build(instance, **overrides):
    return create_app({"INSTANCE_PATH": str(instance), **overrides})


def pragma(app, name: str):
    with app.app_context():
        with db.engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


# --- defaults ------------------------------------------------------------------------------------

def test_default_database_is_a_sqlite_file_in_the_instance_folder(instance):
    app = build(instance, SECRET_KEY=SECRET)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'reviews.db'}"


def test_default_settings_work_without_any_environment(instance):
    app = build(instance)
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["ENV"] == "development"
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert app.config["TRUSTED_PROXIES"] == 0
    assert app.config["MEDIA_ROOT"] == str(instance / "media")


@pytest.mark.parametrize(("name", "value"), [("journal_mode", "wal"), ("foreign_keys", 1), ("busy_timeout", 5000)])
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app, name, value):
    assert pragma(app, name) == value


def test_sqlite_busy_timeout_comes_from_the_environment(monkeypatch, tmp_path, sqlite_template):
    monkeypatch.setenv("REVIEWS_SQLITE_BUSY_TIMEOUT_MS", "1234")
    shutil.copy(sqlite_template, tmp_path / "db.sqlite")
    app = build(tmp_path / "instance", SECRET_KEY=SECRET, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert pragma(app, "busy_timeout") == 1234


# --- environment, then the mapping ---------------------------------------------------------------

@pytest.mark.parametrize(("variable", "raw", "setting", "expected"), [
    ("REVIEWS_PUBLIC_URL", "https://reviews.example.com/", "PUBLIC_URL", "https://reviews.example.com"),
    ("REVIEWS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3", "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3"),
    ("REVIEWS_TRUSTED_PROXIES", "2", "TRUSTED_PROXIES", 2),
    ("REVIEWS_MAX_JSON_BYTES", "1000", "MAX_JSON_BYTES", 1000),
    ("REVIEWS_SECRET_KEY", GOOD_SECRET, "SECRET_KEY", GOOD_SECRET),
    ("REVIEWS_DATABASE_URL", "postgresql://u@db.internal/reviews", "SQLALCHEMY_DATABASE_URI",
     "postgresql+psycopg://u@db.internal/reviews"),
    ("REVIEWS_DATABASE_URL", "postgres://u@db.internal/reviews", "SQLALCHEMY_DATABASE_URI",
     "postgresql+psycopg://u@db.internal/reviews"),
])
def test_environment_variable_overrides_the_default(monkeypatch, instance, variable, raw, setting, expected):
    monkeypatch.setenv(variable, raw)
    assert build(instance).config[setting] == expected


def test_passed_mapping_overrides_the_environment(monkeypatch, instance):
    monkeypatch.setenv("REVIEWS_PUBLIC_URL", "https://from-env.example")
    monkeypatch.setenv("REVIEWS_MAX_JSON_BYTES", "1000")
    app = build(instance, PUBLIC_URL="https://from-mapping.example", MAX_JSON_BYTES=2000)
    assert (app.config["PUBLIC_URL"], app.config["MAX_JSON_BYTES"]) == ("https://from-mapping.example", 2000)


def test_instance_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWS_INSTANCE_PATH", str(tmp_path / "elsewhere"))
    app = create_app({"SECRET_KEY": SECRET})
    assert app.instance_path == str(tmp_path / "elsewhere")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elsewhere' / 'reviews.db'}"


def test_other_environment_variables_are_ignored(monkeypatch, instance):
    monkeypatch.setenv("PUBLIC_URL", "https://not-ours.example")
    assert build(instance).config["PUBLIC_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize(("proxies", "seen"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_trusted_proxies_decide_whose_forwarded_address_counts(instance, proxies, seen):
    app = build(instance, SECRET_KEY=SECRET, TRUSTED_PROXIES=proxies)
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.get_data(as_text=True) == seen


# --- bad values ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["abc", "1.5", "", "10 MB", "-1"])
def test_bad_integer_in_the_environment_is_a_clear_config_error(monkeypatch, instance, raw):
    monkeypatch.setenv("REVIEWS_MAX_JSON_BYTES", raw)
    with pytest.raises(ConfigError) as error:
        build(instance)
    assert "REVIEWS_MAX_JSON_BYTES" in str(error.value)
    assert repr(raw) in str(error.value)


@pytest.mark.parametrize("env", ["prod", "Production", "staging", ""])
def test_unknown_env_is_a_config_error(monkeypatch, instance, env):
    """A typo must not quietly run production with a development secret."""
    monkeypatch.setenv("REVIEWS_ENV", env)
    with pytest.raises(ConfigError) as error:
        build(instance, SECRET_KEY=GOOD_SECRET)
    assert "REVIEWS_ENV" in str(error.value)


# --- the secret key ------------------------------------------------------------------------------

def test_development_secret_is_generated_once_and_kept_in_the_instance_folder(instance):
    first = build(instance).config["SECRET_KEY"]
    second = build(instance).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (instance / config.DEV_SECRET_FILE).read_text().strip() == first


def test_development_secret_file_is_readable_only_by_its_owner(instance):
    build(instance)
    mode = stat.S_IMODE((instance / config.DEV_SECRET_FILE).stat().st_mode)
    assert mode == 0o600


def test_each_instance_folder_gets_its_own_development_secret(tmp_path):
    assert build(tmp_path / "one").config["SECRET_KEY"] != build(tmp_path / "two").config["SECRET_KEY"]


@pytest.mark.parametrize("attempt", range(5))
def test_processes_starting_together_agree_on_the_development_secret(instance, attempt):
    """The web process and the worker may start at the same moment on a fresh instance folder."""
    barrier = threading.Barrier(8)
    keys, errors = [], []

    def start():
        barrier.wait()
        try:
            keys.append(config.load(str(instance), {}, environ={})["SECRET_KEY"])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(keys)) == 1 and keys[0].startswith("dev-")
    assert sorted(p.name for p in instance.iterdir()) == [config.DEV_SECRET_FILE]


def test_given_secret_is_used_and_nothing_is_written(instance):
    app = build(instance, SECRET_KEY=GOOD_SECRET)
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert not (instance / config.DEV_SECRET_FILE).exists()


@pytest.mark.parametrize("secret", [None, "", "short", "dev-" + "x" * 60])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, instance, secret):
    monkeypatch.setenv("REVIEWS_ENV", "production")
    if secret is not None:
        monkeypatch.setenv("REVIEWS_SECRET_KEY", secret)
    with pytest.raises(ConfigError) as error:
        build(instance)
    assert "REVIEWS_SECRET_KEY" in str(error.value)
    assert not (instance / config.DEV_SECRET_FILE).exists()


def test_production_ignores_a_development_secret_left_in_the_instance_folder(monkeypatch, instance):
    build(instance)  # development run: writes instance/secret_key
    monkeypatch.setenv("REVIEWS_ENV", "production")
    with pytest.raises(ConfigError):
        build(instance)


def test_production_starts_with_a_real_secret_and_secure_cookies(monkeypatch, instance):
    monkeypatch.setenv("REVIEWS_ENV", "production")
    monkeypatch.setenv("REVIEWS_SECRET_KEY", GOOD_SECRET)
    app = build(instance)
    assert app.config["SECRET_KEY"] == GOOD_SECRET
    assert app.config["SESSION_COOKIE_SECURE"] is True


# --- no side effects -----------------------------------------------------------------------------

def test_create_app_opens_no_database_connection(instance):
    app = build(instance, SECRET_KEY=SECRET, DATABASE_URL="postgresql://postgres@127.0.0.1:1/x")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_create_app_creates_no_database_file(tmp_path):
    path = tmp_path / "never.db"
    build(tmp_path / "instance", SECRET_KEY=SECRET, DATABASE_URL=f"sqlite:///{path}")
    assert not path.exists()


def test_create_app_starts_no_thread(instance):
    before = threading.active_count()
    build(instance, SECRET_KEY=SECRET, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert threading.active_count() == before


# --- the Redis the processes agree through ---------------------------------------------------------

@pytest.mark.parametrize("url", ["memory://", "http://redis.internal:6379", "127.0.0.1:6379"])
def test_a_redis_url_that_is_not_redis_is_a_config_error(monkeypatch, instance, url):
    monkeypatch.setenv("REVIEWS_REDIS_URL", url)
    with pytest.raises(ConfigError) as error:
        build(instance, SECRET_KEY=SECRET)
    assert "REVIEWS_REDIS_URL" in str(error.value) and repr(url) in str(error.value)


@pytest.mark.parametrize(("settings", "agree_through"), [
    ({}, None),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, None),
    ({"RATELIMIT_STORAGE_URI": "redis://limits:6379/0"}, "redis://limits:6379/0"),
    ({"RATELIMIT_STORAGE_URI": "redis://limits:6379/0", "REDIS_URL": "rediss://drops:6380/1"}, "rediss://drops:6380/1"),
    ({"REDIS_URL": "unix:///run/redis.sock"}, "unix:///run/redis.sock"),
])
def test_the_processes_agree_through_the_rate_limits_redis_unless_told_another(instance, settings, agree_through):
    app = build(instance, SECRET_KEY=SECRET, **settings)
    broadcast = app.extensions.get("reviews.broadcast")
    assert (broadcast.url if broadcast else None) == agree_through
