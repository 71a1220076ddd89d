"""The hosted review page, `/review/<token>`: where the review-request e-mail's link leads.

Server-rendered and complete without JavaScript: a multipart form posts back to the same URL,
errors come back next to their fields with the input kept, success redirects (303) to a thank-you.
The token in the URL is the customer's only credential, so the page keeps it to itself: no
referrer, no caching, no third-party resources, and a CSP that allows nothing but our stylesheet.
"""

from __future__ import annotations

import logging
import ntpath
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from .. import auth, i18n
from ..catalog.models import Order
from ..errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, Unsupported
from ..extensions import db, limiter
from ..reviews import media, service
from ..reviews import requests as review_requests
from ..reviews.models import ReviewRequest
from ..reviews.schemas import ReviewIn
from ..shops.models import Shop
from ..shops.service import get_shop, settings_of

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/assets/pages")

ROUTE = "/review/<path:token>"
# The widget (our own script, from our own origin) enhances the form when JavaScript is on.
CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
       "img-src 'self' https: data: blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
STARS = ("1", "2", "3", "4", "5")
WITHDRAWN = ("refunded", "cancelled")
# Without JavaScript nothing downscales photos before upload, and a few phone photos of 3 to 6 MB
# each pass the API's 11 MB body limit. Werkzeug spools file parts to disk, not memory.
MAX_FORM_BYTES = 64 * 1024 * 1024


@cache
def _max_length(field: str) -> int:
    """The limit the API's schema sets, so that the page and the API never disagree."""
    return next(v.max for v in ReviewIn().fields[field].validators if getattr(v, "max", None))


class PageRefused(Exception):
    """The page answers with a message instead of the form (404, 410, 403)."""

    def __init__(self, status: int, key: str, locale: str | None = None):
        super().__init__(key)
        self.status, self.key, self.locale = status, key, locale


@dataclass
class Page:
    """What one request to the page is about: the token's shop, order and products, and the language."""

    shop: Shop
    token: str
    info: dict[str, Any]  # review_requests.describe_grant
    lang: str
    chosen_lang: str | None  # from ?lang=, kept across the form's round trips

    def t(self, key: str, **params: Any) -> str:
        return i18n.translate(self.lang, key, **params)


# --- resolving the token -------------------------------------------------------------------------

@bp.url_value_preprocessor
def _shop_from_token(_endpoint, values):
    """The shop comes from the token, and before the rate limiter keys its counters by it."""
    if values and "token" in values:
        g.shop = _shop_for(values["token"])


def _shop_for(token: str) -> Shop:
    expired = False
    for purpose in (auth.REVIEW_REQUEST_TOKEN, auth.WIDGET_TOKEN):
        try:
            shop_id = auth.peek_shop(purpose, token)
        except auth.TokenError as exc:
            expired = expired or exc.reason == "expired"
            continue
        try:
            return get_shop(shop_id)
        except NotFound:
            break
    raise PageRefused(410, "expired") if expired else PageRefused(404, "not_found")


def _open(token: str) -> Page:
    """The page for a token, or the refusal that explains why there is none."""
    shop = g.shop
    try:
        grant = review_requests.grant_for_token(shop, token)
        info = review_requests.describe_grant(shop, token)
    except Forbidden:
        raise PageRefused(*_refusal(shop, token)) from None
    if grant.order.status in WITHDRAWN:  # the service refuses these too; never show their form
        raise PageRefused(403, "withdrawn", grant.order.customer.locale)
    chosen = i18n.match(request.args.get("lang"))
    g.page_lang = lang = i18n.negotiate(chosen, info["locale"], settings_of(shop)["default_locale"])
    return Page(shop=shop, token=token, info=info, lang=lang, chosen_lang=chosen)


