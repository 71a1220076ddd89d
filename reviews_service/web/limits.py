"""The rate limiter (Flask-Limiter): limits count per authenticated secret key, else per shop and
visitor IP (`callers.rate_limit_key`); storefront reads, assets and probes are never limited."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter

from .callers import rate_limit_key

_UNLIMITED_PREFIXES = ("/api/v1/public/", "/widget/", "/media/", "/healthz", "/readyz", "/assets/")


def unlimited_read() -> bool:
    """Storefront reads, assets and probes are cached by CDNs and browsers and never limited."""
    return request.method in ("GET", "HEAD", "OPTIONS") and request.path.startswith(_UNLIMITED_PREFIXES)


class _Limiter(Limiter):
    """Flask-Limiter's app-wide hook runs on every request and, even for a request its filters
    exempt, first resolves the view, its blueprint's exemptions and the meta limits (about a tenth
    of an uncached storefront read). An unlimited read leaves the hook at once; every other request
    goes through it as before (the filter below says the same, for limits a view checks itself)."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and unlimited_read():
            return
        super()._check_request_limit(callable_name, in_middleware)


limiter = _Limiter(key_func=rate_limit_key, headers_enabled=True, in_memory_fallback_enabled=True)
limiter.request_filter(unlimited_read)
