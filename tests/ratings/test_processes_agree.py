"""Processes agree: two real server processes (gunicorn, one worker each) on one PostgreSQL and one
Redis, each keeping answers for a minute (RATING_CACHE_TTL = RATING_MAX_AGE = 60). A change made
through one is seen by both within a second, because the drop is broadcast; without the broadcast
the other process would serve the old answer for the whole minute.

Before each change, the test proves that both processes answer from their caches: it changes the
database behind the service's back (no event, no drop), and both still show what they kept."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from reviews_service.extensions import db
from reviews_service.web.broadcast import OFFLINE_TTL
from tests.conftest import SECRET
from tests.factories import make_shop, order_payload

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 1.0  # seconds: the promise
TEXT = "Loved them, wore them every day."
NAME = "Anahit Sargsyan"
SHOWN = "Anahit S."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def web_process(tmp_path: Path, database_url: str, redis_url: str):
    """`gunicorn wsgi:app` with one worker, as an operator starts it; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWS_")}
    env.update({"REVIEWS_DATABASE_URL": database_url, "REVIEWS_SECRET_KEY": SECRET,
                "REVIEWS_INSTANCE_PATH": str(tmp_path / f"instance-{port}"),
                "REVIEWS_PUBLIC_URL": "http://reviews.test", "REVIEWS_REDIS_URL": redis_url,
                "REVIEWS_RATING_CACHE_TTL": "60", "REVIEWS_RATING_MAX_AGE": "60"})
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "--chdir", str(ROOT), "wsgi:app"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def shop(pg_app):
    # Shop ids far from 1: other test runs on this Redis broadcast drops of their own shops 1, 2...
    with pg_app.app_context():
        db.session.execute(text(f"ALTER SEQUENCE shops_id_seq RESTART WITH {random.randint(10**6, 10**9)}"))
        db.session.commit()
    return make_shop(pg_app, "Agreeing shop")


@pytest.fixture
def seeded(pg_app, shop):
    """Two published reviews of sku-1 by verified buyers: Anahit's (to be erased) and Ben's."""
    client = pg_app.test_client()
    for email, name, rating, body in (("anahit@example.com", NAME, 5, TEXT),
                                      ("ben@example.com", "Ben Stone", 2, "Too narrow.")):
        order = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
            email=email, customer={"email": email, "name": name, "locale": "en"})).get_json()
        answer = client.post(f"{shop.public}/products/sku-1/reviews",
                             json={"rating": rating, "body": body, "token": order["widget_token"]})
        assert answer.status_code == 201 and answer.get_json()["status"] == "published", answer.get_json()
    return shop


@pytest.fixture
def two_processes(tmp_path, pg_url, redis_url):
    with web_process(tmp_path, pg_url, redis_url) as one, web_process(tmp_path, pg_url, redis_url) as two:
        yield one, two


def paths(shop) -> dict[str, str]:
    return {"product rating": f"{shop.public}/products/sku-1/rating", "shop rating": f"{shop.public}/rating",
            "list": f"{shop.public}/products/sku-1/reviews", "badge": f"{shop.public}/products/sku-1/badge.svg"}


def answers(base: str, shop) -> dict[str, requests.Response]:
    out = {}
    for name, path in paths(shop).items():
        out[name] = requests.get(base + path, timeout=5)
        assert out[name].status_code == 200, out[name].text
    return out


def warm(bases, shop, *, age: bool = True) -> dict[str, dict[str, requests.Response]]:
    """Read every answer on every process several times (the later reads are the fast path's).
    With `age`, then let them grow older than a process keeps an answer while its subscription is
    not live (broadcast.OFFLINE_TTL): an answer still served after that was trusted to the broadcast."""
    for _ in range(3):
        seen = {base: answers(base, shop) for base in bases}
    if age:
        time.sleep(OFFLINE_TTL + 0.5)
    return seen


def change_behind_its_back(pg_app, shop) -> None:
    """A change no event announces: the reviews' text and the aggregates' versions (the ratings'
    ETags). A process that shows none of it answered from its cache."""
    with pg_app.app_context():
        db.session.execute(text("UPDATE reviews SET body = body || ' (behind its back)' WHERE shop_id = :s"),
                           {"s": shop.id})
        for table in ("product_ratings", "shop_ratings"):
            db.session.execute(text(f"UPDATE {table} SET version = version + 1000 WHERE shop_id = :s"),
                               {"s": shop.id})
        db.session.commit()


