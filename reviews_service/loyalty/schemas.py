"""The loyalty server API's bodies and answers."""

from __future__ import annotations

import calendar

from marshmallow import ValidationError, fields, validate, validates_schema

from ..schemas import CursorPage, Money, StrictInteger, StrictSchema


class LoyaltyLookupIn(StrictSchema):
    email = fields.Email(required=True, metadata={"description": "In the body, so that it stays out of URLs and logs."})


class LangQuery(StrictSchema):
    lang = fields.String(load_default=None, validate=validate.Length(max=35), metadata={
        "description": "The language for tier names and perks (the shop's default language otherwise)."})


class LoyaltyTierOut(StrictSchema):
    id = fields.String()
    name = fields.String()
    threshold = fields.Integer()
    multiplier = fields.String()
    perks = fields.String()


class TierProgressOut(StrictSchema):
    basis = fields.String(metadata={"description": "points or spend, over the last 12 months"})
    value = fields.String(metadata={"description": "The member's points earned, or money spent, in the last 12 months."})
    next_tier = fields.Nested(LoyaltyTierOut, allow_none=True)
    missing = fields.String(allow_none=True, metadata={"description": "What is still missing for the next tier."})


class ExpiringOut(StrictSchema):
    points = fields.Integer()
    at = fields.AwareDateTime()
    soon = fields.Boolean(metadata={"description": "Within 30 days."})


class BirthdayOut(StrictSchema):
    month = fields.Integer()
    day = fields.Integer()


class LoyaltyStandingOut(StrictSchema):
    customer_id = fields.Integer()
    enabled = fields.Boolean(metadata={"description": "Whether the shop's programme is on."})
    spendable = fields.Integer(metadata={"description": "Points that can be spent; below zero only after a "
                                         "refund took back points already spent (then `flagged`)."})
    pending = fields.Integer(metadata={"description": "Points earned by orders still in their hold."})
    flagged = fields.Boolean(metadata={"description": "The balance is below zero: nothing can be redeemed."})
    point_value = fields.String()
    currency = fields.String()
    spendable_value = fields.String(metadata={"description": "What the spendable points are worth."})
    tier = fields.Nested(LoyaltyTierOut, allow_none=True)
    progress = fields.Nested(TierProgressOut)
    expiring = fields.Nested(ExpiringOut, allow_none=True)
    birthday = fields.Nested(BirthdayOut, allow_none=True)


class LoyaltyEventOut(LoyaltyStandingOut):
    granted = fields.Integer(metadata={"description": "Points this event earned now (0 when none)."})


class LedgerEntryOut(StrictSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "earn, hold_release, redeem, expire, adjust or reverse"})
    points = fields.Integer(metadata={"description": "As the member reads it: +50 earned, -500 spent."})
    spendable_change = fields.Integer()
    pending_change = fields.Integer()
    source = fields.String(metadata={"description": "order, review, referral, admin, event, redemption, programme"})
    reference = fields.String(metadata={"description": "The order's, review's, referral's or redemption's id, "
                                        "or the event's name."})
    reason = fields.String()
    actor = fields.String()
    spend = Money(dump_only=True, allow_none=True)
    spendable_after = fields.Integer()
    pending_after = fields.Integer()
    created_at = fields.AwareDateTime()


class LedgerQuery(CursorPage):
    pass


class LedgerPage(StrictSchema):
    entries = fields.List(fields.Nested(LedgerEntryOut))
    next_cursor = fields.String(allow_none=True)


class AdjustmentIn(StrictSchema):
    points = StrictInteger(required=True, validate=[validate.Range(-10**7, 10**7),
                                                    validate.NoneOf([0], error="Must not be 0.")])
    reason = fields.String(required=True, validate=validate.Length(1, 500), metadata={
        "description": "Why: kept in the ledger with the change, for the audit."})


class RedemptionIn(StrictSchema):
    reward = fields.String(required=True, validate=validate.Length(1, 32), metadata={
        "description": "The reward's id in the shop's settings (settings.loyalty.rewards)."})


class RedeemedOfferOut(StrictSchema):
    kind = fields.String()
    value = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    product_id = fields.String(allow_none=True)
    description = fields.String()


class RedemptionOut(StrictSchema):
    id = fields.String()
    reward = fields.String()
    points = fields.Integer()
    source = fields.String(metadata={"description": "pool: `code` is the coupon; webhook: the shop makes it."})
    code = fields.String(allow_none=True)
    offer = fields.Nested(RedeemedOfferOut)
    created_at = fields.AwareDateTime()


class LoyaltyEventIn(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(["account_created", "birthday"]))
    month = StrictInteger(load_default=None, validate=validate.Range(1, 12))
    day = StrictInteger(load_default=None, validate=validate.Range(1, 31))

    @validates_schema
    def _date(self, data, **_):
        if data["type"] == "account_created":
            for key in ("month", "day"):
                if data.get(key) is not None:
                    raise ValidationError("Only a birthday takes a month and a day.", key)
            return
        for key in ("month", "day"):
            if data.get(key) is None:
                raise ValidationError("A birthday needs its month and day (no year).", key)
        if data["day"] > calendar.monthrange(2000, data["month"])[1]:  # 2000: 29 February exists
            raise ValidationError("No such day in that month.", "day")


class CustomerTokenIn(StrictSchema):
    customer_id = StrictInteger(required=True, validate=validate.Range(1, 2**31 - 1))


class CustomerTokenOut(StrictSchema):
    token = fields.String(metadata={"description": "Render into the customer's account page; the widget sends "
                                    "it in a request body, never in a URL."})
    customer_id = fields.Integer()
    expires_at = fields.AwareDateTime()


class LoyaltyRewardOut(StrictSchema):
    id = fields.String()
    points = fields.Integer()
    kind = fields.String()
    value = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    product_id = fields.String(allow_none=True)
    source = fields.String()
    description = fields.String()
    available = fields.Integer(allow_none=True, metadata={"description": "Codes left in its pool (null: webhook)."})


class LoyaltyRewardsOut(StrictSchema):
    rewards = fields.List(fields.Nested(LoyaltyRewardOut))


class RewardCodesIn(StrictSchema):
    codes = fields.List(fields.String(validate=validate.Length(max=200)), required=True,
                        validate=validate.Length(1, 10000))


class RewardCodesLoadedOut(StrictSchema):
    reward = fields.String()
    kind = fields.String()
    received = fields.Integer()
    added = fields.Integer()
    duplicates = fields.Integer()
    available = fields.Integer()
