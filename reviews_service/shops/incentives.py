"""The shop's review incentives: a reward for writing a review, for one with a photo, or both.

Which offer a review earns is decided when it is submitted (the offer in force then) and never by
its stars; the reward is issued by the referrals room at the review's first moderation decision.
A review with a photo earns the photo offer when the shop makes one, else the review offer."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from marshmallow import fields, pre_load, validate

from .. import i18n
from ..schemas import StrictBoolean, StrictSchema
from . import loyalty, offers
from .texts import OfferFields

OFFER_DEFAULTS: dict[str, Any] = {"offered": False, "description": "", "kind": "percent",
                                  "value": "10.00", "currency": None}
DEFAULTS: dict[str, Any] = {
    "enabled": False,
    "for_review": dict(OFFER_DEFAULTS),
    "for_photo": dict(OFFER_DEFAULTS),
    # pool: a single-use code from the `review_incentive` pool; webhook: `review.incentive_earned`.
    "source": "pool",
}
# Offer names as the review keeps them, per settings key.
OFFERS = {"for_photo": "photo", "for_review": "review"}


def offer_for(settings: dict[str, Any], has_photo: bool) -> str | None:
    """The offer a review submitted now earns ("photo", "review"), or None: decided by the shop's
    settings and whether the review carries a photo, never by its rating."""
    incentives = settings["incentives"]
    if not incentives["enabled"]:
        return None
    if has_photo and incentives["for_photo"]["offered"]:
        return "photo"
    if incentives["for_review"]["offered"]:
        return "review"
    return None


def labelled(settings: dict[str, Any], has_photo: bool) -> bool:
    """Whether a review submitted now is an incentivised review: it earns a reward (offer_for)
    or loyalty points (shops/loyalty.py). Never decided by its rating."""
    return offer_for(settings, has_photo) is not None or loyalty.review_points(settings, has_photo) > 0


def disclosures(settings: dict[str, Any], lang: str | None) -> list[str]:
    """What the shop offers for a review, said openly before it is written (the request e-mail,
    the form), in the reader's language; [] when it offers nothing. Loyalty points for a review
    are an offer like a reward, said the same way."""
    incentives = settings["incentives"]
    lang = i18n.negotiate(lang, settings["default_locale"])
    lines = []
    if incentives["enabled"]:
        # A reward for a review is worded like the referrer's ("€5 off your next order").
        lines = [i18n.translate(lang, f"incentive.{key}", offer=offers.text(
                     incentives[key], "referrer_reward", lang, settings["default_locale"]))
                 for key in ("for_review", "for_photo") if incentives[key]["offered"]]
    return lines + loyalty.disclosures(settings, lang)


def offer_settings(settings: dict[str, Any], offer: str) -> dict[str, Any]:
    return settings["incentives"]["for_photo" if offer == "photo" else "for_review"]


class IncentiveOfferSettings(OfferFields):
    """One reward: whether it is offered, and what it is; an empty description is worded from kind
    and value in each reader's language, like the referral offers (offers.py)."""

    offered = StrictBoolean(required=True)

    @pre_load
    def _defaults(self, data, **_):
        """Keys left out take their defaults; another kind than the default's does not inherit its
        value and currency, which were meant for another kind."""
        if not isinstance(data, dict):
            return data
        if data.get("kind", OFFER_DEFAULTS["kind"]) == OFFER_DEFAULTS["kind"]:
            return {**OFFER_DEFAULTS, **data}
        return {**OFFER_DEFAULTS, "value": None, "currency": None, **data}


class IncentiveSettings(StrictSchema):
    enabled = StrictBoolean(load_default=False)
    for_review = fields.Nested(IncentiveOfferSettings, load_default=lambda: deepcopy(OFFER_DEFAULTS))
    for_photo = fields.Nested(IncentiveOfferSettings, load_default=lambda: deepcopy(OFFER_DEFAULTS))
    source = fields.String(load_default="pool", validate=validate.OneOf(["pool", "webhook"]))
