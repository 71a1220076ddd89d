"""A reviewer's edits of their own review, as moderation sees them: decided by the rules a new
review meets, waiting in the queue beside the new reviews, approved (through
`service.apply_revision`) or rejected by a moderator; and a review withdrawn by its reviewer.

The rules read the revised words and never the stars, as for a new review: a 1-star and a 5-star
edit with the same words get the same decision. The published version stays as it is until its
revision is decided.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func, select, tuple_, update

from .. import cursors
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models_base import utcnow
from ..reviews import queries
from ..reviews.models import REJECT_REASONS, Review, ReviewRevision
from ..shops.models import Shop
from . import rules, service
from .models import AuditEvent

MAX_LIMIT = 200
WITHDRAWN_NOTE = "withdrawn by the reviewer"


def moderate_revision(review: Review, revision: ReviewRevision, settings: dict) -> rules.Decision:
    """Decide a reviewer's new edit by the rules (moderation/rules.py), on its new words.

    Of a published review: "publish" applies it at once, whatever its stars; a rule that holds
    keeps it pending for a moderator, the published version staying meanwhile; a rule that
    rejects (spam, abuse) rejects the edit and leaves the review as it was. A review the public
    never saw (pending) is changed in place and then decided again like a new review, unless a
    moderator was the last to decide it."""
    facts = dataclasses.replace(rules.ReviewFacts.of(review), title=revision.title, body=revision.body,
                                created_at=revision.created_at)
    decision = rules.evaluate(facts, settings)
    actor = "policy" if decision.by_policy else f"rule:{decision.rule}"
    revision.moderation_rule = decision.rule
    if review.status == "pending":
        service.apply_revision(review, revision, actor="reviewer", note="before publication")
        if _last_decided_by_a_person(review):
            return decision
        if decision.status == "pending":
            review.moderation_rule = decision.rule
        else:
            service.transition(review, decision.status, actor=actor, reason=decision.reason,
                               note=decision.detail, rule=decision.rule)
    elif decision.action == "publish":
        service.apply_revision(review, revision, actor=actor, note=decision.detail)
    elif decision.action == "hold":
        service.record(review, "edit_held", actor=actor)  # the rule is the actor: "rule:links"
    else:
        reject_revision(review, revision, actor=actor, reason=decision.reason, note=decision.detail)
    return decision


def _last_decided_by_a_person(review: Review) -> bool:
    actor = db.session.scalar(select(AuditEvent.actor).where(
        AuditEvent.review_id == review.id, AuditEvent.action == "status").order_by(AuditEvent.id.desc()).limit(1))
    return bool(actor) and actor.startswith(("user:", "key:"))


def reject_revision(review: Review, revision: ReviewRevision, *, actor: str, reason: str | None,
                    note: str = "") -> ReviewRevision:
    """Refuse a pending edit for its content (`reason`, one of REJECT_REASONS): the review keeps the
    version it had. Audited; in the caller's transaction."""
    if reason not in REJECT_REASONS:
        raise Invalid(f"Rejecting needs a reason: one of {', '.join(REJECT_REASONS)}.", field="reason")
    now = utcnow()
    values = {"status": "rejected", "reject_reason": reason, "decided_at": now, "decided_by": actor}
    taken = db.session.execute(
        update(ReviewRevision).where(ReviewRevision.id == revision.id, ReviewRevision.status == "pending")
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        raise Conflict("This edit was decided or replaced meanwhile; reload it.", field="revision")
    for key, value in values.items():
        setattr(revision, key, value)
    db.session.add(AuditEvent(shop_id=review.shop_id, review_id=review.id, actor=actor, action="edit_rejected",
                              from_status=review.status, to_status=review.status, reason=reason, note=note))
    return revision


def supersede(review: Review, *, actor: str) -> int:
    """Set aside the edit still waiting for this review (a newer edit, or the review withdrawn)."""
    return db.session.execute(
        update(ReviewRevision).where(ReviewRevision.review_id == review.id, ReviewRevision.status == "pending")
        .values(status="superseded", decided_at=utcnow(), decided_by=actor)
        .execution_options(synchronize_session=False)).rowcount


def withdraw(review: Review) -> Review:
    """The reviewer takes their review back, at once: removed through the transition (out of the
    aggregates and every public surface), an edit waiting for it set aside, the review.withdrawn
    webhook queued. In the caller's transaction."""
    supersede(review, actor="reviewer")
    service.transition(review, "removed", actor="reviewer", note=WITHDRAWN_NOTE)
    service.emit(review, "review.withdrawn")
    return review


# --- the queue -------------------------------------------------------------------------------------

@dataclass
class Waiting:
    """One pending edit with the review it would change: the queue shows the two side by side."""

    revision: ReviewRevision
    review: Review


def pending(shop: Shop, *, cursor: str | None = None, limit: int = 50) -> tuple[list[Waiting], str | None]:
    """The shop's edits waiting for a moderator, oldest first, a page at a time."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = (select(ReviewRevision, Review).join(Review, Review.id == ReviewRevision.review_id)
             .where(ReviewRevision.shop_id == shop.id, ReviewRevision.status == "pending"))
    columns = (ReviewRevision.created_at, ReviewRevision.id)
    if cursor:
        at, revision_id = cursors.decode(cursor, "revisions", (cursors.AT, cursors.ID))
        query = query.where(tuple_(*columns) > tuple_(
            bindparam(None, at, type_=ReviewRevision.created_at.type), bindparam(None, revision_id)))
    rows = db.session.execute(query.order_by(*columns).limit(limit + 1)).all()
    waiting = [Waiting(revision, review) for revision, review in rows[:limit]]
    last = rows[limit - 1][0] if len(rows) > limit else None
    return waiting, cursors.encode("revisions", [last.created_at, last.id]) if last else None


def count_pending(shop: Shop) -> int:
    return db.session.scalar(select(func.count()).select_from(ReviewRevision).where(
        ReviewRevision.shop_id == shop.id, ReviewRevision.status == "pending")) or 0


def waiting_for(review: Review) -> ReviewRevision | None:
    """The edit of this review that waits for a decision, if one does."""
    return db.session.scalar(select(ReviewRevision).where(
        ReviewRevision.review_id == review.id, ReviewRevision.status == "pending"))


def decide(shop: Shop, review_ref: str | int, decision: str, *, actor: str, reason: str | None = None,
           note: str = "") -> Waiting:
    """A moderator approves (applies) or rejects the edit waiting for a review of this shop, and
    commits. Another shop's review, or one with no edit waiting, is NotFound."""
    note = (note or "").strip()
    if len(note) > 1000:
        raise Invalid("A note may have at most 1000 characters.", field="note")
    review = queries.get_review(shop, review_ref)
    revision = waiting_for(review)
    if revision is None:
        raise NotFound("No edit of this review waits for a decision.", field="review_id")
    try:
        if decision == "approve":
            service.apply_revision(review, revision, actor=actor, note=note)
        elif decision == "reject":
            reject_revision(review, revision, actor=actor, reason=reason, note=note)
        else:
            raise Invalid("The decision is approve or reject.", field="decision")
    except (Conflict, Invalid):
        db.session.rollback()
        raise
    db.session.commit()
    return Waiting(revision, review)


def directions(shop: Shop, since: datetime) -> dict[str, int]:
    """How the edits made since `since` moved the stars: up, down or unchanged (an edit replaced by
    a later one of the same review is left out: the later one counts)."""
    direction = case((ReviewRevision.rating > ReviewRevision.previous_rating, "up"),
                     (ReviewRevision.rating < ReviewRevision.previous_rating, "down"), else_="unchanged")
    found = dict(db.session.execute(
        select(direction, func.count()).where(
            ReviewRevision.shop_id == shop.id, ReviewRevision.created_at >= since,
            ReviewRevision.status != "superseded").group_by(direction)).all())
    return {key: found.get(key, 0) for key in ("up", "down", "unchanged")}


def withdrawals(shop: Shop, since: datetime) -> int:
    """How many reviews their reviewers withdrew since `since`."""
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.shop_id == shop.id, AuditEvent.actor == "reviewer", AuditEvent.action == "status",
        AuditEvent.to_status == "removed", AuditEvent.created_at >= since)) or 0
