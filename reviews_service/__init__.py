"""The reviews service: collects, moderates and publishes product reviews and referrals."""

from __future__ import annotations

import os
import re
import time
import weakref
from collections.abc import Mapping
from types import MethodType
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from . import openapi, packaged

__version__ = "0.1.0"


class _App(Flask):
    """Flask asks `ensure_sync` about every hook and view on every request (a dozen times for a
    storefront read), and its answer (`inspect.iscoroutinefunction`, which raises and formats
    AttributeErrors inside) never changes for a function: asked once per function. A bound
    method counts as its function, so that the methods of per-request view instances are not kept."""

    def ensure_sync(self, func):
        key = func.__func__ if type(func) is MethodType else func
        try:
            is_async = _IS_ASYNC.get(key)
        except TypeError:  # not hashable: ask every time
            return super().ensure_sync(func)
        if is_async is None:
            is_async = _IS_ASYNC[key] = super().ensure_sync(func) is not func
        return self.async_to_sync(func) if is_async else func


# Weak keys: the functions of apps a process no longer uses (tests build many) are not kept alive.
_IS_ASYNC: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. It opens no connection and starts no thread: that happens on first use."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("REVIEWS_INSTANCE_PATH") \
        or os.path.join(os.getcwd(), "instance")
    app = _App(__name__, instance_path=os.path.abspath(instance_path),
               instance_relative_config=False, static_folder=None)
    settings = config_module.load(app.instance_path, config)
    app.config.update(settings)
    _derive_flask_config(app)
    app.json.sort_keys = False
    # Product and order ids are the shop's own and may hold "//" once decoded: routing must not
    # merge those slashes (it would redirect to another id).
    app.url_map.merge_slashes = False

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from flask_babel import Babel

    from . import errors, i18n, models, shops  # noqa: F401  (every model, for the migrations)
    from .extensions import SessionInterface, api, csrf, db, migrate
    from .openapi import ContractPlugin
    from .web.limits import limiter, unless_unlimited

    app.session_interface = SessionInterface()

    db.init_app(app)
    migrate.init_app(app, db, directory=packaged.migrations_dir())
    # Registered before the limiter, so that it runs after the limiter has added its headers.
    app.after_request(unless_unlimited(_rate_limit_headers))
    # Flask-Limiter keeps "the storage is down" on the extension object, which every app of the
    # process shares (tests build many): a new app starts with its own storage presumed reachable.
    limiter._storage_dead = False
    limiter.init_app(app)
    csrf.init_app(app)
    # One Babel per app: Flask-Babel caches catalogs on the Babel object, by language only, so a
    # shared one would serve one app's catalogs to another (tests build many). configure_jinja is
    # off: the pages look strings up by key through i18n.translate, and the admin keeps Jinja's
    # null translations (English plurals), which another language's plural rules would break.
    Babel(app, configure_jinja=False, default_translation_directories=str(i18n.TRANSLATIONS),
          locale_selector=i18n.select_locale)
    api.ERROR_SCHEMA = errors.ProblemSchema  # the OpenAPI document shows the real error shape
    api.init_app(app, spec_kwargs={"extra_plugins": [ContractPlugin()]})
    errors.init_app(app)
    shops.init_app(app)  # how the web plumbing finds a shop by key
    _register_blueprints(app)
    _connect_subscribers(app)
    _register_jobs(app)
    from .web import caching
    from .web.fastpath import FastPath

    # Outermost: a repeated storefront read is answered before anything else runs. With Redis,
    # the processes tell each other what to drop (web/broadcast.py; nothing connects here).
    app.wsgi_app = app.extensions["reviews.fastpath"] = FastPath(
        app.wsgi_app, guard=caching.init_app(app), flask_app=app)
    return app


