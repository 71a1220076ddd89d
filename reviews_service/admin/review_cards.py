"""Read-only lookups the admin's pages show beside the reviews: products, photos, open reports,
the queue's counts and who did what in the audit trail. A page of reviews costs a fixed number
of queries, whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..moderation import queue
from ..reviews import media
from ..shops import service as shops

LABELS = {
    "verified_buyer": "Verified buyer", "incentivized": "Incentivised", "staff": "Staff",
    "imported": "Imported", "redacted": "Redacted by the shop",
}


@dataclass
class Card:
    """A review with what the queue shows about it."""

    review: Any
    product: Any
    photos: list[dict] = field(default_factory=list)
    reports: list = field(default_factory=list)
    reply: Any = None
    labels: list[tuple[str, str]] = field(default_factory=list)


def cards(reviews: list) -> list[Card]:
    """The queue's view of a page of reviews: their products and open reports in one query each
    (photos and replies come loaded with the reviews)."""
    if not reviews:
        return []
    products = queue.products_of(reviews)
    store = media.storage()
    reports = queue.open_reports(reviews)
    return [Card(review=r, product=products.get(r.product_id),
                 photos=[media.photo_view(p, store) for p in r.photos],
                 reports=reports.get(r.id, []), reply=r.reply, labels=labels_of(r))
            for r in reviews]


def labels_of(review) -> list[tuple[str, str]]:
    """(name, text) of each label, in the order the public widget shows them."""
    on = {"verified_buyer": review.verified_buyer, "incentivized": review.incentivized,
          "staff": review.staff, "imported": review.source == "import", "redacted": review.redacted}
    return [(name, LABELS[name]) for name, shown in on.items() if shown]


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
    users = shops.user_emails(user_ids)
    out = []
    for e in events:
        what = ACTIONS.get(e.action, e.action.replace("_", " ").capitalize())
        if e.action == "status" and e.from_status != e.to_status:
            what = f"{(e.from_status or 'new').capitalize()} → {e.to_status}"
        out.append({"at": e.created_at, "actor": actor_label(e.actor, users), "what": what,
                    "reason": e.reason, "note": e.note})
    return out
