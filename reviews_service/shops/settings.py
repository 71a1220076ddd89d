"""Per-shop settings: their defaults and the schema that validates a change."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ..schemas import StrictBoolean, StrictInteger, StrictSchema

DEFAULTS: dict[str, Any] = {
    # Review requests
    "review_request_trigger": "fulfilled",
    "review_request_delay_days": 14,
    "reminder_delay_days": 7,
    "email_cap_count": 3,
    "email_cap_days": 30,
    # Reviews
    "auto_publish_verified": True,
    "allow_rating_only": True,
    "staff_email_domains": [],
    "review_policy_url": "",
    "default_locale": "en",
    "support_email": "",
}


def effective(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with what the shop changed."""
    out = deepcopy(DEFAULTS)
    out.update(stored or {})
    return out


_domain = validate.Regexp(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                          error="Not a lower-case domain name.")


class SettingsSchema(StrictSchema):
    review_request_trigger = fields.String(validate=validate.OneOf(["fulfilled", "delivered"]))
    review_request_delay_days = StrictInteger(validate=validate.Range(0, 365))
    reminder_delay_days = StrictInteger(validate=validate.Range(1, 365))
    email_cap_count = StrictInteger(validate=validate.Range(1, 20))
    email_cap_days = StrictInteger(validate=validate.Range(1, 365))
    auto_publish_verified = StrictBoolean()
    allow_rating_only = StrictBoolean()
    staff_email_domains = fields.List(fields.String(validate=_domain), validate=validate.Length(max=50))
    review_policy_url = fields.String(validate=validate.Length(max=2000))
    default_locale = fields.String(validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"))
    support_email = fields.String(validate=validate.Length(max=254))

    @validates_schema
    def _policy_url(self, data, **_):
        url = data.get("review_policy_url")
        if url and not url.startswith(("https://", "http://")):
            raise ValidationError("Must be an http(s) URL.", "review_policy_url")
