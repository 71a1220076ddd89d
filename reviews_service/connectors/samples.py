"""The test delivery of the Connections page: a sample product update in the platform's own shape,
signed with the connection's stored secret, its store's domain in the headers, and run through the
receiver in-process (the SSRF guard would refuse a request to ourselves over the network).

The sample is a product (one fixed id per platform), so that a test goes through the whole path,
signature, domain, de-duplication, mapping and the catalog, yet e-mails no one and creates no
order: it stores or updates that one product, and its delivery is listed like any other.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..errors import DomainError
from ..extensions import db
from ..shops.models import Shop
from . import receiver, secrets, shopify, woocommerce
from .service import get_connection

SAMPLE_PRODUCT_ID = "reviews-connection-test"
SAMPLE_NAME = "Connection test (sample product)"


def _shopify_product() -> dict[str, Any]:
    """A products/update body (Admin REST 2025-01 Product resource), as short as the mapping allows."""
    return {
        "id": SAMPLE_PRODUCT_ID, "title": SAMPLE_NAME, "handle": SAMPLE_PRODUCT_ID,
        "vendor": "", "status": "draft", "product_type": "",
        "variants": [{"id": 1, "product_id": SAMPLE_PRODUCT_ID, "title": "Default Title",
                      "sku": "", "barcode": None, "price": "0.00"}],
        "images": [], "image": None,
    }


def _woocommerce_product(domain: str) -> dict[str, Any]:
    """A product.updated body (REST wc/v3 Product)."""
    return {
        "id": SAMPLE_PRODUCT_ID, "name": SAMPLE_NAME, "slug": SAMPLE_PRODUCT_ID, "status": "draft",
        "permalink": f"https://{domain}/product/{SAMPLE_PRODUCT_ID}/", "sku": "", "images": [],
    }


def send_test(shop: Shop, platform: str) -> dict[str, Any]:
    """Sign the sample with the stored secret and hand it to the receiver; answers what the
    receiver answered (`status`, `detail`), or `status` "failed" with the reason it refused."""
    connection = get_connection(shop, platform)
    try:
        secret = secrets.decrypt(connection.secret_encrypted)
    except secrets.UnreadableSecret as exc:
        return {"status": "failed", "detail": str(exc)}
    unique = uuid.uuid4().hex
    if platform == "shopify":
        body = json.dumps(_shopify_product()).encode()
        found, headers = shopify.PLATFORM, {
            "X-Shopify-Topic": "products/update", "X-Shopify-Shop-Domain": connection.domain,
            "X-Shopify-Event-Id": f"connection-test-{unique}", "X-Shopify-Webhook-Id": f"connection-test-{unique}",
        }
    else:
        body = json.dumps(_woocommerce_product(connection.domain)).encode()
        found, headers = woocommerce.PLATFORM, {
            "X-WC-Webhook-Topic": "product.updated", "X-WC-Webhook-Source": f"https://{connection.domain}/",
            "X-WC-Webhook-Delivery-ID": f"connection-test-{unique}",
        }
    headers[found.signature_header] = receiver.signature(secret, body)
    try:
        answer = receiver.receive(found, shop.slug, headers, body)
    except DomainError as exc:
        db.session.rollback()
        return {"status": "failed", "detail": exc.detail}
    return {"status": answer.get("status", "applied"), "detail": answer.get("detail", ""),
            "topic": answer.get("topic", "")}
