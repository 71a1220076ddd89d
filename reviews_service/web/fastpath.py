"""The storefront fast path: a WSGI layer that answers a repeated rating, badge or public review
list request from memory, before Flask, routing and the request context run at all.

Why: a rating read is one indexed query and a few hundred bytes, but going through Flask costs
several times what the answer itself costs. Storefronts ask for the same few URLs on every page
view, so the answer Flask gave is kept, by URL, exactly as it left (status, headers, body), and
replayed, with 304 for a matching `If-None-Match`.

What keeps this honest:
- only answers a view marked as shareable (`caching.cached_entry(..., by_url=True)`) are kept, and
  only 200s without cookies; everything else passes through untouched (streams stay streams);
- a kept answer expires when the view's own cached entry expires, so it is never older than
  `RATING_CACHE_TTL`, itself capped at `RATING_MAX_AGE`: exactly what a CDN may serve anyway;
- a change to a shop's published reviews drops that shop's kept answers as it commits
  (ratings/freshness.py), in this process, and with Redis in every other one within a second
  (broadcast.py: while that broadcast is not live, a kept answer is replayed at most a second
  after it was computed); without Redis other processes keep theirs until they expire;
- with `RATING_CACHE_TTL=0` nothing is kept;
- memory is bounded in bytes, least recently used out first.

Direct reads: a room may also let the fast path compute an answer it does not keep (the cache off,
or expired) without Flask (`direct_read`). The hottest storefront reads (a rating, the first pages
of a review list) then cost the room's own function plus an app context: no request context, URL
routing, hooks, argument parsing or response object, which together cost more than the query.
The room's function is the one its Flask view calls, and the fast path answers only what it is
sure of: a 200 (or a 304 on `If-None-Match`) of the exact shape the view gives, for a path made of
plain characters and, when the view reads a query string, a query its schema loads. Anything else
(an unknown key or product, a query to refuse, an error, a HEAD) is Flask's to answer, as ever.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from flask import Flask
from marshmallow import Schema, ValidationError
from werkzeug.utils import get_content_type

from . import caching
from .broadcast import Broadcast
from .callers import resolve_public_key_id

PREFIX = "/api/v1/public/"
MAX_BYTES = 16 * 1024 * 1024
# Headers a 304 must not carry: it has no body (RFC 9110, 15.4.5).
_BODY_HEADERS = {"content-type", "content-length"}


@dataclass(frozen=True)
class Kept:
    computed: float
    expires: float
    shop: int
    status: str
    headers: list[tuple[str, str]]
    not_modified_headers: list[tuple[str, str]]
    body: bytes
    etag: str

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


@dataclass(frozen=True)
class DirectRead:
    """A public GET the fast path may answer itself (see the module's docstring)."""

    path: re.Pattern[str]  # what follows "/api/v1/public/<public key>/", matched whole
    answer: Callable[..., caching.Cached]  # (shop id, the loaded query or None, **the path's groups)
    query: Schema | None  # the view's query schema; None: the view reads no query string


DIRECT_READS: list[DirectRead] = []
_PUBLIC_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Query strings the fast path loads itself: names and plain values only. Percent-escapes, "+" and
# anything else are Flask's (its decoding is the reference, and such queries are rare).
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9_.,-]+=[A-Za-z0-9_.,-]*(?:&[A-Za-z0-9_.,-]+=[A-Za-z0-9_.,-]*)*")
# A path segment the fast path routes: printable ASCII, no "/" (Flask routes everything else).
SEGMENT = r"[!-.0-~]+"


def direct_read(path: str, query: Schema | None = None) -> Callable:
    """Register the decorated function as the answer to public GETs of `path` (a regular
    expression with named groups, after "/api/v1/public/<public key>/"). It is called in an app
    context as `answer(shop_id, args, **groups)`, must return the `caching.Cached` its Flask view
    responds with (through `caching.cached_entry(..., by_url=True)` when the view caches), and may
    raise whatever the view would: the request then goes to Flask. `query`: the view's query
    schema (the same instance), or None when the view reads no query string (it is then ignored,
    as Flask ignores it)."""

    def register(answer: Callable[..., caching.Cached]) -> Callable[..., caching.Cached]:
        DIRECT_READS.append(DirectRead(re.compile(path), answer, query))
        return answer

    return register


@functools.lru_cache(maxsize=1024)
def _query_args(read: DirectRead, query_string: str) -> Mapping[str, Any] | None:
    """The view's arguments from a plain query string, as its schema loads them (each name's first
    value, as Flask's request.args gives it); None when Flask must answer (to refuse it)."""
    if query_string and not _PLAIN_QUERY.fullmatch(query_string):
        return None
    raw: dict[str, str] = {}
    for pair in query_string.split("&") if query_string else ():
        name, _, value = pair.partition("=")
        raw.setdefault(name, value)
    try:
        return MappingProxyType(read.query.load(raw))
    except ValidationError:
        return None


def _replayable(headers: list[tuple[str, str]]) -> bool:
    """An answer is the same for everyone who asks for its URL: no cookie, no per-client
    rate-limit counters, and no variation on request headers other than Accept-Encoding (which
    only matters to a compressing proxy: we never compress)."""
    for name, value in headers:
        name = name.lower()
        if name == "set-cookie" or name.startswith("ratelimit") or name == "retry-after":
            return False
        if name == "vary" and {v.strip().lower() for v in value.split(",")} - {"accept-encoding"}:
            return False
    return True


