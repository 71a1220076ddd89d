"""Rating answers for storefronts: read straight from the aggregates, cached, and conditional.

These endpoints run on every product page view, so their path is kept short: one indexed query
(or none, on a cache hit), a pre-encoded body, a strong ETag from the aggregates' versions.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import bindparam, select

from .. import clock
from ..catalog.models import Product
from ..extensions import db
from ..shops.models import Shop
from .models import ProductRating, ShopRating

_FIELDS = ("count", "total", "n1", "n2", "n3", "n4", "n5", "verified_count", "version")


@dataclass(frozen=True)
class Rating:
    count: int = 0
    total: int = 0
    n1: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    verified_count: int = 0
    version: int = 0

    @property
    def average(self) -> float:
        """The mean to two decimals, rounded half up (4.125 -> 4.13), 0 without reviews."""
        if not self.count:
            return 0.0
        mean = (Decimal(self.total) / Decimal(self.count)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return float(mean)

    def view(self, **extra: Any) -> dict[str, Any]:
        return {**extra, "average": self.average, "count": self.count,
                "histogram": {str(n): getattr(self, f"n{n}") for n in range(1, 6)},
                "verified_count": self.verified_count}


ZERO = Rating()


def _rating(row) -> Rating:
    if row is None or row.count is None:
        return ZERO
    return Rating(**{f: getattr(row, f) for f in _FIELDS})


# --- lookups -------------------------------------------------------------------------------------
# Statements are built once: on this path, building a SELECT costs more than running it.

_SHOP_BY_KEY = select(Shop.id).where(Shop.public_key == bindparam("key"))
_PRODUCT_RATINGS = (
    select(Product.external_id, *[getattr(ProductRating, f) for f in _FIELDS])
    .select_from(Product).outerjoin(ProductRating, ProductRating.product_id == Product.id)
    .where(Product.shop_id == bindparam("shop"), Product.external_id.in_(bindparam("ids", expanding=True)))
)
_SHOP_RATING = select(*[getattr(ShopRating, f) for f in _FIELDS]).where(ShopRating.shop_id == bindparam("shop"))
_KEYS_KEPT = 10_000


def shop_id_for_key(public_key: str) -> int | None:
    """A public key never changes and never moves to another shop, so its shop id is kept for the
    life of the process (unknown keys are not kept, so a new shop is found at once)."""
    if not public_key.startswith("pk_") or len(public_key) > 64:
        return None
    known = current_app.extensions.setdefault("reviews.shop_ids", {})
    shop_id = known.get(public_key)
    if shop_id is None:
        shop_id = db.session.connection().execute(_SHOP_BY_KEY, {"key": public_key}).scalar()
        if shop_id is not None and len(known) < _KEYS_KEPT:
            known[public_key] = shop_id
    return shop_id


def product_ratings(shop_id: int, external_ids: list[str]) -> dict[str, Rating]:
    """The ratings of these products (unknown ids and products without reviews: zero counts)."""
    rows = db.session.connection().execute(_PRODUCT_RATINGS, {"shop": shop_id, "ids": external_ids})
    found = {row.external_id: _rating(row) for row in rows}
    return {eid: found.get(eid, ZERO) for eid in external_ids}


def product_rating(shop_id: int, external_id: str) -> Rating:
    return product_ratings(shop_id, [external_id])[external_id]


def shop_rating(shop_id: int) -> Rating:
    return _rating(db.session.connection().execute(_SHOP_RATING, {"shop": shop_id}).first())


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
