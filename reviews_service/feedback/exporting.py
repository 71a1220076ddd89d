"""The shop's private feedback out: every message only for the shop, as CSV or JSON, streamed.

A file of its own, never columns of the reviews' export: that one is the shop's public content
(to move to another platform, to publish), and a private message must not travel with it. Each
message names the review it came with, so the two files join on `review_id`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ..catalog.models import Order, Product
from ..email_addresses import without_emails
from ..errors import Invalid
from ..extensions import db
from ..models_base import utcnow
from ..reviews.models import Review
from ..shops.models import Shop
from ..web import downloads
from .models import PrivateFeedback, Thread

COLUMNS = ("id", "message", "author_name", "email", "locale", "review_id", "product_id", "product_name",
           "order_id", "thread_id", "thread_status", "created_at", "updated_at")
# What the service writes itself; every other cell is guarded against spreadsheet formulas.
_OWN_TEXT = frozenset({"id", "review_id", "thread_id", "thread_status", "created_at", "updated_at"})


def _records(shop: Shop, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every message of the shop, oldest first, with what it is about."""
    last_id = 0
    while True:
        rows = db.session.execute(
            select(PrivateFeedback, Review.public_id, Product.external_id, Product.name, Order.external_id,
                   Thread.public_id, Thread.status)
            .outerjoin(Review, Review.id == PrivateFeedback.review_id)
            .outerjoin(Product, Product.id == PrivateFeedback.product_id)
            .outerjoin(Order, Order.id == PrivateFeedback.order_id)
            .outerjoin(Thread, Thread.id == PrivateFeedback.thread_id)
            .where(PrivateFeedback.shop_id == shop.id, PrivateFeedback.id > last_id)
            .order_by(PrivateFeedback.id).limit(batch)).all()
        if not rows:
            return
        last_id = rows[-1][0].id
        for f, review_id, product_id, product_name, order_id, thread_id, thread_status in rows:
            yield {"id": f.public_id, "message": f.message, "author_name": f.author_name, "email": f.email,
                   "locale": f.locale, "review_id": review_id, "product_id": product_id,
                   "product_name": product_name, "order_id": order_id, "thread_id": thread_id,
                   "thread_status": thread_status, "created_at": f.created_at.isoformat(),
                   "updated_at": f.updated_at.isoformat()}


def export_feedback(shop: Shop, fmt: str = "csv", *, emails: bool = True) -> Iterator[str]:
    """Every message only for the shop, as CSV (one row each) or a JSON array, as text chunks.
    Without `emails` (a moderation key) no address is in it: no `email`, none inside a message."""
    if fmt not in downloads.FORMATS:
        raise Invalid("The export format is csv or json.", field="format")
    records = _records(shop) if emails else (without_emails(r) | {"email": None} for r in _records(shop))
    if fmt == "json":
        return downloads.json_chunks(records)
    return downloads.csv_chunks(COLUMNS, records, _OWN_TEXT)


def export_filename(shop: Shop, fmt: str) -> str:
    return f"private-feedback-{shop.slug}-{utcnow():%Y%m%d}.{fmt}"
