"""Per-shop settings: their defaults and the schema that validates a change."""

from __future__ import annotations

from copy import deepcopy
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from .. import i18n
from ..schemas import StrictBoolean, StrictInteger, StrictSchema
from . import incentives, loyalty
from .texts import AmountString, OfferFields, ShopText

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
    # The Reply-To of every e-mail to a customer; "" leaves the deployment's MAIL_REPLY_TO.
    "support_email": "",
    # The shop's own words in its e-mails to customers: one text for every language, or a mapping
    # of language to text ({"en": ..., "hy": ...}); "" keeps the built-in text (shop_text).
    "review_request_intro": "",
    "email_sign_off": "",
    # The admin shows times in this IANA zone (zoneinfo), e.g. "Europe/Berlin".
    "time_zone": "UTC",
    "auto_publish_imported": True,
    # The satisfaction survey (survey/): the hosted review page asks how likely the customer is
    # to recommend the shop (0-10), and the review request e-mail mentions it. Off by default.
    "survey_enabled": False,
    # A helpful vote counts once per visitor id and once per network (IP hash) in this many days.
    "vote_window_days": 30,
    # Auto-moderation (moderation/rules.py). Each rule has an action: "publish" lets the review
    # through (the rule is off), "hold" keeps it pending for a moderator, "reject" rejects it with
    # the rule's reason. The strictest action of the rules that fire wins. No rule and no setting
    # looks at the star rating.
    "rule_blocklist_action": "reject",
    "rule_blocklist_reason": "spam",
    "blocklist_emails": [],
    "blocklist_domains": [],  # an e-mail domain also blocks its subdomains
    "blocklist_ip_hashes": [],
    "rule_profanity_action": "hold",
    "rule_profanity_reason": "abuse",
    "rule_profanity_languages": ["en"],  # shipped lists checked on every review, besides its own language's
    "rule_profanity_words": [],  # the shop's own: `word`, `prefix*` or a phrase
    "rule_emails_action": "hold",
    "rule_emails_reason": "personal_data",
    "rule_phones_action": "hold",
    "rule_phones_reason": "personal_data",
    "rule_links_action": "hold",
    "rule_links_reason": "spam",
    "rule_duplicate_action": "hold",
    "rule_duplicate_reason": "duplicate",
    "rule_duplicate_days": 30,
    "rule_duplicate_similarity": 0.9,
    "rule_burst_action": "hold",
    "rule_burst_count": 30,  # more than this many reviews of one product ...
    "rule_burst_minutes": 60,  # ... within this many minutes: review bombing
    # The referral program (referrals/): a PATCH replaces this object whole; keys left out of it
    # take their defaults.
    "referrals": {
        "enabled": False,
        # An empty description is worded per language from kind and value (shops/offers.py).
        "friend_offer": {"description": "", "kind": "percent", "value": "10.00",
                         "currency": None, "code_mode": "shared", "shared_code": ""},
        "referrer_reward": {"description": "", "kind": "amount",
                            "value": "10.00", "currency": "EUR", "source": "pool"},
        "attribution_days": 30,
        "hold_days": 30,
        "min_order_total": "0.00",
        "max_rewards_per_30_days": 10,
        "share_url_template": "https://shop.example/?ref={code}",
        "email_friend_offer": False,
        # The referral invitation (referrals/invitations.py): an e-mail asking a customer who
        # accepts marketing to share their link, this many days after their order was delivered,
        # at most once per customer in `invitation_period_days`.
        "invitation_enabled": False,
        "invitation_delay_days": 14,
        "invitation_period_days": 90,
    },
    # Review incentives (shops/incentives.py): a reward for a review or one with a photo, issued
    # at its first moderation decision whatever its stars. A PATCH replaces the object whole.
    "incentives": incentives.DEFAULTS,
    # The loyalty programme (shops/loyalty.py, the loyalty room): points, tiers and rewards. A
    # PATCH replaces the object whole; keys left out take their defaults.
    "loyalty": loyalty.DEFAULTS,
}

RULE_ACTIONS = ("publish", "hold", "reject")
# What a moderator or a rule may reject a review for: its content, never its stars. The reviews'
# check constraint and moderation use this same tuple.
REJECT_REASONS = ("abuse", "spam", "personal_data", "off_topic", "illegal", "duplicate", "not_a_review")
# The settings whose change makes the rules run again over pending and published reviews.
MODERATION_KEYS = frozenset(k for k in DEFAULTS if k.startswith(("rule_", "blocklist_"))) | {
    "auto_publish_verified", "auto_publish_imported"}