def assert_served_from_cache(bases, shop, kept) -> None:
    for base in bases:
        now = answers(base, shop)
        for name, answer in now.items():
            assert answer.headers["ETag"] == kept[base][name].headers["ETag"], (base, name)
            assert answer.content == kept[base][name].content, (base, name)


def wait_until(bases, shop, shows_the_change) -> dict[str, float]:
    """Poll every process until each answer shows the change; the delay per process, from now.
    Fails when one is not there after DEADLINE seconds."""
    start = time.monotonic()
    delays: dict[str, float] = {}
    while len(delays) < len(bases):
        for base in bases:
            if base not in delays and shows_the_change(answers(base, shop)):
                delays[base] = time.monotonic() - start
        assert time.monotonic() - start < DEADLINE or len(delays) == len(bases), \
            f"not every process shows the change after {DEADLINE} s: {sorted(delays)} of {bases}"
    return delays


def erased(seen: dict[str, requests.Response]) -> bool:
    listed = seen["list"].json()["reviews"]
    return ([r["author"] for r in listed] == ["Ben S."] and TEXT not in seen["list"].text
            and seen["product rating"].json()["count"] == 1 and seen["shop rating"].json()["count"] == 1
            and seen["product rating"].json()["average"] == 2.0)


def test_an_erasure_through_one_process_is_seen_by_both_within_a_second(pg_app, seeded, two_processes,
                                                                          record_property):
    one, two = two_processes
    kept = warm(two_processes, seeded)
    assert SHOWN in kept[two]["list"].text and TEXT in kept[two]["list"].text
    assert kept[two]["product rating"].json()["count"] == 2
    change_behind_its_back(pg_app, seeded)
    assert_served_from_cache(two_processes, seeded, kept)

    answer = requests.post(f"{one}/api/v1/customers/erase", json={"email": "anahit@example.com"},
                           headers=seeded.headers, timeout=10)
    assert answer.status_code == 200 and answer.json()["reviews_removed"] == 1

    delays = wait_until(two_processes, seeded, erased)
    record_property("erasure seen, seconds after the answer", {"writer": delays[one], "other": delays[two]})
    print(f"erasure seen after {delays[one] * 1000:.1f} ms (writer), {delays[two] * 1000:.1f} ms (other)")


def test_a_publication_through_one_process_is_seen_by_both_within_a_second(pg_app, seeded, two_processes):
    one, two = two_processes
    client = pg_app.test_client()
    waiting = client.post(f"{seeded.public}/products/sku-1/reviews", json={
        "rating": 4, "body": "Warm and dry.", "email": "walk-in@example.com", "display_name": "Walk In"})
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "pending"
    kept = warm(two_processes, seeded)
    change_behind_its_back(pg_app, seeded)
    assert_served_from_cache(two_processes, seeded, kept)

    decided = requests.post(f"{one}/api/v1/reviews/{waiting.get_json()['id']}/decision",
                            json={"decision": "approve"}, headers=seeded.headers, timeout=10)
    assert decided.status_code == 200, decided.text

    wait_until(two_processes, seeded, lambda seen: "Warm and dry." in seen["list"].text
               and seen["product rating"].json()["count"] == 3 and seen["shop rating"].json()["count"] == 3)


def test_a_public_reply_and_a_settings_change_are_seen_by_both_within_a_second(pg_app, seeded, two_processes):
    one, two = two_processes
    listed = requests.get(one + paths(seeded)["list"], timeout=5).json()["reviews"]
    kept = warm(two_processes, seeded)
    change_behind_its_back(pg_app, seeded)
    assert_served_from_cache(two_processes, seeded, kept)

    replied = requests.post(f"{one}/api/v1/reviews/{listed[0]['id']}/reply", json={"body": "Thank you!"},
                            headers=seeded.headers, timeout=10)
    assert replied.status_code in (200, 201), replied.text
    wait_until(two_processes, seeded, lambda seen: "Thank you!" in seen["list"].text)

    kept = warm(two_processes, seeded)
    assert 'aria-label="Rated ' in kept[two]["badge"].text  # the default language, English
    changed = requests.patch(f"{one}/api/v1/shop", json={"settings": {"default_locale": "hy"}},
                             headers=seeded.headers, timeout=10)
    assert changed.status_code == 200, changed.text
    wait_until(two_processes, seeded, lambda seen: 'aria-label="Rated ' not in seen["badge"].text)


