"""What the survey's APIs accept and answer."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ..schemas import StrictSchema
from .service import COMMENT_MAX


class AnswerIn(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(1, 2000),
                          metadata={"description": "The review request's token (the hosted page's link)"})
    score = fields.Raw(required=True, metadata={"description": "0-10: how likely to recommend the shop to a friend",
                                                 "type": "integer", "minimum": 0, "maximum": 10})
    comment = fields.String(load_default="", validate=validate.Length(max=COMMENT_MAX),
                            metadata={"description": "What could we do better? (optional)"})


class AnswerOut(StrictSchema):
    score = fields.Integer()
    comment = fields.String()
    answered_at = fields.AwareDateTime()


class SummaryQuery(StrictSchema):
    from_ = fields.Date(data_key="from", load_default=None, metadata={"description": "First day (UTC)"})
    to = fields.Date(load_default=None, metadata={"description": "Last day (UTC), included"})

    @validates_schema
    def _ordered(self, data, **_):
        if data["from_"] and data["to"] and data["from_"] > data["to"]:
            raise ValidationError("Must not be before from.", "to")


class Figures(StrictSchema):
    count = fields.Integer()
    promoters = fields.Integer(metadata={"description": "Scores 9-10"})
    passives = fields.Integer(metadata={"description": "Scores 7-8"})
    detractors = fields.Integer(metadata={"description": "Scores 0-6"})
    nps = fields.Float(allow_none=True, metadata={"description": "% promoters - % detractors; null without answers"})


class MonthOut(Figures):
    month = fields.String(metadata={"description": "YYYY-MM (UTC)"})


class SummaryOut(Figures):
    from_ = fields.Date(data_key="from", allow_none=True)
    to = fields.Date(allow_none=True)
    months = fields.List(fields.Nested(MonthOut))
