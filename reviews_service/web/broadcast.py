"""Processes agree: when a change drops a shop's cached public answers in the process that made it
(ratings/freshness.py), the drop is published, after the commit, on a Redis pub/sub channel, and
every other process drops the same shop's answers when the message arrives (milliseconds).

Why pub/sub and not a version counter read per request: a counter costs a Redis round trip on
every storefront read, the very path the in-process cache and the fast path exist to keep short.

What keeps it honest when Redis is not all there:
- each process subscribes lazily, in a daemon thread, when it first keeps an answer: the app
  factory opens nothing, and a forked worker (gunicorn) starts its own after the fork;
- a process trusts a kept answer for its whole TTL only while its subscription is live:
  subscribed, and heard from (a message, or the answer to its own ping every 0.25 s) within the
  last second. Otherwise an answer is served at most `OFFLINE_TTL` after it was computed, so a
  message it may have missed costs at most that long;
- on every (re)subscription it first drops everything it keeps: what changed while it was not
  listening is unknown;
- a publish that fails never fails the change (already committed), and a write waits at most
  half a second for Redis (not at all while the subscription is down or silent): the listener
  publishes it once subscribed again, and meanwhile the other processes keep the answer at most
  their TTL (at most a second, if their own subscription is down too).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

CHANNEL = "reviews:cache-drops"
PING_EVERY = 0.25  # seconds between the listener's pings: silence is noticed quickly
SILENCE = 1.0  # heard nothing for this long: messages may be going missing
OFFLINE_TTL = 1.0  # the longest an answer is served while the subscription is not live
RECONNECT_AFTER = 3.0  # a connection silent this long is given up for a new one
_BACKOFF = (0.1, 2.0)  # first and longest wait between attempts to subscribe again
# A write waits at most this long for Redis; redis-py's own retries would multiply it.
_CLIENT = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 0)}

_everyone: weakref.WeakSet[Broadcast] = weakref.WeakSet()


def redis_url(config) -> str:
    """The Redis the processes agree through: `REDIS_URL`, else the rate limits' Redis; "" for none."""
    url = config.get("REDIS_URL") or ""
    if not url and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        url = config["RATELIMIT_STORAGE_URI"]
    return url


class Broadcast:
    """One per app. `drop(shop_id)` forgets one shop's kept answers in this process,
    `drop(None)` all of them; both are called from the listener thread."""

    def __init__(self, url: str, drop: Callable[[int | None], None]) -> None:
        self.url = url
        self.drop = drop
        self._fresh_state()
        _everyone.add(self)

    def _fresh_state(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.wait = _BACKOFF[0]  # before the next attempt to subscribe
        self.live = False  # subscribed, and everything kept from before was dropped
        self.heard = float("-inf")  # time.monotonic() of the last word from the subscription
        self.down = False  # the listener's last attempt to reach Redis failed
        self.pending: set[int] = set()  # shops whose drop could not be published yet
        self.client: redis.Redis | None = None
        self.token = uuid.uuid4().hex  # this process's name on the channel

    # --- readers (any request thread) ------------------------------------------------------------

    def keeps(self, stored: float, now: float) -> bool:
        """Whether an answer computed at `stored` may still be served at `now` (both on the cache
        clock), besides its own TTL: always while the subscription is live, else for
        `OFFLINE_TTL`. Subscribes on first use."""
        if self.thread is None:
            self.start()
        return self._trusted() or now - stored < OFFLINE_TTL

    def _trusted(self) -> bool:
        return self.live and time.monotonic() - self.heard < SILENCE

    def start(self) -> None:
        """Start listening (idempotent)."""
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._listen, name="reviews-cache-drops", daemon=True)
                self.thread.start()

    # --- writers (after a commit) ----------------------------------------------------------------

    def publish(self, shop_ids: Iterable[int]) -> None:
        """Tell the other processes to drop these shops' answers. Never raises: the change it
        announces is committed already."""
        ids = set(shop_ids)
        if not ids:
            return
        if self.down or (self.thread is not None and not self._trusted()):
            # Do not make the write wait for a Redis that is away or silent: the listener
            # publishes it as soon as it is subscribed again.
            self._postpone(ids)
            return
        try:
            self._publish(ids)
        except Exception as exc:  # noqa: BLE001  (Redis down, or anything else: the change stands)
            log.warning("cache drops for shops %s not broadcast yet: %s", sorted(ids), exc)
            self._postpone(ids)

    def _publish(self, ids: set[int]) -> None:
        if self.client is None:
            self.client = redis.Redis.from_url(self.url, **_CLIENT)
        self.client.publish(CHANNEL, f"{self.token} {','.join(map(str, sorted(ids)))}")

    def _postpone(self, ids: set[int]) -> None:
        with self.lock:
            self.pending |= ids

    def _publish_pending(self) -> None:
        with self.lock:
            ids, self.pending = self.pending, set()
        if ids:
            try:
                self._publish(ids)
            except Exception:  # noqa: BLE001  (tried again on the next round)
                self._postpone(ids)

    # --- the listener thread ---------------------------------------------------------------------

    def _listen(self) -> None:
        while True:
            try:
                self._follow()
            except Exception as exc:  # noqa: BLE001  (whatever went wrong, listen again)
                (log.debug if self.down else log.warning)("cache drops: no subscription to %s: %s", CHANNEL, exc)
                self.down = True
            self.live = False
            time.sleep(self.wait)
            self.wait = min(self.wait * 2, _BACKOFF[1])

    def _follow(self) -> None:
        """Subscribe and handle messages until the connection fails or falls silent (raises).
        The drop of everything comes after the subscription is confirmed: a change committed
        after that point is announced on it."""
        client = redis.Redis.from_url(self.url, **_CLIENT)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(CHANNEL)
            last_word = last_ping = time.monotonic()
            while True:
                message = pubsub.get_message(timeout=PING_EVERY)
                now = time.monotonic()
                if message is not None:
                    self._receive(message)
                    last_word = self.heard = time.monotonic()  # after the drop it announced
                if now - last_ping >= PING_EVERY:
                    pubsub.ping()
                    last_ping = now
                if now - last_word > RECONNECT_AFTER:
                    raise redis.ConnectionError(f"no answer from Redis for {RECONNECT_AFTER:g} s")
                if self.live and self.pending:
                    self._publish_pending()
        finally:
            self.live = False
            pubsub.close()
            client.close()

    def _receive(self, message: dict) -> None:
        kind = message["type"]
        if kind == "subscribe":
            self.drop(None)
            self.down, self.live, self.wait = False, True, _BACKOFF[0]
        elif kind == "message":
            sender, _, shops = message["data"].decode("ascii", "replace").partition(" ")
            if sender == self.token:
                return  # this process dropped them as the change committed
            for shop_id in shops.split(","):
                if shop_id.isdigit():
                    self.drop(int(shop_id))


def _after_fork() -> None:
    # A forked child has none of its parent's threads, and must not share its sockets.
    for broadcast in list(_everyone):
        broadcast._fresh_state()


os.register_at_fork(after_in_child=_after_fork)
