"""Who is calling: a secret key, a public key, a signed token, or (in the admin) a session.

Every request that touches shop data resolves its shop here, once; services receive that shop and
scope every query by it, so an id from another shop is simply not found.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from . import clock
from .errors import NotFound, Unauthorized

# Purposes keep a token made for one use from being accepted for another.
WIDGET_TOKEN = "widget-token"
REVIEW_REQUEST_TOKEN = "review-request"
UNSUBSCRIBE_TOKEN = "unsubscribe"

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


# --- the current shop ----------------------------------------------------------------------------

def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


_KEY_SHOP = "reviews_service.secret_key_shop"


def secret_key_shop():
    """The shop whose active (or rotated, still in its grace) key the request's bearer is; None
    for no bearer or any other one. Looked up once per request: the rate limiter asks before the
    server API's check does, and both must see the same answer. Kept in the request's environ
    rather than on `g`, which outlives the request when an app context was pushed around it."""
    from .shops import service as shops

    if _KEY_SHOP not in request.environ:
        token = bearer_token()
        request.environ[_KEY_SHOP] = shops.shop_for_secret_key(token) if token else None
    return request.environ[_KEY_SHOP]


def authenticate_secret_key():
    """Resolve the shop of the request's secret key, or answer 401."""
    challenge = {"WWW-Authenticate": 'Bearer realm="reviews-service"'}
    if bearer_token() is None:
        raise Unauthorized("Send the shop's secret key as 'Authorization: Bearer sk_...'.",
                           headers=challenge)
    shop = secret_key_shop()
    if shop is None:
        raise Unauthorized("The secret key is not valid, or it was revoked.", headers=challenge)
    g.shop = shop
    return shop


def resolve_public_key(public_key: str):
    """Resolve the shop of a public key in the URL, or answer 404."""
    from .shops import service as shops

    shop = shops.shop_for_public_key(public_key)
    if shop is None:
        raise NotFound("No shop has this public key.")
    g.shop, g.shop_id = shop, shop.id
    return shop


def resolve_public_key_id(public_key: str) -> int:
    """Only the shop's id, from a cache: enough for the public reads that run on every page view."""
    from .ratings.public import shop_id_for_key

    shop_id = shop_id_for_key(public_key)
    if shop_id is None:
        raise NotFound("No shop has this public key.")
    g.shop_id = shop_id
    return shop_id


def current_shop():
    shop = g.get("shop")
    if shop is None and g.get("shop_id") is not None:
        from .extensions import db
        from .shops.models import Shop

        shop = g.shop = db.session.get(Shop, g.shop_id)
    if shop is None:
        raise Unauthorized("No shop for this request.")
    return shop


def current_shop_id() -> int:
    shop_id = g.get("shop_id")
    return shop_id if shop_id is not None else current_shop().id


# --- visitors and rate limits --------------------------------------------------------------------

def visitor_hash() -> str:
    """A keyed hash of IP and user agent: stable for a visitor, useless to anyone without our key."""
    secret = current_app.config["SECRET_KEY"].encode()
    material = f"{request.remote_addr}|{request.user_agent.string}".encode()
    return hmac.new(secret, material, hashlib.sha256).hexdigest()[:32]


def ip_hash() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"ip|{request.remote_addr}".encode(), hashlib.sha256).hexdigest()[:32]


def visitor_id_hash(visitor_id: str | None) -> str | None:
    """A keyed hash of the widget's visitor id, so that the stored value is not the one in the
    visitor's browser. The id is the visitor's own claim: it may narrow who counts as the same
    visitor, and never widens a limit kept per IP hash."""
    if not visitor_id:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"vid|{visitor_id}".encode(), hashlib.sha256).hexdigest()[:32]


def rate_limit_key() -> str:
    """Limits count per secret key for a key that authenticates, and per shop and visitor IP for
    everything else: a made-up bearer, or another shop's key on this shop's public API, would
    otherwise buy a fresh budget with every request.

    Flask-Limiter asks before the server API's key is checked, so the key is looked up here (once,
    see `secret_key_shop`); the public key in a URL is resolved earlier, by the blueprint's URL
    preprocessor."""
    shop = g.get("shop")
    key_shop = secret_key_shop()
    if key_shop is not None and (shop is None or shop.id == key_shop.id):
        return "sk:" + key_prefix(bearer_token())
    return f"shop{shop.id if shop is not None else '-'}:ip:{ip_hash()}"


# --- signed tokens -------------------------------------------------------------------------------

def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose: str, shop_id: int, *, expires_at: datetime, **claims: Any) -> str:
    """A token for one purpose and one shop, valid until `expires_at`.

    The expiry is a claim rather than itsdangerous's signing time, so the same order always gets
    the same token: a replayed order ingestion answers byte for byte what the first one did.
    """
    return _serializer(purpose).dumps({"shop": shop_id, "exp": int(expires_at.timestamp()), **claims})


class TokenError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def _claims(purpose: str, token: str) -> dict[str, Any]:
    try:
        claims = _serializer(purpose).loads(token)
    except BadSignature:
        raise TokenError("invalid") from None
    if not isinstance(claims, dict) or not isinstance(claims.get("shop"), int) \
            or not isinstance(claims.get("exp"), int):
        raise TokenError("invalid")
    if claims["exp"] < clock.now().timestamp():
        raise TokenError("expired")
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


def current_visitor(visitor_id: str | None = None):
    """The visitor of this request, as the services take it, with the widget's visitor id when
    the body carried one (`visitor_id`)."""
    from .reviews.service import Visitor

    return Visitor(visitor_hash=visitor_hash(), ip_hash=ip_hash(), visitor_id_hash=visitor_id_hash(visitor_id))
