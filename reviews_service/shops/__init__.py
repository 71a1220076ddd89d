"""Shops, their API keys, admin accounts and memberships, and each shop's settings.

The lowest room: it imports only the plumbing. It tells the web plumbing how to find a shop by
key (`init_app`), so that every route above resolves the caller's shop the same way."""

from __future__ import annotations

from flask import Flask

from ..web import callers
from . import service


def init_app(app: Flask) -> None:
    callers.init_app(app, callers.ShopLookups(
        key_by_secret=service.key_for_secret, by_public_key=service.shop_for_public_key,
        id_by_public_key=service.shop_id_for_key, by_id=service.find_shop))