class FastPath:
    """Wraps the app's WSGI callable; see the module's docstring."""

    def __init__(self, app: Callable, max_bytes: int = MAX_BYTES, guard: Broadcast | None = None,
                 flask_app: Flask | None = None) -> None:
        self.app = app
        self.flask_app = flask_app  # for direct reads; without it every miss goes to `app`
        self.guard = guard
        self.max_bytes = max_bytes
        self.kept: OrderedDict[tuple[str, str], Kept] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()
        self.drops = 0  # an answer made while a shop's answers were dropped is not kept

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith(PREFIX):
            return self.app(environ, start_response)
        key = (path, environ.get("QUERY_STRING", ""))
        kept = self._get(key)
        if kept is not None:
            if caching.not_modified(environ.get("HTTP_IF_NONE_MATCH", ""), kept.etag):
                start_response("304 Not Modified", kept.not_modified_headers)
                return []
            start_response(kept.status, kept.headers)
            return [kept.body]
        if self.flask_app is not None:
            answered = self._direct(path, key, environ, start_response)
            if answered is not None:
                return answered
        return self._through_app(key, environ, start_response)

    def _direct(self, path: str, key, environ, start_response) -> Iterable[bytes] | None:
        """A direct read's answer (kept when its view would be), or None: Flask answers."""
        public_key, _, rest = path[len(PREFIX):].partition("/")
        for read in DIRECT_READS:
            match = read.path.fullmatch(rest)
            if match is not None:
                break
        else:
            return None
        if not _PUBLIC_KEY.fullmatch(public_key):
            return None
        args = None
        if read.query is not None:
            args = _query_args(read, key[1])
            if args is None:
                return None
        drops = self.drops
        token = caching.DIRECT_ENVIRON.set(environ)
        try:
            with self.flask_app.app_context():
                entry = read.answer(resolve_public_key_id(public_key), args, **match.groupdict())
                headers = list(caching.answer_headers(entry).items())
        except Exception:  # noqa: BLE001 - whatever it is, Flask answers it (and logs it) as it always does
            for mark in (caching.BY_URL_UNTIL, caching.BY_URL_SINCE, caching.BY_URL_SHOP):
                environ.pop(mark, None)
            return None
        finally:
            caching.DIRECT_ENVIRON.reset(token)
        not_modified_headers = list(headers)
        headers += [("Content-Type", get_content_type(entry.mimetype, "utf-8")),
                    ("Content-Length", str(len(entry.body)))]
        expires = environ.get(caching.BY_URL_UNTIL)
        if expires is not None:
            self._put(key, Kept(environ[caching.BY_URL_SINCE], expires, environ[caching.BY_URL_SHOP],
                                "200 OK", headers, not_modified_headers, entry.body, entry.etag), drops)
        if caching.not_modified(environ.get("HTTP_IF_NONE_MATCH", ""), entry.etag):
            start_response("304 Not Modified", not_modified_headers)
            return []
        start_response("200 OK", headers)
        return [entry.body]

    def _through_app(self, key, environ, start_response) -> Iterable[bytes]:
        answer: dict = {}
        drops = self.drops

        def recording_start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        iterable = self.app(environ, recording_start_response)
        expires = environ.get(caching.BY_URL_UNTIL)
        headers = answer.get("headers") or []
        if expires is None or not answer.get("status", "").startswith("200 ") \
                or not _replayable(headers):
            return iterable
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if etag is not None:
            self._put(key, Kept(environ[caching.BY_URL_SINCE], expires, environ[caching.BY_URL_SHOP],
                                answer["status"], list(headers),
                                [(k, v) for k, v in headers if k.lower() not in _BODY_HEADERS],
                                body, etag), drops)
        return [body]

    def _get(self, key) -> Kept | None:
        with self.lock:
            kept = self.kept.get(key)
            if kept is None:
                return None
            now = caching.now()
            if kept.expires <= now:
                self._drop(key)
                return None
            if self.guard is not None and not self.guard.keeps(kept.computed, now):
                return None  # it may have missed a drop: ask the app again (which replaces it)
            self.kept.move_to_end(key)
            return kept

    def _put(self, key, kept: Kept, drops: int) -> None:
        if kept.size > self.max_bytes // 64:
            return  # one huge answer must not push out hundreds of ordinary ones
        with self.lock:
            if self.drops != drops:
                return  # a shop's answers were dropped meanwhile: this one may predate the change
            if key in self.kept:
                self._drop(key)
            self.kept[key] = kept
            self.bytes += kept.size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self.kept)))

    def _drop(self, key) -> None:
        self.bytes -= self.kept.pop(key).size

    def drop_shop(self, shop_id: int | None) -> None:
        """Forget every kept answer about this shop; None: every kept answer."""
        with self.lock:
            self.drops += 1
            if shop_id is None:
                self.kept.clear()
                self.bytes = 0
                return
            for key in [k for k, kept in self.kept.items() if kept.shop == shop_id]:
                self._drop(key)