def _connect_subscribers(app: Flask) -> None:
    """Every room's subscribers to the signals in events.py, connected here and nowhere else.
    Connecting is idempotent (blinker keeps one connection per receiver), so building many apps
    in one process connects each receiver once."""
    from .collecting import subscribers as collecting
    from .connectors import subscribers as connectors
    from .feedback import subscribers as feedback
    from .loyalty import subscribers as loyalty
    from .moderation import subscribers as moderation
    from .outbox import subscribers as outbox
    from .publishing import subscribers as publishing
    from .ratings import freshness
    from .referrals import subscribers as referrals
    from .reviews import subscribers as reviews
    from .survey import subscribers as survey
    from .web import idempotency

    for room in (freshness, idempotency, outbox, reviews, moderation, collecting, referrals, survey, feedback,
                 connectors, loyalty, publishing):
        room.connect()


def _register_jobs(app: Flask) -> None:
    """The worker's periodic jobs (and their pre-send checks), each registered by the room that owns
    it; the worker runs them in this order."""
    from .collecting import scheduling
    from .loyalty import email_jobs as loyalty_emails
    from .loyalty import tasks as loyalty
    from .moderation import alerts, notices
    from .publishing import jobs as publishing
    from .referrals import incentives, invitations, tasks

    scheduling.register(app)  # review requests and reminders
    notices.register(app)  # the moderators' digest
    alerts.register(app)  # alerts about low ratings, batched, to the members who opted in
    tasks.register(app)  # referrals whose hold passed, rewards that waited for codes
    incentives.register(app)  # review incentives that waited for an empty pool
    invitations.register(app)  # invitations to share a referral link, due after delivery
    loyalty.register(app)  # held points released, unused points expired, birthdays, tiers of a rolling year
    loyalty_emails.register(app)  # the members' points earned (daily) and expiry reminders
    publishing.register(app)  # tasks: the published files of a product, a shop's rating, a whole shop


