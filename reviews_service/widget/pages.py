"""The hosted review page, `/review/<token>`: where the review-request e-mail's link leads.

Server-rendered and complete without JavaScript: a multipart form posts back to the same URL,
errors come back next to their fields with the input kept, success redirects (303) to a thank-you.
The token in the URL is the customer's only credential, so the page keeps it to itself: no
referrer, no caching, no third-party resources, and a CSP that allows nothing but our stylesheet.

This module holds the routes, the token's resolution and the error handlers; `review_form` reads
and checks what is posted, `page_rendering` renders the HTML.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, redirect, request, url_for
from flask_wtf.csrf import validate_csrf
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from .. import i18n
from ..catalog import names
from ..collecting import requests as review_requests
from ..collecting import service
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..feedback import service as feedback
from ..shops.service import get_shop, settings_of
from ..survey import service as survey
from ..web import callers
from ..web.limits import limiter
from . import page_rendering, review_form, survey_page
from .review_page import Page

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__, static_folder="static", static_url_path="/assets/pages")

ROUTE = "/review/<path:token>"
# The widget (our own script, from our own origin) enhances the form when JavaScript is on.
CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
       "img-src 'self' https: data: blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# Without JavaScript nothing downscales photos before upload, and a few phone photos of 3 to 6 MB
# each pass the API's 11 MB body limit. Werkzeug spools file parts to disk, not memory.
MAX_FORM_BYTES = 64 * 1024 * 1024


class PageRefused(Exception):
    """The page answers with a message instead of the form (404, 410, 403)."""

    def __init__(self, status: int, key: str, locale: str | None = None):
        super().__init__(key)
        self.status, self.key, self.locale = status, key, locale


# --- resolving the token -------------------------------------------------------------------------

@bp.url_value_preprocessor
def _shop_from_token(_endpoint, values):
    """The shop comes from the token, and before the rate limiter keys its counters by it."""
    if values and "token" in values:
        try:
            g.shop = get_shop(review_requests.shop_id_of_token(values["token"]))
        except review_requests.TokenRefused as exc:
            raise _refused_page(exc) from None
        except NotFound:
            raise PageRefused(404, "not_found") from None


def _refused_page(exc: review_requests.TokenRefused) -> PageRefused:
    """The customer deserves to know whether the link expired, the order was refunded, or the
    link is wrong."""
    if exc.reason == "expired":
        return PageRefused(410, "expired", exc.locale)
    if exc.reason == "withdrawn":
        return PageRefused(403, "withdrawn", exc.locale)
    return PageRefused(404, "not_found")


def _open(token: str) -> Page:
    """The page for a token, or the refusal that explains why there is none."""
    shop = g.shop
    try:
        grant = review_requests.grant_for_token(shop, token)
    except review_requests.TokenRefused as exc:
        raise _refused_page(exc) from None
    # The page is the customer's own and greets by the given name, else the whole name.
    greeting = names.greeting(names.of_customer(grant.order.customer))
    info = {**review_requests.describe(grant), "customer_name": greeting}
    chosen = i18n.match(request.args.get("lang"))
    g.page_lang = lang = i18n.negotiate(chosen, info["locale"], settings_of(shop)["default_locale"])
    return Page(shop=shop, token=token, info=info, lang=lang, chosen_lang=chosen)


# --- the views -----------------------------------------------------------------------------------

@bp.get(ROUTE)
def review(token: str):
    """The form, or with `?done=1` the thank-you after a submission."""
    page = _open(token)
    if request.args.get("done") == "1":
        if request.args.get("private") == "1":  # private feedback alone: thanked for a message
            return page_rendering.render_private_thanks(page)
        return page_rendering.render_thanks(page)
    return page_rendering.render_form(page)


@bp.post(ROUTE)
@limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"])
def submit(token: str):
    """Check every rated product, upload its photos, then submit each review with the token."""
    page = _open(token)
    open_products = [(n, p) for n, p in enumerate(page.info["products"]) if not p["reviewed"]]
    if not open_products:
        return redirect(url_for(".review", token=token, lang=page.chosen_lang), 303)
    request.max_content_length = MAX_FORM_BYTES
    values = review_form.read_form(open_products)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # No session cookie (a phone browser that dropped it, cookies blocked): keep what the
        # customer typed and let them send it again with a fresh token. Nothing is stored.
        return page_rendering.render_form(page, values=values, notice="csrf", status=400)
    errors: dict[str, list[str]] = {}
    ready = review_form.check(page, open_products, values, errors)
    if errors:
        return page_rendering.render_form(page, values=values, errors=errors, status=422)

    outcome: dict[str, list[str]] = {"published": [], "pending": []}
    if not ready:  # private feedback alone, the choice the form offers everyone before any star
        try:
            feedback.answer_request(page.shop, token, values["private_message"],
                                    display_name=values["display_name"], locale=page.chosen_lang)
        except review_requests.TokenRefused as exc:
            raise _refused_page(exc) from None
        return redirect(url_for(".review", token=token, done=1, lang=page.chosen_lang, private=1), 303)
    visitor = callers.current_visitor()
    for n, product, data in ready:
        try:
            review = service.submit_review(page.shop, product["id"], data, visitor)
        except Conflict:
            continue  # reviewed meanwhile (another tab): the page now shows it as reviewed
        except Invalid as exc:
            errors.update(review_form.service_errors(page, n, exc, values))
            continue
        except review_requests.TokenRefused as exc:
            raise _refused_page(exc) from None
        except (Forbidden, NotFound):
            _open(token)  # the link stopped working meanwhile: say why
            raise PageRefused(404, "not_found") from None
        outcome["published" if review.status == "published" else "pending"].append(product["id"])
    if errors:
        return page_rendering.render_form(_open(token), values=values, errors=errors, status=422)
    return redirect(url_for(".review", token=token, done=1, lang=page.chosen_lang, **outcome), 303)


@bp.post("/review/survey/<path:token>")
@limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"])
def answer_survey(token: str):
    """The survey's answer (replacing an earlier one), then back to the same review form."""
    page = _open(token)
    values = survey_page.read_form()
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return page_rendering.render_form(page, notice="csrf", survey={"values": values}, status=400)
    try:
        survey.record(page.shop, token, values["score"], values["comment"])
    except Invalid as exc:
        errors = survey_page.field_errors(page, next(iter(exc.errors), "score"))
        return page_rendering.render_form(page, survey={"values": values, "errors": errors}, status=422)
    except review_requests.TokenRefused as exc:
        raise _refused_page(exc) from None
    except NotFound:
        raise PageRefused(404, "not_found") from None
    return redirect(url_for(".review", token=token, lang=page.chosen_lang, survey="saved", _anchor="survey"), 303)


