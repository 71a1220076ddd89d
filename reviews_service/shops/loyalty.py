"""The shop's loyalty programme settings: what earns points, how long they are held, when they
expire, the tiers and the rewards points buy. Off by default.

They live here, below every room, because the review form's label and its disclosures
(incentives.py) must know whether a review earns points before it is sent; the loyalty room
(`reviews_service/loyalty/`) reads them through `settings_of` like every other setting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .. import i18n
from ..schemas import StrictBoolean, StrictInteger, StrictSchema
from . import offers
from .texts import AmountString, ShopText

ROUNDING = ("down", "nearest", "up")
TIER_BASES = ("points", "spend")
REWARD_KINDS = (*offers.KINDS, "product")
REWARD_SOURCES = ("pool", "webhook")
EARNINGS = ("for_review", "for_review_with_photos", "for_referral", "for_account_created", "for_birthday")

DEFAULTS: dict[str, Any] = {
    "enabled": False,
    # The programme's currency: what `point_value` is in, and the orders whose spend earns points.
    "currency": "EUR",
    # What one point is worth, so that the points outstanding can be shown as a liability.
    "point_value": "0.01",
    # Points per whole unit of the currency spent (an order's total), rounded by `rounding`.
    "points_per_unit": "1.00",
    "rounding": "down",
    # Points for a review (whatever its stars), for one with photos (instead, when more than 0),
    # for a referral that is approved, and for the events the shop reports.
    **{key: 0 for key in EARNINGS},
    # Days an order's points wait before they can be spent; null: the return window (the
    # referral programme's hold_days).
    "hold_days": None,
    # Points unused (nothing earned or spent) for this many months expire; null: never.
    "expiry_months": None,
    # Tiers by points earned or money spent over the last 12 months.
    "tier_basis": "points",
    "tiers": [],
    "rewards": [],
}

_slug = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,31}$",
                        error="1 to 32 characters: lower-case letters, digits, - and _, not starting with - or _.")
_currency = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code like EUR.")


class Decimal4(fields.Decimal):
    """A positive number with up to four decimals (a point's value, a multiplier), given as a
    JSON number or a decimal string and kept as a string, because settings are stored as JSON."""

    default_error_messages = {"invalid": "Not a valid number."}

    def __init__(self, low: str, high: str, **kwargs):
        super().__init__(places=4, as_string=True, allow_nan=False,
                         validate=validate.Range(Decimal(low), Decimal(high)), **kwargs)
        # How the OpenAPI document shows it (apispec would write the bounds as strings).
        self.metadata = {"type": ["string", "number"], "minimum": float(low), "maximum": float(high),
                         "pattern": r"^[0-9]+(\.[0-9]{1,4})?$", "examples": [low], **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        # As stored ("1.25"), not padded to four places ("1.2500").
        return None if value is None else format(Decimal(str(value)).normalize(), "f")

    def deserialize(self, *args, **kwargs):
        value = super().deserialize(*args, **kwargs)
        if value is None or isinstance(value, str):  # None, or a default (already a string)
            return value
        return format(value.normalize(), "f")


class LoyaltyTierSettings(StrictSchema):
    id = fields.String(required=True, validate=_slug)
    name = ShopText(40, allow_empty=False, required=True)
    # Points earned, or whole units of the currency spent, in the last 12 months (tier_basis).
    threshold = StrictInteger(required=True, validate=validate.Range(0, 10**9))
    # Points for orders are multiplied by the member's tier's multiplier.
    multiplier = Decimal4("1", "10", load_default="1")
    perks = ShopText(500, load_default="")


class LoyaltyRewardSettings(StrictSchema):
    id = fields.String(required=True, validate=_slug)
    points = StrictInteger(required=True, validate=validate.Range(1, 10**7))
    kind = fields.String(required=True, validate=validate.OneOf(REWARD_KINDS))
    value = AmountString(load_default=None, allow_none=True)
    currency = fields.String(load_default=None, allow_none=True, validate=_currency)
    # The shop's product id, for a `product` reward.
    product_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 255))
    description = ShopText(200, load_default="", when_empty="Empty: worded from kind and value.")
    # pool: a code from this reward's own pool (POST /api/v1/loyalty/rewards/<id>/coupons);
    # webhook: `loyalty.reward_redeemed` without a code, the shop makes one.
    source = fields.String(load_default="pool", validate=validate.OneOf(REWARD_SOURCES))

    @validates_schema
    def _fits_kind(self, data, **_):
        if data.get("kind") == "product":
            if not data.get("product_id"):
                raise ValidationError("A product reward names its product_id.", "product_id")
            for key in ("value", "currency"):
                if data.get(key) is not None:
                    raise ValidationError("A product reward takes no value or currency; send null.", key)
            return
        if data.get("product_id") is not None:
            raise ValidationError("Only a product reward names a product_id.", "product_id")
        if data.get("kind") is not None:
            wrong = offers.problem(data["kind"], data.get("value"), data.get("currency"))
            if wrong:
                raise ValidationError(wrong[1], wrong[0])


def _points(**kwargs):
    return StrictInteger(validate=validate.Range(0, 10**6), **kwargs)


class LoyaltySettings(StrictSchema):
    enabled = StrictBoolean(load_default=False)
    currency = fields.String(load_default=DEFAULTS["currency"], validate=_currency)
    point_value = Decimal4("0.0001", "1000", load_default=DEFAULTS["point_value"])
    points_per_unit = AmountString(load_default=DEFAULTS["points_per_unit"],
                                   validate=validate.Range(Decimal(0), Decimal(1000)))
    rounding = fields.String(load_default="down", validate=validate.OneOf(ROUNDING))
    for_review = _points(load_default=0)
    for_review_with_photos = _points(load_default=0)
    for_referral = _points(load_default=0)
    for_account_created = _points(load_default=0)
    for_birthday = _points(load_default=0)
    hold_days = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(0, 365))
    expiry_months = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(1, 120))
    tier_basis = fields.String(load_default="points", validate=validate.OneOf(TIER_BASES))
    tiers = fields.List(fields.Nested(LoyaltyTierSettings), load_default=list, validate=validate.Length(max=10))
    rewards = fields.List(fields.Nested(LoyaltyRewardSettings), load_default=list, validate=validate.Length(max=30))

    @validates_schema
    def _valid(self, data, **_):
        if data.get("currency") and data["currency"] not in offers.currencies():
            raise ValidationError("Not a currency code CLDR knows (ISO 4217, like EUR).", "currency")
        tiers = data.get("tiers") or []
        if len({t["id"] for t in tiers}) != len(tiers):
            raise ValidationError("Each tier needs an id of its own.", "tiers")
        thresholds = [t["threshold"] for t in tiers]
        if thresholds != sorted(set(thresholds)):
            raise ValidationError("Tiers go from the lowest threshold to the highest, each higher than "
                                  "the one before.", "tiers")
        rewards = data.get("rewards") or []
        if len({r["id"] for r in rewards}) != len(rewards):
            raise ValidationError("Each reward needs an id of its own.", "rewards")


# --- what the other rooms ask --------------------------------------------------------------------

def review_points(settings: dict[str, Any], has_photo: bool) -> int:
    """The points a review submitted now earns, whatever its stars: 0 while the programme is off.
    A review with photos earns `for_review_with_photos` when the shop offers that, else
    `for_review`."""
    program = settings["loyalty"]
    if not program["enabled"]:
        return 0
    if has_photo and program["for_review_with_photos"] > 0:
        return program["for_review_with_photos"]
    return program["for_review"]


def hold_days(settings: dict[str, Any]) -> int:
    """Days an order's points are held: the programme's own, else the shop's return window."""
    own = settings["loyalty"]["hold_days"]
    return settings["referrals"]["hold_days"] if own is None else own


def disclosures(settings: dict[str, Any], lang: str) -> list[str]:
    """The review points said before a review is written, in `lang` (a language i18n speaks),
    worded like the review incentives' lines ("... you get: 50 points")."""
    program = settings["loyalty"]
    if not program["enabled"]:
        return []
    lines = []
    for key, points in (("for_review", program["for_review"]),
                        ("for_photo", program["for_review_with_photos"])):
        if points > 0:
            lines.append(i18n.translate(lang, f"incentive.{key}",
                                        offer=i18n.translate(lang, "offer.points", count=points)))
    return lines
