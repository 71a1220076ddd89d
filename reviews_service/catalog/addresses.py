"""Names and shipping addresses compared as people write them, and the order's keyed address hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Any

from flask import current_app


def fold(text: str) -> str:
    """Case, accents, punctuation and spacing do not make two names or addresses different."""
    text = text.casefold()  # first: "ß" folds to "ss" here, and has no ASCII form of its own
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    return " ".join(re.sub(r"[^\w]+", " ", ascii_text).split())


def address_hash(address: dict[str, Any] | None) -> str | None:
    """A keyed hash of the normalised address: equal for equal addresses, useless without our key
    (an unkeyed hash of an address is easily reversed by hashing every address of a town)."""
    if not address:
        return None
    parts = [fold(str(address.get(key) or "")) for key in
             ("line1", "line2", "postal_code", "city", "region", "country")]
    if not parts[0]:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    material = "address|" + "|".join(p.replace(" ", "") if i == 2 else p for i, p in enumerate(parts))
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()[:32]
