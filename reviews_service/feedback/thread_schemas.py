"""What a private conversation looks like in and out of the API: the inbox, a thread, a reply."""

from __future__ import annotations

from marshmallow import fields, validate

from ..schemas import StrictSchema
from .models import THREAD_STATUSES
from .replies import MAX_LENGTH
from .threads import SETTABLE


class PrivateReplyIn(StrictSchema):
    """The shop's private answer, sent by e-mail from the shop's name (Reply-To: support_email)."""

    body = fields.String(required=True, validate=validate.Length(1, MAX_LENGTH), metadata={
        "description": "Plain text. Nothing may be offered or asked in exchange for changing or removing a review."})


class MessageOut(StrictSchema):
    kind = fields.String(metadata={"description": "`review` (the review the thread is about), `feedback` "
                                                  "(the customer's private message) or `reply` (the shop's)."})
    id = fields.String()
    author = fields.String(metadata={"description": "`customer`, or who replied: `user` (the admin) or `api`."})
    rating = fields.Integer(allow_none=True, metadata={"description": "The review's stars; null otherwise."})
    title = fields.String()
    body = fields.String()
    at = fields.AwareDateTime()
    email = fields.String(allow_none=True, metadata={
        "description": "A reply's recipient; null for the customer's messages, and absent for a moderation key."})


class ThreadSummary(StrictSchema):
    id = fields.String()
    status = fields.String(metadata={"description": "`open`, `answered` (the shop replied) or `closed`."})
    opened_by = fields.String(metadata={"description": "`feedback`, `low_rating` (a review of 1 or 2 stars) "
                                                       "or `reply` (the shop's own private reply)."})
    review_id = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    product_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True, metadata={"description": "Absent for a moderation key."})
    customer_name = fields.String()
    locale = fields.String(allow_none=True, metadata={"description": "The language private replies are sent in."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    activity_at = fields.AwareDateTime(metadata={"description": "The latest message either way."})


class ThreadOut(ThreadSummary):
    messages = fields.List(fields.Nested(MessageOut), metadata={
        "description": "What the customer wrote and the shop's private replies, oldest first."})


class InboxQuery(StrictSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(THREAD_STATUSES))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class InboxPage(StrictSchema):
    threads = fields.List(fields.Nested(ThreadSummary))
    next_cursor = fields.String(allow_none=True)


class ThreadStatusIn(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(SETTABLE), metadata={
        "description": "`closed`, or `open` again; a private reply makes a thread `answered`."})
