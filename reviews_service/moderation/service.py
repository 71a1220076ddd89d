"""The one status transition of a review, the audit log, and applying the rules' decisions.

Every change of status goes through `transition`, and every change of a review's stars and words
by its reviewer through `apply_revision` beside it: in the caller's transaction it swaps the status
only if nobody changed it meanwhile, writes the audit event, and adjusts the rating aggregates
with atomic UPDATEs. A crash between these steps leaves nothing half-done, because there is no
"between": it is one transaction. The rules (rules.py) only decide; this module applies.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from .. import events
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..outbox import service as outbox
from ..ratings import service as ratings
from ..reviews import views
from ..reviews.models import REJECT_REASONS, Review, ReviewRevision
from ..shops import settings as shop_settings
from ..shops.models import Shop
from . import rules
from .models import AuditEvent

# Which status may follow which. `removed` is final: it is what an erasure leaves.
ALLOWED = {
    "pending": {"published", "rejected", "removed"},
    "published": {"pending", "rejected", "removed"},
    "rejected": {"published", "pending", "removed"},
    "removed": set(),
}


def transition(review: Review, to_status: str, *, actor: str, reason: str | None = None,
               note: str = "", rule: str | None = None) -> Review:
    """Move `review` to `to_status` inside the current transaction (the caller commits).

    A refusal raises (Invalid, Conflict) and leaves the caller's transaction as it was: whether
    to roll back is the caller's choice, not this function's. The decision never looks at the star rating: the rating is read only to adjust the
    aggregates once the decision is made.
    """
    from_status = review.status
    if to_status not in ALLOWED:
        raise Invalid(f"Unknown status {to_status!r}.", field="status")
    if to_status == from_status:
        return review
    if to_status not in ALLOWED[from_status]:
        raise Conflict(f"A {from_status} review cannot become {to_status}.", field="status")
    if to_status == "rejected":
        if reason not in REJECT_REASONS:
            raise Invalid(f"Rejecting needs a reason: one of {', '.join(REJECT_REASONS)}.",
                          field="reason")
    else:
        reason = None

    now = utcnow()
    values = {"status": to_status, "reject_reason": reason, "updated_at": now}
    if rule is not None:
        values["moderation_rule"] = rule
    if to_status == "published" and review.published_at is None:
        values["published_at"] = now
    # Compare-and-swap: if another transaction changed the status first, this one matches no row
    # and stops, instead of counting the same review twice. The stars too: the aggregates move by
    # the stars read here, which the reviewer's edit (apply_revision) may have changed meanwhile.
    swapped = db.session.execute(
        update(Review).where(Review.id == review.id, Review.status == from_status, Review.rating == review.rating)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if swapped != 1:
        raise Conflict("The review was changed by someone else at the same time; reload it.")
    for key, value in values.items():
        setattr(review, key, value)

    if from_status == "published":
        ratings.adjust(review.shop_id, review.product_id, review.rating, review.verified_buyer, -1)
    if to_status == "published":
        ratings.adjust(review.shop_id, review.product_id, review.rating, review.verified_buyer, +1)
    if "published" in (from_status, to_status):
        events.published_reviews_changed.send(review.shop_id, product_id=review.product_id)
    db.session.add(AuditEvent(shop_id=review.shop_id, review_id=review.id, actor=actor,
                              action="status", from_status=from_status, to_status=to_status,
                              reason=reason, note=note))
    if to_status in ("published", "rejected"):
        _emit(review, f"review.{to_status}")
        if from_status == "pending":
            events.review_decided.send(review.shop_id, review=review, reason=reason)
    return review


def apply_revision(review: Review, revision: ReviewRevision, *, actor: str, note: str = "") -> Review:
    """Replace `review`'s stars, title and text with its pending `revision`'s, inside the current
    transaction (the caller commits), as `transition` changes a status.

    Two compare-and-swaps, on the revision (still pending) and on the review (the status and stars
    read), so that a concurrent decision, edit or status change stops this one instead of counting
    the review twice. A published review's old stars leave the aggregates and its new ones enter
    them with atomic UPDATEs, and it is marked edited; the audit log keeps the old and the new
    version (the edit history); the review.updated webhook is queued. A refusal raises and leaves
    the caller's transaction as it was."""
    if revision.review_id != review.id:
        raise Invalid("This edit belongs to another review.", field="revision")
    if review.status not in ("published", "pending"):
        raise Conflict(f"A {review.status} review cannot be edited.", field="status")
    now = utcnow()
    decided = {"status": "applied", "decided_at": now, "decided_by": actor}
    taken = db.session.execute(
        update(ReviewRevision).where(ReviewRevision.id == revision.id, ReviewRevision.status == "pending")
        .values(**decided).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise Conflict("This edit was decided or replaced meanwhile; reload it.", field="revision")
    old = {"rating": review.rating, "title": review.title or "", "body": review.body or ""}
    new = {"rating": revision.rating, "title": revision.title or "", "body": revision.body or ""}
    values: dict[str, Any] = {**new, "updated_at": now}
    if review.published_at is not None:  # the public saw another version: it is labelled edited
        values["edited_at"] = now
    swapped = db.session.execute(
        update(Review).where(Review.id == review.id, Review.status == review.status, Review.rating == review.rating)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if swapped != 1:
        # Give the revision back as it was: the caller's transaction must hold no half of this.
        db.session.execute(update(ReviewRevision).where(ReviewRevision.id == revision.id)
                           .values(status="pending", decided_at=None, decided_by=None)
                           .execution_options(synchronize_session=False))
        raise Conflict("The review was changed by someone else at the same time; reload it.")
    for key, value in values.items():
        setattr(review, key, value)
    for key, value in decided.items():
        setattr(revision, key, value)

    if review.status == "published":
        ratings.adjust(review.shop_id, review.product_id, old["rating"], review.verified_buyer, -1)
        ratings.adjust(review.shop_id, review.product_id, new["rating"], review.verified_buyer, +1)
        events.published_reviews_changed.send(review.shop_id, product_id=review.product_id)
    history = {key: [old[key], new[key]] for key in old}
    if note:
        history["note"] = note
    db.session.add(AuditEvent(shop_id=review.shop_id, review_id=review.id, actor=actor, action="edited",
                              from_status=review.status, to_status=review.status,
                              note=json.dumps(history, ensure_ascii=False)))
    _emit(review, "review.updated")
    return review


def webhook_body(review: Review) -> dict[str, Any]:
    """The body of the review.* webhooks: the review as the server API shows it."""
    return {"review": views.server_view(review)}


def _emit(review: Review, event_type: str) -> None:
    """Queue the webhook in this same transaction: it leaves only if the change commits."""
    outbox.emit_event(review.shop_id, event_type, webhook_body(review))


emit = _emit  # for the room's other modules (revisions.py: review.withdrawn)


def record(review: Review, action: str, *, actor: str, note: str = "") -> None:
    """Audit an action that is not a status change (creation, redaction, a removed photo)."""
    db.session.add(AuditEvent(shop_id=review.shop_id, review_id=review.id, actor=actor,
                              action=action, from_status=review.status, to_status=review.status,
                              note=note))
    if action in ("redacted", "photo_removed", "reply", "reply_deleted") and review.status == "published":
        events.published_reviews_changed.send(review.shop_id, product_id=review.product_id)


def announce_created(review: Review, *, actor: str) -> None:
    """A new review from a shopper: audit its creation and queue the review.created webhook."""
    record(review, "created", actor=actor)
    _emit(review, "review.created")


def moderate_new(review: Review, settings: dict):
    """Give a new review its first status: run the rules (moderation/rules.py), then move it
    through the transition. Answers the rules' `Decision`.

    A hold keeps the review pending; when a rule (not the policy) held it, that is audited too,
    so the moderator sees why it waits."""
    decision = rules.evaluate(review, settings)
    actor = "policy" if decision.by_policy else f"rule:{decision.rule}"
    if decision.status == "pending":
        review.moderation_rule = decision.rule
        if not decision.by_policy:
            record(review, "held", actor=actor, note=decision.detail)
    else:
        transition(review, decision.status, actor=actor, reason=decision.reason,
                   note=decision.detail, rule=decision.rule)
    return decision


@dataclass
class RerunReport:
    examined: int = 0
    changed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    skipped_moderated: int = 0  # last decided by a person: the rules do not overrule a moderator


RERUN_BATCH = 200


def rerun_rules(shop: Shop, *, actor: str) -> RerunReport:
    """Run the rules again over the shop's pending and published reviews, after the rules changed.

    A published review that a rule now rejects or holds leaves the public list; a pending one that
    nothing holds any more is published if the policy allows. Every move goes through the
    transition (audited, aggregates exact). Reviews a moderator decided last are left alone.
    Commits in batches (a conflict rolls back the batch and is raised); `actor` (who changed the
    rules) is named in each audit note."""
    settings = shop_settings.effective(shop.settings)
    report, by_rule = RerunReport(), Counter()
    people = rules.decided_by_people(shop)
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Review).where(Review.shop_id == shop.id, Review.status.in_(("pending", "published")),
                                 Review.id > last_id).order_by(Review.id).limit(RERUN_BATCH)))
        if not batch:
            break
        last_id = batch[-1].id
        try:
            for review in batch:
                report.examined += 1
                if review.id in people:
                    report.skipped_moderated += 1
                    continue
                decision = rules.evaluate(review, settings)
                to_status = rules.rerun_target(review.status, decision)
                if to_status is None:
                    if review.status == "pending" and review.moderation_rule != decision.rule:
                        review.moderation_rule = decision.rule  # still held, now for this reason
                    continue
                transition(review, to_status,
                           actor="policy" if decision.by_policy else f"rule:{decision.rule}",
                           reason=decision.reason, rule=decision.rule,
                           note=f"rules re-run after a change by {actor}: {decision.detail}")
                report.changed += 1
                by_rule[decision.rule] += 1
        except Conflict:
            db.session.rollback()
            raise
        db.session.commit()
    report.by_rule = dict(by_rule)
    return report
