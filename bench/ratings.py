"""Bench: rating JSON, bulk ratings for 48 products, and the star badge, against a bare Flask
JSON endpoint under the same server settings, in one run.

Targets (issue 4), with the in-process cache: rating JSON >= 1.0x, bulk (48 ids) >= 0.5x, badge >= 0.8x
the bare endpoint. Uncached (--no-cache, issue 18): rating JSON >= 0.6x; bulk and badge have no
uncached target (their ratio is printed, no verdict).
Run: .venv/bin/python bench/ratings.py [--no-cache] [--server gunicorn-sync|gunicorn-gthread|granian|all]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import SERVERS, compare, gunicorn  # noqa: E402

SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
TARGETS = {"rating JSON": 1.0, "bulk ratings (48)": 0.5, "badge": 0.8}
UNCACHED_TARGETS = {"rating JSON": 0.6}


def seed(instance: str, db_url: str) -> str:
    """48 products, each with a few published verified reviews, through the services."""
    from flask_migrate import upgrade

    from reviews_service import create_app
    from reviews_service.catalog import service as catalog
    from reviews_service.catalog.schemas import OrderIn
    from reviews_service.collecting import service
    from reviews_service.shops import service as shops

    app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": SECRET, "DATABASE_URL": db_url})
    with app.app_context():
        upgrade()
        shop = shops.create_shop("Bench shop").shop
        for p in range(48):
            catalog.upsert_product(shop, f"p{p}", {"name": f"Product {p}"})
            for n in range(3):
                order, _ = catalog.ingest_order(shop, OrderIn().load({
                    "id": f"O{p}-{n}", "customer": {"email": f"c{p}-{n}@example.com", "name": "C"},
                    "items": [{"product_id": f"p{p}", "name": f"Product {p}", "price": "10.00"}],
                    "placed_at": "2026-11-01T10:00:00+00:00", "currency": "EUR", "total": "10.00"}))
                service.submit_review(shop, f"p{p}", {"rating": 1 + (p + n) % 5, "body": "ok",
                                                      "token": catalog.widget_token(order)},
                                      service.Visitor("v", "i"))
        return shop.public_key


def run(kind: str, public_key: str, env: dict, seconds: int) -> dict[str, float]:
    ids = ",".join(f"p{p}" for p in range(48))
    results = {}
    with gunicorn("bench.bare_app:app", {}, kind=kind) as bare, gunicorn("wsgi:app", env, kind=kind) as svc:
        pub = f"{svc}/api/v1/public/{public_key}"
        urls = {"rating JSON": f"{pub}/products/p7/rating", "bulk ratings (48)": f"{pub}/ratings?ids={ids}",
                "badge": f"{pub}/products/p7/badge.svg"}
        print(f"--- server: {kind}")
        for name, url in urls.items():
            results[name] = compare(name, f"{bare}/json", url, seconds=seconds)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", default="gunicorn-sync", choices=[*SERVERS, "all"])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--no-cache", action="store_true",
                        help="turn the in-process answer cache off (REVIEWS_RATING_CACHE_TTL=0)")
    args = parser.parse_args()
    kinds = SERVERS if args.server == "all" else (args.server,)
    with tempfile.TemporaryDirectory() as instance:
        db_url = f"sqlite:///{instance}/bench.db"
        public_key = seed(instance, db_url)
        env = {"REVIEWS_INSTANCE_PATH": instance, "REVIEWS_SECRET_KEY": SECRET,
               "REVIEWS_DATABASE_URL": db_url, "REVIEWS_ENV": "production",
               "REVIEWS_RATING_CACHE_TTL": "0" if args.no_cache else "10"}
        print("in-process cache:", "off" if args.no_cache else "on (10 s, never past max-age)")
        targets = UNCACHED_TARGETS if args.no_cache else TARGETS
        for kind in kinds:
            results = run(kind, public_key, env, args.seconds)
            for name, ratio in results.items():
                if name not in targets:
                    print(f"  {name}: {ratio:.2f}x (no target {'uncached' if args.no_cache else 'cached'})")
                    continue
                verdict = "met" if ratio >= targets[name] else "NOT met"
                print(f"  {name}: {ratio:.2f}x (target {targets[name]}x"
                      f"{', uncached' if args.no_cache else ''}) {verdict}")


if __name__ == "__main__":
    main()
