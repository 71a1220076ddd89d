"""What the public API's `my-review` endpoints accept and answer: a reviewer's own review, read,
edited or withdrawn with the signed link token of their confirmation e-mail."""

from __future__ import annotations

from marshmallow import fields, validate

from ..schemas import StrictInteger, StrictSchema, text


def _token():
    return fields.String(required=True, validate=validate.Length(1, 1000), metadata={
        "description": "The token of the reviewer's link to change their review (the confirmation "
                       "e-mail's, `/review/edit/<token>`): it names one review of this shop."})


class MyReviewQuery(StrictSchema):
    token = _token()


class MyReviewIn(StrictSchema):
    """The whole new version: stars, title and text (what is left out is empty)."""

    token = _token()
    rating = StrictInteger(required=True, validate=validate.Range(1, 5))
    title = text(150, load_default="")
    body = text(5000, load_default="")


class WithdrawIn(StrictSchema):
    token = _token()


class PendingEditOut(StrictSchema):
    rating = fields.Integer()
    title = fields.String()
    body = fields.String()
    created_at = fields.AwareDateTime()


class MyReviewOut(StrictSchema):
    id = fields.String()
    product_id = fields.String()
    product_name = fields.String()
    status = fields.String(metadata={"description": "published, pending (not yet checked), rejected or removed "
                                                    "(withdrawn)"})
    rating = fields.Integer()
    title = fields.String()
    body = fields.String()
    locale = fields.String()
    published_at = fields.AwareDateTime(allow_none=True)
    edited_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When a change of its reviewer was last applied to the published review (the "
                       "public \"edited\" label); null if never"})
    can_change = fields.Boolean(metadata={"description": "False once withdrawn, removed or rejected"})
    body_required = fields.Boolean(metadata={"description": "Whether the shop needs some text with the stars"})
    pending_edit = fields.Nested(PendingEditOut, allow_none=True, metadata={
        "description": "The reviewer's last change, waiting for the shop's check; the published version "
                       "stays until it is decided"})
    edit_url = fields.String(metadata={"description": "The hosted page to edit or withdraw it"})


class EditedOut(MyReviewOut):
    outcome = fields.String(metadata={"description": "published (shown now), pending (waits for the shop's "
                                                     "check; what was published stays), updated (a review "
                                                     "not yet published, changed in place) or rejected"})
