"""The shopper's loyalty panel as the public API (the widget) asks for it and answers it."""

from __future__ import annotations

from marshmallow import fields, validate

from ..schemas import StrictSchema
from .schemas import ExpiringOut, LoyaltyTierOut, RedemptionIn, TierProgressOut

_lang = fields.String(load_default=None, validate=validate.Length(max=35), metadata={
    "description": "The widget's language, for the tiers, the rewards and the amounts (else the "
                   "customer's, else the shop's)"})


class LoyaltyPanelQuery(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(1, 2000),
                          metadata={"description": "The order's widget_token: the panel, view only"})
    lang = _lang


class LoyaltyAccountIn(StrictSchema):
    token = fields.String(required=True, validate=validate.Length(1, 2000), metadata={
        "description": "The customer token from POST /api/v1/loyalty/customer-tokens (an hour), always in "
                       "the body, never in a URL"})
    lang = _lang


class LoyaltyPanelRedemptionIn(LoyaltyAccountIn, RedemptionIn):
    pass


class LoyaltyWayToEarnOut(StrictSchema):
    kind = fields.String(metadata={"description": "spend, review, review_with_photos, referral, "
                                   "account_created or birthday"})
    points = fields.String(metadata={"description": "Points for it; for spend, for each `per` spent"})
    per = fields.String(allow_none=True, metadata={"description": "spend: one unit of the currency, worded"})


class LoyaltyPanelRewardOut(StrictSchema):
    id = fields.String()
    points = fields.Integer()
    description = fields.String()
    available = fields.Integer(allow_none=True, metadata={"description": "Codes left (null: the shop makes it)"})
    affordable = fields.Boolean(metadata={"description": "Whether this customer can redeem it now (never with "
                                          "a widget token)"})


class LoyaltyHistoryOut(StrictSchema):
    label = fields.String(metadata={"description": "order, review, referral, account_created, birthday, "
                                    "hold_release, redeem, expire, adjust or reverse"})
    points = fields.Integer()
    pending = fields.Boolean(metadata={"description": "Held points: spendable when the hold passes"})
    created_at = fields.AwareDateTime()


class LoyaltyRedeemedOut(StrictSchema):
    id = fields.String()
    reward = fields.String()
    points = fields.Integer()
    description = fields.String()
    code = fields.String(allow_none=True, metadata={"description": "The coupon (null: the shop sends it)"})
    created_at = fields.AwareDateTime()


class LoyaltyPanelOut(StrictSchema):
    enabled = fields.Boolean(metadata={"description": "Whether the shop's programme is on (nothing else "
                                       "when it is off)"})
    can_redeem = fields.Boolean(metadata={"description": "True with a customer token only"})
    lang = fields.String()
    spendable = fields.Integer()
    spendable_value = fields.String(metadata={"description": "What they are worth, worded"})
    missing_amount = fields.String(allow_none=True, metadata={
        "description": "Tiers by spend: what is still missing for the next tier, worded (else null)"})
    pending = fields.Integer()
    flagged = fields.Boolean()
    tier = fields.Nested(LoyaltyTierOut, allow_none=True)
    progress = fields.Nested(TierProgressOut)
    expiring = fields.Nested(ExpiringOut, allow_none=True)
    ways_to_earn = fields.List(fields.Nested(LoyaltyWayToEarnOut))
    rewards = fields.List(fields.Nested(LoyaltyPanelRewardOut))
    history = fields.List(fields.Nested(LoyaltyHistoryOut))
    redeemed = fields.List(fields.Nested(LoyaltyRedeemedOut), metadata={"description": "Rewards bought, with their "
                                                                 "codes (customer token only)"})


class LoyaltyPanelRedemptionOut(StrictSchema):
    redemption = fields.Nested(LoyaltyRedeemedOut)
    panel = fields.Nested(LoyaltyPanelOut)
