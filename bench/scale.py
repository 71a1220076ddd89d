"""Bench: do the rating and list endpoints cost the same at 1,000,000 reviews as at 1,000?

Seeds two databases (1,000 reviews on 100 products; 1,000,000 reviews on 100,000 products), serves
each under gunicorn, and compares requests per second. Target: the large one costs at most 1.2x.
Run: .venv/bin/python bench/scale.py [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import gunicorn, wrk  # noqa: E402
from seed_scale import SECRET, seed  # noqa: E402

SIZES = {"small": (1_000, 100), "large": (1_000_000, 100_000)}


def database(kind: str, folder: str, name: str, pg: str | None) -> str:
    if not pg:
        return f"sqlite:///{folder}/{name}.db"
    import psycopg

    base = pg.rsplit("/", 1)[0]
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "bench_{name}"')
    return f"{base}/bench_{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", help="an admin URL of a PostgreSQL server to run on instead of SQLite")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--large", type=int, default=1_000_000, help="reviews in the large database")
    args = parser.parse_args()
    SIZES["large"] = (args.large, args.large // 10)
    with tempfile.TemporaryDirectory() as folder:
        targets = {}
        for name, (reviews, products) in SIZES.items():
            url = database("pg" if args.pg else "sqlite", folder, name, args.pg)
            key = seed(url, f"{folder}/{name}", reviews=reviews, products=products)
            targets[name] = (url, key)
        results: dict[str, dict[str, float]] = {"small": {}, "large": {}}
        for name, (url, key) in targets.items():
            env = {"REVIEWS_INSTANCE_PATH": f"{folder}/{name}", "REVIEWS_SECRET_KEY": SECRET,
                   "REVIEWS_DATABASE_URL": url, "REVIEWS_ENV": "production",
                   "REVIEWS_RATING_CACHE_TTL": "0"}
            with gunicorn("wsgi:app", env) as svc:
                pub = f"{svc}/api/v1/public/{key}"
                endpoints = {"rating": f"{pub}/products/p0/rating",
                             "list": f"{pub}/products/p0/reviews?limit=20",
                             "list (lowest first)": f"{pub}/products/p0/reviews?limit=20&sort=lowest"}
                for label, endpoint in endpoints.items():
                    wrk(endpoint, 2)
                    results[name][label] = max(wrk(endpoint, args.seconds) for _ in range(2))
        for label in results["small"]:
            small, large = results["small"][label], results["large"][label]
            cost = small / large
            print(f"{label}: {small:.0f} req/s at {SIZES['small'][0]:,} reviews, {large:.0f} req/s at "
                  f"{SIZES['large'][0]:,} -> cost {cost:.2f}x ({'met' if cost <= 1.2 else 'NOT met'}, target <= 1.2x)")


if __name__ == "__main__":
    main()
