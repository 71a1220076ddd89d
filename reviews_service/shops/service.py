"""Shops, keys and accounts: creation, key rotation, lookups and settings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import events, tokens
from ..email_addresses import normalize_email
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models_base import utcnow
from ..web import scopes as key_scope_rules
from . import settings as shop_settings
from .models import ROLES, ApiKey, Membership, Shop, User

# scrypt with N = 2^17, r = 8, p = 1: about 128 MB and a fraction of a second per hash.
PASSWORD_METHOD = "scrypt:131072:8:1"
MIN_PASSWORD_LENGTH = 10


@dataclass
class NewShop:
    shop: Shop
    secret_key: str  # shown once: only its hash is stored


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:48] or "shop"


def normalize_origin(origin: str) -> str:
    """`https://Shop.example:443/` -> `https://shop.example`; anything but an origin is refused."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{origin!r} is not an origin like https://shop.example.", field="allowed_origins")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise Invalid(f"{origin!r} must be an origin only, without a path.", field="allowed_origins")
    host = parts.hostname.lower()
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{host}{port}"


def create_shop(name: str, *, allowed_origins: list[str] | None = None,
                slug: str | None = None) -> NewShop:
    """Create a shop with its public key and a first secret key."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("A shop needs a name of 1 to 200 characters.", field="name")
    origins = sorted({normalize_origin(o) for o in allowed_origins or []})
    base = slugify(slug or name)
    candidate, n = base, 1
    while db.session.scalar(select(Shop.id).where(Shop.slug == candidate)) is not None:
        n += 1
        candidate = f"{base}-{n}"
    shop = Shop(name=name, slug=candidate, public_key=tokens.new_public_key(),
                allowed_origins=origins, settings={})
    db.session.add(shop)
    db.session.flush()
    secret = _add_key(shop, label="created with the shop")
    db.session.commit()
    return NewShop(shop=shop, secret_key=secret)


def _add_key(shop: Shop, label: str = "", scopes: tuple[str, ...] = ("all",)) -> str:
    secret = tokens.new_secret_key()
    db.session.add(ApiKey(shop_id=shop.id, prefix=tokens.key_prefix(secret),
                          key_hash=tokens.hash_key(secret), label=label, scope_text=" ".join(scopes)))
    return secret


def key_scopes(scopes) -> tuple[str, ...]:
    """Scopes as a key keeps them (web/scopes.py), from a list or a comma-separated text."""
    try:
        return key_scope_rules.parse(scopes)
    except ValueError as exc:
        raise Invalid(str(exc), field="scopes") from None


def get_shop(ref: str | int) -> Shop:
    """A shop by id, slug or public key; NotFound when there is none. The one lookup of the CLI,
    the hosted and demo pages and the rooms above (`find_shop` where no shop is no error)."""
    query = select(Shop)
    if isinstance(ref, int) or str(ref).isdigit():
        query = query.where(Shop.id == int(ref))
    elif str(ref).startswith("pk_"):
        query = query.where(Shop.public_key == ref)
    else:
        query = query.where(Shop.slug == ref)
    shop = db.session.scalar(query)
    if shop is None:
        raise NotFound(f"No shop {ref!r}.")
    return shop


def rotate_key(shop: Shop, *, revoke_after: timedelta | None = timedelta(hours=24),
               revoke_now: bool = False) -> str:
    """Issue a new secret key with every scope. The old ones keep working for `revoke_after`, so
    that a deployment can switch over; `revoke_now` ends them at once (for a leaked key)."""
    now = utcnow()
    ends = now if revoke_now or revoke_after is None else now + revoke_after
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.shop_id == shop.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=ends)
    )
    secret = _add_key(shop, label="rotated")
    db.session.commit()
    return secret


def add_key(shop: Shop, label: str, scopes=("all",)) -> str:
    """Add a secret key beside the current ones (no rotation), with `scopes` (every one unless
    told otherwise); answers the secret, shown once."""
    secret = _add_key(shop, label=label[:100], scopes=key_scopes(scopes))
    db.session.commit()
    return secret


def revoke_key(shop: Shop, key_id: int) -> None:
    """End one key now; a key of another shop, or one already ended, is not found."""
    now = utcnow()
    ended = db.session.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.shop_id == shop.id)
        .where((ApiKey.revoked_at.is_(None)) | (ApiKey.revoked_at > now))
        .values(revoked_at=now)).rowcount
    if not ended:
        db.session.rollback()
        raise NotFound("No active key with this id in this shop.")
    db.session.commit()


def ended_keys(shop: Shop, limit: int = 10) -> list[ApiKey]:
    """The most recently ended keys, newest first."""
    now = utcnow()
    return list(db.session.scalars(
        select(ApiKey).where(ApiKey.shop_id == shop.id, ApiKey.revoked_at.is_not(None),
                             ApiKey.revoked_at <= now)
        .order_by(ApiKey.revoked_at.desc()).limit(limit)))


def active_keys(shop: Shop) -> list[ApiKey]:
    now = utcnow()
    return list(db.session.scalars(
        select(ApiKey).where(ApiKey.shop_id == shop.id)
        .where((ApiKey.revoked_at.is_(None)) | (ApiKey.revoked_at > now))
        .order_by(ApiKey.id)
    ))


def key_for_secret(secret: str) -> ApiKey | None:
    """The active key this secret is (its `shop` and `scopes`); None for unknown, wrong or revoked keys."""
    if not _well_formed(secret, "sk_", 100):
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == tokens.key_prefix(secret)))
    if key is None or not tokens.keys_match(secret, key.key_hash):
        return None
    if key.revoked_at is not None and key.revoked_at <= utcnow():
        return None
    return key


def _well_formed(key: str, prefix: str, max_length: int) -> bool:
    """Keys are a prefix and ASCII letters and digits; anything else (a NUL, which PostgreSQL
    refuses even to compare) cannot be a key, and is not looked up."""
    rest = key[len(prefix):]
    return key.startswith(prefix) and len(key) <= max_length and rest.isascii() and rest.isalnum()


def shop_for_public_key(public_key: str) -> Shop | None:
    if not _well_formed(public_key, "pk_", 64):
        return None
    return db.session.scalar(select(Shop).where(Shop.public_key == public_key))


_SHOP_BY_KEY = select(Shop.id).where(Shop.public_key == bindparam("key"))
_KEYS_KEPT = 10_000


def shop_id_for_key(public_key: str) -> int | None:
    """A public key never changes and never moves to another shop, so its shop id is kept for the
    life of the process (unknown keys are not kept, so a new shop is found at once)."""
    if not public_key.startswith("pk_") or len(public_key) > 64:
        return None
    known = current_app.extensions.setdefault("reviews.shop_ids", {})
    shop_id = known.get(public_key)
    if shop_id is None:
        shop_id = db.session.connection().execute(_SHOP_BY_KEY, {"key": public_key}).scalar()
        if shop_id is not None and len(known) < _KEYS_KEPT:
            known[public_key] = shop_id
    return shop_id


def find_shop(shop_id: int) -> Shop | None:
    """The shop, or None when it is gone (a caller's key or session outlived it)."""
    return db.session.get(Shop, shop_id)


def settings_of(shop: Shop) -> dict[str, Any]:
    return shop_settings.effective(shop.settings)


def describe(shop: Shop) -> dict[str, Any]:
    """The shop as the server API shows it."""
    return {
        "name": shop.name, "slug": shop.slug, "public_key": shop.public_key,
        "allowed_origins": list(shop.allowed_origins or []),
        "settings": settings_of(shop), "created_at": shop.created_at,
    }


def update_shop(shop: Shop, changes: dict[str, Any], *, actor: str = "api", rerun: bool = True) -> Shop:
    """Apply a validated PATCH: name, allowed origins, and any subset of the settings.

    Once committed, a change to the settings is announced (`events.shop_settings_changed`): when
    a moderation rule changed, moderation runs its rules again over the shop's pending and
    published reviews, audited as `actor` (`rerun=False` leaves that to the caller, who wants the
    report)."""
    before = settings_of(shop)
    if "name" in changes:
        name = changes["name"].strip()
        if not name:
            raise Invalid("The name cannot be empty.", field="name")
        shop.name = name
    if "allowed_origins" in changes:
        shop.allowed_origins = sorted({normalize_origin(o) for o in changes["allowed_origins"]})
    if changes.get("settings"):
        stored = dict(shop.settings or {})
        stored.update(changes["settings"])
        # Keep only what differs from the defaults, so that a new default reaches every shop.
        shop.settings = {k: v for k, v in stored.items() if shop_settings.DEFAULTS.get(k) != v}
    db.session.commit()
    after = settings_of(shop)
    changed = frozenset(k for k in after if before.get(k) != after.get(k))
    if changed:
        events.shop_settings_changed.send(shop, changed=changed, actor=actor, rerun=rerun)
    return shop


# --- accounts ------------------------------------------------------------------------------------

def create_user(email: str, password: str, *, shop: Shop | None = None,
                role: str = "moderator") -> User:
    """Create an admin account, or add an existing one to `shop` with `role`."""
    email = normalize_email(email)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise Invalid("Not a valid e-mail address.", field="email")
    if role not in ROLES:
        raise Invalid(f"The role must be one of {', '.join(ROLES)}.", field="role")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
                          field="password")
        user = User(email=email, password_hash=generate_password_hash(password, PASSWORD_METHOD))
        db.session.add(user)
        db.session.flush()
    if shop is not None:
        member = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.shop_id == shop.id))
        if member is not None and member.role == role:
            raise Conflict(f"{email} is already {role} of {shop.slug}.")
        if member is None:
            db.session.add(Membership(user_id=user.id, shop_id=shop.id, role=role))
        else:
            member.role = role
    db.session.commit()
    return user


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


