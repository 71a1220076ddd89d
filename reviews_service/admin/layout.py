"""The admin's home and shop switcher, the error pages, and what every template gets."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db
from ..shops import service as shop_service
from .blueprint import asset_url, bp
from .forms import CsrfForm
from .sign_in import memberships

# (endpoint, label, owners only)
NAV = [
    ("admin.queue", "Queue", False),
    ("admin.dashboard", "Dashboard", False),
    ("admin.settings", "Settings", True),
    ("admin.keys", "API keys", True),
    ("admin.webhooks", "Webhooks", True),
    ("admin.referrals", "Referrals", True),
    ("admin.outbox", "Outbox", True),
    ("admin.transfer", "Import & export", True),
]


@bp.app_template_global("admin_asset")
def _admin_asset(filename: str) -> str:
    return asset_url(filename)


@bp.context_processor
def _layout():
    access = g.get("access")
    shops = memberships() if current_user.is_authenticated else []
    nav = [(endpoint, label) for endpoint, label, owners in NAV
           if access is not None and (access.is_owner or not owners)]
    return {"access": access, "shop": access.shop if access else None, "my_shops": shops,
            "nav": nav, "logout_form": CsrfForm(), "endpoint": request.endpoint}


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


_TITLES = {400: "The request could not be used", 403: "Not allowed", 404: "Not found",
           405: "Not allowed", 409: "Changed meanwhile", 413: "Too large", 422: "Not valid",
           429: "Too many requests"}


def _error_page(status: int, detail: str):
    title = _TITLES.get(status, "Something went wrong")
    return render_template("admin/error.html", status=status, title=title, detail=detail), status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    detail = exc.description if exc.code != 404 else "There is no such page, or it is not in your shops."
    return _error_page(exc.code, detail)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    return _error_page(exc.status, exc.detail)


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
    """`23 Nov 2026, 15:05 CET`: one unambiguous format everywhere in the admin, in the shop's time
    zone, with the zone's abbreviation (or its offset, where the zone has no abbreviation)."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # SQLite gives back naive datetimes, stored as UTC
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(_time_zone())
    return f"{local:%-d %b %Y, %H:%M} {local.tzname()}"
