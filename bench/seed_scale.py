"""Fast seeding for the scale benchmark: N reviews over M products, written with bulk INSERTs
(no ORM objects), then the aggregates computed in one INSERT ... SELECT ... GROUP BY.

Run alone: .venv/bin/python bench/seed_scale.py --reviews 1000000 --products 100000 --db sqlite:////tmp/x.db
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "bench-secret-key-0123456789-0123456789-abcdef"
BATCH = 20_000


def seed(db_url: str, instance: str, *, reviews: int, products: int) -> str:
    """Create the schema, one shop, `products` products and `reviews` published reviews."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from reviews_service import create_app
    from reviews_service.catalog.models import Product
    from reviews_service.extensions import db
    from reviews_service.reviews.models import Review
    from reviews_service.shops import service as shops

    app = create_app({"INSTANCE_PATH": instance, "SECRET_KEY": SECRET, "DATABASE_URL": db_url})
    rng = random.Random(7)
    start = time.perf_counter()
    with app.app_context():
        upgrade()
        shop = shops.create_shop("Scale shop").shop
        shop_id, public_key = shop.id, shop.public_key
        conn = db.session.connection()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        now = datetime(2026, 11, 1, tzinfo=UTC)
        for lo in range(0, products, BATCH):
            db.session.execute(insert(Product), [
                {"shop_id": shop_id, "external_id": f"p{i}", "name": f"Product {i}",
                 "created_at": now, "updated_at": now} for i in range(lo, min(products, lo + BATCH))])
        product_ids = list(db.session.execute(text("SELECT id FROM products WHERE shop_id = :s"),
                                              {"s": shop_id}).scalars())
        # Product 0 (external id p0) is the one the benchmark reads; give it 20 reviews at every size,
        # every other one Armenian (the reader's language of the lang reads), the rest English.
        # Elsewhere a tenth are Armenian, so that the language index holds the large side's mix.
        for lo in range(0, reviews, BATCH):
            rows = []
            for i in range(lo, min(reviews, lo + BATCH)):
                pid = product_ids[0] if i < 20 else rng.choice(product_ids)
                at = now - timedelta(minutes=i)
                rows.append({"public_id": f"r{i:09d}", "shop_id": shop_id, "product_id": pid,
                             "rating": rng.randint(1, 5), "title": f"Review {i}",
                             "body": "A fair product for the price. " * 4, "author_name": "Sam Lee",
                             "email": f"u{i}@example.com", "locale": "en", "status": "published",
                             "lang": ("hy" if i % 2 else "en") if i < 20 else ("hy" if i % 10 == 3 else "en"),
                             "source": "widget", "verified_buyer": i % 3 == 0, "incentivized": False,
                             "staff": False, "redacted": False, "helpful_up": i % 7, "helpful_down": 0,
                             "report_count": 0, "photo_count": 0, "created_at": at, "updated_at": at,
                             "published_at": at})
            db.session.execute(insert(Review), rows)
        aggregate = """
            SELECT {key}, COUNT(*), SUM(rating),
                   SUM(CASE WHEN rating = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 2 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN rating = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN rating = 4 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN rating = 5 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN verified_buyer THEN 1 ELSE 0 END), 1
            FROM reviews WHERE status = 'published' GROUP BY {key}"""
        cols = "count, total, n1, n2, n3, n4, n5, verified_count, version"
        db.session.execute(text(f"INSERT INTO product_ratings (product_id, shop_id, {cols}) "
                                + aggregate.format(key="product_id, shop_id")))
        db.session.execute(text(f"INSERT INTO shop_ratings (shop_id, {cols}) "
                                + aggregate.format(key="shop_id")))
        db.session.commit()
        if db.session.connection().dialect.name == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    print(f"seeded {reviews} reviews on {products} products in {time.perf_counter() - start:.1f} s")
    return public_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--db", required=True)
    parser.add_argument("--instance", default="/tmp/reviews-scale-instance")
    args = parser.parse_args()
    print(seed(args.db, args.instance, reviews=args.reviews, products=args.products))


if __name__ == "__main__":
    main()
