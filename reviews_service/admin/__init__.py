"""The moderators' pages under /admin: sign-in, the queue, settings, keys, webhooks, the outbox,
import and export, the dashboard.

Server-rendered HTML. Every page sends a strict CSP (no inline script or style), `no-store`, and
refuses to be framed; every form carries a CSRF token that its view validates.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, redirect, request

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static",
               static_url_path="/static")

STATIC = Path(__file__).parent / "static"


def _image_sources() -> str:
    img = ["'self'", "data:", "https:"]
    # In development photos come from PUBLIC_URL over plain http, which `https:` does not cover.
    media = urlsplit(current_app.config.get("MEDIA_URL", ""))
    if media.scheme == "http" and media.netloc:
        img.append(f"http://{media.netloc}")
    return " ".join(img)


def _content_security_policy() -> str:
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {_image_sources()}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def preview_policy() -> str:
    """For an e-mail's HTML shown in a frame of the outbox page: its inline styles and images, and
    nothing else. `sandbox` gives it an origin of its own and no scripts, whatever the HTML holds."""
    return (f"default-src 'none'; style-src 'unsafe-inline'; img-src {_image_sources()}; "
            "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox")


# Pages that send their own policy (above) and are framed by the admin's own pages.
FRAMED = {"admin.outbox_preview"}


@bp.after_request
def _security_headers(response: Response) -> Response:
    headers = response.headers
    framed = request.endpoint in FRAMED and "Content-Security-Policy" in headers
    if not framed:
        headers["Content-Security-Policy"] = _content_security_policy()
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "SAMEORIGIN" if framed else "DENY"
    if request.endpoint == "admin.static":
        # Asset URLs carry a hash of their content (see `asset_url`), so they may be kept.
        headers["Cache-Control"] = "private, max-age=31536000, immutable" if request.args.get("v") \
            else "no-cache"
    else:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


_ASSET_VERSIONS: dict[str, str] = {}


def asset_url(filename: str) -> str:
    """The URL of a static file with a hash of its content, so a new release is fetched at once."""
    from flask import url_for

    version = _ASSET_VERSIONS.get(filename)
    if version is None or current_app.debug:
        version = hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]
        _ASSET_VERSIONS[filename] = version
    return url_for("admin.static", filename=filename, v=version)


def _favicon():
    # Browsers ask for /favicon.ico on every page of the service that names no icon (the API docs,
    # the hosted pages): send them to the admin's star rather than answer 404 each time.
    response = redirect(asset_url("favicon.svg"), 302)  # not 301: the target's URL changes with the icon
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def init_app(app: Flask) -> None:
    """Register the admin's routes and its login manager."""
    from . import (  # noqa: F401  (routes)
        dashboard,
        import_export,
        keys,
        layout,
        outbox,
        queue_pages,
        referrals,
        settings_pages,
        sign_in,
    )

    sign_in.init_login(app)
    app.register_blueprint(bp)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    # Plurals in templates: `{% trans count=n %}...{% pluralize %}...{% endtrans %}` and ngettext(),
    # the jinja2 i18n calls that Flask-Babel installs too. The admin is in English for now.
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_null_translations(newstyle=True)