def effective(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The defaults overlaid with what the shop changed."""
    return _overlay(DEFAULTS, stored or {})


def _overlay(defaults: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    # Nested objects (the referral program) are overlaid key by key, so that a key added to the
    # defaults later reaches the shops that stored the object before it existed.
    out = deepcopy(defaults)
    for key, value in stored.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = deepcopy(value)
    return out


# --- the shop's own texts ------------------------------------------------------------------------

def shop_text(value: str | dict[str, str] | None, lang: str, default_lang: str) -> str:
    """The shop's own text for a reader of `lang` (a language i18n speaks): a string is every
    language's; a mapping gives `lang`'s, else the shop's default language's, else "" (the caller
    shows its built-in text)."""
    if isinstance(value, dict):
        return value.get(lang) or value.get(i18n.negotiate(default_lang)) or ""
    return value or ""


def customer_email(settings: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """What each e-mail to a customer takes from the shop's settings, in the reader's language:
    its Reply-To (`emails.render`'s `reply_to`) and the shop's sign-off."""
    lang = i18n.negotiate(lang)
    return {"reply_to": settings["support_email"] or None,
            "sign_off": shop_text(settings["email_sign_off"], lang, settings["default_locale"])}


# --- the referral program ------------------------------------------------------------------------

_REFERRALS = DEFAULTS["referrals"]


class OfferSettings(OfferFields):
    """What one side of a referral gets, shown to shoppers as `description`: the shop's text, or
    when it is empty, words built from kind and value in each reader's language (offers.py)."""

    side = ""  # the key of the defaults, in the subclasses

    @pre_load
    def _defaults(self, data, **_):
        """Keys left out take their defaults; but a kind other than the default one does not
        inherit the default's description, value and currency, which were meant for another kind."""
        if not isinstance(data, dict):
            return data
        defaults = _REFERRALS[self.side]
        if data.get("kind", defaults["kind"]) == defaults["kind"]:
            return {**defaults, **data}
        kept = {k: v for k, v in defaults.items() if k not in ("description", "value", "currency")}
        return {**kept, "value": None, "currency": None, **data}


class FriendOfferSettings(OfferSettings):
    side = "friend_offer"
    # shared: every friend gets `shared_code`; pool: each visitor gets one code from the pool.
    code_mode = fields.String(required=True, validate=validate.OneOf(["shared", "pool"]))
    shared_code = fields.String(required=True, validate=validate.Regexp(
        r"^(\S.{0,62}\S|\S?)$", error="At most 64 characters, without spaces around them."))


class RewardSettings(OfferSettings):
    side = "referrer_reward"
    # pool: a single-use code from the pool; webhook: `referral.reward_earned`, the shop makes one.
    source = fields.String(required=True, validate=validate.OneOf(["pool", "webhook"]))


class ReferralSettings(StrictSchema):
    enabled = StrictBoolean(load_default=False)
    friend_offer = fields.Nested(FriendOfferSettings,
                                 load_default=lambda: deepcopy(_REFERRALS["friend_offer"]))
    referrer_reward = fields.Nested(RewardSettings,
                                    load_default=lambda: deepcopy(_REFERRALS["referrer_reward"]))
    # How long a click counts: the widget keeps the code this long, and a hand-over must follow it.
    attribution_days = StrictInteger(validate=validate.Range(1, 365),
                                     load_default=_REFERRALS["attribution_days"])
    # The return window: a referral waits this long, and a refund or cancellation in it rejects it.
    hold_days = StrictInteger(validate=validate.Range(0, 365), load_default=_REFERRALS["hold_days"])
    # The friend's order total must reach this (in the order's own currency) to count.
    min_order_total = AmountString(load_default=_REFERRALS["min_order_total"])
    # Rewards per referrer in any 30 days; null for no cap. Referrals past the cap are rejected.
    max_rewards_per_30_days = StrictInteger(allow_none=True, validate=validate.Range(1, 10000),
                                            load_default=_REFERRALS["max_rewards_per_30_days"])
    share_url_template = fields.String(validate=validate.Length(1, 2000),
                                       load_default=_REFERRALS["share_url_template"])
    # Lets a friend have the offer e-mailed (POST .../referrals/offer-email).
    email_friend_offer = StrictBoolean(load_default=False)
    # The invitation to share the link, sent after delivery to customers who accept marketing.
    invitation_enabled = StrictBoolean(load_default=False)
    invitation_delay_days = StrictInteger(validate=validate.Range(0, 365),
                                          load_default=_REFERRALS["invitation_delay_days"])
    invitation_period_days = StrictInteger(validate=validate.Range(7, 730),
                                           load_default=_REFERRALS["invitation_period_days"])

    @validates_schema
    def _valid(self, data, **_):
        template = data.get("share_url_template", "")
        if not template.startswith(("https://", "http://")):
            raise ValidationError("Must be an http(s) URL.", "share_url_template")
        if template.count("{code}") != 1 or template.replace("{code}", "").count("{") \
                or template.replace("{code}", "").count("}"):
            raise ValidationError("Must hold {code} once, and no other braces.", "share_url_template")
        offer = data.get("friend_offer") or {}
        if data.get("enabled") and offer.get("code_mode") == "shared" and not offer.get("shared_code"):
            raise ValidationError("A shared friend offer needs its shared_code while the program is on.",
                                  "friend_offer")


_domain = validate.Regexp(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                          error="Not a lower-case domain name.")


def _action(*actions: str):
    return fields.String(validate=validate.OneOf(actions))


_reason = fields.String(validate=validate.OneOf(REJECT_REASONS))
_ip_hash = validate.Regexp(r"^[0-9a-f]{32}$", error="Not an IP hash (32 lower-case hex digits, as a review shows it).")
_email = validate.Regexp(r"^[^@\s]{1,64}@[a-z0-9.-]{1,253}$", error="Not a lower-case e-mail address.")
# One plain address (it goes into a header): no display name, no spaces or control characters.
_support_email = validate.Regexp(
    r"^$|^(?=.{3,254}$)[^@\s\x00-\x1f\x7f-\x9f\u2028\u2029<>()\[\],;:\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
    error="Not an e-mail address (name@shop.example), or \"\" for none.")


class _StrictFloat(fields.Float):
    """A JSON number: not `"0.9"`, not `true`."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._validated(value)


@cache
def time_zones() -> frozenset[str]:
    """The IANA zone names this machine's zoneinfo knows (read once: it scans the zone files)."""
    return frozenset(available_timezones())


def _time_zone(name: str) -> None:
    # UTC needs no tz database (the admin falls back to it), so it is valid on any machine.
    if name != "UTC" and name not in time_zones():
        raise ValidationError("Not a time zone this server knows: an IANA name such as Europe/Berlin or UTC.")


_word = validate.Regexp(r"^[^\x00-\x1f]{1,60}$", error="A word or phrase of 1 to 60 characters.")


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
    support_email = fields.String(validate=_support_email)
    review_request_intro = ShopText(1000)
    email_sign_off = ShopText(300)
    time_zone = fields.String(validate=[validate.Length(max=64), _time_zone], metadata={
        "description": "An IANA time zone name such as Europe/Berlin; the admin shows times in it."})
    auto_publish_imported = StrictBoolean()
    survey_enabled = StrictBoolean()
    vote_window_days = StrictInteger(validate=validate.Range(1, 365))
    rule_blocklist_action = _action(*RULE_ACTIONS)
    rule_blocklist_reason = _reason
    blocklist_emails = fields.List(fields.String(validate=_email), validate=validate.Length(max=1000))
    blocklist_domains = fields.List(fields.String(validate=_domain), validate=validate.Length(max=500))
    blocklist_ip_hashes = fields.List(fields.String(validate=_ip_hash), validate=validate.Length(max=1000))
    rule_profanity_action = _action(*RULE_ACTIONS)
    rule_profanity_reason = _reason
    rule_profanity_languages = fields.List(fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")),
                                           validate=validate.Length(max=20))
    rule_profanity_words = fields.List(fields.String(validate=_word), validate=validate.Length(max=500))
    rule_emails_action = _action(*RULE_ACTIONS)
    rule_emails_reason = _reason
    rule_phones_action = _action(*RULE_ACTIONS)
    rule_phones_reason = _reason
    rule_links_action = _action(*RULE_ACTIONS)
    rule_links_reason = _reason
    rule_duplicate_action = _action(*RULE_ACTIONS)
    rule_duplicate_reason = _reason
    rule_duplicate_days = StrictInteger(validate=validate.Range(1, 365))
    rule_duplicate_similarity = _StrictFloat(validate=validate.Range(0.5, 1.0), allow_nan=False)
    # A burst says nothing about a review's content, so it can hold reviews, never reject them.
    rule_burst_action = _action("publish", "hold")
    rule_burst_count = StrictInteger(validate=validate.Range(1, 10000))
    rule_burst_minutes = StrictInteger(validate=validate.Range(1, 7 * 24 * 60))
    referrals = fields.Nested(ReferralSettings)
    incentives = fields.Nested(incentives.IncentiveSettings)
    # Edited on the loyalty programme's own admin page, not in the generated settings form.
    loyalty = fields.Nested(loyalty.LoyaltySettings, metadata={"own_page": True})

    @validates_schema
    def _policy_url(self, data, **_):
        url = data.get("review_policy_url")
        if url and not url.startswith(("https://", "http://")):
            raise ValidationError("Must be an http(s) URL.", "review_policy_url")

