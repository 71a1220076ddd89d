"""What the public and server APIs accept and answer for reviews."""

from __future__ import annotations

from marshmallow import fields, post_load, validate

from ..catalog.schemas import LOCALE, OrderOut
from ..schemas import StrictInteger, StrictSchema, text
from .languages import LANG, primary_language
from .models import REPORT_REASONS, SOURCES, STATUSES
from .queries import SORTS


def visitor_id():
    """The widget's first-party visitor id: optional, random, made on the visitor's first write."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{22,43}$", error="A visitor id is 22 to 43 characters of A-Z, a-z, 0-9, _ and -."),
        metadata={"description": "The widget's random first-party visitor id (sent once the "
                                 "visitor has written anything): a vote counts once per id and "
                                 "once per network."})


class ReviewIn(StrictSchema):
    """A shopper's review. Status, verified, source and counts belong to the server: sending
    them is an error, like any unknown field."""

    rating = StrictInteger(required=True, validate=validate.Range(1, 5))
    title = text(150, load_default="")
    body = text(5000, load_default="")
    display_name = text(100, load_default="")
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    locale = fields.String(load_default=None, validate=LOCALE, metadata={
        "description": "The language of the form the review was written in (the widget and the "
                       "hosted page send theirs): the review's language when its text is too short "
                       "or too ambiguous to tell."})
    lang = fields.String(load_default=None, validate=LANG, metadata={
        "description": "The language the review is written in, when the client knows it (hy, "
                       "pt-BR reads as pt); else detected from the text."})
    photo_ids = fields.List(fields.String(validate=validate.Length(1, 40)), load_default=list,
                            validate=validate.Length(max=5))
    token = fields.String(load_default=None, validate=validate.Length(1, 1000),
                          metadata={"description": "A review-request or widget token: the review "
                                    "is then a verified buyer's."})
    referral_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    private_message = text(5000, load_default="", metadata={
        "description": "A message only for the shop: never shown publicly, never in the rating; "
                       "the shop reads it in `GET /api/v1/feedback`."})
    visitor_id = visitor_id()


class PhotoOut(StrictSchema):
    id = fields.String()
    url = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    thumb_url = fields.String()
    thumb_width = fields.Integer()
    thumb_height = fields.Integer()


class HelpfulOut(StrictSchema):
    up = fields.Integer()
    down = fields.Integer()


class ReplyOut(StrictSchema):
    body = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class PublicReviewOut(StrictSchema):
    id = fields.String()
    rating = fields.Integer()
    title = fields.String()
    body = fields.String()
    author = fields.String(metadata={"description": "First name and initial"})
    locale = fields.String(metadata={"description": "The language of the form it was written in"})
    lang = fields.String(allow_none=True, metadata={
        "description": "The language it is written in (a primary subtag: hy, pt), detected at "
                       "submission unless given; null when unknown. Never translated."})
    published_at = fields.AwareDateTime()
    edited_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When its reviewer last changed it after it was published (the \"edited\" "
                       "label); null if never"})
    source = fields.String()
    verified_buyer = fields.Boolean()
    incentivized = fields.Boolean()
    staff = fields.Boolean()
    redacted = fields.Boolean()
    labels = fields.List(fields.String())
    helpful = fields.Nested(HelpfulOut)
    photos = fields.List(fields.Nested(PhotoOut))
    reply = fields.Nested(ReplyOut, allow_none=True)


_UNPUBLISHED = fields.AwareDateTime(allow_none=True, metadata={"description": "null until published"})


class SubmittedOut(PublicReviewOut):
    status = fields.String(metadata={"description": "published, or pending while a moderator looks"})
    published_at = _UNPUBLISHED


class ReviewListQuery(StrictSchema):
    sort = fields.String(load_default="newest", validate=validate.OneOf(SORTS))
    rating = fields.Integer(load_default=None, validate=validate.Range(1, 5))
    with_photos = fields.Boolean(load_default=False)
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50))
    lang = fields.String(load_default=None, validate=LANG, metadata={
        "description": "Only reviews written in this language (pt-BR reads as pt)."})
    lang_first = fields.String(load_default=None, validate=LANG, metadata={
        "description": "The reader's language: reviews written in it first, then the others, each "
                       "part in the chosen sort; the cursor carries on across the two."})

    @post_load
    def _languages(self, data, **kwargs):
        for name in ("lang", "lang_first"):
            if data[name]:
                data[name] = primary_language(data[name])
        if data["lang"]:
            data["lang_first"] = None  # only one language: nothing comes after it
        return data


class PublicReviewPage(StrictSchema):
    reviews = fields.List(fields.Nested(PublicReviewOut))
    next_cursor = fields.String(allow_none=True)


class VoteIn(StrictSchema):
    value = fields.String(required=True, validate=validate.OneOf(["up", "down"]))
    visitor_id = visitor_id()


class VoteOut(StrictSchema):
    id = fields.String()
    helpful = fields.Nested(HelpfulOut)
    your_vote = fields.String()


class ReportIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(REPORT_REASONS))
    note = text(1000, load_default="")
    visitor_id = visitor_id()


class ReportOut(StrictSchema):
    status = fields.String()


class RequestProductOut(StrictSchema):
    id = fields.String()
    name = fields.String()
    image_url = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    reviewed = fields.Boolean()


class ReviewRequestInfoOut(StrictSchema):
    customer_name = fields.String(metadata={"description": "Whom to greet: the given name, else the full name's first word (never the whole name)."})
    display_name = fields.String(metadata={"description": "The name to pre-fill for the review, in the "
                                           "customer's language's form (vi: \"Lan N.\"); the reviewer may change it."})
    locale = fields.String()
    verified = fields.Boolean()
    products = fields.List(fields.Nested(RequestProductOut))


class ServerReviewOut(PublicReviewOut):
    status = fields.String()
    published_at = _UNPUBLISHED
    reject_reason = fields.String(allow_none=True)
    moderation_rule = fields.String(allow_none=True)
    product_id = fields.String()
    order_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    author_name = fields.String()
    report_count = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ServerReviewQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    product_id = fields.String(load_default=None, validate=validate.Length(1, 255))
    source = fields.String(load_default=None, validate=validate.OneOf(SOURCES))
    updated_since = fields.AwareDateTime(load_default=None)
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ServerReviewPage(StrictSchema):
    reviews = fields.List(fields.Nested(ServerReviewOut))
    next_cursor = fields.String(allow_none=True)


class EraseIn(StrictSchema):
    email = fields.Email(required=True)


class EraseOut(StrictSchema):
    erased = fields.Boolean()
    reviews_removed = fields.Integer()
    photos_deleted = fields.Integer()
    orders_anonymised = fields.Integer()
    referral_code_disabled = fields.Integer(metadata={
        "description": "1 when their referral code was ended (its name part gone, also from friends' orders)."})
    referrals_anonymised = fields.Integer(metadata={
        "description": "Referrals they made or came through, kept for the shop's accounts without them."})
    platform_deliveries = fields.Integer(metadata={
        "description": "Deliveries from the shop's platform kept waiting for an order, emptied because they named them."})
    survey_answers = fields.Integer(metadata={"description": "Survey answers (scores) deleted."})
    private_feedback = fields.Integer(metadata={"description": "Messages only for the shop deleted."})
    private_threads = fields.Integer(metadata={"description": "Private conversations (inbox threads) deleted."})
    private_replies = fields.Integer(metadata={"description": "The shop's private replies to them deleted."})
    loyalty_ledger_anonymised = fields.Integer(metadata={
        "description": "1 when they were a loyalty member: the ledger stays for the accounts, without their "
                       "birthday or the words of the shop's adjustments."})
    loyalty_points_forfeited = fields.Integer(metadata={
        "description": "Loyalty points (spendable and held) they still had, taken by a last ledger entry."})
    loyalty_reasons_blanked = fields.Integer(metadata={"description": "Adjustment reasons blanked in their ledger."})


class ExportedCustomer(StrictSchema):
    name = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    locale = fields.String()
    accepts_marketing = fields.Boolean()
    created_at = fields.String()
    unsubscribed_at = fields.String(allow_none=True)


class CustomerExportOut(StrictSchema):
    email = fields.String()
    customer = fields.Nested(ExportedCustomer, allow_none=True)
    orders = fields.List(fields.Nested(OrderOut))
    reviews = fields.List(fields.Nested(ServerReviewOut))
    review_edits = fields.List(fields.Dict(), metadata={
        "description": "Their edits of their reviews, decided or waiting: review_id, status (pending, applied, "
                       "rejected, superseded), previous_rating, rating, title, body, created_at, decided_at."})
    referral_code = fields.Dict(allow_none=True, metadata={
        "description": "Their own referral code: code, created_at, disabled_at (null while it works)."})
    referrals = fields.List(fields.Dict(), metadata={
        "description": "Referrals they made (role `referrer`) or that brought them (role `friend`, with "
                       "their order's id): id, code, status, reason, dates; never the other person."})
    referral_rewards = fields.List(fields.Dict(), metadata={
        "description": "Their rewards for referrals: referral_id, code, what it is, created_at."})
    referral_invitations = fields.List(fields.Dict(), metadata={
        "description": "The e-mails inviting them to share their link: order_id, status, reason, due_at, sent_at."})
    review_incentives = fields.List(fields.Dict(), metadata={
        "description": "The rewards for their reviews: review_id, offer, status, source, code, created_at."})
    survey_answers = fields.List(fields.Dict(), metadata={
        "description": "Their answers to the shop's survey: score (0-10), comment, answered_at."})
    private_feedback = fields.List(fields.Dict(), metadata={
        "description": "Their messages only for the shop (the feedback room's `FeedbackOut`)."})
    private_threads = fields.List(fields.Dict(), metadata={
        "description": "Their private conversations with the shop (the inbox's `ThreadOut`, with its messages)."})
    private_replies = fields.List(fields.Dict(), metadata={
        "description": "The shop's private replies to them: id, thread_id, body, email, sent_at."})
    loyalty = fields.Dict(allow_none=True, metadata={
        "description": "Their loyalty membership: spendable and held points, tier, flagged, birthday (month "
                       "and day), member_since, every ledger entry and their redemptions with codes."})
