"""Blueprint factories for the API: authentication, body rules and rate limits in one place."""

from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_smorest import Blueprint

from ..errors import BadRequest, Forbidden, Invalid, NotFound, TooLarge, Unsupported
from . import scopes
from .callers import authenticate_secret_key, resolve_public_key, resolve_public_key_id
from .limits import limiter

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def require_json_body(*, multipart_endpoints: frozenset[str] = frozenset()) -> None:
    """Writes carry JSON (multipart only where a photo is uploaded) and JSON stays small."""
    if request.method not in WRITE_METHODS:
        return
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding")
    if request.endpoint in multipart_endpoints:
        if request.mimetype != "multipart/form-data":
            raise Unsupported("Upload the photo as multipart/form-data with a 'photo' field.")
        return
    if not has_body:
        return
    if request.mimetype != "application/json":
        raise Unsupported(f"The body must be application/json, not {request.mimetype or 'untyped'}.")
    limit = min(current_app.config["MAX_JSON_BYTES"], request.max_content_length or sys.maxsize)
    if request.content_length and request.content_length > limit:
        raise TooLarge(f"A JSON body may have at most {limit} bytes.")
    # A chunked body has no Content-Length to check up front, and Werkzeug cuts a stream at the
    # limit without a word: read one byte past it, so that "over the limit" can be told apart.
    request.max_content_length = limit + 1
    refuse_nul(_parsed_body(limit))


def _parsed_body(limit: int):
    """The body parsed once before the schema parses it, to refuse what would crash further on."""
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise TooLarge(f"A JSON body may have at most {limit} bytes.")
    try:
        return json.loads(data)
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None
    except ValueError:
        return None  # malformed JSON: the schema's parser answers 400 with the reason


def refuse_nul(value) -> None:
    """PostgreSQL text cannot hold a NUL character: refuse one here, naming its field, rather than
    fail in the database. Iterative, because the body may be nested as deep as the parser allows."""
    stack = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise Invalid(f"{path or 'The body'} may not contain NUL characters.", field=path or "_schema")
        if isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise Invalid(f"{path or 'The body'} has a field name with a NUL character.",
                                  field=path or "_schema")
                stack.append((f"{path}.{key}" if path else key, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))


def refuse_nul_in_path(values: dict | None) -> None:
    """No id with a NUL character can exist (PostgreSQL could not even compare it): answer 404."""
    if any(isinstance(v, str) and "\x00" in v for v in (values or {}).values()):
        raise NotFound("Nothing here has an id with a NUL character.")


def server_blueprint(name: str, description: str, *, scope: str | tuple[str, ...] = "all") -> Blueprint:
    """A blueprint under /api/v1 for the shop's backend: secret key, JSON bodies, per-key limits.
    `scope`: what a key needs to call its operations, unless one says otherwise (`scopes.requires`)."""
    blp = Blueprint(name, __name__, url_prefix="/api/v1", description=description)
    scopes.blueprint_scope(name, (scope,) if isinstance(scope, str) else scope)

    @blp.before_request
    def _authenticate():
        authenticate_secret_key()
        refuse_nul_in_path(request.view_args)
        require_json_body()

    # One budget per secret key for the whole server API, whichever blueprint a route is in.
    limiter.shared_limit(lambda: current_app.config["SERVER_API_LIMIT"], scope="server-api")(blp)
    return blp


def public_blueprint(name: str, description: str, *,
                     multipart_endpoints: frozenset[str] = frozenset()) -> Blueprint:
    """A blueprint under /api/v1/public/<public_key>: the shop comes from the key in the path."""
    blp = Blueprint(name, __name__, url_prefix="/api/v1/public/<public_key>",
                    description=description)

    @blp.url_value_preprocessor
    def _resolve(_endpoint, values):
        refuse_nul_in_path(values)
        key = values.pop("public_key")
        if request.method in ("GET", "HEAD"):
            resolve_public_key_id(key)  # the Shop row is loaded only if the view needs it
        else:
            resolve_public_key(key)

    @blp.url_defaults
    def _keep_key(_endpoint, values):
        if "public_key" not in values and g.get("shop") is not None:
            values["public_key"] = g.shop.public_key

    @blp.before_request
    def _body_rules():
        check_origin()
        require_json_body(multipart_endpoints=multipart_endpoints)

    blp.after_request(cors_headers)
    return blp


def _origin_allowed(origin: str | None = None) -> bool:
    """The shop's own origins, and the service's (the hosted review page posts from it)."""
    origin = origin or request.headers.get("Origin")
    shop = g.get("shop")
    if not origin or shop is None:
        return False
    return origin in (shop.allowed_origins or []) or origin == _own_origin()


def _own_origin() -> str:
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def _referer_origin(referer: str) -> str:
    """The origin of the page a Referer names, as a browser would write it in Origin; "null" for
    anything that is not an http(s) URL, which no allowed origin equals."""
    try:
        parts = urlsplit(referer.strip())
        port = parts.port
    except ValueError:
        return "null"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "null"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default_port = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def check_origin() -> None:
    """Writes from a browser must come from one of the shop's own origins: the one its Origin
    header names, or when a browser leaves Origin out (some do on a same-origin or older form
    post), the one of its Referer. A request with neither is not from a browser page, so no other
    site can make a visitor send it; a non-browser client could forge either header anyway, so
    refusing it would stop no abuse (rate limits and tokens bound that)."""
    if request.method not in WRITE_METHODS:
        return
    origin = request.headers.get("Origin")
    if not origin and request.headers.get("Referer"):
        origin = _referer_origin(request.headers["Referer"])
    if origin and not _origin_allowed(origin):
        raise Forbidden("This origin may not post to this shop; add it to the shop's allowed origins.")


def cors_headers(response):
    """Reads are open to any origin; writes answer only the shop's allowed origins."""
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    if _origin_allowed():
        response.headers["Access-Control-Allow-Origin"] = request.headers["Origin"]
        response.headers.add("Vary", "Origin")
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "86400"
    else:
        response.headers.add("Vary", "Origin")
    return response
