"""The settings form, generated from `shops.settings.SettingsSchema`: a setting added to the schema
appears on the page without a change here (nested objects become nested fieldsets), and the schema
stays the one place that validates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from marshmallow import Schema, ValidationError, fields, validate
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import NumberInput

from ..shops import settings as shop_settings
from .forms import REJECT_LABELS, AdminForm, MultiCheckboxField
from .language import N_, _
from .language import lazy_gettext as _l

# The groups' names are their keys; the page shows each through gettext.
GROUPS = (N_("Shop"), N_("Review requests"), N_("Reviews"), N_("Moderation rules"), N_("Referral program"),
          N_("Review incentives"), N_("More settings"))
RULE_TITLES = {
    "blocklist": _l("Blocklist"), "profanity": _l("Profanity"), "emails": _l("E-mail addresses in the text"),
    "phones": _l("Phone numbers in the text"), "links": _l("Links in the text"),
    "duplicate": _l("The same or nearly the same text"), "burst": _l("A burst of reviews on one product"),
}
SUBGROUP_TITLES = {**RULE_TITLES, "friend_offer": _l("What the friend gets"),
                   "referrer_reward": _l("What the referrer gets"), "for_review": _l("For a review"),
                   "for_photo": _l("For a review with a photo")}

# key: (label, help). Settings not named here are labelled from their name or from the field's
# metadata ("label", "description"), in English: a new setting's words belong in these tables.
LABELS: dict[str, tuple[str, str]] = {
    "review_request_trigger": (_l("Ask for a review after the order is"), ""),
    "review_request_delay_days": (_l("Days to wait before asking"), _l("Counted from the moment above; 0 asks at once.")),
    "reminder_delay_days": (_l("Days before the one reminder"), _l("Sent only if no review came.")),
    "email_cap_count": (_l("At most this many e-mails to one customer"), ""),
    "email_cap_days": (_l("…within this many days"), ""),
    "auto_publish_verified": (_l("Publish verified buyers’ reviews at once"),
                              _l("The moderation rules still run first; other reviews wait in the queue.")),
    "auto_publish_imported": (_l("Publish imported reviews at once"), _l("The rules still run on them.")),
    "allow_rating_only": (_l("Accept a star rating without text"), ""),
    "staff_email_domains": (_l("Staff e-mail domains"), _l("One per line, e.g. shop.example. Reviews from these "
                                                    "domains are labelled as written by staff.")),
    "review_policy_url": (_l("Review policy page"), _l("How reviews are collected and checked; the widget links to it.")),
    "default_locale": (_l("Default language"), _l("A language tag such as en, de or pt-BR.")),
    "support_email": (_l("Support e-mail address"), _l("Customers’ answers to the shop’s e-mails go here (Reply-To).")),
    "review_request_intro": (_l("Your words in the review request"),
                             _l("Empty for the built-in text. One text for every language, or JSON per language: "
                             "{\"en\": \"…\", \"hy\": \"…\"}.")),
    "email_sign_off": (_l("Sign-off under e-mails to customers"),
                       _l("Empty for none. One text for every language, or JSON per language: {\"en\": \"…\"}.")),
    "time_zone": (_l("Time zone"), _l("An IANA name such as Europe/Berlin or America/New_York; the admin shows "
                               "times in it.")),
    "vote_window_days": (_l("Count one helpful vote per visitor and network in this many days"),
                         _l("Another browser on the same network is not counted again in that time; a "
                         "visitor may still change their own vote.")),
    "blocklist_emails": (_l("Blocked e-mail addresses"), _l("One per line, lower case.")),
    "blocklist_domains": (_l("Blocked e-mail domains"), _l("One per line; a domain also blocks its subdomains.")),
    "blocklist_ip_hashes": (_l("Blocked IP hashes"), _l("One per line, as a review’s page shows them.")),
    "rule_profanity_languages": (_l("Shipped word lists"), _l("Language codes, one per line. Each review is also "
                                                       "checked against its own language’s list.")),
    "rule_profanity_words": (_l("Your own words"), _l("One per line: a word, a prefix* or a phrase.")),
    "rule_duplicate_days": (_l("Look back this many days"), ""),
    "rule_duplicate_similarity": (_l("Similarity that counts as the same text"), _l("From 0.5 to 1.0; 1.0 catches "
                                                                             "only identical text.")),
    "rule_burst_count": (_l("More than this many reviews"), ""),
    "rule_burst_minutes": (_l("…within this many minutes"), ""),
    "survey_enabled": (_l("Ask how likely the customer is to recommend the shop (0 to 10)"),
                       _l("One private question on the review page. The answer never changes the form, the "
                          "wording or the e-mails a customer gets.")),
}
# By the whole path, where a field's own name means something else elsewhere.
PATH_LABELS: dict[tuple[str, ...], tuple[str, str]] = {
    ("referrals", "invitation_enabled"): (_l("Invite customers who accept marketing to share their link"),
                                          _l("One e-mail after delivery; never because of a review or its stars.")),
    ("referrals", "invitation_delay_days"): (_l("Days after delivery before the invitation"), ""),
    ("referrals", "invitation_period_days"): (_l("At most one invitation per customer in this many days"), ""),
    ("incentives", "enabled"): (_l("Reward customers for writing a review"),
                                _l("Whatever the stars. The request e-mail and the form say so before a review "
                                   "is sent, and rewarded reviews are labelled “incentivised” everywhere.")),
    ("incentives", "source"): (_l("Where the reward’s code comes from"), ""),
    ("incentives", "for_review", "offered"): (_l("Offered"), ""),
    ("incentives", "for_photo", "offered"): (_l("Offered"), ""),
}
# Inside nested objects (the referral program), by the field's own name.
NESTED_LABELS: dict[str, tuple[str, str]] = {
    "enabled": (_l("The referral program is on"), ""),
    "attribution_days": (_l("A referral link counts for this many days"), ""),
    "hold_days": (_l("Days a referral waits before it counts"), _l("The return window: a refund in it cancels the referral.")),
    "min_order_total": (_l("The friend’s order must reach"), _l("In the order’s own currency; 0 for any order.")),
    "max_rewards_per_30_days": (_l("At most this many rewards per referrer in 30 days"), _l("Empty for no limit.")),
    "share_url_template": (_l("Share link"), _l("Must hold {code} once, e.g. https://shop.example/?ref={code}.")),
    "email_friend_offer": (_l("Let a friend have the offer e-mailed"), ""),
    "description": (_l("What the offer says"), _l("Shown to shoppers: one text for every language, or JSON per "
                                           "language, {\"en\": \"…\", \"hy\": \"…\"}.")),
    "kind": (_l("Kind"), ""),
    "value": (_l("Value"), _l("A percentage or an amount; empty for free shipping.")),
    "currency": (_l("Currency"), _l("An ISO code such as EUR, for an amount.")),
    "code_mode": (_l("Codes"), ""),
    "shared_code": (_l("Shared code"), _l("Needed when every friend gets the same code.")),
    "source": (_l("Where the reward’s code comes from"), ""),
}
GROUP_OF = {
    "review_request_trigger": "Review requests", "review_request_delay_days": "Review requests",
    "reminder_delay_days": "Review requests", "email_cap_count": "Review requests",
    "email_cap_days": "Review requests", "auto_publish_verified": "Reviews", "auto_publish_imported": "Reviews",
    "allow_rating_only": "Reviews", "staff_email_domains": "Reviews", "review_policy_url": "Reviews",
    "default_locale": "Reviews", "support_email": "Reviews", "vote_window_days": "Reviews",
    "referrals": "Referral program", "time_zone": "Shop", "review_request_intro": "Review requests",
    "email_sign_off": "Shop", "survey_enabled": "Review requests", "incentives": "Review incentives",
}
CHOICE_LABELS = {"fulfilled": _l("fulfilled (shipped)"), "delivered": _l("delivered"),
                 "publish": _l("Let it through (rule off)"), "hold": _l("Hold for a moderator"), "reject": _l("Reject"),
                 "free_shipping": _l("Free shipping"), "percent": _l("Percent off"), "amount": _l("Amount off"),
                 "shared": _l("One shared code"), "pool": _l("A single-use code from the pool"),
                 "webhook": _l("Made by your system (from a webhook)"), **REJECT_LABELS}

_RESERVED = set(dir(FlaskForm))


@dataclass
class SettingField:
    path: tuple[str, ...]  # ("rule_links_action",) or ("referrals", "friend_offer", "kind")
    attr: str  # the form's attribute
    kind: str  # bool, int, number, amount, choice, choices, text, lines, json, texts
    group: str
    subgroup: str = ""
    allow_none: bool = False

    @property
    def key(self) -> str:
        return self.path[0]


def _humanize(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _validators_of(field: fields.Field, kind: type) -> list:
    return [v for v in (field.validators or []) if isinstance(v, kind)]


def _choices(field: fields.Field) -> list[str] | None:
    one_of = _validators_of(field, validate.OneOf)
    return [str(c) for c in one_of[0].choices] if one_of else None


def _label(path: tuple[str, ...], field: fields.Field) -> tuple[str, str]:
    key = path[-1]
    if path in PATH_LABELS:
        return PATH_LABELS[path]
    if len(path) == 1 and key in LABELS:
        return LABELS[key]
    if len(path) > 1 and key in NESTED_LABELS:
        return NESTED_LABELS[key]
    if key.startswith("rule_") and key.endswith("_action"):
        return _("When it fires"), ""
    if key.startswith("rule_") and key.endswith("_reason"):
        return _("Reason given when it rejects"), ""
    return field.metadata.get("label") or _humanize(key), field.metadata.get("description", "")


def _wtf_field(path: tuple[str, ...], field: fields.Field) -> tuple[Any, str]:
    """The WTForms field for one marshmallow field, and the kind of value it holds."""
    label, help_text = _label(path, field)
    kw: dict[str, Any] = {"label": label, "description": help_text}
    optional = [Optional()] if field.allow_none else [InputRequired()]
    ranges = _validators_of(field, validate.Range)
    bounds = {k: getattr(r, k) for r in ranges for k in ("min", "max") if getattr(r, k) is not None}
    if isinstance(field, fields.Boolean):
        return BooleanField(**kw), "bool"
    if isinstance(field, shop_settings.ShopText):  # a plain text, or JSON for one text per language
        return TextAreaField(render_kw={"rows": 3}, **kw), "texts"
    if isinstance(field, fields.Integer):
        return IntegerField(validators=optional, render_kw=bounds, **kw), "int"
    if isinstance(field, fields.Decimal):  # an amount of money, kept as a string
        return StringField(validators=optional, render_kw={"inputmode": "decimal"}, **kw), "amount"
    if isinstance(field, fields.Float):
        checks = [NumberRange(**bounds)] if bounds else []
        return DecimalField(validators=optional + checks, places=None,
                            widget=NumberInput(step="0.01", **bounds), **kw), "number"
    choices = _choices(field) if isinstance(field, fields.String) else None
    if choices:
        options = [(c, CHOICE_LABELS.get(c, _humanize(c))) for c in choices]
        if field.allow_none:
            options.insert(0, ("", "—"))
        return SelectField(choices=options, **kw), "choice"
    if isinstance(field, fields.List) and isinstance(field.inner, fields.String):
        inner = _choices(field.inner)
        if inner:
            return MultiCheckboxField(choices=[(c, CHOICE_LABELS.get(c, _humanize(c))) for c in inner], **kw), "choices"
        kw["description"] = help_text or _("One per line.")
        return TextAreaField(render_kw={"rows": 4, "spellcheck": "false"}, **kw), "lines"
    if isinstance(field, fields.String):
        lengths = _validators_of(field, validate.Length)
        longest = lengths[0].max if lengths and lengths[0].max else None
        validators = [Optional(), Length(max=longest)] if longest else [Optional()]
        return StringField(validators=validators, render_kw={"maxlength": longest} if longest else {},
                           **kw), "text"
    # Anything else (a mapping, a list of objects): edited as JSON, checked by the schema.
    kw["description"] = (f"{help_text} " if help_text else "") + _("As JSON.")
    return TextAreaField(render_kw={"rows": 5, "spellcheck": "false", "class": "code"}, **kw), "json"


def _group(key: str) -> tuple[str, str]:
    if key in GROUP_OF:
        return GROUP_OF[key], ""
    if key.startswith("blocklist_"):
        return "Moderation rules", "blocklist"
    if key.startswith("rule_"):
        name = key[len("rule_"):].split("_", 1)[0]
        return "Moderation rules", name
    return "More settings", ""


def _walk(schema: Schema, prefix: tuple[str, ...] = ()):
    for key, field in schema.fields.items():
        # A setting with a page of its own (the loyalty programme's) is not repeated here.
        if field.dump_only or field.metadata.get("own_page"):
            continue
        path = (*prefix, key)
        if isinstance(field, fields.Nested) and not field.many:
            yield from _walk(field.schema, path)
        else:
            yield path, field


def build():
    """A form class for the current schema, and the description of each of its fields."""
    attrs: dict[str, Any] = {
        "shop_name": StringField(_("Shop name"), validators=[InputRequired(), Length(max=200)]),
        "allowed_origins": TextAreaField(
            _("Allowed origins"), render_kw={"rows": 3, "spellcheck": "false"},
            description=_("One per line, e.g. https://shop.example. The widget may send reviews, votes "
                          "and reports only from these.")),
    }
    described: list[SettingField] = []
    for path, field in _walk(shop_settings.SettingsSchema()):
        attr = "__".join(path)
        if attr in _RESERVED or attr in attrs:
            attr = f"setting_{attr}"
        wtf, kind = _wtf_field(path, field)
        attrs[attr] = wtf
        group, subgroup = _group(path[0])
        if len(path) > 2:
            subgroup = path[1]
        described.append(SettingField(path, attr, kind, group, subgroup, bool(field.allow_none)))
    return type("SettingsForm", (AdminForm,), attrs), described


def _get(data: dict, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _put(data: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def initial(shop, described: list[SettingField]) -> dict[str, Any]:
    """The form's values for the shop's effective settings."""
    effective = shop_settings.effective(shop.settings)
    out: dict[str, Any] = {"shop_name": shop.name, "allowed_origins": "\n".join(shop.allowed_origins or [])}
    for f in described:
        value = _get(effective, f.path)
        if f.kind == "lines":
            value = "\n".join(value or [])
        elif f.kind == "json" or (f.kind == "texts" and isinstance(value, dict)):
            value = json.dumps(value, indent=2, ensure_ascii=False) if value is not None else ""
        elif value is None and f.kind in ("text", "amount", "choice"):
            value = ""
        out[f.attr] = value
    return out


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def collect(form, described: list[SettingField]) -> dict[str, Any]:
    """The settings the form holds, nested as the schema takes them. JSON that does not parse is
    reported on its field (and the key left out)."""
    out: dict[str, Any] = {}
    for f in described:
        field = getattr(form, f.attr)
        value = field.data
        if f.kind == "lines":
            value = lines(value)
        elif f.kind == "json" or (f.kind == "texts" and (value or "").lstrip().startswith("{")):
            try:
                value = json.loads(value) if (value or "").strip() else None
            except ValueError as exc:
                field.errors = [*field.errors, _("Not valid JSON: %(error)s", error=exc)]
                continue
        elif f.kind == "number" and value is not None:
            value = float(value)
        elif f.kind in ("text", "amount", "choice", "texts"):
            value = (value or "").strip()
            if f.allow_none and value == "":
                value = None
        if value is None and not f.allow_none:
            continue
        _put(out, f.path, value)
    return out


def validate_into(form, described: list[SettingField], values: dict[str, Any]) -> dict[str, Any] | None:
    """Run the schema; its messages go to the fields they are about. None when anything failed."""
    try:
        return shop_settings.SettingsSchema().load(values)
    except ValidationError as exc:
        by_path = {f.path: f for f in described}
        for path, messages in _leaves(exc.normalized_messages()):
            target = by_path.get(path)
            while target is None and len(path) > 1 and not isinstance(path[-1], int):
                path = path[:-1]  # a message about a list item or a whole object
                target = by_path.get(path)
            if target is not None:
                field = getattr(form, target.attr)
                field.errors = [*field.errors, *messages]
            else:
                form.form_errors.extend(f"{'.'.join(map(str, path))}: {m}" for m in messages)
        return None


def _leaves(messages, path: tuple = ()):
    """(path, [messages]) for every leaf of marshmallow's nested error dict; list items are
    named by line ("line 2: Not a lower-case domain name.")."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                for p, msgs in _leaves(value, path):
                    yield p, [_("line %(number)d: %(message)s", number=key + 1, message=m) for m in msgs]
            elif key == "_schema":
                yield from _leaves(value, path)
            else:
                yield from _leaves(value, (*path, key))
    elif isinstance(messages, list):
        yield path, [m for m in messages if isinstance(m, str)] + [
            m for item in messages if not isinstance(item, str) for _, ms in _leaves(item) for m in ms]
    else:
        yield path, [str(messages)]