# --- errors, and the headers of every answer -----------------------------------------------------

def guard(blueprint: Blueprint, *, static_endpoint: str | None = None) -> None:
    """The handlers every page with a token in its URL shares (this one and the reviewer's own
    page): refusals and failures as readable pages in the reader's language, never the API's
    problem+json nor a bare 500; and the headers that keep the token and the page private."""

    @blueprint.errorhandler(PageRefused)
    def _refused(exc: PageRefused):
        return page_rendering.error_page(exc.status, exc.key, customer_locale=exc.locale)

    @blueprint.errorhandler(429)
    def _rate_limited(_exc):
        # Flask-Limiter adds Retry-After and the RateLimit-* headers to this answer itself.
        return page_rendering.error_page(429, "rate_limited")

    @blueprint.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return page_rendering.error_page(exc.code or 500, "not_found" if exc.code == 404 else "unexpected")
        db.session.rollback()
        if isinstance(exc, (OperationalError, InterfaceError)):
            log.warning("database unavailable: %s", exc)
            return page_rendering.error_page(503, "unavailable", headers={"Retry-After": "5"})
        log.exception("unhandled error on %s %s", request.method, request.path)
        return page_rendering.error_page(500, "unexpected")

    @blueprint.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        # The token is in the URL: no other site may learn it from a Referer header.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.endpoint != static_endpoint:
            response.headers["Cache-Control"] = "no-store"
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response


guard(bp, static_endpoint="pages.static")


@bp.errorhandler(413)
def _too_large(_exc):
    return page_rendering.error_page(413, "too_large")
