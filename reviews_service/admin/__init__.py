"""The moderators' pages under /admin: sign-in, the queue, settings, keys, webhooks, the outbox,
import and export, the dashboard.

Server-rendered HTML. Every page sends a strict CSP (no inline script or style), `no-store`, and
refuses to be framed; every form carries a CSRF token that its view validates.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, request

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static",
               static_url_path="/static")

STATIC = Path(__file__).parent / "static"


def _content_security_policy() -> str:
    img = ["'self'", "data:", "https:"]
    # In development photos come from PUBLIC_URL over plain http, which `https:` does not cover.
    media = urlsplit(current_app.config.get("MEDIA_URL", ""))
    if media.scheme == "http" and media.netloc:
        img.append(f"http://{media.netloc}")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {' '.join(img)}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


@bp.after_request
def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = _content_security_policy()
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
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


def init_app(app: Flask) -> None:
    """Register the admin's routes and its login manager."""
    from . import auth, dashboard, keys, outbox, queue, referrals, settings, transfer, views  # noqa: F401  (routes)

    auth.init_login(app)
    app.register_blueprint(bp)
