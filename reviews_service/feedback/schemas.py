"""What private feedback looks like in and out of the API."""

from __future__ import annotations

from marshmallow import fields, validate

from ..reviews.schemas import visitor_id
from ..schemas import StrictSchema, text
from .service import MAX_LENGTH


class FeedbackIn(StrictSchema):
    """A review request answered with private feedback alone: a message, no stars."""

    token = fields.String(required=True, validate=validate.Length(1, 1000), metadata={
        "description": "The review-request or widget token of the order."})
    message = text(MAX_LENGTH, required=True)
    display_name = text(100, load_default="")
    locale = fields.String(load_default=None, validate=validate.Length(2, 16))
    visitor_id = visitor_id()


class FeedbackReceived(StrictSchema):
    status = fields.String(metadata={"description": "`received`: the shop has it; nothing is public."})


class FeedbackOut(StrictSchema):
    id = fields.String()
    message = fields.String()
    email = fields.String(allow_none=True, metadata={"description": "null for a moderation key"})
    author_name = fields.String()
    locale = fields.String(allow_none=True)
    review_id = fields.String(allow_none=True, metadata={
        "description": "The review it was sent with; null when the customer answered with feedback alone."})
    product_id = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class FeedbackQuery(StrictSchema):
    updated_since = fields.AwareDateTime(load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class FeedbackPage(StrictSchema):
    feedback = fields.List(fields.Nested(FeedbackOut))
    next_cursor = fields.String(allow_none=True)


class FeedbackExportQuery(StrictSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "json"]), metadata={
        "description": "csv (one row per message, with a BOM; cells guarded against spreadsheet formulas) "
                       "or json (an array)"})