def test_with_redis_unreachable_a_write_succeeds_and_answers_live_at_most_a_second(
        tmp_path, pg_app, pg_url, seeded):
    """No Redis to carry the drop: the erasure still commits (no 500), the writer drops at once,
    and no process keeps an answer longer than a second (not the minute of its TTL)."""
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    with web_process(tmp_path, pg_url, unreachable) as one, web_process(tmp_path, pg_url, unreachable) as two:
        kept = warm((one, two), seeded, age=False)
        assert kept[two]["product rating"].json()["count"] == 2

        answer = requests.post(f"{one}/api/v1/customers/erase", json={"email": "anahit@example.com"},
                               headers=seeded.headers, timeout=10)
        assert answer.status_code == 200 and answer.json()["reviews_removed"] == 1

        wait_until((one, two), seeded, erased)


@contextlib.contextmanager
def redis_server(port: int, folder: Path):
    """A Redis server of the test's own on `port`, which the test may stop and start again."""
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield proc
    finally:
        proc.send_signal(signal.SIGCONT)  # a stopped server would not hear the SIGTERM
        proc.terminate()
        proc.wait(10)


def until_both_trust_the_broadcast(pg_app, bases, shop, seconds: float = 20) -> None:
    """Wait until every process keeps its answers longer than it would without a live
    subscription: answers older than OFFLINE_TTL still hide a change made behind its back."""
    deadline = time.monotonic() + seconds
    while True:
        kept = warm(bases, shop)
        change_behind_its_back(pg_app, shop)
        try:
            return assert_served_from_cache(bases, shop, kept)
        except AssertionError:
            assert time.monotonic() < deadline, "the processes never subscribed again"


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to stop and start one")
def test_while_redis_is_down_writes_succeed_and_when_it_is_back_the_processes_agree_again(
        tmp_path, pg_app, pg_url, seeded):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with web_process(tmp_path, pg_url, url) as one, web_process(tmp_path, pg_url, url) as two:
        with redis_server(port, tmp_path):
            until_both_trust_the_broadcast(pg_app, (one, two), seeded)
        # Redis is gone: the erasure commits, and no process serves an answer from before it for
        # longer than a second (not the minute of its TTL).
        answer = requests.post(f"{one}/api/v1/customers/erase", json={"email": "anahit@example.com"},
                               headers=seeded.headers, timeout=10)
        assert answer.status_code == 200 and answer.json()["reviews_removed"] == 1
        wait_until((one, two), seeded, erased)

        with redis_server(port, tmp_path):
            until_both_trust_the_broadcast(pg_app, (one, two), seeded)
            listed = requests.get(one + paths(seeded)["list"], timeout=5).json()["reviews"]
            replied = requests.post(f"{one}/api/v1/reviews/{listed[0]['id']}/reply",
                                    json={"body": "Sorry to hear it."}, headers=seeded.headers, timeout=10)
            assert replied.status_code in (200, 201), replied.text
            wait_until((one, two), seeded, lambda seen: "Sorry to hear it." in seen["list"].text)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to stop and start one")
def test_when_redis_stops_answering_the_processes_stop_trusting_what_they_kept(tmp_path, pg_app, pg_url, seeded):
    """A Redis that hangs (SIGSTOP) closes no connection: a process notices the silence of its
    subscription, and within a second serves nothing it may have kept across a lost drop."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with web_process(tmp_path, pg_url, url) as one, web_process(tmp_path, pg_url, url) as two:
        with redis_server(port, tmp_path) as redis_process:
            until_both_trust_the_broadcast(pg_app, (one, two), seeded)
            redis_process.send_signal(signal.SIGSTOP)

            answer = requests.post(f"{one}/api/v1/customers/erase", json={"email": "anahit@example.com"},
                                   headers=seeded.headers, timeout=10)
            assert answer.status_code == 200 and answer.json()["reviews_removed"] == 1
            wait_until((one, two), seeded, erased)

            redis_process.send_signal(signal.SIGCONT)
            until_both_trust_the_broadcast(pg_app, (one, two), seeded)
            listed = requests.get(one + paths(seeded)["list"], timeout=5).json()["reviews"]
            replied = requests.post(f"{one}/api/v1/reviews/{listed[0]['id']}/reply",
                                    json={"body": "Sorry to hear it."}, headers=seeded.headers, timeout=10)
            assert replied.status_code in (200, 201), replied.text
            wait_until((one, two), seeded, lambda seen: "Sorry to hear it." in seen["list"].text)
