"""The reviews room's receivers: its part of a person's export (their reviews and their edits). (Its part of an erasure is
moderation's receiver, which removes the reviews through the transition before `erasure.empty`.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import events
from ..extensions import db
from . import erasure, views
from .models import ReviewRevision


def connect() -> None:
    events.customer_export_requested.connect(_export_reviews)


def _export_reviews(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, Any]:
    reviews = erasure.of_person(shop.id, email, customer_id)
    public_ids = {r.id: r.public_id for r in reviews}
    edits = db.session.scalars(select(ReviewRevision).where(ReviewRevision.review_id.in_(public_ids))
                               .order_by(ReviewRevision.id)) if reviews else []
    return {"reviews": [views.server_view(r) for r in reviews],
            "review_edits": [{"review_id": public_ids[e.review_id], "status": e.status,
                              "previous_rating": e.previous_rating, "rating": e.rating, "title": e.title,
                              "body": e.body, "created_at": e.created_at.isoformat(),
                              "decided_at": e.decided_at.isoformat() if e.decided_at else None}
                             for e in edits]}
