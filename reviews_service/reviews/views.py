"""Reviews as each audience sees them: the public view (no e-mail, no IP, no order) and the server
API's view (every field a shop may read). One definition of each shape, for ORM reviews and for the
plain rows of the public list alike."""

from __future__ import annotations

from typing import Any

from ..catalog.models import Order, Product
from ..extensions import db
from . import media
from .models import Review


def display_name(name: str, fmt: str = "first_initial") -> str:
    """`Ana Petrosyan` -> `Ana P.`: enough to be a person, not enough to find them."""
    parts = name.split()
    if not parts:
        return ""
    if fmt == "full" or len(parts) == 1:
        return " ".join(parts)
    return f"{parts[0]} {parts[-1][0].upper()}."


def public_view(review: Review, storage=None) -> dict[str, Any]:
    """A review as anyone may see it: no e-mail, no IP, no order."""
    storage = storage or media.storage()
    reply = review.reply
    return public_dict(review, [media.photo_view(p, storage) for p in review.photos],
                       {"body": reply.body, "created_at": reply.created_at,
                        "updated_at": reply.updated_at} if reply else None)


def public_dict(review, photos: list[dict], reply: dict | None) -> dict[str, Any]:
    """The one definition of the public shape, for ORM reviews and for plain rows alike."""
    # Plain tests, not a comprehension over (label, flag) pairs: this runs for every review of
    # every page, and building the pairs cost more than the tests.
    labels = []
    if review.verified_buyer:
        labels.append("verified_buyer")
    if review.incentivized:
        labels.append("incentivized")
    if review.staff:
        labels.append("staff")
    if review.source == "import":
        labels.append("imported")
    if review.edited_at is not None:
        labels.append("edited")
    return {
        "id": review.public_id,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "author": display_name(review.author_name),
        "locale": review.locale,
        "lang": review.lang,
        "published_at": review.published_at,
        "edited_at": review.edited_at,  # its reviewer changed it after it was published
        "source": review.source,
        "verified_buyer": review.verified_buyer,
        "incentivized": review.incentivized,
        "staff": review.staff,
        "redacted": review.redacted,
        "labels": labels,
        "helpful": {"up": review.helpful_up, "down": review.helpful_down},
        "photos": photos,
        "reply": reply,
    }


def server_view(review: Review, storage=None) -> dict[str, Any]:
    view = public_view(review, storage)
    product = db.session.get(Product, review.product_id)
    order = db.session.get(Order, review.order_id) if review.order_id else None
    view.update({
        "status": review.status, "reject_reason": review.reject_reason,
        "moderation_rule": review.moderation_rule, "product_id": product.external_id,
        "order_id": order.external_id if order else None, "email": review.email,
        "author_name": review.author_name, "report_count": review.report_count,
        "created_at": review.created_at, "updated_at": review.updated_at,
    })
    return view