def _refusal(shop: Shop, token: str) -> tuple[int, str, str | None]:
    """Why `grant_for_token` said no. It raises one Forbidden for every reason, while the customer
    deserves to know whether the link expired, the order was refunded, or the link is wrong."""
    for purpose in (auth.REVIEW_REQUEST_TOKEN, auth.WIDGET_TOKEN):
        try:
            claims = auth.unsign(purpose, token, shop_id=shop.id)
        except auth.TokenError as exc:
            if exc.reason == "expired":
                return 410, "expired", None
            continue
        order = _order_of(purpose, claims)
        if order is not None and order.shop_id == shop.id and order.status in WITHDRAWN:
            return 403, "withdrawn", order.customer.locale
        break
    return 404, "not_found", None


def _order_of(purpose: str, claims: dict[str, Any]) -> Order | None:
    """The order a well-signed token names, found by primary key."""
    order_id = claims.get("order")
    if purpose == auth.REVIEW_REQUEST_TOKEN:
        request_id = claims.get("request")
        found = db.session.get(ReviewRequest, request_id) if isinstance(request_id, int) else None
        order_id = found.order_id if found is not None else None
    return db.session.get(Order, order_id) if isinstance(order_id, int) else None


# --- the views -----------------------------------------------------------------------------------

@bp.get(ROUTE)
def review(token: str):
    """The form, or with `?done=1` the thank-you after a submission."""
    page = _open(token)
    if request.args.get("done") == "1":
        return _thanks(page)
    return _form(page)


@bp.post(ROUTE)
@limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"])
def submit(token: str):
    """Check every rated product, upload its photos, then submit each review with the token."""
    page = _open(token)
    open_products = [(n, p) for n, p in enumerate(page.info["products"]) if not p["reviewed"]]
    if not open_products:
        return redirect(url_for(".review", token=token, lang=page.chosen_lang), 303)
    request.max_content_length = MAX_FORM_BYTES
    values = _read_form(open_products)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # No session cookie (a phone browser that dropped it, cookies blocked): keep what the
        # customer typed and let them send it again with a fresh token. Nothing is stored.
        return _form(page, values=values, notice="csrf", status=400)
    errors: dict[str, list[str]] = {}
    ready = _check(page, open_products, values, errors)
    if errors:
        return _form(page, values=values, errors=errors, status=422)

    outcome: dict[str, list[str]] = {"published": [], "pending": []}
    visitor = auth.current_visitor()
    for n, product, data in ready:
        try:
            review = service.submit_review(page.shop, product["id"], data, visitor)
        except Conflict:
            continue  # reviewed meanwhile (another tab): the page now shows it as reviewed
        except Invalid as exc:
            errors.update(_service_errors(page, n, exc, values))
            continue
        except (Forbidden, NotFound):
            raise PageRefused(*_refusal(page.shop, token)) from None
        outcome["published" if review.status == "published" else "pending"].append(product["id"])
    if errors:
        return _form(_open(token), values=values, errors=errors, status=422)
    return redirect(url_for(".review", token=token, done=1, lang=page.chosen_lang, **outcome), 303)


# --- reading and checking the form ---------------------------------------------------------------

def _text(name: str) -> str:
    # Browsers send line breaks as CRLF but count them as one character against maxlength.
    return request.form.get(name, "").replace("\r\n", "\n")


def _read_form(open_products) -> dict[str, Any]:
    return {
        "display_name": _text("display_name"),
        "products": {n: {"rating": request.form.get(f"rating-{n}", ""), "title": _text(f"title-{n}"),
                         "body": _text(f"body-{n}"),
                         "photo_ids": request.form.getlist(f"photo-ids-{n}")[:service.MAX_PHOTOS]}
                     for n, _ in open_products},
    }


