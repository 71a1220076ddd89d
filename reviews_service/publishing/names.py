"""Where a product's files live: its id as it is when that is a safe file name, else "~" and the
id in base64url, else nowhere (readers fall back to the API). The published-files contract (the
README's "Published files") states the same rule for the storefronts and the widget."""

from __future__ import annotations

import base64
import re

_PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
MAX_NAME = 200


def product_name(product_id: str) -> str | None:
    """The folder name of a product id under `<public key>/products/`, or None when it has none."""
    if _PLAIN.fullmatch(product_id) and ".." not in product_id:
        return product_id
    encoded = "~" + base64.urlsafe_b64encode(product_id.encode()).decode().rstrip("=")
    return encoded if len(encoded) <= MAX_NAME else None


def safe_key(public_key: str) -> bool:
    """Whether a shop's public key can name its folder (every key the service makes can)."""
    return bool(_PLAIN.fullmatch(public_key)) and ".." not in public_key


def product_folder(public_key: str, product_id: str) -> str | None:
    """`<public key>/products/<name>`, or None when the product cannot be published."""
    name = product_name(product_id)
    return f"{public_key}/products/{name}" if name is not None and safe_key(public_key) else None


def shop_rating_path(public_key: str) -> str:
    return f"{public_key}/rating.json"
