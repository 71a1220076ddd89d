"""Cached and conditional public answers: an in-process TTL cache per app whose keys start with
(kind, shop id, ...), so that one shop's entries drop at once; strong ETags, `If-None-Match` and
304; the shared `Cache-Control`; and the mark that lets the storefront fast path (`fastpath.py`)
replay an answer that depends on its URL alone. Every public list and rating answer goes through
here; which answers to cache, and under which key, is the room's own business."""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from flask import Response, current_app, request

from .. import clock
from .broadcast import Broadcast, redis_url

# --- the in-process cache -------------------------------------------------------------------------

_MAX_ENTRIES = 20_000


class TTLCache:
    """A bounded LRU of (computed, expiry, value), one per app; entries live at most the configured
    TTL, and with a `guard` (the drop broadcast) only as long as it trusts them. Keys start with
    (kind, shop id, ...), so that one shop's entries can be dropped at once."""

    def __init__(self, guard: Broadcast | None = None) -> None:
        self.entries: OrderedDict[Any, tuple[float, float, Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.drops = 0  # how many drops so far: a value computed across one is not kept
        self.guard = guard

    def get_or_compute(self, key: Any, ttl: float,
                       compute: Callable[[], Any]) -> tuple[Any, float | None, float]:
        """The value, when it expires (on the `now()` clock; None when it was not kept) and when
        it was computed."""
        start = now()
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None and hit[1] > start and (self.guard is None or self.guard.keeps(hit[0], start)):
                self.entries.move_to_end(key)
                return hit[2], hit[1], hit[0]
            drops = self.drops
        if self.guard is not None and self.guard.thread is None:
            self.guard.start()  # listen for drops before keeping anything
        value = compute()
        with self.lock:
            if self.drops != drops:
                return value, None, start  # it may have read the rows from before the change
            self.entries[key] = (start, start + ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > _MAX_ENTRIES:
                self.entries.popitem(last=False)
        return value, start + ttl, start

    def drop_shop(self, shop_id: int | None) -> None:
        """Forget this shop's entries; None: every entry."""
        with self.lock:
            self.drops += 1
            if shop_id is None:
                self.entries.clear()
                return
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
BY_URL_SINCE = "reviews.by_url_since"
BY_URL_SHOP = "reviews.by_url_shop"
# The WSGI environ of a read the fast path answers itself, with no request context (fastpath.py's
# direct reads): the marks above go there instead of on `request.environ`.
DIRECT_ENVIRON: ContextVar[dict | None] = ContextVar("reviews_direct_environ", default=None)


def _cached(key: Any, compute: Callable[[], Any], by_url: bool = False) -> Any:
    ttl = _ttl()
    if ttl <= 0:
        return compute()
    cache = current_app.extensions.get("reviews.rating_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "reviews.rating_cache", TTLCache(current_app.extensions.get("reviews.broadcast")))
    value, expires, computed = cache.get_or_compute(key, ttl, compute)
    if by_url and expires is not None:
        environ = DIRECT_ENVIRON.get() or request.environ
        environ[BY_URL_UNTIL] = expires
        environ[BY_URL_SINCE] = computed
        environ[BY_URL_SHOP] = key[1]
    return value


def init_app(app) -> Broadcast | None:
    """The drop broadcast between processes, when Redis is configured (`broadcast.py`); it opens
    no connection until the process first keeps an answer."""
    url = redis_url(app.config)
    if not url:
        return None
    ref = weakref.ref(app)

    def drop(shop_id: int | None) -> None:
        kept = ref()
        if kept is not None:
            drop_shop(kept, shop_id)

    bus = app.extensions["reviews.broadcast"] = Broadcast(url, drop)
    return bus


def drop_shop(app, shop_id: int | None) -> None:
    """Forget every answer about this shop that this process keeps (the fast path's too); None:
    every answer about every shop."""
    for kept in (app.extensions.get("reviews.rating_cache"), app.extensions.get("reviews.fastpath")):
        if kept is not None:
            kept.drop_shop(shop_id)


def drop_shops_everywhere(app, shop_ids: set[int]) -> None:
    """Forget these shops' answers in this process, and tell the other processes to (when Redis
    is configured). Call it after the change committed; it never raises."""
    for shop_id in shop_ids:
        drop_shop(app, shop_id)
    bus = app.extensions.get("reviews.broadcast")
    if bus is not None:
        bus.publish(shop_ids)


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


def answer_headers(entry: Cached) -> dict[str, str]:
    """The headers of a public answer besides its Content-Type and Content-Length (the 304's too)."""
    return {"ETag": entry.etag, "Cache-Control": cache_control(),
            "Access-Control-Allow-Origin": "*", "Vary": "Accept-Encoding"}


def respond(entry: Cached) -> Response:
    """200 with the body, or 304 when the client already holds this ETag."""
    headers = answer_headers(entry)
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
    """Compact UTF-8 JSON, timestamps in ISO 8601 (as the API's schemas write them).

    orjson writes the bytes the standard library writes (`separators=(",", ":")`, `ensure_ascii=False`,
    `isoformat()`) for what our answers hold: text, integers, averages from 0 to 5, timestamps; a
    float under 1e-4 it would write otherwise (1e-5, not 1e-05), and no answer holds one. What it
    refuses (a key that is not text, an integer past 64 bits) goes to the standard library."""
    try:
        return orjson.dumps(payload)
    except TypeError:
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
