"""Edits after a private reply: a reviewer who changes their review once the shop has answered
them privately. Each such edit is audited on the review and counted by direction (the stars up,
down or unchanged), so the compliance panel shows whether private conversations move ratings.
Nothing here changes the edit, its moderation or the aggregates: it only records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..moderation import service as moderation
from ..reviews.models import Review
from ..shops.models import Shop
from . import threads
from .models import DIRECTIONS, EditAfterReply, PrivateReply


def direction(old_rating: int, new_rating: int) -> str:
    return "up" if new_rating > old_rating else "down" if new_rating < old_rating else "unchanged"


def review_revised(_shop_id: int, *, review: Review, old_rating: int, new_rating: int, **_: Any) -> None:
    """The `review_revised` receiver: an edit of a review whose thread had a private reply."""
    thread = threads.of_review(review)
    if thread is None or db.session.scalar(
            select(PrivateReply.id).where(PrivateReply.thread_id == thread.id).limit(1)) is None:
        return
    way = direction(old_rating, new_rating)
    db.session.add(EditAfterReply(shop_id=review.shop_id, review_id=review.id, old_rating=old_rating,
                                  new_rating=new_rating, direction=way))
    # The note is numbers only, so the admin's history reads the same in every language.
    moderation.record(review, "edited_after_private_reply", actor="reviewer", note=f"{old_rating} → {new_rating}")


def counts(shop: Shop, since: datetime | None = None) -> dict[str, int]:
    """Edits after a private reply by direction ("up", "down", "unchanged"), since `since`."""
    query = select(EditAfterReply.direction, func.count()).where(EditAfterReply.shop_id == shop.id)
    if since is not None:
        query = query.where(EditAfterReply.created_at >= since)
    found = dict(db.session.execute(query.group_by(EditAfterReply.direction)).all())
    return {way: found.get(way, 0) for way in DIRECTIONS}
