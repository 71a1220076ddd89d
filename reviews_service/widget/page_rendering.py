"""The hosted review page's HTML: the form with its error summary, the thank-you, and the
message pages (refusals and failures) in the best language the request tells."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request, url_for
from flask_wtf.csrf import generate_csrf

from .. import i18n
from ..collecting import edits, service
from ..collecting import requests as review_requests
from ..loyalty import earned
from ..shops import incentives
from ..shops.service import settings_of
from .review_form import STARS, max_length
from .review_page import Page
from .survey_page import context as survey_context


def _common(lang: str, shop: Any) -> dict[str, Any]:
    """What every page's template needs: the language, its direction, strings, the switcher."""
    return {
        "lang": lang, "dir": i18n.direction(lang), "shop_name": shop.name if shop else "",
        "t": lambda key, **params: i18n.translate(lang, key, **params),
        "languages": [(code, i18n.native_name(code), _url_in(code)) for code in i18n.SUPPORTED]
        if request.view_args and "token" in request.view_args else [],
    }


page_context = _common  # for the reviewer's own page (edit_page.py), which has the same layout


def _url_in(lang: str) -> str:
    args = request.args.to_dict(flat=False) if request.method == "GET" else {}
    args["lang"] = [lang]
    return url_for(".review", token=request.view_args["token"], **args)


def render_form(page: Page, *, values=None, errors=None, notice: str | None = None, status: int = 200,
                survey: dict | None = None):
    errors = errors or {}
    products = []
    for n, p in enumerate(page.info["products"]):
        image = p["image_url"] if (p["image_url"] or "").startswith("https://") else None
        products.append({**p, "n": n, "image": image})
    values = values or {"display_name": page.info["display_name"], "products": {}}
    settings = settings_of(page.shop)
    html = render_template(
        "pages/review.html", **_common(page.lang, page.shop),
        products=products, values=values, errors=errors, notice=notice,
        summary=_summary(page, products, errors),
        greeting_name=page.info["customer_name"], public_key=page.shop.public_key,
        action=url_for(".submit", token=page.token, lang=page.chosen_lang),
        csrf_token=generate_csrf(), stars=STARS, max_photos=service.MAX_PHOTOS,
        max_mb=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024),
        limits={f: max_length(f) for f in ("title", "body", "display_name")},
        body_required=not settings["allow_rating_only"],
        policy_url=settings["review_policy_url"] or None,
        survey=survey_context(page, **(survey or {})),
        incentives=incentives.disclosures(settings, page.lang),  # said before the review is sent
        edit_links=edits.links_for_order(page.shop, page.token),
    )
    return html, status


def _summary(page: Page, products, errors) -> list[dict[str, str]]:
    """The error summary at the top: each message, linked to its field, in the form's order."""
    labels = {"rating": "review_page.rating_legend", "title": "review_page.title_label",
              "body": "review_page.body_label", "photos": "review_page.photos_label"}
    out = []
    for p in products:
        if p["reviewed"]:
            continue
        for kind, key in labels.items():
            field = f"{kind}-{p['n']}"
            for message in errors.get(field, []):
                target = f"{field}-1" if kind == "rating" else field
                out.append({"href": f"#{target}", "text": f"{p['name']}, {page.t(key)}: {message}"})
    for message in errors.get("display-name", []):
        out.append({"href": "#display-name", "text": f"{page.t('review_page.name_label')}: {message}"})
    return out


def render_thanks(page: Page):
    published = set(request.args.getlist("published"))
    pending = set(request.args.getlist("pending"))
    items, links = [], edits.links_for_order(page.shop, page.token)
    # Only products of this order that really have a review: the query string cannot invent one.
    for p in page.info["products"]:
        if p["reviewed"] and p["id"] in published:
            items.append(("published", page.t("thanks.published", product=p["name"])))
        elif p["reviewed"] and p["id"] in pending:
            items.append(("pending", page.t("thanks.pending", product=p["name"])))
        else:
            continue
        if p["id"] in links:  # the reviewer may change their mind: edit or withdraw, from here too
            items.append(("edit", (links[p["id"]], page.t("thanks.edit", product=p["name"]))))
    # The loyalty points these reviews were offered, where that is true (never by their stars).
    points = earned.points_for_order_reviews(page.shop, review_requests.grant_for_token(page.shop, page.token).order,
                                             published | pending)
    if points:
        items.append(("points", page.t("thanks.points", count=points)))
    if any(not p["reviewed"] for p in page.info["products"]):
        body, link = None, (url_for(".review", token=page.token, lang=page.chosen_lang),
                            page.t("thanks.more"))
    else:
        body, link = page.t("thanks.done"), None
    return _render_message(200, page.lang, page.shop, kind="thanks", title=page.t("thanks.title"),
                           body=body, items=items, link=link)


def render_private_thanks(page: Page):
    """The thank-you after private feedback sent alone: a message, not a review, so it says where
    the message went and that it is not published, and offers the form again, for everyone alike."""
    link = None
    if any(not p["reviewed"] for p in page.info["products"]):
        link = (url_for(".review", token=page.token, lang=page.chosen_lang), page.t("error.back"))
    return _render_message(200, page.lang, page.shop, kind="thanks", title=page.t("thanks.private_title"),
                           body=page.t("thanks.private", shop=page.shop.name), link=link)


def _fallback_language(customer_locale: str | None = None) -> str:
    """For pages shown without the form: ?lang=, the customer's language when the token names one,
    else the browser's languages, then the shop's."""
    shop = g.get("shop")
    return g.get("page_lang") or i18n.negotiate(
        request.args.get("lang"), customer_locale, *i18n.accept_languages(request.accept_languages),
        settings_of(shop)["default_locale"] if shop is not None else None)


def error_page(status: int, key: str, headers: dict[str, str] | None = None,
                customer_locale: str | None = None):
    """A refusal or a failure, in the best language we can tell, with a way back when one helps."""
    lang = _fallback_language(customer_locale)
    link = None
    if key in ("rate_limited", "too_large", "unavailable", "unexpected") \
            and request.view_args and "token" in request.view_args:
        link = (url_for(".review", token=request.view_args["token"], lang=i18n.match(request.args.get("lang"))),
                i18n.translate(lang, "error.back"))
    return _render_message(status, lang, g.get("shop"), kind=key,
                           title=i18n.translate(lang, f"error.{key}.title"),
                           body=i18n.translate(lang, f"error.{key}.body"), link=link, headers=headers)


def _render_message(status: int, lang: str, shop: Any, *, kind: str, title: str,
                    body: str | None = None, items=(), link=None, headers=None):
    html = render_template("pages/message.html", **_common(lang, shop), kind=kind, title=title,
                           body=body, items=items, link=link)
    return html, status, headers or {}


render_message = _render_message
