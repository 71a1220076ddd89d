"""The widget's files (`static/widget/`) under `/widget/v1/...`, cached as long as they can be.

Shops paste the unversioned entry URL (`/widget/v1/reviews.js`), so that URL may be cached only
briefly: a fix must reach every shop within minutes. Everything the script loads after that (its
stylesheet, its locale, the modules it imports: `referral-link.js`, `referral.js`, `photos.js`) comes
from a versioned URL, `/widget/v1/<version>/...`, which never changes and is cached for a year.
Modules are fetched in CORS mode from the shop's pages, hence `Access-Control-Allow-Origin: *`.
The version is a digest of every file, and the server writes it into the scripts as they are
served, so they know which versioned URLs to load.

The files are read, versioned and gzipped once per process, on first use: a request costs a dict
lookup, never a disk read or a compression.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath

from flask import Blueprint, Response, abort, current_app, request

from ..packaged import widget_files
from ..web.limits import limiter

# The placeholder the scripts carry in their source; served copies carry the version instead.
VERSION_PLACEHOLDER = "__RV_VERSION__"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
IMMUTABLE = "public, max-age=31536000, immutable"
# What the embed snippet points at: short, so a new release reaches every shop within minutes,
# and stale-while-revalidate so that a returning visitor never waits for the check.
ENTRY = "public, max-age=300, stale-while-revalidate=86400"
VERSION_LENGTH = 12

bp = Blueprint("widget_assets", __name__)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    mimetype: str
    etag: str


@dataclass(frozen=True)
class Bundle:
    version: str
    files: dict[str, Asset]


_lock = threading.Lock()


def build(root: Traversable | None = None) -> Bundle:
    """Read every servable file under `root` (the installed widget files by default), version the
    set, and precompute each gzip."""
    raw = dict(sorted(_servable(root or widget_files())))
    digest = hashlib.sha256()
    for name, data in raw.items():
        digest.update(name.encode() + b"\0" + data + b"\0")
    version = digest.hexdigest()[:VERSION_LENGTH]
    files = {}
    for name, data in raw.items():
        if name.endswith(".js"):
            data = data.replace(VERSION_PLACEHOLDER.encode(), version.encode())
        # mtime=0: the same file gives the same bytes in every process behind a load balancer.
        files[name] = Asset(data, gzip.compress(data, compresslevel=9, mtime=0),
                            TYPES[PurePosixPath(name).suffix], '"' + hashlib.sha256(data).hexdigest()[:24] + '"')
    return Bundle(version, files)


def _servable(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    # Traversable, not Path: an installed package's folder may be a MultiplexedPath, without rglob.
    for child in folder.iterdir():
        if child.is_dir():
            yield from _servable(child, f"{prefix}{child.name}/")
        elif PurePosixPath(child.name).suffix in TYPES:
            yield prefix + child.name, child.read_bytes()


def bundle() -> Bundle:
    """The app's bundle, built on first use."""
    ext = current_app.extensions
    if "reviews.widget_bundle" not in ext:
        with _lock:
            if "reviews.widget_bundle" not in ext:
                ext["reviews.widget_bundle"] = build()
    return ext["reviews.widget_bundle"]


def _accepts_gzip() -> bool:
    return any(enc in ("gzip", "*") and q > 0 for enc, q in request.accept_encodings)


@bp.route("/widget/v1/<path:path>", methods=["GET", "HEAD"])
@limiter.exempt
def serve(path: str):
    """`/widget/v1/<name>`, `/widget/v1/<version>/<name>` or `/widget/v1/<name>?v=<version>`."""
    current = bundle()
    head, _, rest = path.partition("/")
    versioned = len(head) == VERSION_LENGTH and rest in current.files \
        and all(c in "0123456789abcdef" for c in head)
    name = rest if versioned else path
    asset = current.files.get(name)
    if asset is None:
        abort(404)
    asked = head if versioned else request.args.get("v")
    # Another version than ours (a page cached across a deployment): serve what we have, but only
    # briefly, so that a wrong file is never kept for a year under that version's URL.
    cache = IMMUTABLE if asked == current.version else ENTRY

    gzipped = _accepts_gzip()
    # Each encoding is its own representation, with its own entity tag.
    etag = asset.etag[:-1] + '-gz"' if gzipped else asset.etag
    headers = {"Cache-Control": cache, "ETag": etag, "Vary": "Accept-Encoding",
               "X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*",
               "Cross-Origin-Resource-Policy": "cross-origin"}
    if etag in {t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")}:
        return Response(status=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(asset.gzipped if gzipped else asset.body, headers={**headers, "Content-Type": asset.mimetype})