def _check(page: Page, open_products, values: dict, errors: dict[str, list[str]]) -> list[tuple]:
    """Validate every product the customer touched, and upload its photos (also when something
    else is wrong, so that the re-rendered form keeps them). Answers what is ready to submit."""
    settings = settings_of(page.shop)
    name = values["display_name"].strip()
    ready, touched = [], False
    for n, product in open_products:
        v = values["products"][n]
        files = [f for f in request.files.getlist(f"photos-{n}") if f.filename]
        if not (v["rating"] or v["title"].strip() or v["body"].strip() or files or v["photo_ids"]):
            continue  # skipped
        touched = True
        mine: dict[str, list[str]] = {}
        if v["rating"] not in STARS:
            mine[f"rating-{n}"] = [page.t("review_page.error.rating_required")]
        for field in ("title", "body"):
            limit = _max_length(field)
            if len(v[field].strip()) > limit:
                mine[f"{field}-{n}"] = [page.t("review_page.error.too_long", max=limit,
                                               count=len(v[field].strip()))]
        if not v["body"].strip() and not settings["allow_rating_only"]:
            mine[f"body-{n}"] = [page.t("review_page.error.body_required")]
        photo_errors = _upload(page, files, v["photo_ids"])
        if photo_errors:
            mine[f"photos-{n}"] = photo_errors
        errors.update(mine)
        if not mine:
            ready.append((n, product, {
                "rating": int(v["rating"]), "title": v["title"].strip(), "body": v["body"].strip(),
                "display_name": name, "token": page.token, "photo_ids": list(v["photo_ids"]),
                "locale": page.chosen_lang,
            }))
    if not touched:
        errors[f"rating-{open_products[0][0]}"] = [page.t("review_page.error.nothing")]
    if not name:
        errors["display-name"] = [page.t("review_page.error.name_required")]
    elif len(name) > _max_length("display_name"):
        errors["display-name"] = [page.t("review_page.error.too_long", max=_max_length("display_name"),
                                         count=len(name))]
    return ready


def _upload(page: Page, files, photo_ids: list[str]) -> list[str]:
    """Upload each file through the photo pipeline, adding its id to `photo_ids`; answers errors."""
    if len(files) + len(photo_ids) > service.MAX_PHOTOS:
        return [page.t("review_page.error.photo_count", max=service.MAX_PHOTOS)]
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    max_mb = max_bytes // (1024 * 1024)
    visitor_hash = auth.visitor_hash()
    errors = []
    for upload in files:
        file = ntpath.basename(upload.filename or "")[-80:]
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            errors.append(page.t("review_page.error.photo_size", file=file, max_mb=max_mb))
            continue
        if not data:
            errors.append(page.t("review_page.error.photo_unreadable", file=file))
            continue
        try:
            photo = media.upload_photo(page.shop, data, visitor_hash=visitor_hash)
        except Unsupported:
            errors.append(page.t("review_page.error.photo_type", file=file))
        except TooLarge:
            errors.append(page.t("review_page.error.photo_size", file=file, max_mb=max_mb))
        except Invalid:
            errors.append(page.t("review_page.error.photo_unreadable", file=file))
        else:
            photo_ids.append(photo.public_id)
    return errors


def _service_errors(page: Page, n: int, exc: Invalid, values: dict) -> dict[str, list[str]]:
    """The service's own refusals (the last word on what it accepts), as the page words them."""
    out: dict[str, list[str]] = {}
    for field in exc.errors:
        if field == "display_name":
            out["display-name"] = [page.t("review_page.error.name_required")]
        elif field == "body":
            out[f"body-{n}"] = [page.t("review_page.error.body_required")]
        elif field == "photo_ids":
            values["products"][n]["photo_ids"] = []
            out[f"photos-{n}"] = [page.t("review_page.error.photo_again")]
        elif field in ("title", "rating"):
            out[f"{field}-{n}"] = [page.t("review_page.error.invalid")]
    return out or {f"rating-{n}": [page.t("review_page.error.invalid")]}


# --- rendering -----------------------------------------------------------------------------------

def _common(lang: str, shop: Shop | None) -> dict[str, Any]:
    """What every page's template needs: the language, its direction, strings, the switcher."""
    return {
        "lang": lang, "dir": i18n.direction(lang), "shop_name": shop.name if shop else "",
        "t": lambda key, **params: i18n.translate(lang, key, **params),
        "languages": [(code, i18n.native_name(code), _url_in(code)) for code in i18n.SUPPORTED]
        if request.view_args and "token" in request.view_args else [],
    }


