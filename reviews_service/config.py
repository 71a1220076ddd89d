"""Settings: defaults, then `REVIEWS_*` environment variables, then the mapping a caller passes.

Every setting has a working default, so that `reviews-service demo` runs on a fresh machine with
SQLite, in-memory rate limits and photos on disk.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEV_SECRET_FILE = "secret_key"
ENVIRONMENTS = ("development", "production")


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which setting to fix."""


class Defaults:
    ENV = "development"  # or "production"
    DATABASE_URL = ""  # empty: a SQLite file in the instance folder
    SECRET_KEY = ""  # empty: generated once in the instance folder (development only)
    SECRET_KEY_PREVIOUS = ""  # earlier SECRET_KEYs, comma-separated: connectors' secrets stay readable
    RATELIMIT_STORAGE_URI = "memory://"
    # Where the web processes tell each other which cached answers to drop (web/broadcast.py):
    # redis://, rediss:// or unix://. Empty: RATELIMIT_STORAGE_URI when that is Redis, else none
    # (each process then keeps its answers until RATING_CACHE_TTL ends).
    REDIS_URL = ""
    RATELIMIT_FALLBACK = "300 per minute"  # per key, in each process, while that storage is down
    PUBLIC_URL = "http://127.0.0.1:5000"
    TRUSTED_PROXIES = 0  # how many proxies in front of us may set X-Forwarded-For
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024  # photos are at most 10 MB; JSON far less
    MAX_JSON_BYTES = 256 * 1024
    SERVER_API_LIMIT = "6000 per minute"
    PUBLIC_WRITE_LIMIT = "20 per minute;200 per day"
    WIDGET_TOKEN_MAX_AGE = 90 * 24 * 3600
    REVIEW_TOKEN_MAX_AGE = 180 * 24 * 3600
    REVIEW_EDIT_DAYS = 365  # how long the link to edit or withdraw one's review works
    IDEMPOTENCY_TTL = 24 * 3600
    SQLITE_BUSY_TIMEOUT_MS = 5000
    MEDIA_STORAGE = "local"
    MEDIA_ROOT = ""  # empty: instance/media
    MEDIA_URL = ""  # empty: PUBLIC_URL + /media
    PHOTO_MAX_PIXELS = 40_000_000
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    S3_BUCKET = ""
    S3_ENDPOINT_URL = ""
    S3_REGION = ""
    S3_ACCESS_KEY = ""
    S3_SECRET_KEY = ""
    S3_PUBLIC_URL = ""
    S3_PREFIX = ""
    # Publish on write (publishing/): each product's rating JSON, badges and first page of reviews,
    # and each shop's rating, as static files rewritten by the worker whenever they change.
    PUBLISH_STORAGE = ""  # empty: off (nothing queued); "local" (PUBLISH_ROOT) or "s3" (the S3_* bucket)
    PUBLISH_ROOT = ""  # empty: instance/published
    PUBLISH_URL = ""  # the public base URL the folder or bucket prefix is served at (for the widget)
    PUBLISH_S3_PREFIX = "published/"  # the published files' folder in the S3_BUCKET
    SMTP_URL = ""  # empty: e-mails wait in the outbox (see `reviews-service worker --print`)
    MAIL_FROM = "reviews@localhost"
    MAIL_REPLY_TO = ""
    ADMIN_LOGIN_ACCOUNT_LIMIT = "5 per 15 minutes"  # failed sign-ins per account
    ADMIN_LOGIN_IP_LIMIT = "20 per 15 minutes"  # failed sign-ins per address
    WORKER_POLL_SECONDS = 5
    DIGEST_HOUR = 8  # UTC hour after which the daily digest goes out
    PROBLEM_ALERT_MINUTES = 60  # at most one alert e-mail about low ratings per shop in this time
    WEBHOOK_ALLOW_HTTP = ""  # empty: allowed in development only
    WEBHOOK_ALLOW_PRIVATE = ""  # empty: loopback and private addresses allowed in development only
    RATING_MAX_AGE = 60
    RATING_CACHE_TTL = 10  # in-process; capped at RATING_MAX_AGE
    RATING_S_MAXAGE = 300
    RATING_STALE_WHILE_REVALIDATE = 600


