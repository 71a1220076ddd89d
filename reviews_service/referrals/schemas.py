"""What the referral APIs accept and answer."""

from __future__ import annotations

from marshmallow import fields, validate

from ..reviews.schemas import visitor_id
from ..schemas import CursorPage, Money, StrictSchema, text
from .coupons import MAX_LOAD
from .models import COUPON_KINDS, STATUSES

_token = fields.String(required=True, validate=validate.Length(1, 2000),
                       metadata={"description": "The order's widget_token"})
_code = fields.String(required=True, validate=validate.Length(1, 64),
                      metadata={"description": "A referral code as the link carried it (?ref=)"})


# --- server API ----------------------------------------------------------------------------------

class ReferralQuery(CursorPage):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    code = fields.String(load_default=None, validate=validate.Length(1, 64))


class OfferOut(StrictSchema):
    description = fields.String()
    kind = fields.String(metadata={"description": "percent, amount or free_shipping"})
    value = fields.String(allow_none=True, metadata={"description": "A decimal string; null for free shipping"})
    currency = fields.String(allow_none=True)


class RewardOut(OfferOut):
    source = fields.String(metadata={"description": "pool: a code from the pool; webhook: the shop makes one"})
    code = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class PersonOut(StrictSchema):
    email = fields.String()
    name = fields.String()


class ReferredOrderOut(StrictSchema):
    id = fields.String()
    status = fields.String()
    total = Money(dump_only=True)
    currency = fields.String()
    placed_at = fields.AwareDateTime()


class ReferralOut(StrictSchema):
    id = fields.String()
    status = fields.String(metadata={"description": "pending, approved, rejected or flagged"})
    reason = fields.String(allow_none=True, metadata={
        "description": "Why rejected or flagged: a signal's name, refunded, cancelled, below_minimum, "
                       "cap_reached, pool_empty or owner"})
    signals = fields.List(fields.String(), metadata={"description": "Fraud signals found, by name"})
    note = fields.String(metadata={"description": "The owner's words with a decision"})
    source = fields.String(metadata={"description": "order (the code came with the order) or handover "
                                                    "(the widget handed it over)"})
    code = fields.String()
    referrer = fields.Nested(PersonOut)
    friend = fields.Nested(PersonOut)
    order = fields.Nested(ReferredOrderOut)
    hold_until = fields.AwareDateTime()
    owner_cleared = fields.Boolean()
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    reward = fields.Nested(RewardOut, allow_none=True)


class ReferralPage(StrictSchema):
    referrals = fields.List(fields.Nested(ReferralOut))
    next_cursor = fields.String(allow_none=True)


class ApproveIn(StrictSchema):
    note = text(1000, load_default="")


class RejectIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class CouponsIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(COUPON_KINDS))
    codes = fields.List(fields.String(validate=validate.Length(max=200)), required=True,
                        validate=validate.Length(1, MAX_LOAD))


class CouponsLoadedOut(StrictSchema):
    kind = fields.String()
    received = fields.Integer()
    added = fields.Integer()
    duplicates = fields.Integer(metadata={"description": "Codes the shop had loaded before, or sent twice"})
    available = fields.Integer()
    waiting_issued = fields.Integer(metadata={"description": "Codes given at once to review incentives that "
                                              "waited for an empty review_incentive pool, oldest first"})


class PoolOut(StrictSchema):
    kind = fields.String()
    available = fields.Integer()
    claimed = fields.Integer()
    total = fields.Integer()
    in_use = fields.Boolean(metadata={"description": "The program's settings draw from this pool"})
    low = fields.Boolean()


class PoolsOut(StrictSchema):
    pools = fields.List(fields.Nested(PoolOut))
    low_threshold = fields.Integer()
    low = fields.List(fields.String(), metadata={"description": "The pools in use that run low"})


class FunnelQuery(StrictSchema):
    days = fields.Integer(load_default=30, validate=validate.Range(1, 366))


class FunnelOut(StrictSchema):
    since = fields.AwareDateTime()
    clicks = fields.Integer()
    referred_orders = fields.Integer()
    approved = fields.Integer()
    rewarded = fields.Integer()
    rejected = fields.Integer()
    flagged = fields.Integer()
    pending = fields.Integer()
    revenue = fields.List(fields.Dict(), metadata={"description": "[{currency, total}] of approved referrals"})
    days = fields.List(fields.Dict(), metadata={"description": "[{date, clicks, referred_orders, approved}]"})
    top_referrers = fields.List(fields.Dict())


# --- public API ----------------------------------------------------------------------------------

class PanelQuery(StrictSchema):
    token = _token


class CountsOut(StrictSchema):
    clicks = fields.Integer(metadata={"description": "Browsers that arrived through the link"})
    friends_ordered = fields.Integer()
    pending = fields.Integer()
    approved = fields.Integer()
    rewards = fields.Integer()


class EarnedOut(OfferOut):
    code = fields.String(allow_none=True, metadata={"description": "null while the shop makes it"})
    created_at = fields.AwareDateTime()


class PanelOut(StrictSchema):
    enabled = fields.Boolean()
    code = fields.String()
    share_url = fields.String()
    friend_offer = fields.Nested(OfferOut)
    referrer_reward = fields.Nested(OfferOut)
    counts = fields.Nested(CountsOut)
    rewards = fields.List(fields.Nested(EarnedOut))


class ClickIn(StrictSchema):
    code = _code
    visitor_id = visitor_id()


class FriendOfferOut(OfferOut):
    code = fields.String(allow_none=True, metadata={"description": "The discount code to show; null when "
                                                                   "the pool is empty or it is the referrer"})


class ClickOut(StrictSchema):
    valid = fields.Boolean()
    code = fields.String(metadata={"description": "The referral code, canonical: keep it first-party"})
    own = fields.Boolean(metadata={"description": "The referrer's own browser opened the link"})
    referrer_name = fields.String(allow_none=True)
    attribution_days = fields.Integer(metadata={"description": "How long to keep the code"})
    offer = fields.Nested(FriendOfferOut)
    email_offer = fields.Boolean(metadata={"description": "The shop e-mails the offer on request"})


class HandoverIn(StrictSchema):
    token = _token
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    visitor_id = visitor_id()  # the one the click sent: this browser's click, not a colleague's


class HandoverOut(StrictSchema):
    attributed = fields.Boolean()


class OfferEmailIn(StrictSchema):
    code = _code
    email = fields.Email(required=True, validate=validate.Length(max=254))
    locale = fields.String(load_default=None, validate=validate.Length(max=16))
    visitor_id = visitor_id()  # the one the click sent: the same code from the pool


class AcceptedOut(StrictSchema):
    status = fields.String()
