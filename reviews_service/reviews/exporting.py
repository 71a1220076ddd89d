"""Reviews out: every review of a shop, in every status, as CSV or JSON, streamed in chunks
(`web.downloads`: the CSV guards every cell that did not come from the service itself against
spreadsheet formulas)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..catalog.models import Order, Product
from ..errors import Invalid
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from ..web import downloads
from . import media, views
from .models import Review

EXPORT_COLUMNS = (
    "id", "product_id", "product_name", "order_id", "status", "reject_reason", "moderation_rule",
    "rating", "title", "body", "author_name", "email", "locale", "lang", "source", "labels", "verified_buyer",
    "incentivized", "staff", "redacted", "helpful_up", "helpful_down", "report_count", "photo_urls",
    "reply", "reply_created_at", "reply_updated_at", "created_at", "published_at", "updated_at",
)
# Columns whose text the service writes itself (random ids, enums, ISO dates, its own URLs). Every
# other text cell came from a reviewer, a moderator or the shop, and gets the formula guard.
_OWN_TEXT = frozenset({"id", "status", "source", "photo_urls", "created_at", "published_at", "updated_at",
                       "reply_created_at", "reply_updated_at"})


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _records(shop: Shop, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every review of the shop, in every status, oldest first, with its reply, photos and counts."""
    store, last_id = media.storage(), 0
    while True:
        reviews = list(db.session.scalars(
            select(Review).where(Review.shop_id == shop.id, Review.id > last_id).order_by(Review.id)
            .limit(batch).options(selectinload(Review.photos), selectinload(Review.reply))))
        if not reviews:
            return
        last_id = reviews[-1].id
        products = {p.id: p for p in db.session.scalars(
            select(Product).where(Product.id.in_({r.product_id for r in reviews})))}
        order_ids = {r.order_id for r in reviews if r.order_id}
        orders = dict(db.session.execute(select(Order.id, Order.external_id).where(Order.id.in_(order_ids)))
                      .all()) if order_ids else {}
        for review in reviews:
            view = views.public_view(review, store)
            product = products.get(review.product_id)
            reply = review.reply
            yield {
                "id": review.public_id, "product_id": product.external_id if product else None,
                "product_name": product.name if product else None, "order_id": orders.get(review.order_id),
                "status": review.status, "reject_reason": review.reject_reason,
                "moderation_rule": review.moderation_rule, "rating": review.rating, "title": review.title,
                "body": review.body, "author_name": review.author_name, "email": review.email,
                "locale": review.locale, "lang": review.lang, "source": review.source, "labels": view["labels"],
                "verified_buyer": review.verified_buyer, "incentivized": review.incentivized,
                "staff": review.staff, "redacted": review.redacted,
                "helpful": {"up": review.helpful_up, "down": review.helpful_down},
                "report_count": review.report_count,
                "photos": [{"url": p["url"], "thumb_url": p["thumb_url"], "width": p["width"],
                            "height": p["height"]} for p in view["photos"]],
                "reply": {"body": reply.body, "created_at": _iso(reply.created_at),
                          "updated_at": _iso(reply.updated_at)} if reply else None,
                "created_at": _iso(review.created_at), "published_at": _iso(review.published_at),
                "updated_at": _iso(review.updated_at),
            }


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """A record as one CSV row: labels and photo URLs space-separated, votes and reply in columns."""
    reply = record["reply"] or {}
    return {**record, "labels": " ".join(record["labels"]), "helpful_up": record["helpful"]["up"],
            "helpful_down": record["helpful"]["down"],
            "photo_urls": " ".join(p["url"] for p in record["photos"]), "reply": reply.get("body"),
            "reply_created_at": reply.get("created_at"), "reply_updated_at": reply.get("updated_at")}


def export_reviews(shop: Shop, fmt: str = "csv") -> Iterator[str]:
    """Every review of the shop (all statuses) with its reply, photo URLs, helpful votes, labels,
    status, the rule that decided it, and its dates: CSV (one row per review) or JSON (an array),
    as text chunks to stream or join."""
    if fmt not in ("csv", "json"):
        raise Invalid("The export format is csv or json.", field="format")
    if fmt == "json":
        return downloads.json_chunks(_records(shop))
    return downloads.csv_chunks(EXPORT_COLUMNS, (_flat(r) for r in _records(shop)), _OWN_TEXT)


def export_filename(shop: Shop, fmt: str) -> str:
    return f"reviews-{shop.slug}-{utcnow():%Y%m%d}.{fmt}"
