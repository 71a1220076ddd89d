"""Bench: do the rating and list endpoints cost the same at 1,000,000 reviews as at 1,000?

Seeds two databases (1,000 reviews on 100 products; 1,000,000 reviews on 100,000 products), serves
both at once under the same server, and measures each endpoint on the two in alternation (best of
the rounds), so that a change in the machine's load hits both sides alike. The in-process answer
cache is off: this measures the database. Target: the large one costs at most 1.2x.
Run: .venv/bin/python bench/scale.py [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import SERVERS, gunicorn, wrk  # noqa: E402
from seed_scale import SECRET, seed  # noqa: E402

TARGET = 1.2


def database(folder: str, name: str, pg: str | None) -> str:
    if not pg:
        return f"sqlite:///{folder}/{name}.db"
    import psycopg

    base = pg.rsplit("/", 1)[0]
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "bench_{name}"')
    return f"{base}/bench_{name}"


def endpoints(base: str, key: str, products: int) -> dict[str, str]:
    """What a storefront asks for; the bulk ids are spread over the whole catalogue."""
    pub = f"{base}/api/v1/public/{key}"
    step = max(1, products // 48)
    ids = ",".join(f"p{i * step}" for i in range(48))
    first = json.load(urllib.request.urlopen(f"{pub}/products/p0/reviews?limit=10"))
    # Ten Armenian reviews of p0 first: the page after them starts the rest.
    mine = json.load(urllib.request.urlopen(f"{pub}/products/p0/reviews?limit=10&lang_first=hy"))
    return {
        "rating": f"{pub}/products/p0/rating",
        "bulk ratings (48)": f"{pub}/ratings?ids={ids}",
        "list": f"{pub}/products/p0/reviews?limit=20",
        "list, second page": f"{pub}/products/p0/reviews?limit=10&cursor={first['next_cursor']}",
        "list (lowest first)": f"{pub}/products/p0/reviews?limit=20&sort=lowest",
        "list (5 stars only)": f"{pub}/products/p0/reviews?limit=20&rating=5",
        "list (lang=hy only)": f"{pub}/products/p0/reviews?limit=20&lang=hy",
        "list (lang_first=hy, across the two parts)": f"{pub}/products/p0/reviews?limit=20&lang_first=hy",
        "list (lang_first=hy, page of the rest)":
            f"{pub}/products/p0/reviews?limit=10&lang_first=hy&cursor={mine['next_cursor']}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", help="an admin URL of a PostgreSQL server to run on instead of SQLite")
    parser.add_argument("--server", default="gunicorn-sync", choices=SERVERS)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--large", type=int, default=1_000_000, help="reviews in the large database")
    args = parser.parse_args()
    sizes = {"small": (1_000, 100), "large": (args.large, args.large // 10)}
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        served = {}
        for name, (reviews, products) in sizes.items():
            url = database(folder, name, args.pg)
            key = seed(url, f"{folder}/{name}", reviews=reviews, products=products)
            env = {"REVIEWS_INSTANCE_PATH": f"{folder}/{name}", "REVIEWS_SECRET_KEY": SECRET,
                   "REVIEWS_DATABASE_URL": url, "REVIEWS_ENV": "production",
                   "REVIEWS_RATING_CACHE_TTL": "0"}
            base = stack.enter_context(gunicorn("wsgi:app", env, kind=args.server))
            served[name] = endpoints(base, key, products)
        print(f"--- {'PostgreSQL' if args.pg else 'SQLite'}, {args.server}, cache off")
        missed = []
        for label in served["small"]:
            small_url, large_url = served["small"][label], served["large"][label]
            wrk(small_url, 2)
            wrk(large_url, 2)
            small, large = [], []
            for _ in range(args.rounds):
                small.append(wrk(small_url, args.seconds))
                large.append(wrk(large_url, args.seconds))
            cost = max(small) / max(large)
            verdict = "met" if cost <= TARGET else "NOT met"
            if cost > TARGET:
                missed.append(label)
            print(f"{label}: {max(small):.0f} req/s at {sizes['small'][0]:,} reviews, {max(large):.0f} "
                  f"req/s at {sizes['large'][0]:,} -> cost {cost:.2f}x ({verdict}, target <= {TARGET}x)")
        if missed:
            print("missed:", ", ".join(missed))


if __name__ == "__main__":
    main()
