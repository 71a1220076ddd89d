"""The rate limiter (Flask-Limiter): limits count per authenticated secret key, else per shop and
visitor IP (`callers.rate_limit_key`); storefront reads, assets and probes are never limited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_limiter import Limiter

from .callers import rate_limit_key

_UNLIMITED_PREFIXES = ("/api/v1/public/", "/widget/", "/media/", "/healthz", "/readyz", "/assets/")
_UNLIMITED = "reviews.unlimited"  # set in the WSGI environ for a request no limit applies to


def unlimited_read() -> bool:
    """Storefront reads, assets and probes are cached by CDNs and browsers and never limited."""
    return request.method in ("GET", "HEAD", "OPTIONS") and request.path.startswith(_UNLIMITED_PREFIXES)


class _Limiter(Limiter):
    """Flask-Limiter's app-wide hooks run on every request and, even for a request its filters
    exempt, resolve the view, its blueprint's exemptions and the meta limits, then set up, read
    and reset a per-request context (together about a sixth of an uncached storefront read). An
    unlimited read skips them; every other request goes through them as before (the request
    filter below says the same, for limits a view checks itself)."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        # The after-request hook (the RateLimit-* headers) and the teardown (the context's reset)
        # are the extension's own: found by the object they are bound to, not by their names.
        for hooks in (app.after_request_funcs.setdefault(None, []), app.teardown_request_funcs.setdefault(None, [])):
            hooks[:] = [unless_unlimited(hook) if _bound_to(hook, self) else hook for hook in hooks]

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and unlimited_read():
            request.environ[_UNLIMITED] = True
            return
        super()._check_request_limit(callable_name, in_middleware)


def _bound_to(hook: Callable, owner: Any) -> bool:
    if getattr(hook, "__self__", None) is owner:
        return True
    args = getattr(hook, "args", ())  # a functools.partial over the extension
    return bool(args) and args[0] is owner


def unless_unlimited(hook: Callable) -> Callable:
    """An after-request or teardown hook that concerns rate-limited requests only: skipped for a
    request no limit applies to (the limiter's own hooks, the app's RateLimit-* header rewrite)."""

    def run(value):
        if request.environ.get(_UNLIMITED):
            return value
        return hook(value)

    return run


limiter = _Limiter(key_func=rate_limit_key, headers_enabled=True, in_memory_fallback_enabled=True)
limiter.request_filter(unlimited_read)
