"""Webhook endpoints and outbox messages as the server API shows them."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates

from ..schemas import StrictSchema, text
from .models import KINDS, STATUSES
from .webhooks import EVENTS


class EndpointIn(StrictSchema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                     validate=validate.Length(max=2000))
    # The enum documents the events; the check below names the unknown ones under `events`.
    events = fields.List(fields.String(metadata={"enum": [*EVENTS, "*"]}), required=True,
                         validate=validate.Length(min=1))
    description = text(200, load_default="")

    @validates("events")
    def _known_events(self, events, **_):
        unknown = [event for event in events if event not in (*EVENTS, "*")]
        if unknown:
            raise ValidationError(f"Unknown events: {', '.join(unknown)}. Known: {', '.join(EVENTS)}, "
                                  "or * for all.")


class EndpointOut(StrictSchema):
    id = fields.String(attribute="public_id")
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String()
    active = fields.Boolean()
    created_at = fields.AwareDateTime()


class EndpointCreatedOut(EndpointOut):
    secret = fields.String(metadata={"description": "The signing secret: shown only in this answer."})


class EndpointList(StrictSchema):
    endpoints = fields.List(fields.Nested(EndpointOut))


class OutboxQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class OutboxMessageOut(StrictSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(KINDS), "description": "An e-mail, a webhook, or a task a "
                                   "room registered with the worker (its topic names it: publish.product)"})
    topic = fields.String()
    recipient = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class OutboxList(StrictSchema):
    messages = fields.List(fields.Nested(OutboxMessageOut))
