"""The admin's home and shop switcher, the error pages, and what every template gets."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db
from ..loyalty import numbers as loyalty_numbers
from ..shops import service as shop_service
from . import inbox, language, review_cards
from .blueprint import asset_url, bp
from .forms import CsrfForm
from .language import _
from .language import lazy_gettext as _l
from .sign_in import memberships

# (endpoint, label, owners only)
NAV = [
    ("admin.queue", _l("Queue"), False),
    ("admin.inbox", _l("Inbox"), False),
    ("admin.dashboard", _l("Dashboard"), False),
    ("admin.settings", _l("Settings"), True),
    ("admin.keys", _l("API keys"), True),
    ("admin.webhooks", _l("Webhooks"), True),
    ("admin.connections", _l("Connections"), False),
    ("admin.referrals", _l("Referrals"), True),
    ("admin.loyalty", _l("Loyalty"), True),
    ("admin.outbox", _l("Outbox"), True),
    ("admin.transfer", _l("Import & export"), True),
]
ROLES = {"owner": _l("owner"), "moderator": _l("moderator")}


@bp.before_request
def _language():
    """Every admin page speaks its user's language (the account page's choice), else the
    browser's among the admin's languages, else English; the sign-in page the browser's."""
    if request.endpoint == "admin.static":
        return
    chosen = current_user.user.language if current_user.is_authenticated else None
    language.use(language.choose(chosen))


@bp.app_template_global("admin_asset")
def _admin_asset(filename: str) -> str:
    return asset_url(filename)


@bp.context_processor
def _layout():
    access = g.get("access")
    shops = memberships() if current_user.is_authenticated else []
    nav = [(endpoint, label) for endpoint, label, owners in NAV
           if access is not None and (access.is_owner or not owners)]
    # The loyalty tab is shown while the programme is on, or has members from when it was.
    if any(endpoint == "admin.loyalty" for endpoint, _label in nav) and not loyalty_numbers.shown(access.shop):
        nav = [(endpoint, label) for endpoint, label in nav if endpoint != "admin.loyalty"]
    # The inbox's tab shows how many threads wait for an answer.
    nav_counts = {"admin.inbox": inbox.open_count(access.shop)} if access is not None else {}
    return {"access": access, "shop": access.shop if access else None, "my_shops": shops,
            "nav": nav, "nav_counts": nav_counts, "logout_form": CsrfForm(), "endpoint": request.endpoint,
            "lang": language.current(), "role_names": ROLES, "number": language.number,
            "percent": language.percent, "review_statuses": review_cards.STATUS_NAMES,
            "review_sources": review_cards.SOURCES, "report_reasons": review_cards.REPORT_REASONS}


@bp.route("/")
@login_required
def index():
    shops = memberships()
    if len(shops) == 1:
        return redirect(url_for("admin.queue", slug=shops[0].shop.slug))
    return redirect(url_for("admin.shops"))


@bp.route("/shops")
@login_required
def shops():
    return render_template("admin/shops.html", shops=memberships())


_TITLES = {400: _l("The request could not be used"), 403: _l("Not allowed"), 404: _l("Not found"),
           405: _l("Not allowed"), 409: _l("Changed meanwhile"), 413: _l("Too large"), 422: _l("Not valid"),
           429: _l("Too many requests")}
# What a page says when the error came without words of its own (werkzeug's are English).
_DETAILS = {404: _l("There is no such page, or it is not in your shops."),
            405: _l("This page does not take that kind of request."),
            409: _l("Someone changed this meanwhile. Reload the page and try again."),
            413: _l("What was sent is too large."),
            429: _l("Too many requests in a short time. Wait a moment and try again.")}


def _error_page(status: int, detail: str):
    title = _TITLES.get(status) or _("Something went wrong")
    return render_template("admin/error.html", status=status, title=title, detail=detail), status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    own_words = exc.description != type(exc).description and exc.code != 404
    detail = exc.description if own_words else _DETAILS.get(exc.code) or _("The request could not be completed.")
    return _error_page(exc.code, detail)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    # The services explain in English; a page in another language says what it can in its own words.
    own = language.current() == language.DEFAULT or exc.status not in _DETAILS
    return _error_page(exc.status, exc.detail if own else _DETAILS[exc.status])


def _time_zone() -> tzinfo:
    """The shop's time zone (its `time_zone` setting); UTC outside a shop's pages."""
    if "admin_zone" not in g:
        access = g.get("access")
        name = shop_service.settings_of(access.shop)["time_zone"] if access is not None else "UTC"
        try:
            g.admin_zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):  # a zone this machine's tz database lacks
            g.admin_zone = UTC
    return g.admin_zone


@bp.app_template_filter("admin_date")
def _admin_date(value) -> str:
    """`23 Nov 2026, 15:05 CET`: one unambiguous format everywhere in the admin (CLDR's, in the
    admin's language), in the shop's time zone, with the zone's abbreviation (or its offset)."""
    return language.date_time(value, _time_zone())
