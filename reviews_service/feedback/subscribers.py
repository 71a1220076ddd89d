"""The feedback room's receivers: a review's private message stored beside it, a review of 1 or 2
stars opening a thread to follow up, an edit after a private reply counted, and the person's
feedback, threads and private replies in their export and gone with their erasure."""

from __future__ import annotations

from typing import Any

from .. import events
from . import edits, service, threads


def connect() -> None:
    events.review_submitted.connect(service.with_review)
    events.review_submitted.connect(threads.review_arrived)
    events.review_revised.connect(edits.review_revised)
    events.customer_export_requested.connect(_export)
    events.customer_erased.connect(_erase)


def _export(shop, *, email: str, customer_id: int | None, **_: Any) -> dict[str, Any] | None:
    found = service.of_person(shop.id, email, customer_id)
    conversations = threads.of_person(shop.id, email)
    out: dict[str, Any] = {}
    if found:
        out["private_feedback"] = [_exported(service.server_view(f)) for f in found]
    if conversations:
        views = [threads.view(t) for t in conversations]
        out["private_threads"] = [_exported(v) for v in views]
        replies = [{**m, "thread_id": v["id"]} for v in views for m in v["messages"] if m["kind"] == "reply"]
        if replies:
            out["private_replies"] = [{"id": r["id"], "thread_id": r["thread_id"], "body": r["body"],
                                       "email": r["email"], "sent_at": r["at"].isoformat()} for r in replies]
    return out or None


def _exported(view: dict) -> dict:
    """A view with its datetimes as ISO 8601 text, its messages' too."""
    out = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in view.items()}
    if "messages" in view:
        out["messages"] = [_exported(m) for m in view["messages"]]
    return out


def _erase(shop, *, email: str, customer_id: int | None = None, **_: Any) -> dict[str, int] | None:
    erased = service.erase(shop.id, email)
    counts = {"private_feedback": erased} if erased else {}
    counts.update(threads.erase(shop.id, email))
    return counts or None
