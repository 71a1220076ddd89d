"""The published-files contract as a reader sees it: a product id's file name, and a folder filled
the way an operator fills it (`reviews-service publish`)."""

from __future__ import annotations

import base64
import re

SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")


def published_name(product_id: str) -> str | None:
    """The folder name of a product under `<public key>/products/`: the id itself when it is a safe
    name, else "~" and the base64url (unpadded) of its UTF-8; None when that is too long to publish."""
    if SAFE_NAME.fullmatch(product_id) and ".." not in product_id:
        return product_id
    name = "~" + base64.urlsafe_b64encode(product_id.encode()).decode().rstrip("=")
    return name if len(name) <= 200 else None
