"""The admin's blueprint ("admin.*") and what every admin page sends: a strict CSP (no inline
script or style), `no-store`, no framing; static files under content-hashed URLs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, request, url_for

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
    version = _ASSET_VERSIONS.get(filename)
    if version is None or current_app.debug:
        version = hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]
        _ASSET_VERSIONS[filename] = version
    return url_for("admin.static", filename=filename, v=version)


def favicon():
    # Browsers ask for /favicon.ico on every page of the service that names no icon (the API docs,
    # the hosted pages): send them to the admin's star rather than answer 404 each time.
    response = redirect(asset_url("favicon.svg"), 302)  # not 301: the target's URL changes with the icon
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
