"""Read-only lookups the admin's pages show beside the reviews: products, photos, open reports,
the queue's counts and who did what in the audit trail. A page of reviews costs a fixed number
of queries, whatever its length."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..moderation import queue
from ..reviews import media
from ..shops import service as shops
from .language import _, ngettext
from .language import lazy_gettext as _l

LABELS = {
    "verified_buyer": _l("Verified buyer"), "incentivized": _l("Incentivised"), "staff": _l("Staff"),
    "imported": _l("Imported"), "redacted": _l("Redacted by the shop"),
}
# A review's status as a badge shows it, and as the history tells a change ("Pending → rejected").
STATUS_NAMES = {"pending": _l("Pending"), "published": _l("Published"), "rejected": _l("Rejected"),
                "removed": _l("Removed")}
STATUS_WORDS = {"new": _l("new"), "pending": _l("pending"), "published": _l("published"),
                "rejected": _l("rejected"), "removed": _l("removed")}
SOURCES = {"widget": _l("widget"), "request": _l("review request e-mail"), "thank_you": _l("thank-you page"),
           "import": _l("import"), "api": _l("server API")}
REPORT_REASONS = {"spam": _l("Spam"), "abuse": _l("Abuse"), "off_topic": _l("Off topic"),
                  "personal_data": _l("Personal data"), "fake": _l("Fake"), "other": _l("Other")}


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
    "created": _l("Submitted"), "status": _l("Status changed"), "redacted": _l("Personal data redacted"),
    "photo_removed": _l("Photo removed"), "reply": _l("Public reply"), "reply_deleted": _l("Reply deleted"),
    "reports_resolved": _l("Reports closed"), "imported": _l("Imported"),
    "private_reply": _l("Private reply"), "edited_after_private_reply": _l("Edited after a private reply"),
    "edited": _l("Edited"), "edit_held": _l("Edit held for a moderator"), "edit_rejected": _l("Edit rejected"),
}
ACTORS = {"visitor": _l("The reviewer"), "policy": _l("Publishing policy"), "system": _l("System"),
          "api": _l("Server API"), "cli": _l("Command line"), "moderator": _l("A moderator"),
          "reviewer": _l("The reviewer")}


def actor_label(actor: str, users: dict[int, str]) -> str:
    kind, _sep, rest = actor.partition(":")
    if kind == "user" and rest.isdigit():
        return users.get(int(rest)) or _("user #%(id)s (deleted)", id=rest)
    if kind == "rule":
        return _("Rule “%(rule)s”", rule=rest)
    return str(ACTORS.get(actor, actor))


# The notes the services write on their own (moderation/replies.py, moderation/queue.py), in the
# admin's language; a moderator's own note is shown as written.
_REPLY_NOTE = re.compile(r"^(created|edited), (\d+) characters$")
_REDACTION_NOTE = re.compile(r"^(title|body): (\d+) span\(s\), (\d+) -> (\d+) characters$")
FIELDS = {"title": _l("title"), "body": _l("text")}


def _edit_note(note: str) -> str | None:
    """An edit's history (moderation.service.apply_revision): what changed, old → new."""
    try:
        change = json.loads(note)
        stars, title, body = change["rating"], change["title"], change["body"]
    except (ValueError, TypeError, KeyError):
        return note
    parts = [_("Stars: %(before)s → %(after)s", before=stars[0], after=stars[1])] if stars[0] != stars[1] else []
    if title[0] != title[1]:
        parts.append(_("Title: “%(before)s” → “%(after)s”", before=title[0], after=title[1]))
    if body[0] != body[1]:
        parts.append(_("Text: “%(before)s” → “%(after)s”", before=body[0], after=body[1]))
    return "; ".join(parts) or _("Nothing changed.")


def _note(action: str, note: str | None) -> str | None:
    if action == "edited":
        return _edit_note(note or "")
    reply = _REPLY_NOTE.match(note or "") if action == "reply" else None
    if reply:
        n = int(reply.group(2))
        return (ngettext("created, %(num)d character", "created, %(num)d characters", n)
                if reply.group(1) == "created" else ngettext("edited, %(num)d character", "edited, %(num)d characters", n))
    parts = [_REDACTION_NOTE.match(part) for part in (note or "").split("; ")] if action == "redacted" else []
    if parts and all(parts):
        return "; ".join(_("%(field)s: %(spans)s redacted, %(before)s → %(after)s characters", field=FIELDS[m.group(1)],
                           spans=m.group(2), before=m.group(3), after=m.group(4)) for m in parts)
    return note


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
            before = str(STATUS_WORDS.get(e.from_status or "new", e.from_status))
            what = _("%(before)s → %(after)s", before=before[:1].upper() + before[1:],
                     after=STATUS_WORDS.get(e.to_status, e.to_status))
        out.append({"at": e.created_at, "actor": actor_label(e.actor, users), "what": what,
                    "reason": e.reason, "note": _note(e.action, e.note)})
    return out
