"""One error shape for the whole service: RFC 9457 problem+json.

Services raise the domain errors below; the handlers registered by `init_app` turn them, and every
HTTP error Flask or a library can raise, into one JSON answer:
`{"type", "title", "status", "detail", "errors": {field: [messages]}}`.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, json, request
from marshmallow import Schema, fields
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

PROBLEM_MIME = "application/problem+json"
TYPE_BASE = "https://reviews-service.dev/problems/"

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A failure a service reports to its caller; `status` decides the HTTP answer."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str = "", *, field: str | None = None,
                 errors: dict[str, list[str]] | None = None, headers: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = dict(errors or {})
        if field:
            self.errors.setdefault(field, []).append(self.detail)
        self.headers = headers or {}


class BadRequest(DomainError):
    status, title, slug = 400, "Bad request", "bad-request"


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(DomainError):
    status, title, slug = 409, "Conflict", "conflict"


class TooLarge(DomainError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class Unsupported(DomainError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class Invalid(DomainError):
    status, title, slug = 422, "Unprocessable content", "validation-error"


class ProblemSchema(Schema):
    """The body of every error answer, as the OpenAPI document shows it."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String(metadata={"description": "What is wrong, for a person to read"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Messages per field, e.g. items.0.quantity"})


_SLUGS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "payload-too-large",
    415: "unsupported-media-type", 422: "validation-error", 429: "rate-limited",
    500: "internal-error", 503: "unavailable",
}


def problem(status: int, detail: str, *, title: str | None = None,
            errors: dict | None = None, headers: dict | None = None) -> Response:
    """Build a problem+json response."""
    from werkzeug.http import HTTP_STATUS_CODES

    body = {
        "type": TYPE_BASE + _SLUGS.get(status, str(status)),
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow nests errors by location and field; flatten to `{"field.sub": [msg]}`."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            # A nested schema's own error ("customer": "x" is not an object) belongs to its field.
            name = prefix if key == "_schema" and prefix else f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, (dict, list)) and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                out.update(_flatten(value, name))
            else:
                out[name] = value if isinstance(value, list) else [str(value)]
    elif isinstance(messages, list):
        out[prefix or "_schema"] = [str(m) for m in messages]
    return out


def _validation_errors(exc: HTTPException) -> dict[str, list[str]]:
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or {}
    # Drop the location level (json / query / files / headers): the field name is what users need.
    merged: dict = {}
    for location, by_field in messages.items():
        if isinstance(by_field, dict):
            merged.update(by_field)
        else:
            merged[location] = by_field
    return _flatten(merged)


def _describe(errors: dict[str, list[str]]) -> str:
    parts = [f"{field}: {' '.join(m.rstrip('.') for m in msgs)}" for field, msgs in sorted(errors.items())]
    return "; ".join(parts)[:500]


def handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {}
    if status == 405 and exc.get_response().headers.get("Allow"):
        headers["Allow"] = exc.get_response().headers["Allow"]
    if status == 422:
        errors = _validation_errors(exc)
        return problem(422, _describe(errors) or "The request is invalid.",
                       title="Unprocessable content", errors=errors)
    if status == 429:
        return rate_limited(exc)
    detail = exc.description or ""
    if status == 400 and getattr(exc, "data", None):
        errors = _validation_errors(exc)
        if errors:
            return problem(400, _describe(errors), errors=errors)
    return problem(status, detail, headers=headers)


def rate_limited(exc: HTTPException) -> Response:
    """429 with Retry-After; Flask-Limiter adds the RateLimit-* headers to every limited answer."""
    from flask import current_app

    retry_after = 1
    for ext in current_app.extensions.get("limiter", set()):
        try:
            current = ext.current_limit
            if current is not None:
                retry_after = max(retry_after, int(current.reset_at - time.time()))
        except Exception:  # noqa: BLE001  (the storage just went away: a 429 still, never a 500)
            log.warning("rate limit storage unreachable while answering 429")
    limit = getattr(exc, "limit", None)
    detail = f"Too many requests: the limit is {limit.limit}." if limit is not None else "Too many requests."
    return problem(429, detail, title="Too many requests", headers={"Retry-After": str(retry_after)})


def handle_domain_error(exc: DomainError) -> Response:
    return problem(exc.status, exc.detail, title=exc.title, errors=exc.errors or None,
                   headers=exc.headers)


def _rollback() -> None:
    """End the request's failed transaction. The session is Flask-SQLAlchemy's, found through the
    app: errors sit below the extensions, which answer HTTP errors through this module."""
    sqlalchemy = current_app.extensions.get("sqlalchemy")
    if sqlalchemy is not None:
        sqlalchemy.session.rollback()


def handle_database_down(exc: Exception) -> Response:
    _rollback()
    log.warning("database unavailable: %s", exc)
    return problem(503, "The database is unavailable; try again shortly.",
                   headers={"Retry-After": "5"})


def handle_unexpected(exc: Exception) -> Response:
    _rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "An unexpected error occurred; it has been logged.")


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
