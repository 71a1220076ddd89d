"""The shop's settings as the server API reads and changes them."""

from __future__ import annotations

from marshmallow import fields, validate

from ..schemas import StrictSchema
from .settings import SettingsSchema


class ShopOut(StrictSchema):
    name = fields.String()
    slug = fields.String()
    public_key = fields.String()
    allowed_origins = fields.List(fields.String())
    settings = fields.Nested(SettingsSchema)
    created_at = fields.AwareDateTime()


class ShopPatch(StrictSchema):
    name = fields.String(validate=validate.Length(1, 200))
    allowed_origins = fields.List(fields.String(validate=validate.Length(max=300)),
                                  validate=validate.Length(max=50))
    settings = fields.Nested(SettingsSchema)
