"""Bench: the public review list (20 reviews with photos) against a bare Flask endpoint.

Targets: with the in-process cache, the list serves at least 0.4x the requests per second of the
bare endpoint; uncached (--no-cache, issue 18), at least 0.35x.
Run: .venv/bin/python bench/review_list.py [--no-cache] [--db postgresql://...]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import compare, gunicorn  # noqa: E402

SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
TARGET, UNCACHED_TARGET = 0.40, 0.35


def seed(instance: str, db_url: str) -> tuple[str, str]:
    """A shop with one product and 20 published, verified reviews with a photo each."""
    from flask_migrate import upgrade
    from PIL import Image

    from reviews_service import create_app
    from reviews_service.catalog import service as catalog
    from reviews_service.catalog.schemas import OrderIn
    from reviews_service.collecting import service
    from reviews_service.reviews import media
    from reviews_service.shops import service as shops

    app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": SECRET, "DATABASE_URL": db_url,
                      "PUBLIC_URL": "http://127.0.0.1"})
    with app.app_context():
        upgrade()
        shop = shops.create_shop("Bench shop").shop
        catalog.upsert_product(shop, "p1", {"name": "Bench product"})
        for n in range(20):
            order, _ = catalog.ingest_order(shop, OrderIn().load({
                "id": f"B{n}", "customer": {"email": f"c{n}@example.com", "name": f"Customer {n}"},
                "items": [{"product_id": "p1", "name": "Bench product", "price": "10.00"}],
                "placed_at": "2026-11-01T10:00:00+00:00", "currency": "EUR", "total": "10.00"}))
            buf = io.BytesIO()
            Image.new("RGB", (1200, 900), (n * 10, 80, 160)).save(buf, "JPEG")
            photo = media.upload_photo(shop, buf.getvalue(), visitor_hash=None)
            service.submit_review(shop, "p1", {
                "rating": 1 + n % 5, "title": f"Review {n}", "body": f"Solid product number {n}. " * 20,
                "token": catalog.widget_token(order), "photo_ids": [photo.public_id]},
                service.Visitor(f"v{n}", f"i{n}"))  # 20 shoppers: one visitor would be held as duplicates
        return shop.public_key, app.config["DATABASE_URL"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temp folder)")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--no-cache", action="store_true",
                        help="turn the in-process answer cache off (REVIEWS_RATING_CACHE_TTL=0)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        db_url = args.db or f"sqlite:///{instance}/bench.db"
        public_key, db_url = seed(instance, db_url)
        env = {"REVIEWS_INSTANCE_PATH": instance, "REVIEWS_SECRET_KEY": SECRET,
               "REVIEWS_DATABASE_URL": db_url, "REVIEWS_ENV": "production",
               "REVIEWS_PUBLIC_URL": "http://127.0.0.1",
               "REVIEWS_RATING_CACHE_TTL": "0" if args.no_cache else "10"}
        with gunicorn("bench.bare_app:app", {}) as bare, gunicorn("wsgi:app", env) as service:
            url = f"{service}/api/v1/public/{public_key}/products/p1/reviews?limit=20"
            shown = len(json.load(urllib.request.urlopen(url))["reviews"])
            if shown != 20:
                sys.exit(f"the page shows {shown} reviews, not 20: the seed's reviews were not all published")
            label = "review list (20 reviews with photos" + (", cache off)" if args.no_cache else ")")
            ratio = compare(label, f"{bare}/json", url,
                            seconds=args.seconds)
    target = UNCACHED_TARGET if args.no_cache else TARGET
    print(f"target >= {target:.2f}{' (uncached)' if args.no_cache else ''}: {'met' if ratio >= target else 'NOT met'}")


if __name__ == "__main__":
    main()
