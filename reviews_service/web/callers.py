"""Who is calling: a secret key, a public key or (in the admin) a session, and the visitor behind
a browser, as keyed hashes.

Every request that touches shop data resolves its shop here, once; services receive that shop and
scope every query by it, so an id from another shop is simply not found. Which shop a key belongs
to is the shops room's knowledge: it hands its lookups over in the app factory (`init_app`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request

from ..errors import NotFound, Unauthorized
from ..tokens import key_prefix
from . import scopes


@dataclass(frozen=True)
class ShopLookups:
    """How to find a shop: the key a secret is (None for unknown, wrong or revoked; it has `shop`
    and `scopes`), by public key, the id alone by public key (cheap: every page view asks), and by id."""

    key_by_secret: Callable[[str], Any]
    by_public_key: Callable[[str], Any]
    id_by_public_key: Callable[[str], int | None]
    by_id: Callable[[int], Any]


_LOOKUPS = "reviews.shop_lookups"


def init_app(app: Flask, lookups: ShopLookups) -> None:
    app.extensions[_LOOKUPS] = lookups


def _lookups() -> ShopLookups:
    return current_app.extensions[_LOOKUPS]


# --- the current shop ----------------------------------------------------------------------------

def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


_KEY = "reviews_service.secret_key"


def secret_key():
    """The active (or rotated, still in its grace) key the request's bearer is; None for no
    bearer or any other one. Looked up once per request: the rate limiter asks before the server
    API's check does, and both must see the same answer. Kept in the request's environ rather
    than on `g`, which outlives the request when an app context was pushed around it."""
    if _KEY not in request.environ:
        token = bearer_token()
        request.environ[_KEY] = _lookups().key_by_secret(token) if token else None
    return request.environ[_KEY]


def secret_key_shop():
    """The shop of the request's secret key, or None."""
    key = secret_key()
    return key.shop if key is not None else None


def key_scopes() -> tuple[str, ...]:
    """The scopes of the request's secret key (none without one)."""
    key = secret_key()
    return tuple(key.scopes) if key is not None else ()


def key_sees_emails() -> bool:
    """Whether the request's key may read e-mail addresses (a moderation key may not)."""
    return scopes.sees_emails(key_scopes())


def key_actor() -> str:
    """How the audit log names the request's key: its prefix, which the admin and the CLI show."""
    return f"key:{secret_key().prefix}"


def authenticate_secret_key():
    """Resolve the shop of the request's secret key, or answer 401; a key whose scopes do not
    cover the operation answers 403 (web/scopes.py)."""
    challenge = {"WWW-Authenticate": 'Bearer realm="reviews-service"'}
    if bearer_token() is None:
        raise Unauthorized("Send the shop's secret key as 'Authorization: Bearer sk_...'.",
                           headers=challenge)
    shop = secret_key_shop()
    if shop is None:
        raise Unauthorized("The secret key is not valid, or it was revoked.", headers=challenge)
    scopes.check(key_scopes())
    g.shop = shop
    return shop


def resolve_public_key(public_key: str):
    """Resolve the shop of a public key in the URL, or answer 404."""
    shop = _lookups().by_public_key(public_key)
    if shop is None:
        raise NotFound("No shop has this public key.")
    g.shop, g.shop_id = shop, shop.id
    return shop


def resolve_public_key_id(public_key: str) -> int:
    """Only the shop's id, from a cache: enough for the public reads that run on every page view."""
    shop_id = _lookups().id_by_public_key(public_key)
    if shop_id is None:
        raise NotFound("No shop has this public key.")
    g.shop_id = shop_id
    return shop_id


def current_shop():
    shop = g.get("shop")
    if shop is None and g.get("shop_id") is not None:
        shop = g.shop = _lookups().by_id(g.shop_id)
    if shop is None:
        raise Unauthorized("No shop for this request.")
    return shop


def current_shop_id() -> int:
    shop_id = g.get("shop_id")
    return shop_id if shop_id is not None else current_shop().id


# --- visitors and rate limits --------------------------------------------------------------------

@dataclass(frozen=True)
class Visitor:
    """Who is writing, as far as we keep it: keyed hashes, never the address itself."""

    visitor_hash: str  # IP address and user agent
    ip_hash: str
    visitor_id_hash: str | None = None  # the widget's visitor id, when it sent one


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


def current_visitor(visitor_id: str | None = None) -> Visitor:
    """The visitor of this request, as the services take it, with the widget's visitor id when
    the body carried one (`visitor_id`)."""
    return Visitor(visitor_hash=visitor_hash(), ip_hash=ip_hash(), visitor_id_hash=visitor_id_hash(visitor_id))


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
