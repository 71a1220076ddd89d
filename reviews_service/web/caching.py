"""Cached and conditional public answers: an in-process TTL cache per app whose keys start with
(kind, shop id, ...), so that one shop's entries drop at once; strong ETags, `If-None-Match` and
304; the shared `Cache-Control`; and the mark that lets the storefront fast path (`fastpath.py`)
replay an answer that depends on its URL alone. Every public list and rating answer goes through
here; which answers to cache, and under which key, is the room's own business."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, current_app, request

from .. import clock

# --- the in-process cache -------------------------------------------------------------------------

_MAX_ENTRIES = 20_000


class TTLCache:
    """A bounded LRU of (expiry, value), one per app; entries live at most the configured TTL.
    Keys start with (kind, shop id, ...), so that one shop's entries can be dropped at once."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.drops = 0  # how many drops so far: a value computed across one is not kept

    def get_or_compute(self, key: Any, ttl: float, compute: Callable[[], Any]) -> tuple[Any, float | None]:
        """The value and when it expires (on the `now()` clock); None when it was not kept."""
        start = now()
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None and hit[0] > start:
                self.entries.move_to_end(key)
                return hit[1], hit[0]
            drops = self.drops
        value = compute()
        with self.lock:
            if self.drops != drops:
                return value, None  # it may have read the rows from before the change
            self.entries[key] = (start + ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > _MAX_ENTRIES:
                self.entries.popitem(last=False)
        return value, start + ttl

    def drop_shop(self, shop_id: int) -> None:
        with self.lock:
            self.drops += 1
            for key in [k for k in self.entries if k[1] == shop_id]:
                del self.entries[key]


def now() -> float:
    """The clock of the in-process caches (monotonic: a wall-clock jump cannot extend a TTL)."""
    return clock.monotonic()


def _ttl() -> float:
    # Never longer than the max-age a CDN or browser may keep the answer anyway.
    cfg = current_app.config
    return float(min(cfg["RATING_CACHE_TTL"], cfg["RATING_MAX_AGE"]))


# Set in the WSGI environ by a view whose answer depends on its URL only: the fast path
# (fastpath.py) may then replay it until this time, and drops it with its shop's answers.
BY_URL_UNTIL = "reviews.by_url_until"
BY_URL_SHOP = "reviews.by_url_shop"


def _cached(key: Any, compute: Callable[[], Any], by_url: bool = False) -> Any:
    ttl = _ttl()
    if ttl <= 0:
        return compute()
    cache = current_app.extensions.get("reviews.rating_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("reviews.rating_cache", TTLCache())
    value, expires = cache.get_or_compute(key, ttl, compute)
    if by_url and expires is not None:
        request.environ[BY_URL_UNTIL] = expires
        request.environ[BY_URL_SHOP] = key[1]
    return value


def drop_shop(app, shop_id: int) -> None:
    """Forget every answer about this shop that this process keeps (the fast path's too)."""
    for kept in (app.extensions.get("reviews.rating_cache"), app.extensions.get("reviews.fastpath")):
        if kept is not None:
            kept.drop_shop(shop_id)


# --- conditional, cacheable answers ---------------------------------------------------------------

def cache_control() -> str:
    cfg = current_app.config
    return (f"public, max-age={cfg['RATING_MAX_AGE']}, s-maxage={cfg['RATING_S_MAXAGE']}, "
            f"stale-while-revalidate={cfg['RATING_STALE_WHILE_REVALIDATE']}")


def etag_for(*parts: Any) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


@dataclass(frozen=True)
class Cached:
    """A ready answer: the encoded body and its ETag."""

    body: bytes
    etag: str
    mimetype: str


def respond(entry: Cached) -> Response:
    """200 with the body, or 304 when the client already holds this ETag."""
    headers = {"ETag": entry.etag, "Cache-Control": cache_control(),
               "Access-Control-Allow-Origin": "*", "Vary": "Accept-Encoding"}
    if not_modified(request.headers.get("If-None-Match", ""), entry.etag):
        return Response(status=304, headers=headers)
    return Response(entry.body, mimetype=entry.mimetype, headers=headers)


def not_modified(if_none_match: str, etag: str) -> bool:
    """Whether an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 asks for
    GET; `*` matches any current representation)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_json(payload: Any) -> bytes:
    """Compact UTF-8 JSON, timestamps in ISO 8601 (as the API's schemas write them)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=_json_default).encode()


def json_entry(payload: Any, *version_parts: Any) -> Cached:
    """A JSON answer whose ETag comes from versions; without versions, from the body itself."""
    body = encode_json(payload)
    parts = version_parts or (hashlib.blake2b(body, digest_size=16).hexdigest(),)
    return Cached(body, etag_for("json", *parts), "application/json")


def cached_entry(key: Any, compute: Callable[[], Cached], *, by_url: bool = False) -> Cached:
    """The cached answer for `key` (`(kind, shop id, ...)`), computed on a miss. `by_url`: the
    answer depends on the request's path and query string alone, so the fast path may replay it."""
    return _cached(key, compute, by_url)
