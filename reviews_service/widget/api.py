"""What the widget needs besides reviews and ratings: the shop's display settings, and the page
that tells shoppers how the shop's reviews are collected and checked.

The policy page is generated from the shop's settings, so it can never promise something the
service does not do: when a setting changes, the page changes with it. It is written in the
shopper's language (the widget's 18), from `static/widget/policy/<lang>.json`.
"""

from __future__ import annotations

import json
import re
from functools import cache

from flask import Blueprint, current_app, render_template, request
from flask.views import MethodView
from marshmallow import fields, validate

from ..collecting.service import MAX_PHOTOS
from ..errors import NotFound
from ..packaged import widget_files
from ..schemas import StrictSchema
from ..shops import incentives, loyalty
from ..shops.service import settings_of
from ..web.blueprints import public_blueprint
from ..web.callers import current_shop, resolve_public_key
from ..web.limits import limiter

public = public_blueprint("widget_public", "What the widget shows besides reviews: the shop's name, "
                          "language and review policy.")
pages = Blueprint("widget_policy", __name__)

LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl", "pl", "ru", "uk", "tr", "ar", "hy", "ka", "lo",
             "vi", "ja", "zh")
RTL = frozenset({"ar"})
CONFIG_MAX_AGE = 300
POLICY_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")


class WidgetConfigOut(StrictSchema):
    name = fields.String(metadata={"description": "The shop's name, shown with its replies"})
    default_locale = fields.String()
    policy_url = fields.String(metadata={"description": "The shop's own review policy page, or the "
                                         "one generated from its settings"})
    allow_rating_only = fields.Boolean(metadata={"description": "Whether a review may be stars only"})
    auto_publish_verified = fields.Boolean()
    max_photos = fields.Integer()
    referrals_enabled = fields.Boolean(metadata={"description": "Whether the shop's referral program is "
                                                 "on: the thank-you panel then shows the customer's link"})
    loyalty_enabled = fields.Boolean(metadata={"description": "Whether the shop's loyalty programme is on: "
                                               "the thank-you page then shows the customer's points"})
    loyalty_review_points = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Points a review earns (`review`), and one with photos (`photos`), whatever its stars; "
                       "0 each while the programme is off"})
    incentives = fields.List(fields.String(), metadata={
        "description": "What the shop offers for a review, in the asked language, as the hosted review "
                       "page says it: the form shows these lines before the review is sent ([] for none)"})


class WidgetConfigQuery(StrictSchema):
    lang = fields.String(load_default=None, validate=validate.Length(max=35), metadata={
        "description": "The widget's language, for the incentive lines (the shop's default language "
                       "when absent or not one the service speaks)"})


def policy_url(shop) -> str:
    """The shop's own policy page if it has one, else the generated one."""
    return settings_of(shop)["review_policy_url"] or \
        f"{current_app.config['PUBLIC_URL']}/policy/{shop.public_key}"


@public.route("/widget-config")
class WidgetConfig(MethodView):
    @public.arguments(WidgetConfigQuery, location="query")
    @public.response(200, WidgetConfigOut)
    def get(self, args):
        """The shop's name, language, review policy and review incentives, as the widget shows them"""
        shop = current_shop()
        settings = settings_of(shop)
        body = {"name": shop.name, "default_locale": settings["default_locale"],
                "policy_url": policy_url(shop), "allow_rating_only": settings["allow_rating_only"],
                "auto_publish_verified": settings["auto_publish_verified"], "max_photos": MAX_PHOTOS,
                "referrals_enabled": settings["referrals"]["enabled"],
                "loyalty_enabled": settings["loyalty"]["enabled"],
                "loyalty_review_points": {"review": loyalty.review_points(settings, False),
                                          "photos": loyalty.review_points(settings, True)},
                # The very lines of the hosted review page, said before the review is sent.
                "incentives": incentives.disclosures(settings, args["lang"])}
        return body, 200, {"Cache-Control": f"public, max-age={CONFIG_MAX_AGE}"}


# --- the review policy page -------------------------------------------------------------------

@cache
def strings(lang: str) -> dict:
    return json.loads((widget_files() / "policy" / f"{lang}.json").read_text(encoding="utf-8"))


def plural(lang: str, n: int) -> str:
    """The CLDR plural category of `n` in `lang` (integers only, which is all the page counts)."""
    if lang in ("ja", "zh", "vi", "lo", "tr", "ka", "hy"):
        return "other"
    if lang in ("ru", "uk", "pl"):
        if n % 10 == 1 and n % 100 != 11:
            return "one" if lang != "pl" or n == 1 else "many"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    if lang == "ar":
        return {0: "zero", 1: "one", 2: "two"}.get(n) or \
            ("few" if 3 <= n % 100 <= 10 else "many" if 11 <= n % 100 <= 99 else "other")
    if lang in ("fr", "pt"):
        return "one" if n in (0, 1) else "other"
    return "one" if n == 1 else "other"


def translator(lang: str):
    table = strings(lang)

    def t(key: str, **params) -> str:
        value = table[key]
        if isinstance(value, dict):
            value = value.get(plural(lang, params.get("n", 0))) or value["other"]
        return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), value)

    return t


def policy_language(shop) -> str:
    """?lang=, then the browser's languages, then the shop's default language."""
    wanted = [request.args.get("lang", "")] + [tag for tag, _q in request.accept_languages] + \
        [settings_of(shop)["default_locale"]]
    for tag in wanted:
        base = (tag or "").replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return "en"


def policy_sections(shop, t) -> list[tuple[str, list[str]]]:
    """The policy, paragraph by paragraph, from the shop's current settings."""
    s = settings_of(shop)
    delay, reminder = s["review_request_delay_days"], s["reminder_delay_days"]
    trigger = t("after_delivery" if s["review_request_trigger"] == "delivered" else "after_shipping")
    collect = [t("collect_request", when=trigger, n=delay, days=delay),
               t("collect_reminder", n=reminder, days=reminder),
               t("collect_open")]
    check = [t("check_verified_auto" if s["auto_publish_verified"] else "check_verified_manual"),
             t("check_unverified"), t("check_never_rating"), t("check_reasons"), t("check_reports")]
    labels = [t("labels_intro"), t("label_verified"), t("label_incentivized"),
              t("label_staff_domains" if s["staff_email_domains"] else "label_staff"), t("label_imported"),
              t("label_edited")]
    display = [t("display_order"), t("display_rating_only" if s["allow_rating_only"] else "display_text_needed"),
               t("display_names"), t("display_photos"), t("display_replies")]
    if s["support_email"]:
        display.append(t("contact", email=s["support_email"]))
    return [(t("h_collect"), collect), (t("h_check"), check), (t("h_labels"), labels),
            (t("h_display"), display)]


@pages.get("/policy/<public_key>")
@limiter.exempt
def policy(public_key: str):
    """How the shop's reviews are collected and checked, in the shopper's language."""
    try:
        shop = resolve_public_key(public_key)
    except NotFound:
        return render_template("widget/policy.html", lang="en", dir="ltr", t=translator("en"),
                               shop=None, sections=[]), 404, {"Content-Security-Policy": POLICY_CSP}
    lang = policy_language(shop)
    t = translator(lang)
    html = render_template("widget/policy.html", lang=lang, dir="rtl" if lang in RTL else "ltr", t=t,
                           shop=shop, sections=policy_sections(shop, t))
    return html, 200, {"Content-Security-Policy": POLICY_CSP, "Cache-Control": "public, max-age=300",
                       "Vary": "Accept-Language", "X-Content-Type-Options": "nosniff"}
