"""Bench: do the rating and list endpoints cost the same at 1,000,000 reviews as at 1,000?

Seeds two databases (1,000 reviews on 100 products; 1,000,000 reviews on 100,000 products), serves
both at once under the same server, and measures each endpoint on the two in alternation (best of
the rounds), so that a change in the machine's load hits both sides alike. The in-process answer
cache is off: this measures the database. Target: the large one costs at most 1.2x.

The published files too: each side publishes the products the bench reads (p0 and the 48 of the
bulk read, spread over the catalogue) through the publishing service the worker runs, into a folder
of its own that an nginx of its own serves (deploy/nginx/, worker_processes as many as the
server's workers); the static rating JSON and reviews.json are measured the same alternating way,
after a check that each file is the API's answer byte for byte.
Run: .venv/bin/python bench/scale.py [--pg postgresql://postgres@127.0.0.1:5432/test] [--large N]
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

from _harness import SERVERS, gunicorn, nginx, same_bytes, wrk  # noqa: E402
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


def read_ids(products: int) -> list[str]:
    """The products the bench reads: the bulk read's 48, spread over the whole catalogue (p0 first)."""
    step = max(1, products // 48)
    return [f"p{i * step}" for i in range(48)]


def publish(db_url: str, instance: str, root: str, product_ids: list[str]) -> None:
    """Write these products' files and the shop's rating, as the worker's publishing job does."""
    from reviews_service import create_app
    from reviews_service.catalog import service as catalog
    from reviews_service.extensions import db
    from reviews_service.publishing import service as publishing
    from reviews_service.shops.models import Shop

    app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
                      "PUBLISH_STORAGE": "local", "PUBLISH_ROOT": root})
    with app.app_context():
        shop = db.session.scalars(db.select(Shop)).one()
        publishing.publish_shop_rating(shop.id)
        for product_id in product_ids:
            publishing.publish_product(shop.id, catalog.find_product(shop, product_id).id)
        db.engine.dispose()


def endpoints(base: str, key: str, products: int) -> dict[str, str]:
    """What a storefront asks for; the bulk ids are spread over the whole catalogue."""
    pub = f"{base}/api/v1/public/{key}"
    ids = ",".join(read_ids(products))
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
    parser.add_argument("--workers", type=int, default=2, help="server workers and nginx worker_processes")
    parser.add_argument("--only", default="", help="measure only the reads whose label has this in it")
    args = parser.parse_args()
    sizes = {"small": (1_000, 100), "large": (args.large, args.large // 10)}
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        served = {}
        for name, (reviews, products) in sizes.items():
            url = database(folder, name, args.pg)
            key = seed(url, f"{folder}/{name}", reviews=reviews, products=products)
            root = Path(folder) / name / "published"
            publish(url, f"{folder}/{name}", str(root), read_ids(products))
            env = {"REVIEWS_INSTANCE_PATH": f"{folder}/{name}", "REVIEWS_SECRET_KEY": SECRET,
                   "REVIEWS_DATABASE_URL": url, "REVIEWS_ENV": "production",
                   "REVIEWS_RATING_CACHE_TTL": "0"}
            base = stack.enter_context(gunicorn("wsgi:app", env, workers=args.workers, kind=args.server))
            static = stack.enter_context(nginx(root, Path(folder) / name / "nginx", workers=args.workers))
            served[name] = endpoints(base, key, products)
            pub = f"{base}/api/v1/public/{key}"
            for label, (file, answer) in {"rating (published file, nginx)": ("rating.json", "rating"),
                                          "list (published reviews.json, nginx)": ("reviews.json", "reviews")}.items():
                served[name][label] = f"{static}/{key}/products/p0/{file}"
                same_bytes(served[name][label], f"{pub}/products/p0/{answer}")
        print(f"--- {'PostgreSQL' if args.pg else 'SQLite'}, {args.server}, cache off; "
              f"nginx worker_processes {args.workers}")
        missed = []
        for label in [label for label in served["small"] if args.only in label]:
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
