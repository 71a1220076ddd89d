"""Read-only lookups the admin's pages show beside the reviews: products, photos, open reports,
the queue's counts and who did what in the audit trail. A page of reviews costs a fixed number
of queries, whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..moderation import queue
from ..reviews import media
from ..reviews.models import Reply, Report, Review
from ..shops.models import Shop, User

LABELS = {
    "verified_buyer": "Verified buyer", "incentivized": "Incentivised", "staff": "Staff",
    "imported": "Imported", "redacted": "Redacted by the shop",
}


@dataclass
class Card:
    """A review with what the queue shows about it."""

    review: Review
    product: Any
    photos: list[dict] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    reply: Reply | None = None
    labels: list[tuple[str, str]] = field(default_factory=list)


def cards(reviews: list[Review]) -> list[Card]:
    """The queue's view of a page of reviews: their products and open reports in one query each
    (photos and replies come loaded with the reviews)."""
    if not reviews:
        return []
    products = queue.products_of(reviews)
    store = media.storage()
    reports: dict[int, list[Report]] = {}
    for report in db.session.scalars(select(Report).where(Report.review_id.in_([r.id for r in reviews]),
                                                          Report.resolved_at.is_(None))
                                     .order_by(Report.review_id, Report.id)):
        reports.setdefault(report.review_id, []).append(report)
    return [Card(review=r, product=products.get(r.product_id),
                 photos=[media.photo_view(p, store) for p in r.photos],
                 reports=reports.get(r.id, []), reply=r.reply, labels=labels_of(r))
            for r in reviews]


def labels_of(review: Review) -> list[tuple[str, str]]:
    """(name, text) of each label, in the order the public widget shows them."""
    on = {"verified_buyer": review.verified_buyer, "incentivized": review.incentivized,
          "staff": review.staff, "imported": review.source == "import", "redacted": review.redacted}
    return [(name, LABELS[name]) for name, shown in on.items() if shown]


def queue_counts(shop: Shop) -> dict[str, int]:
    """How many reviews wait, and how many carry open reports (the two tabs of the queue)."""
    pending = db.session.scalar(select(func.count()).select_from(Review).where(
        Review.shop_id == shop.id, Review.status == "pending")) or 0
    reported = db.session.scalar(select(func.count()).select_from(Review).where(
        Review.shop_id == shop.id, Review.report_count > 0)) or 0
    return {"pending": pending, "reported": reported}


ACTIONS = {
    "created": "Submitted", "status": "Status changed", "redacted": "Personal data redacted",
    "photo_removed": "Photo removed", "reply": "Public reply", "reply_deleted": "Reply deleted",
    "reports_resolved": "Reports closed", "imported": "Imported",
}


def actor_label(actor: str, users: dict[int, str]) -> str:
    kind, _, rest = actor.partition(":")
    if kind == "user" and rest.isdigit():
        return users.get(int(rest), f"user #{rest} (deleted)")
    if kind == "rule":
        return f"Rule “{rest}”"
    return {"visitor": "The reviewer", "policy": "Publishing policy", "system": "System",
            "api": "Server API", "cli": "Command line", "moderator": "A moderator"}.get(actor, actor)


def describe_events(events) -> list[dict]:
    """Audit events as the history table shows them, the people named by their e-mail."""
    events = list(events or [])
    user_ids = {int(e.actor.split(":", 1)[1]) for e in events
                if e.actor.startswith("user:") and e.actor.split(":", 1)[1].isdigit()}
    users = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    out = []
    for e in events:
        what = ACTIONS.get(e.action, e.action.replace("_", " ").capitalize())
        if e.action == "status" and e.from_status != e.to_status:
            what = f"{(e.from_status or 'new').capitalize()} → {e.to_status}"
        out.append({"at": e.created_at, "actor": actor_label(e.actor, users), "what": what,
                    "reason": e.reason, "note": e.note})
    return out