def _derive_flask_config(app: Flask) -> None:
    cfg = app.config
    url = cfg["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.sqlalchemy_options(cfg)
    cfg["RATELIMIT_STORAGE_URI"] = cfg["RATELIMIT_STORAGE_URI"]
    # Redis down: each process keeps counting in memory, never "no limit" and never a 500.
    cfg["RATELIMIT_IN_MEMORY_FALLBACK"] = _fallback_limit
    cfg["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    cfg["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} \
        if cfg["RATELIMIT_STORAGE_URI"].startswith("redis") else {}
    cfg["RATELIMIT_HEADERS_ENABLED"] = True
    cfg["RATELIMIT_HEADER_LIMIT"] = "RateLimit-Limit"
    cfg["RATELIMIT_HEADER_REMAINING"] = "RateLimit-Remaining"
    cfg["RATELIMIT_HEADER_RESET"] = "RateLimit-Reset"
    # Flask-Limiter would put Retry-After on every limited answer, a 200 included: its value goes
    # under another name, and _rate_limit_headers turns it into Retry-After on a 429 only.
    cfg["RATELIMIT_HEADER_RETRY_AFTER"] = _LIMITER_RETRY_AFTER
    cfg["RATELIMIT_KEY_PREFIX"] = "reviews"
    cfg["API_TITLE"] = "Reviews service"
    cfg["API_VERSION"] = __version__
    cfg["OPENAPI_VERSION"] = "3.1.0"
    cfg["OPENAPI_URL_PREFIX"] = "/api"
    cfg["OPENAPI_JSON_PATH"] = "openapi.json"
    cfg["API_SPEC_OPTIONS"] = {"tags": openapi.TAGS}  # the tasks, in order, not one tag per blueprint
    cfg["WTF_CSRF_TIME_LIMIT"] = None
    # JSON APIs are protected by requiring JSON bodies and by origin checks, not by form tokens.
    cfg["WTF_CSRF_CHECK_DEFAULT"] = False
    production = cfg["ENV"] == "production"
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = production
    cfg["REMEMBER_COOKIE_SECURE"] = production
    cfg["PREFERRED_URL_SCHEME"] = "https" if production else "http"


def _fallback_limit() -> str:
    # Read on each request: Flask-Limiter builds its fallback limit once, on the extension object
    # that every app of the process shares, so a plain string would be the first app's forever.
    return current_app.config["RATELIMIT_FALLBACK"]


_LIMITER_RETRY_AFTER = "Reviews-Limiter-Retry-After"


def _rate_limit_headers(response: Response) -> Response:
    """Flask-Limiter sends RateLimit-Reset as a Unix time; the RateLimit header fields count
    seconds from now, like Retry-After. Retry-After means "wait before asking again": a 429 that
    did not set its own gets the limiter's, and no other answer gets it from the limiter."""
    limiter_retry_after = response.headers.pop(_LIMITER_RETRY_AFTER, None)
    if response.status_code == 429 and limiter_retry_after and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = limiter_retry_after
    reset = response.headers.get("RateLimit-Reset")
    if reset is not None and reset.isdigit():
        response.headers["RateLimit-Reset"] = str(max(0, int(int(reset) - time.time())))
    return response


def _register_blueprints(app: Flask) -> None:
    from . import apidocs, health
    from .admin import init_app as init_admin
    from .catalog.api import blp as catalog_blp
    from .collecting import api as collecting_api
    from .connectors import api as connectors_api
    from .extensions import api
    from .feedback import api as feedback_api
    from .feedback import threads_api as feedback_threads_api
    from .loyalty import api as loyalty_api
    from .loyalty import public_api as loyalty_public_api
    from .moderation import api as moderation_api
    from .outbox import api as outbox_api
    from .ratings.api import blp as ratings_blp
    from .ratings.badge import blp as badge_blp
    from .ratings.feeds import blp as feeds_blp
    from .ratings.seo import blp as seo_blp
    from .referrals import api as referrals_api
    from .reviews import api as reviews_api
    from .reviews import media
    from .shops.api import blp as shop_blp
    from .survey import api as survey_api
    from .web import scopes
    from .web.limits import limiter
    from .widget import edit_page, pages
    from .widget import init_app as init_widget

    app.register_blueprint(health.bp)
    app.register_blueprint(apidocs.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(edit_page.bp)  # the reviewer's own page: edit or withdraw their review
    app.register_blueprint(outbox_api.pages)
    app.register_blueprint(connectors_api.hooks)  # the platforms' webhooks, signed, not keyed
    init_widget(app)  # the widget's files and API, the review policy page, /demo
    init_admin(app)  # the moderators' pages under /admin, and their sign-in
    # Storefront reads are cached by CDNs and browsers; they are not rate limited.
    limiter.exempt(ratings_blp)
    limiter.exempt(badge_blp)
    limiter.exempt(seo_blp)
    for blp in (shop_blp, catalog_blp, reviews_api.server, reviews_api.public, collecting_api.public,
                ratings_blp, badge_blp, seo_blp, feeds_blp, outbox_api.blp, referrals_api.server,
                referrals_api.public, moderation_api.blp, connectors_api.blp,
                survey_api.server, survey_api.public, feedback_api.server, feedback_api.public,
                feedback_threads_api.blp, loyalty_api.blp, loyalty_public_api.public):
        api.register_blueprint(blp)

    def security() -> None:
        api.spec.components.security_scheme("secretKey", {
            "type": "http", "scheme": "bearer",
            "description": "The shop's secret key, sk_..., with its scopes: "
                           + "; ".join(f"`{name}`: {text}" for name, text in scopes.DESCRIPTIONS.items())})
        _document_scopes(app, api.spec._paths)

    api.after_documenting(security)  # the document is written when first read (extensions.Api)


def _document_scopes(app: Flask, paths: dict) -> None:
    """Every server API operation needs the secret key, with one of the scopes the check asks for
    (web/scopes.py: the same table): in `security` (OpenAPI 3.1 lets a bearer scheme name roles),
    and in its description. The public operations carry a public key instead."""
    from .web import scopes

    with app.app_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/api/v1/") or rule.rule.startswith("/api/v1/public/"):
                continue
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operation = paths.get(path, {}).get(method.lower())
                if not isinstance(operation, dict):
                    continue
                needed = scopes.required(rule.endpoint, method)
                operation["security"] = [{"secretKey": [scope]} for scope in needed]
                operation["x-scopes"] = list(needed)
                named = " or ".join(f"`{s}`" for s in needed)
                operation["description"] = (operation.get("description", "") + f"\n\nScope: {named}.").strip()