def _url_in(lang: str) -> str:
    args = request.args.to_dict(flat=False) if request.method == "GET" else {}
    args["lang"] = [lang]
    return url_for(".review", token=request.view_args["token"], **args)


def _form(page: Page, *, values=None, errors=None, notice: str | None = None, status: int = 200):
    errors = errors or {}
    products = []
    for n, p in enumerate(page.info["products"]):
        image = p["image_url"] if (p["image_url"] or "").startswith("https://") else None
        products.append({**p, "n": n, "image": image})
    values = values or {"display_name": page.info["customer_name"], "products": {}}
    settings = settings_of(page.shop)
    html = render_template(
        "pages/review.html", **_common(page.lang, page.shop),
        products=products, values=values, errors=errors, notice=notice,
        summary=_summary(page, products, errors),
        greeting_name=page.info["customer_name"], public_key=page.shop.public_key,
        action=url_for(".submit", token=page.token, lang=page.chosen_lang),
        csrf_token=generate_csrf(), stars=STARS, max_photos=service.MAX_PHOTOS,
        max_mb=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024),
        limits={f: _max_length(f) for f in ("title", "body", "display_name")},
        body_required=not settings["allow_rating_only"],
        policy_url=settings["review_policy_url"] or None,
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


def _thanks(page: Page):
    published = set(request.args.getlist("published"))
    pending = set(request.args.getlist("pending"))
    items = []
    # Only products of this order that really have a review: the query string cannot invent one.
    for p in page.info["products"]:
        if p["reviewed"] and p["id"] in published:
            items.append(("published", page.t("thanks.published", product=p["name"])))
        elif p["reviewed"] and p["id"] in pending:
            items.append(("pending", page.t("thanks.pending", product=p["name"])))
    if any(not p["reviewed"] for p in page.info["products"]):
        body, link = None, (url_for(".review", token=page.token, lang=page.chosen_lang),
                            page.t("thanks.more"))
    else:
        body, link = page.t("thanks.done"), None
    return _render_message(200, page.lang, page.shop, kind="thanks", title=page.t("thanks.title"),
                           body=body, items=items, link=link)


def _fallback_language(customer_locale: str | None = None) -> str:
    """For pages shown without the form: ?lang=, the customer's language when the token names one,
    else the browser's languages, then the shop's."""
    shop = g.get("shop")
    return g.get("page_lang") or i18n.negotiate(
        request.args.get("lang"), customer_locale, *i18n.accept_languages(request.accept_languages),
        settings_of(shop)["default_locale"] if shop is not None else None)


def _error_page(status: int, key: str, headers: dict[str, str] | None = None,
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


def _render_message(status: int, lang: str, shop: Shop | None, *, kind: str, title: str,
                    body: str | None = None, items=(), link=None, headers=None):
    html = render_template("pages/message.html", **_common(lang, shop), kind=kind, title=title,
                           body=body, items=items, link=link)
    return html, status, headers or {}


# --- errors, and the headers of every answer -----------------------------------------------------

@bp.errorhandler(PageRefused)
def _refused(exc: PageRefused):
    return _error_page(exc.status, exc.key, customer_locale=exc.locale)


@bp.errorhandler(413)
def _too_large(_exc):
    return _error_page(413, "too_large")


@bp.errorhandler(429)
def _rate_limited(_exc):
    # Flask-Limiter adds Retry-After and the RateLimit-* headers to this answer itself.
    return _error_page(429, "rate_limited")


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    """Never the API's problem+json here, and never a bare 500: a page the customer can read."""
    if isinstance(exc, HTTPException):
        return _error_page(exc.code or 500, "not_found" if exc.code == 404 else "unexpected")
    db.session.rollback()
    if isinstance(exc, (OperationalError, InterfaceError)):
        log.warning("database unavailable: %s", exc)
        return _error_page(503, "unavailable", headers={"Retry-After": "5"})
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error_page(500, "unexpected")


@bp.after_request
def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    # The token is in the URL: no other site may learn it from a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint != "pages.static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