_DUMMY_HASHES: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The account with this e-mail address, if the password is theirs. An unknown address costs
    the same hash as a known one, so that the time of the answer does not tell which addresses
    have accounts."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        if PASSWORD_METHOD not in _DUMMY_HASHES:
            _DUMMY_HASHES[PASSWORD_METHOD] = generate_password_hash("not a password", PASSWORD_METHOD)
        check_password_hash(_DUMMY_HASHES[PASSWORD_METHOD], password)
        return None
    return user if check_password(user, password) else None


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def memberships(user_id: int) -> list[tuple[Shop, str]]:
    """The shops the user works on, by name, each with the user's role there."""
    return [(shop, role) for shop, role in db.session.execute(
        select(Shop, Membership.role).join(Membership, Membership.shop_id == Shop.id)
        .where(Membership.user_id == user_id).order_by(Shop.name, Shop.id))]


def user_emails(user_ids) -> dict[int, str]:
    """The e-mail addresses of these accounts, by id (an audit trail names people by them)."""
    ids = set(user_ids)
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: each session carries the version it started with."""
    user.session_version = User.session_version + 1
    db.session.commit()


def set_language(user: User, language: str | None) -> None:
    """The language the admin speaks to this user; None follows the browser's."""
    user.language = language or None
    db.session.commit()


def set_problem_alerts(user: User, wanted: bool) -> None:
    """Whether this user gets the batched e-mail about unhappy customers of their shops."""
    user.problem_alerts = bool(wanted)
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """Change a password and end every session the user had."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.",
                      field="password")
    user.password_hash = generate_password_hash(password, PASSWORD_METHOD)
    user.session_version = User.session_version + 1
    db.session.commit()
