"""The rate limiter (Flask-Limiter): limits count per authenticated secret key, else per shop and
visitor IP (`callers.rate_limit_key`); storefront reads, assets and probes are never limited."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter

from .callers import rate_limit_key

limiter = Limiter(key_func=rate_limit_key, headers_enabled=True, in_memory_fallback_enabled=True)


@limiter.request_filter
def _unlimited_reads() -> bool:
    """Storefront reads, assets and probes are cached by CDNs and browsers and never limited;
    skipping them here, before any limit is looked up, keeps their hot path short."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return False
    return request.path.startswith(("/api/v1/public/", "/widget/", "/media/", "/healthz", "/readyz",
                                    "/assets/"))
