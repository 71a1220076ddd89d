"""Webhook secrets at rest: Fernet (AES-CBC with an HMAC, from `cryptography`) under a key derived
with HKDF-SHA256 from REVIEWS_SECRET_KEY, so the database alone never gives the secrets away.

When the operator rotates REVIEWS_SECRET_KEY, the old value goes into
REVIEWS_SECRET_KEY_PREVIOUS (comma-separated, newest first): MultiFernet decrypts with any of the
keys and `reencrypt` writes a secret again under the current one, on the next delivery that reads
it, or for all connections at once with `reviews-service reencrypt-secrets`.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# A key of its own for this one purpose: a leak of the sessions' or tokens' keys reads no secret.
_INFO = b"reviews-service connectors webhook secret v1"


class UnreadableSecret(Exception):
    """The secret was encrypted under a key that is neither the current nor a previous one."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> list[str]:
    previous = current_app.config.get("SECRET_KEY_PREVIOUS") or ""
    if isinstance(previous, str):
        previous = [k.strip() for k in previous.split(",")]
    return [current_app.config["SECRET_KEY"], *(k for k in previous if k)]


def _multi() -> MultiFernet:
    return MultiFernet([_fernet(key) for key in _keys()])


def encrypt(secret: str) -> str:
    return _multi().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _multi().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("The webhook secret was stored under another REVIEWS_SECRET_KEY; "
                               "set the old one in REVIEWS_SECRET_KEY_PREVIOUS, or save the secret again.")


def current(token: str) -> bool:
    """Whether the secret is encrypted under the current key (no re-encryption needed)."""
    try:
        _fernet(_keys()[0]).decrypt(token.encode())
        return True
    except InvalidToken:
        return False


def reencrypt(token: str) -> str:
    """The same secret under the current key (MultiFernet.rotate)."""
    try:
        return _multi().rotate(token.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("The webhook secret cannot be read with any configured key.")
