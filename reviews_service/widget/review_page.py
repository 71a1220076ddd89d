"""What one request to the hosted review page is about; the page's routes, its form checks and
its rendering all take it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import i18n


@dataclass
class Page:
    """What one request to the page is about: the token's shop, order and products, and the language."""

    shop: Any  # the token's shop (shops.get_shop)
    token: str
    info: dict[str, Any]  # collecting.requests.describe
    lang: str
    chosen_lang: str | None  # from ?lang=, kept across the form's round trips

    def t(self, key: str, **params: Any) -> str:
        return i18n.translate(self.lang, key, **params)
