"""Bench: how long after a change one process answers it does another process stop serving the
answer it kept. Two gunicorn instances (one sync worker each, caches of a minute:
REVIEWS_RATING_CACHE_TTL = REVIEWS_RATING_MAX_AGE = 60) on one fresh PostgreSQL database and one
Redis, the production settings otherwise.

Each round: the other process is made to hold the current public review list of the shop in its
cache (and the fast path's), then a change is made through the first process, and the other process's list
is read in a loop (every 0.5 ms, keep-alive) until it shows the change. The delay is from the
moment the change's answer arrived (it is committed and its drop was published by then) to the
first answer of the other process that shows it; it includes up to one read of the loop.
Without the broadcast the other process would serve the old list for the rest of its minute.

Changes: `reply` (default; the public reply of one review is rewritten, "round N") or `erase` (a
reviewer is erased through POST /api/v1/customers/erase; one seeded reviewer per round).

Reported: median, p99 and max of the delays, labelled with the machine and its load (the numbers
are noisy on a busy machine: the loop and both servers share its cores).
Run: .venv/bin/python bench/invalidation.py --rounds 200 [--change erase]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import gunicorn  # noqa: E402

SECRET = "bench-invalidation-secret-0123456789-abcdefghij"
PG_ADMIN = os.environ.get("REVIEWS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("REVIEWS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def fresh_database(admin_url: str):
    """A migrated database of its own on the server of `admin_url`, dropped on the way out."""
    name = f"bench_invalidation_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(instance: str, db_url: str, reviewers: int) -> tuple[str, str, list[str]]:
    """A shop (an id far from 1: other runs on this Redis broadcast drops of their shops 1, 2...),
    with `reviewers` verified buyers' published reviews, each of a product of its own (more than 30
    of one product in an hour would be held as a burst). Answers the public key, the
    secret key and the reviewers' e-mail addresses."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from reviews_service import create_app
    from reviews_service.catalog import service as catalog
    from reviews_service.catalog.schemas import OrderIn
    from reviews_service.collecting import service as collecting
    from reviews_service.extensions import db
    from reviews_service.shops import service as shops

    app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": SECRET, "DATABASE_URL": db_url})
    emails = [f"reviewer{n}@example.com" for n in range(reviewers)]
    with app.app_context():
        upgrade()
        db.session.execute(text(f"ALTER SEQUENCE shops_id_seq RESTART WITH {random.randint(10**6, 10**9)}"))
        db.session.commit()
        created = shops.create_shop("Bench shop")
        shop = created.shop
        for n, email in enumerate(emails):
            order, _ = catalog.ingest_order(shop, OrderIn().load({
                "id": f"O{n}", "customer": {"email": email, "name": f"Reviewer {n} Example"},
                "items": [{"product_id": f"p{n}", "name": f"Product {n}", "price": "10.00"}],
                "placed_at": "2026-11-01T10:00:00+00:00", "currency": "EUR", "total": "10.00"}))
            collecting.submit_review(shop, f"p{n}", {"rating": 1 + n % 5, "body": f"Review number {n}.",
                                                     "token": catalog.widget_token(order)},
                                     collecting.Visitor(f"v{n}", f"i{n}"))
        return shop.public_key, created.secret_key, emails


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def machine() -> str:
    load = os.getloadavg()
    return f"{len(os.sched_getaffinity(0))} cores, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"


def run(args: argparse.Namespace, instance: str, db_url: str) -> list[float]:
    reviewers = args.rounds + 1 if args.change == "erase" else 1
    public_key, secret, emails = seed(instance, db_url, reviewers)
    env = {"REVIEWS_ENV": "production", "REVIEWS_SECRET_KEY": SECRET, "REVIEWS_DATABASE_URL": db_url,
           "REVIEWS_INSTANCE_PATH": instance, "REVIEWS_REDIS_URL": args.redis,
           "REVIEWS_RATING_CACHE_TTL": "60", "REVIEWS_RATING_MAX_AGE": "60",
           "REVIEWS_SERVER_API_LIMIT": "1000000 per minute"}
    auth = {"Authorization": f"Bearer {secret}"}
    with gunicorn("wsgi:app", env, workers=1) as one, gunicorn("wsgi:app", env, workers=1) as two:
        writer, reader = requests.Session(), requests.Session()
        for base in (one, two):  # the worker has loaded the app (the port opens before that)
            assert requests.get(f"{base}/readyz", timeout=120).status_code == 200
        list_url = f"{two}/api/v1/public/{public_key}/reviews?limit=50"  # the whole shop's, newest first
        first = reader.get(list_url, timeout=10)
        assert first.status_code == 200, first.text
        review_id = first.json()["reviews"][0]["id"]
        time.sleep(1.5)  # both processes subscribed (their first cached answer started it)
        delays = []
        for n in range(args.rounds):
            for _ in range(3):  # the other process holds the current list (the fast path's copy too)
                before = reader.get(list_url, timeout=10).text
            if args.change == "reply":
                marker = f"round {n} of the bench"
                answer = writer.post(f"{one}/api/v1/reviews/{review_id}/reply", json={"body": marker},
                                     headers=auth, timeout=10)

                def shows(body: str, marker=marker) -> bool:
                    return marker in body
            else:
                newest = reviewers - 1 - n  # the newest left: on the first page of the list
                assert f"Review number {newest}." in before, before[:300]
                answer = writer.post(f"{one}/api/v1/customers/erase", json={"email": emails[newest]},
                                     headers=auth, timeout=10)

                def shows(body: str, gone=f"Review number {newest}.") -> bool:
                    return gone not in body
            answered = time.perf_counter()
            assert answer.status_code in (200, 201), answer.text
            while not shows(reader.get(list_url, timeout=10).text):
                if time.perf_counter() - answered > 60:
                    sys.exit(f"round {n}: the other process still shows the old list after 60 s")
                time.sleep(0.0005)
            delays.append(time.perf_counter() - answered)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--change", choices=("reply", "erase"), default="reply")
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL admin URL (a database is created)")
    parser.add_argument("--redis", default=REDIS)
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as instance, fresh_database(args.pg) as db_url:
        delays = run(args, instance, db_url)
    ms = [d * 1000 for d in delays]
    print(f"cross-process invalidation ({args.change}, {len(ms)} rounds, 2 gunicorn processes, "
          f"PostgreSQL + Redis pub/sub; {machine()}):")
    print(f"  median {statistics.median(ms):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms "
          f"(min {min(ms):.1f} ms)")


if __name__ == "__main__":
    main()
