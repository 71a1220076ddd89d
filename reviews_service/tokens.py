"""Secrets and signed tokens: random keys, key hashes, and tokens signed for one purpose and one
shop (itsdangerous). Plumbing: it knows no room; the rooms choose the purposes and the claims."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from . import clock

# Purposes keep a token made for one use from being accepted for another.
WIDGET_TOKEN = "widget-token"
REVIEW_REQUEST_TOKEN = "review-request"
UNSUBSCRIBE_TOKEN = "unsubscribe"
LOYALTY_CUSTOMER_TOKEN = "loyalty-customer"  # one customer's points: view and redeem (an hour)
REVIEW_EDIT_TOKEN = "review-edit"  # a reviewer's own review: edit or withdraw it

_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def random_token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_public_key() -> str:
    return "pk_" + random_token(24)


def new_secret_key() -> str:
    return "sk_" + random_token(40)


def key_prefix(secret: str) -> str:
    """The first characters identify a key without revealing it (12 of 43)."""
    return secret[:12]


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def keys_match(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(secret), stored_hash)


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, shop_id: int, *, expires_at: datetime, **claims: Any) -> str:
    """A token for one purpose and one shop, valid until `expires_at`.

    The expiry is a claim rather than itsdangerous's signing time, so the same order always gets
    the same token: a replayed order ingestion answers byte for byte what the first one did.
    """
    return _serializer(purpose).dumps({"shop": shop_id, "exp": int(expires_at.timestamp()), **claims})


class TokenError(Exception):
    def __init__(self, reason: str, claims: dict[str, Any] | None = None):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"
        # An expired token's claims: authentic (the signature holds), only too old to grant anything.
        self.claims = claims


def _claims(purpose: str, token: str) -> dict[str, Any]:
    try:
        claims = _serializer(purpose).loads(token)
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("shop"), int) \
            or not isinstance(claims.get("exp"), int):
        raise TokenError("invalid")
    if claims["exp"] < clock.now().timestamp():
        raise TokenError("expired", claims)
    return claims


def unsign(purpose: str, token: str, *, shop_id: int) -> dict[str, Any]:
    """The token's claims, if it was made for this purpose and this shop and has not expired."""
    claims = _claims(purpose, token)
    if claims["shop"] != shop_id:
        raise TokenError("invalid")
    return claims


def peek_shop(purpose: str, token: str) -> int:
    """The shop id inside a valid token, before the shop is known (the hosted review page)."""
    return _claims(purpose, token)["shop"]
