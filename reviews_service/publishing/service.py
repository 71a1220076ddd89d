"""Queue the publishing work in the change's transaction, and do it in the worker.

One coalesced outbox task per product (`publish.product`, key `publish:<product row id>`) and per
shop rating (`publish.shop_rating`, `publish-rating:<shop id>`): ten changes before the worker
runs make one row and one write. The worker frees the key as it starts a row (outbox
`start_task`), so a change after that queues a new row, written after this one: the files always
end at the latest state.

Two workers never write one product's files at once: the job holds a lock for the product (the
shop, for the shop's rating) from before it reads until its last write. PostgreSQL: a
transaction-level advisory lock; SQLite: the database's one write lock, taken by a write to the
shop's row, which also keeps any change from committing between the read and the write.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import Integer, cast, func, select, text

from ..catalog.models import Product
from ..extensions import db
from ..outbox import service as outbox
from ..outbox.models import OutboxMessage
from ..shops.models import Shop
from ..web.caching import cache_control
from . import files, names
from .storage import Target, target_from_config

PRODUCT, SHOP_RATING, SHOP = "publish.product", "publish.shop_rating", "publish.shop"
BATCH = 200  # products a republish of a whole shop queues per task

# Advisory lock classes (the first key of pg_advisory_xact_lock(int, int)).
_LOCK_PRODUCT, _LOCK_SHOP = 0x7075_6201, 0x7075_6202


def target() -> Target | None:
    """The app's publishing target, built once from its config; None while publishing is off."""
    ext = current_app.extensions
    if "reviews.publish_target" not in ext:
        ext["reviews.publish_target"] = target_from_config(current_app.config)
    return ext["reviews.publish_target"]


def enabled() -> bool:
    return bool((current_app.config.get("PUBLISH_STORAGE") or "").strip())


# --- queueing, in the caller's transaction ----------------------------------------------------------

def queue_product(shop_id: int, product_id: int, *, rating: bool = True) -> None:
    """Queue the product's files and, when its `rating` moved, the shop's rating (coalesced);
    nothing while publishing is off. Without `rating` the shop's row is left alone: votes and
    replies on different products need not wait for each other on it."""
    if not enabled():
        return
    outbox.enqueue_task(PRODUCT, {"product_id": product_id}, shop_id=shop_id, coalesce=f"publish:{product_id}")
    if rating:
        outbox.enqueue_task(SHOP_RATING, {}, shop_id=shop_id, coalesce=f"publish-rating:{shop_id}")


def queue_shop(shop_id: int) -> None:
    """Queue a republish of every product of the shop, `BATCH` products per task."""
    if not enabled():
        return
    outbox.enqueue_task(SHOP, {"after": 0}, shop_id=shop_id, coalesce=f"publish-shop:{shop_id}")


# --- the worker's tasks -------------------------------------------------------------------------------

def run_product(message: OutboxMessage) -> None:
    publish_product(message.shop_id, message.payload["product_id"])


def run_shop_rating(message: OutboxMessage) -> None:
    publish_shop_rating(message.shop_id)


def run_shop(message: OutboxMessage) -> None:
    """Queue the next batch of the shop's products, and this task again for the batch after it."""
    shop_id, after = message.shop_id, int(message.payload.get("after", 0))
    ids = list(db.session.scalars(select(Product.id).where(Product.shop_id == shop_id, Product.id > after)
                                  .order_by(Product.id).limit(BATCH)))
    for product_id in ids:
        queue_product(shop_id, product_id)
    if len(ids) == BATCH and enabled():
        outbox.enqueue_task(SHOP, {"after": ids[-1]}, shop_id=shop_id, coalesce=f"publish-shop:{shop_id}")
    db.session.commit()


def publish_product(shop_id: int, product_id: int) -> int:
    """Write the product's files as the API answers now; answers how many (0: publishing is off,
    the product is gone or has no file name). Commits."""
    where = target()
    if where is None:
        return 0
    _lock(_LOCK_PRODUCT, product_id, shop_id)
    row = db.session.execute(select(Product.external_id, Shop.public_key).join(Shop, Shop.id == Product.shop_id)
                             .where(Product.id == product_id, Product.shop_id == shop_id)).first()
    written = _write(where, files.product_files(shop_id, row.public_key, row.external_id)) if row else 0
    db.session.commit()  # ends the lock
    return written


def publish_shop_rating(shop_id: int) -> int:
    where = target()
    if where is None:
        return 0
    _lock(_LOCK_SHOP, shop_id, shop_id)
    key = db.session.scalar(select(Shop.public_key).where(Shop.id == shop_id))
    written = _write(where, files.shop_files(shop_id, key)) if key and names.safe_key(key) else 0
    db.session.commit()
    return written


def publish_all(shop: Shop | None = None) -> tuple[int, int]:
    """Write every file of `shop` (every shop when None) now: the first run after turning
    publishing on, or after moving its storage. Answers (products written, files written)."""
    shop_ids = [shop.id] if shop is not None else list(db.session.scalars(select(Shop.id).order_by(Shop.id)))
    products = written = 0
    for shop_id in shop_ids:
        written += publish_shop_rating(shop_id)
        after = 0
        while True:
            ids = list(db.session.scalars(select(Product.id).where(Product.shop_id == shop_id, Product.id > after)
                                          .order_by(Product.id).limit(BATCH)))
            for product_id in ids:
                count = publish_product(shop_id, product_id)
                products += bool(count)
                written += count
            if len(ids) < BATCH:
                break
            after = ids[-1]
    return products, written


def _write(where: Target, items: Iterable[files.File]) -> int:
    control = cache_control()
    count = 0
    for item in items:
        where.put(item.path, item.entry.body, item.entry.mimetype, control, personal=item.personal)
        count += 1
    return count


def _lock(kind: int, ident: int, shop_id: int) -> None:
    """Hold the lock of one product's (or one shop's) files until this transaction ends."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(cast(kind, Integer), cast(ident, Integer))))
    else:
        # The write lock of the whole database, until the commit: no other writer runs meanwhile.
        db.session.execute(text("UPDATE shops SET id = id WHERE id = :id"), {"id": shop_id})
