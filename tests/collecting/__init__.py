"""Helpers of the collecting tests: the four review platforms' sample exports (data/) and the
products they review."""

from __future__ import annotations

from pathlib import Path

from tests.factories import make_product

DATA = Path(__file__).with_name("data")
FORMATS = ["judgeme", "yotpo", "okendo", "shopify"]


def sample(fmt: str) -> str:
    """A platform's sample export, as text."""
    return (DATA / f"{fmt}.csv").read_text(encoding="utf-8")


def make_sample_products(app, shop) -> None:
    """The three products the sample files review, found by id, handle (in the URL) or SKU."""
    make_product(app, shop, "7012345678", "Trail shoes", url="https://shop.example/products/trail-shoes",
                 sku="TS-42")
    make_product(app, shop, "7012345679", "Merino socks",
                 url="https://shop.example/products/merino-socks?variant=1", sku="MS-01")
    make_product(app, shop, "7012345680", "Rain shell",
                 url="https://shop.example/collections/all/products/rain-shell/", sku="RS-9")
