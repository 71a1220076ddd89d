"""Reading the rating aggregates, fast: the storefront's rating JSON, badge and JSON-LD run on
every product page view, so their statements are built once and return plain `Rating` values.
The answers are cached and made conditional by the web plumbing (`web/caching.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import bindparam, select

from ..catalog.models import Product
from ..extensions import run_read
from .models import ProductRating, ShopRating

_FIELDS = ("count", "total", "n1", "n2", "n3", "n4", "n5", "verified_count", "version")


@dataclass(frozen=True)
class Rating:
    count: int = 0
    total: int = 0
    n1: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    verified_count: int = 0
    version: int = 0

    @property
    def average(self) -> float:
        """The mean to two decimals, rounded half up (4.125 -> 4.13), 0 without reviews."""
        if not self.count:
            return 0.0
        mean = (Decimal(self.total) / Decimal(self.count)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return float(mean)

    def view(self, **extra: Any) -> dict[str, Any]:
        return {**extra, "average": self.average, "count": self.count,
                "histogram": {str(n): getattr(self, f"n{n}") for n in range(1, 6)},
                "verified_count": self.verified_count}


ZERO = Rating()


def _rating(values) -> Rating:
    """A rating from the aggregate's columns in `_FIELDS` order (all None: no reviews yet). By
    position: reading a SQLAlchemy Row's attribute raises and formats an AttributeError inside."""
    if values is None or values[0] is None:
        return ZERO
    return Rating(*values)


# --- lookups -------------------------------------------------------------------------------------
# Statements are built once: on this path, building a SELECT costs more than running it.

_PRODUCT_RATINGS = (
    select(Product.external_id, *[getattr(ProductRating, f) for f in _FIELDS])
    .select_from(Product).outerjoin(ProductRating, ProductRating.product_id == Product.id)
    .where(Product.shop_id == bindparam("shop"), Product.external_id.in_(bindparam("ids", expanding=True)))
)
# One product, the storefront's every page view: `=` rather than an expanding IN, which SQLAlchemy
# renders into new SQL on every execution.
_PRODUCT_RATING = (
    select(*[getattr(ProductRating, f) for f in _FIELDS])
    .select_from(Product).outerjoin(ProductRating, ProductRating.product_id == Product.id)
    .where(Product.shop_id == bindparam("shop"), Product.external_id == bindparam("id"))
)
_SHOP_RATING = select(*[getattr(ShopRating, f) for f in _FIELDS]).where(ShopRating.shop_id == bindparam("shop"))


def _read(statement, params: dict[str, Any]) -> list:
    return run_read(lambda connection: connection.execute(statement, params).all())


def product_ratings(shop_id: int, external_ids: list[str]) -> dict[str, Rating]:
    """The ratings of these products (unknown ids and products without reviews: zero counts)."""
    rows = _read(_PRODUCT_RATINGS, {"shop": shop_id, "ids": external_ids})
    found = {row[0]: _rating(row[1:]) for row in rows}
    return {eid: found.get(eid, ZERO) for eid in external_ids}


def product_rating(shop_id: int, external_id: str) -> Rating:
    """The rating of one product (an unknown id or a product without reviews: zero counts)."""
    rows = _read(_PRODUCT_RATING, {"shop": shop_id, "id": external_id})
    return _rating(rows[0] if rows else None)


def shop_rating(shop_id: int) -> Rating:
    rows = _read(_SHOP_RATING, {"shop": shop_id})
    return _rating(rows[0] if rows else None)


