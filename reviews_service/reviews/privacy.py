"""A reviewer's data out (export) and a reviewer erased everywhere (erasure)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from ..catalog import service as catalog
from ..catalog.models import Customer, Order
from ..email_addresses import normalize_email
from ..errors import NotFound
from ..extensions import db
from ..models_base import utcnow
from ..moderation import service as moderation
from ..shops.models import Shop
from ..web.idempotency import IdempotencyKey
from . import media, views
from .models import Photo, Reply, Report, Review, ReviewRequest, Vote


def _reviews_of(shop: Shop, email: str, customer: Customer | None) -> list[Review]:
    condition = Review.email == email
    if customer is not None:
        condition = condition | (Review.customer_id == customer.id)
    return list(db.session.scalars(select(Review).where(Review.shop_id == shop.id, condition)
                                   .order_by(Review.id)))


def export(shop: Shop, email: str) -> dict[str, Any]:
    """Everything this shop holds about the person with this e-mail address."""
    email = normalize_email(email)
    customer = catalog.find_customer(shop, email)
    reviews = _reviews_of(shop, email, customer)
    if customer is None and not reviews:
        raise NotFound("This shop holds no data for this e-mail address.", field="email")
    orders = []
    if customer is not None:
        for order in db.session.scalars(select(Order).where(Order.customer_id == customer.id)
                                        .order_by(Order.id)):
            orders.append(catalog.order_view(order))
    return {
        "email": email,
        "customer": {"name": customer.name, "locale": customer.locale,
                     "created_at": customer.created_at.isoformat(),
                     "unsubscribed_at": customer.unsubscribed_at.isoformat()
                     if customer.unsubscribed_at else None} if customer else None,
        "orders": orders,
        "reviews": [views.server_view(r) for r in reviews],
    }


def erase(shop: Shop, email: str) -> dict[str, Any]:
    """Remove the person's reviews through the transition (aggregates stay exact), delete their
    photos from storage, blank their personal data, and end their links and tokens."""
    email = normalize_email(email)
    customer = catalog.find_customer(shop, email)
    reviews = _reviews_of(shop, email, customer)
    if customer is None and not reviews:
        raise NotFound("This shop holds no data for this e-mail address.", field="email")
    photos = list(db.session.scalars(select(Photo).where(Photo.review_id.in_([r.id for r in reviews]))))
    for review in reviews:
        if review.status != "removed":
            moderation.transition(review, "removed", actor="api", note="erasure")
        review.title, review.body, review.author_name = "", "", ""
        review.email, review.visitor_hash, review.ip_hash = None, None, None
        review.visitor_id_hash = None
        review.referral_code, review.photo_count = None, 0
    review_ids = [r.id for r in reviews]
    if review_ids:
        db.session.execute(delete(Photo).where(Photo.review_id.in_(review_ids)))
        db.session.execute(delete(Vote).where(Vote.review_id.in_(review_ids)))
        db.session.execute(delete(Report).where(Report.review_id.in_(review_ids)))
        # A merchant's reply is addressed to the person ("Thank you, Ana!") and is never shown
        # again under a removed review.
        db.session.execute(delete(Reply).where(Reply.review_id.in_(review_ids)))
    orders = 0
    if customer is not None:
        placeholder = f"erased-{customer.id}@erased.invalid"
        customer.email, customer.name, customer.erased_at = placeholder, "", utcnow()
        customer.unsubscribed_at = customer.unsubscribed_at or utcnow()
        db.session.execute(update(ReviewRequest).where(
            ReviewRequest.customer_id == customer.id,
            ReviewRequest.status.in_(("scheduled", "sent"))).values(status="cancelled",
                                                                      cancelled_at=utcnow()))
        orders = db.session.execute(update(Order).where(Order.customer_id == customer.id)
                                    .values(referral_code=None)).rowcount
    from ..outbox import service as outbox  # delivery builds on reviews, not the reverse

    outbox.forget(shop.id, email, customer.id if customer is not None else None)
    if customer is not None:
        from ..referrals import service as referrals

        referrals.forget_customer(shop, customer.id)  # the code holds their first name
    # The server API keeps its answers for Idempotency-Key replays, and an order's answer holds
    # the customer's e-mail address and name: forget every answer that names this person.
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.shop_id == shop.id, IdempotencyKey.response_body.contains(email, autoescape=True)))
    db.session.commit()
    # Files go once the rows are gone: a failure here leaves unreferenced files, never a dead link.
    for photo in photos:
        media.delete_files(photo)
    return {"erased": True, "reviews_removed": len(reviews),
            "photos_deleted": len(photos), "orders_anonymised": orders}