_INT_KEYS = {
    "TRUSTED_PROXIES", "MAX_CONTENT_LENGTH", "MAX_JSON_BYTES", "WIDGET_TOKEN_MAX_AGE",
    "REVIEW_TOKEN_MAX_AGE", "IDEMPOTENCY_TTL", "SQLITE_BUSY_TIMEOUT_MS", "RATING_MAX_AGE",
    "RATING_S_MAXAGE", "RATING_STALE_WHILE_REVALIDATE", "PHOTO_MAX_PIXELS", "PHOTO_MAX_BYTES",
    "RATING_CACHE_TTL", "WORKER_POLL_SECONDS", "DIGEST_HOUR",
    "PROBLEM_ALERT_MINUTES", "REVIEW_EDIT_DAYS",
}


def _defaults() -> dict[str, Any]:
    return {k: v for k, v in vars(Defaults).items() if k.isupper()}


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read every `REVIEWS_<NAME>` variable; integers are parsed, and a bad one is an error."""
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith("REVIEWS_"):
            continue
        name = key[len("REVIEWS_"):]
        if name in _INT_KEYS:
            # Every integer setting is a size, a count or a duration: none can be negative.
            value = int(raw) if re.fullmatch(r"\s*\d+\s*", raw) else -1
            if value < 0:
                raise ConfigError(f"{key} must be an integer of 0 or more, got {raw!r}")
            out[name] = value
        else:
            out[name] = raw
    return out


def load(instance_path: str, overrides: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Merge defaults, environment and overrides, and fill in the derived settings."""
    cfg = _defaults()
    cfg.update(from_environment(os.environ if environ is None else environ))
    cfg.update(overrides or {})
    instance = Path(instance_path)
    if cfg["ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"REVIEWS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {cfg['ENV']!r}")

    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'reviews.db'}"
    if not cfg["MEDIA_ROOT"]:
        cfg["MEDIA_ROOT"] = str(instance / "media")
    if not cfg["PUBLISH_ROOT"]:
        cfg["PUBLISH_ROOT"] = str(instance / "published")
    cfg["PUBLISH_STORAGE"] = str(cfg["PUBLISH_STORAGE"] or "").strip().lower()
    if cfg["PUBLISH_STORAGE"] not in ("", "local", "s3"):
        raise ConfigError(f"REVIEWS_PUBLISH_STORAGE must be empty (off), local or s3, got {cfg['PUBLISH_STORAGE']!r}")
    if cfg["PUBLISH_STORAGE"] == "s3" and not cfg["S3_BUCKET"]:
        raise ConfigError("REVIEWS_PUBLISH_STORAGE=s3 needs REVIEWS_S3_BUCKET (the photos' bucket settings)")
    cfg["SECRET_KEY"] = _secret_key(cfg, instance)
    cfg["PUBLIC_URL"] = str(cfg["PUBLIC_URL"]).rstrip("/")
    for flag in ("WEBHOOK_ALLOW_HTTP", "WEBHOOK_ALLOW_PRIVATE"):
        value = cfg[flag]
        if isinstance(value, str):
            cfg[flag] = cfg["ENV"] != "production" if value == "" else value.lower() in ("1", "true", "yes")
    if cfg["REDIS_URL"] and not str(cfg["REDIS_URL"]).startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REVIEWS_REDIS_URL must be a redis://, rediss:// or unix:// URL, got {cfg['REDIS_URL']!r}")
    if not cfg["MEDIA_URL"]:
        cfg["MEDIA_URL"] = cfg["PUBLIC_URL"] + "/media"
    return cfg


def _secret_key(cfg: dict[str, Any], instance: Path) -> str:
    key = cfg.get("SECRET_KEY") or ""
    if cfg["ENV"] == "production":
        if len(key) < 32 or key.startswith("dev-"):
            raise ConfigError(
                "REVIEWS_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return key
    if key:
        return key
    # Development: one key per instance folder, so sessions and tokens survive restarts.
    path = instance / DEV_SECRET_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # Written aside (mode 0600), then linked into place: of two processes starting together
        # on a fresh folder (web and worker), one key wins and neither reads a half-written file.
        fd, scratch = tempfile.mkstemp(dir=instance, prefix=f".{DEV_SECRET_FILE}.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write("dev-" + secrets.token_urlsafe(48))
            os.link(scratch, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(scratch)
    return path.read_text().strip()


def sqlalchemy_options(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Engine options: SQLite gets a busy timeout and no thread check; others a pre-ping pool."""
    url = cfg["DATABASE_URL"]
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": cfg["SQLITE_BUSY_TIMEOUT_MS"] / 1000,
                                 "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20,
            "connect_args": {"connect_timeout": 5}}
