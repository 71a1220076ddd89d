"""Admin sign-in: Flask-Login sessions, login throttling, roles and the shops a user may see.

A session names the user *and* the user's session version; logging out or changing the password
bumps the version, so every session issued before (on any device) stops working at once.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from ..email_addresses import normalize_email
from ..errors import Invalid
from ..extensions import db, login_manager
from ..shops import service as shops
from ..web import callers
from ..web.limits import limiter
from . import language
from .blueprint import bp
from .forms import AlertsForm, CsrfForm, LanguageForm, LoginForm, PasswordForm
from .language import N_, _, ngettext

LOGIN_FAILED = N_("That e-mail address and password do not match an account.")
# Failures counted per account (the address typed, whether or not it exists) and per address.
DEFAULT_ACCOUNT_LIMIT = "5 per 15 minutes"
DEFAULT_IP_LIMIT = "20 per 15 minutes"


class AdminUser:
    """The signed-in user as Flask-Login sees it: the row, and the id that goes in the session."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user):
        self.user = user
        self.id = user.id
        self.email = user.email

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    @property
    def actor(self) -> str:
        return f"user:{self.user.id}"


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = _  # in the language of the page that asked for a sign-in
    login_manager.login_message_category = "info"


@login_manager.user_loader
def _load_user(session_id: str) -> AdminUser | None:
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = shops.get_user(int(user_id))
    if user is None or user.session_version != int(version):
        return None  # logged out elsewhere, or the password changed: this session is over
    return AdminUser(user)


# --- throttling ----------------------------------------------------------------------------------

_fallback = FixedWindowRateLimiter(MemoryStorage())


def _strategy():
    """The limiter's storage (shared by every process when it is Redis)."""
    try:
        return limiter.limiter
    except Exception:  # noqa: BLE001  (not initialised: count in this process)
        return _fallback


def _throttle_keys(email: str) -> list[tuple]:
    account = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    return [
        (parse(current_app.config.get("ADMIN_LOGIN_ACCOUNT_LIMIT", DEFAULT_ACCOUNT_LIMIT)),
         ("admin-login", "account", account)),
        (parse(current_app.config.get("ADMIN_LOGIN_IP_LIMIT", DEFAULT_IP_LIMIT)),
         ("admin-login", "ip", callers.ip_hash())),
    ]


def _each(action, email: str):
    """Run `action(strategy, item, identifiers)` on both counters; with the storage down, count
    in this process instead (never "no limit", never a 500)."""
    results = []
    for item, identifiers in _throttle_keys(email):
        try:
            results.append(action(_strategy(), item, identifiers))
        except Exception:  # noqa: BLE001
            results.append(action(_fallback, item, identifiers))
    return results


def throttled_for(email: str) -> int:
    """Seconds until a password of `email`'s account may be tried again; 0 when it may be tried now."""
    def wait(strategy, item, identifiers):
        if strategy.test(item, *identifiers):
            return 0
        reset, _hits = strategy.get_window_stats(item, *identifiers)
        return max(1, math.ceil(reset - time.time()))

    return max(_each(wait, email))


def count_failure(email: str) -> None:
    _each(lambda strategy, item, identifiers: strategy.hit(item, *identifiers), email)


def _clear_account_counter(email: str) -> None:
    item, identifiers = _throttle_keys(email)[0]
    try:
        _strategy().clear(item, *identifiers)
    except Exception:  # noqa: BLE001
        _fallback.clear(item, *identifiers)


def _throttled_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Too many failed sign-ins. Wait a minute and try again.",
                    "Too many failed sign-ins. Wait %(num)d minutes and try again.", minutes)


# --- sessions ------------------------------------------------------------------------------------

def _start_session(user) -> None:
    """A fresh session: nothing from before sign-in (its CSRF token included) survives."""
    session.clear()
    login_user(AdminUser(user))
    session.permanent = False


