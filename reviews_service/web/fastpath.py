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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import caching
from .broadcast import Broadcast

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

    def __init__(self, app: Callable, max_bytes: int = MAX_BYTES, guard: Broadcast | None = None) -> None:
        self.app = app
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
        return self._through_app(key, environ, start_response)

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
