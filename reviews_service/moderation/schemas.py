"""What the moderation API reads and answers (marshmallow; the OpenAPI document is made from these)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..reviews.models import STATUSES
from ..reviews.schemas import ServerReviewOut
from ..schemas import StrictSchema, text
from ..shops.settings import REJECT_REASONS
from .queue import MAX_LIMIT
from .revisions import MAX_LIMIT as MAX_REVISIONS
from .replies import MAX_REPLY
from .rules import POLICY_RULES, RULES


class QueueQuery(StrictSchema):
    status = fields.String(load_default="pending", validate=validate.OneOf(STATUSES),
                           metadata={"description": "pending (the default) is worked oldest first; "
                                                    "the other statuses come newest first"})
    rule = fields.String(load_default=None, validate=validate.OneOf(RULES + POLICY_RULES),
                         metadata={"description": "Only reviews this rule or policy holds or decided"})
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT))


class ModerationReviewOut(ServerReviewOut):
    """A review as a moderation tool sees it: every field of the server API's review but the
    reviewer's e-mail address, and any address in a text shown as "[e-mail address hidden]"."""

    class Meta(ServerReviewOut.Meta):
        exclude = ("email",)


class QueuePage(StrictSchema):
    reviews = fields.List(fields.Nested(ModerationReviewOut))
    next_cursor = fields.String(allow_none=True)


class DecisionIn(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default=None, validate=validate.OneOf(REJECT_REASONS), metadata={
        "description": "Why it is rejected (required to reject): a matter of content, never of the "
                       "star rating, which no reason may hold against a review"})
    note = text(1000, load_default="", metadata={"description": "For the audit log"})

    @validates_schema
    def _reason_goes_with_reject(self, data, **_kwargs):
        if data.get("decision") == "reject" and not data.get("reason"):
            raise ValidationError(f"Rejecting needs a reason: one of {', '.join(REJECT_REASONS)}.", "reason")
        if data.get("decision") == "approve" and data.get("reason"):
            raise ValidationError("Only a rejection has a reason.", "reason")


class ReplyIn(StrictSchema):
    body = fields.String(required=True, validate=[
        validate.Length(1, MAX_REPLY), validate.Regexp(r"[\s\S]*\S", error="Write the reply first: it is empty.")],
                         metadata={"description": "The shop's public reply, shown under the review"})


class HistoryEventOut(StrictSchema):
    at = fields.AwareDateTime()
    actor = fields.String(metadata={"description": "Who: user:<id> (the admin), key:<prefix> (an API "
                                                   "key), rule:<name>, policy, visitor, system"})
    action = fields.String(metadata={"description": "status, created, held, reply, reply_deleted, "
                                                    "redacted, photo_removed, reports_resolved, imported"})
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    note = fields.String()


class HistoryOut(StrictSchema):
    events = fields.List(fields.Nested(HistoryEventOut))


class RevisionQuery(StrictSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_REVISIONS))


class RevisionOut(StrictSchema):
    """A reviewer's edit of their own review, beside the review as it stands (published, or
    pending): what the moderator compares before deciding."""

    status = fields.String(metadata={"description": "pending, applied, rejected or superseded"})
    previous_rating = fields.Integer(metadata={"description": "The stars when the edit was made"})
    rating = fields.Integer()
    title = fields.String()
    body = fields.String()
    moderation_rule = fields.String(allow_none=True, metadata={"description": "The rule or policy that holds "
                                                                               "or decided it"})
    reject_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    review = fields.Nested(ModerationReviewOut)


class RevisionPage(StrictSchema):
    revisions = fields.List(fields.Nested(RevisionOut))
    next_cursor = fields.String(allow_none=True)
