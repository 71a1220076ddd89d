"""What a thank-you page may say a review earned: the points recorded for it when it was
submitted (from the settings then, never its stars), granted or waiting for its first decision;
nothing for a review whose points were withheld (spam or abuse), or while the programme is off."""

from __future__ import annotations

from sqlalchemy import func, select

from ..catalog.models import Order, Product
from ..extensions import db
from ..reviews.models import Review
from ..shops.models import Shop
from ..shops.service import settings_of
from .models import ReviewPoints


def points_for_order_reviews(shop: Shop, order: Order, product_ids: list[str] | set[str]) -> int:
    """The points offered for this order's reviews of these products (the shop's product ids)."""
    if not product_ids or not settings_of(shop)["loyalty"]["enabled"]:
        return 0
    total = db.session.scalar(
        select(func.coalesce(func.sum(ReviewPoints.points), 0))
        .join(Review, Review.id == ReviewPoints.review_id)
        .join(Product, Product.id == Review.product_id)
        .where(ReviewPoints.shop_id == shop.id, Review.order_id == order.id,
               ReviewPoints.status.in_(("offered", "granted")), Product.external_id.in_(list(product_ids))))
    return int(total or 0)
