"""The moderators' pages under /admin: sign-in, the queue, the inbox, settings, keys, webhooks, the
connections to Shopify and WooCommerce, the outbox, import and export, the dashboard.

Server-rendered HTML. Every page sends a strict CSP (no inline script or style), `no-store`, and
refuses to be framed; every form carries a CSRF token that its view validates.
"""

from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401  (each module adds its routes to the blueprint)
    connections,
    dashboard,
    import_export,
    inbox,
    keys,
    layout,
    loyalty,
    loyalty_settings,
    outbox,
    queue_pages,
    referrals,
    revision_pages,
    settings_pages,
    sign_in,
)
from .blueprint import bp, favicon
from .language import form_translations


def init_app(app: Flask) -> None:
    """Register the admin's routes and its login manager."""
    sign_in.init_login(app)
    app.register_blueprint(bp)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    # `{% trans %}`, _() and ngettext() in templates speak the admin's catalog (domain "admin"), in
    # the language layout.py chose for the request. Only the admin's templates use them: the
    # shoppers' pages look their strings up by key through i18n.translate.
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(form_translations.gettext, form_translations.ngettext,
                                            newstyle=True)
