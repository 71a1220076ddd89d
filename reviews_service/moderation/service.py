"""The one status transition of a review, and the policy that picks a new review's status.

Every change of status goes through `transition`: in the caller's transaction it swaps the status
only if nobody changed it meanwhile, writes the audit event, and adjusts the rating aggregates
with atomic UPDATEs. A crash between these steps leaves nothing half-done, because there is no
"between": it is one transaction.
"""

from __future__ import annotations

from sqlalchemy import update

from .. import events
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..ratings import service as ratings
from ..reviews.models import REJECT_REASONS, Review
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

    The decision never looks at the star rating: the rating is read only to adjust the
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
    # and stops, instead of counting the same review twice.
    swapped = db.session.execute(
        update(Review).where(Review.id == review.id, Review.status == from_status).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if swapped != 1:
        db.session.rollback()
        raise Conflict("The review was changed by someone else at the same time; reload it.")
    for key, value in values.items():
        setattr(review, key, value)

    if from_status == "published":
        ratings.adjust(review.shop_id, review.product_id, review.rating, review.verified_buyer, -1)
        events.published_reviews_changed.send(review.shop_id, product_id=review.product_id)
    if to_status == "published":
        ratings.adjust(review.shop_id, review.product_id, review.rating, review.verified_buyer, +1)
    db.session.add(AuditEvent(shop_id=review.shop_id, review_id=review.id, actor=actor,
                              action="status", from_status=from_status, to_status=to_status,
                              reason=reason, note=note))
    if to_status in ("published", "rejected"):
        _emit(review, f"review.{to_status}")
    return review


def _emit(review: Review, event_type: str) -> None:
    """Queue the webhook in this same transaction: it leaves only if the change commits."""
    from ..outbox import service as outbox
    from ..reviews import views

    outbox.emit_event(review.shop_id, event_type, {"review": views.server_view(review)})


def record(review: Review, action: str, *, actor: str, note: str = "") -> None:
    """Audit an action that is not a status change (creation, redaction, a removed photo)."""
    db.session.add(AuditEvent(shop_id=review.shop_id, review_id=review.id, actor=actor,
                              action=action, from_status=review.status, to_status=review.status,
                              note=note))
    if action in ("redacted", "photo_removed") and review.status == "published":
        events.published_reviews_changed.send(review.shop_id, product_id=review.product_id)
    if action == "created":
        _emit(review, "review.created")


def moderate_new(review: Review, settings: dict):
    """Give a new review its first status: run the rules (moderation/rules.py), then move it
    through the transition. Answers the rules' `Decision`.

    A hold keeps the review pending; when a rule (not the policy) held it, that is audited too,
    so the moderator sees why it waits."""
    from .rules import evaluate

    decision = evaluate(review, settings)
    actor = "policy" if decision.by_policy else f"rule:{decision.rule}"
    if decision.status == "pending":
        review.moderation_rule = decision.rule
        if not decision.by_policy:
            record(review, "held", actor=actor, note=decision.detail)
    else:
        transition(review, decision.status, actor=actor, reason=decision.reason,
                   note=decision.detail, rule=decision.rule)
    return decision


def rerun_rules(shop, *, actor: str):
    """Run the rules again over a shop's pending and published reviews (see rules.rerun_rules)."""
    from .rules import rerun_rules as run

    return run(shop, actor=actor)