def safe_next(target: str | None) -> str | None:
    """Only a path inside the admin: never another host (`//evil`, `https://...`, `/\\evil`), and
    no control character (a CR or LF cannot go into the Location header, and browsers drop tabs)."""
    if not target or not target.startswith("/admin") or "\\" in target:
        return None
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("admin.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                abort(400, _("The form expired or was not sent from this site. Reload the page and sign in."))
            status = 422
        else:
            wait = throttled_for(form.email.data)
            if wait:
                return _throttled(form, wait, "admin/login.html")
            user = shops.authenticate(form.email.data, form.password.data)
            if user is None:
                count_failure(form.email.data)
                form.form_errors.append(_(LOGIN_FAILED))
            else:
                _clear_account_counter(form.email.data)
                _start_session(user)
                return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    return render_template("admin/login.html", form=form), status


def _throttled(form, wait: int, template: str, **context):
    form.form_errors.append(_throttled_message(wait))
    response = current_app.make_response((render_template(template, form=form, **context), 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    form = CsrfForm()
    if not form.validate():
        abort(400, _("The form expired; reload the page and sign out again."))
    if current_user.is_authenticated:
        shops.end_sessions(current_user.user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    status = 200
    context = {"min_length": shops.MIN_PASSWORD_LENGTH, "language_form": _language_form(),
               "alerts_form": AlertsForm(problem_alerts=current_user.user.problem_alerts)}
    # The current password is checked against the login's counters: a borrowed session must not
    # give more guesses at the password than the login page does.
    email = current_user.email
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                abort(400, _("The form expired; reload the page and try again."))
            status = 422
        elif wait := throttled_for(email):
            return _throttled(form, wait, "admin/account.html", **context)
        elif not shops.check_password(current_user.user, form.current_password.data):
            count_failure(email)
            form.current_password.errors.append(_("This is not your current password."))
            status = 422
        elif len(form.new_password.data) < shops.MIN_PASSWORD_LENGTH:
            form.new_password.errors.append(_("The password needs at least %(min)d characters.",
                                               min=shops.MIN_PASSWORD_LENGTH))
            status = 422
        else:
            _clear_account_counter(email)
            user = current_user.user
            try:
                shops.set_password(user, form.new_password.data)
            except Invalid as exc:
                form.new_password.errors.append(exc.detail)
                status = 422
            else:
                db.session.refresh(user)
                _start_session(user)  # this browser stays signed in; every other session ends
                flash(_("Your password is changed. Other sessions are signed out."), "success")
                return redirect(url_for("admin.account"))
    return render_template("admin/account.html", form=form, **context), status


def _language_form(formdata=None) -> LanguageForm:
    """The account's language picker: the admin's languages by their own names, or the browser's."""
    form = LanguageForm() if formdata is None else formdata
    form.language.choices = [("", _("As the browser asks"))] + [
        (code, language.native_name(code)) for code in language.LANGUAGES]
    if formdata is None and request.method == "GET":
        form.language.data = current_user.user.language or ""
    return form


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    form = _language_form(LanguageForm())
    if not form.validate():
        if form.csrf_token.errors:
            abort(400, _("The form expired; reload the page and try again."))
        abort(422, _("Choose one of the listed languages."))
    shops.set_language(current_user.user, form.language.data or None)
    language.use(language.choose(form.language.data))  # the confirmation already in the new language
    flash(_("The admin now speaks the language you chose."), "success")
    return redirect(url_for("admin.account"))


@bp.route("/account/alerts", methods=["POST"])
@login_required
def account_alerts():
    form = AlertsForm()
    if not form.validate():
        abort(400, _("The form expired; reload the page and try again."))
    shops.set_problem_alerts(current_user.user, form.problem_alerts.data)
    flash(_("You will get an e-mail when a customer is unhappy.") if form.problem_alerts.data
          else _("You will get no e-mail about unhappy customers."), "success")
    return redirect(url_for("admin.account"))


# --- shops and roles -----------------------------------------------------------------------------

@dataclass
class Access:
    shop: Any  # the shop (shops.models.Shop)
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def memberships() -> list[Access]:
    """The shops the signed-in user works on, by name."""
    if "admin_memberships" not in g:
        g.admin_memberships = [Access(shop, role) for shop, role in shops.memberships(current_user.id)]
    return g.admin_memberships


def shop_access(owner: bool = False):
    """Decorate a view taking `slug`: it receives the shop and the role, or answers 404 for a shop
    the user does not belong to (its existence is not revealed) and 403 for an owner-only page."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(slug: str, **kwargs):
            access = next((a for a in memberships() if a.shop.slug == slug), None)
            if access is None:
                abort(404)
            if owner and not access.is_owner:
                abort(403, _("Only the shop's owners may open this page."))
            g.access = access
            return view(access.shop, **kwargs)
        return wrapped
    return decorate


def actor() -> str:
    return current_user.actor
