"""The reviewer's own page, `/review/edit/<token>`: where the confirmation e-mail's link (and the
hosted page's thank-you) leads, to edit the review or withdraw it.

Like the hosted review page (pages.py): server-rendered and complete without JavaScript, the
token in the URL the only credential (no referrer, no caching, a CSP that allows nothing but our
stylesheet), CSRF tokens on its forms, every string in the reader's language. Withdrawing takes a
confirmation step: the first button shows what will happen, the second does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from .. import i18n
from ..collecting import edits
from ..collecting.requests import TokenRefused
from ..errors import Conflict, Invalid, NotFound
from ..shops.service import get_shop, settings_of
from ..web.limits import limiter
from . import page_rendering
from .pages import PageRefused, guard
from .review_form import STARS, max_length

bp = Blueprint("review_edit", __name__)

ROUTE = "/review/edit/<path:token>"
SAVED = ("published", "pending", "updated", "rejected")


@dataclass
class EditPage:
    shop: Any
    token: str
    review: Any
    info: dict[str, Any]  # collecting.edits.describe
    lang: str
    chosen_lang: str | None  # from ?lang=, kept across the forms' round trips

    def t(self, key: str, **params: Any) -> str:
        return i18n.translate(self.lang, key, **params)


def _refusal(exc: TokenRefused) -> PageRefused:
    return PageRefused(410, "expired", exc.locale) if exc.reason == "expired" else PageRefused(404, "not_found")


@bp.url_value_preprocessor
def _shop_from_token(_endpoint, values):
    if values and "token" in values:
        try:
            g.shop = get_shop(edits.shop_id_of_token(values["token"]))
        except TokenRefused as exc:
            raise _refusal(exc) from None
        except NotFound:
            raise PageRefused(404, "not_found") from None


def _open(token: str) -> EditPage:
    try:
        review = edits.review_for_token(g.shop, token)
    except TokenRefused as exc:
        raise _refusal(exc) from None
    chosen = i18n.match(request.args.get("lang"))
    g.page_lang = lang = i18n.negotiate(chosen, review.locale, settings_of(g.shop)["default_locale"])
    return EditPage(g.shop, token, review, edits.describe(g.shop, review), lang, chosen)


# --- the views -------------------------------------------------------------------------------------

# Named `review` like the hosted page's view: the shared page helpers link to `.review` (the
# language switcher, the "back" link of an error page).
@bp.get(ROUTE)
def review(token: str):
    """The form (prefilled), or what became of the review: withdrawn, or closed to changes."""
    page = _open(token)
    if page.review.status == "removed":
        return _message(page, "withdrawn", body=page.t("edit_page.withdrawn_body", shop=page.shop.name))
    if page.review.status == "rejected":
        return _message(page, "closed", body=page.t("edit_page.closed_body"))
    return render_form(page)


@bp.post(ROUTE)
@limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"])
def save(token: str):
    """Check the form, store the edit (the rules decide it), then back to the page with the outcome."""
    page = _open(token)
    if not page.info["can_change"]:
        return redirect(url_for(".review", token=token, lang=page.chosen_lang), 303)
    values = {"rating": request.form.get("rating", ""), "title": _text("title"), "body": _text("body")}
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return render_form(page, values=values, notice="csrf", status=400)
    errors = _check(page, values)
    if errors:
        return render_form(page, values=values, errors=errors, status=422)
    try:
        edited = edits.edit(page.shop, token, {"rating": int(values["rating"]), "title": values["title"].strip(),
                                               "body": values["body"].strip()})
    except Conflict:
        return redirect(url_for(".review", token=token, lang=page.chosen_lang), 303)
    except Invalid as exc:
        field = next(iter(exc.errors), "rating")
        key = "review_page.error.body_required" if field == "body" else "review_page.error.invalid"
        return render_form(page, values=values, errors={field: [page.t(key)]}, status=422)
    return redirect(url_for(".review", token=token, lang=page.chosen_lang, saved=edited.outcome), 303)


@bp.post("/review/withdraw/<path:token>")
@limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"])
def withdraw(token: str):
    """The first press asks for confirmation; the confirmed one withdraws the review at once."""
    page = _open(token)
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return render_form(page, notice="csrf", status=400)
    if request.form.get("confirm") != "yes":
        return _render(page, "confirm")
    try:
        edits.withdraw(page.shop, token)
    except Conflict:
        pass  # changed meanwhile: the page tells what it is now
    return redirect(url_for(".review", token=token, lang=page.chosen_lang), 303)


# --- the form --------------------------------------------------------------------------------------

def _text(name: str) -> str:
    # Browsers send line breaks as CRLF but count them as one character against maxlength.
    return request.form.get(name, "").replace("\r\n", "\n")


def _check(page: EditPage, values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values["rating"] not in STARS:
        errors["rating"] = [page.t("edit_page.error.rating")]
    for field in ("title", "body"):
        used, limit = len(values[field].strip()), max_length(field)
        if used > limit:
            errors[field] = [page.t("review_page.error.too_long", count=limit, used=used)]
    if not values["body"].strip() and page.info["body_required"]:
        errors["body"] = [page.t("review_page.error.body_required")]
    return errors


def _date(page: EditPage, at) -> str:
    return format_date(at.date(), format="long", locale=page.lang) if at else ""


def render_form(page: EditPage, *, values=None, errors=None, notice: str | None = None, status: int = 200):
    info = page.info
    shown = info["pending_edit"] or info
    if values is None:
        values = {"rating": str(shown["rating"]), "title": shown["title"], "body": shown["body"]}
    errors = errors or {}
    labels = {"rating": "review_page.rating_legend", "title": "review_page.title_label", "body": "review_page.body_label"}
    summary = [{"href": "#rating-1" if field == "rating" else f"#{field}", "text": f"{page.t(labels[field])}: {message}"}
               for field in labels for message in errors.get(field, [])]
    saved = request.args.get("saved") if request.method == "GET" else None
    return _render(page, "form", status=status, values=values, errors=errors, notice=notice, summary=summary,
                   saved=saved if saved in SAVED else None, stars=STARS,
                   limits={f: max_length(f) for f in ("title", "body")})


def _render(page: EditPage, mode: str, *, status: int = 200, **context):
    info = page.info
    html = render_template(
        "pages/edit.html", **page_rendering.page_context(page.lang, page.shop), mode=mode, info=info,
        published_on=_date(page, info["published_at"]), edited_on=_date(page, info["edited_at"]),
        action=url_for(".save", token=page.token, lang=page.chosen_lang),
        withdraw_action=url_for(".withdraw", token=page.token, lang=page.chosen_lang),
        back=url_for(".review", token=page.token, lang=page.chosen_lang), csrf_token=generate_csrf(),
        **context)
    return html, status


def _message(page: EditPage, kind: str, *, body: str):
    return page_rendering.render_message(200, page.lang, page.shop, kind=kind,
                                         title=page.t(f"edit_page.{kind}_title"), body=body)


# --- errors, and the headers of every answer: the hosted page's ----------------------------------

guard(bp)
