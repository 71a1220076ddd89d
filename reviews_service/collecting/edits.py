"""A reviewer's own review, through the signed link of their confirmation e-mail (or the hosted
page's thank-you): read it, edit it, or withdraw it.

The link's token is of the review-request family (tokens.py, purpose `review-edit`): signed for
one shop, naming one review by its public id, valid REVIEW_EDIT_DAYS from the review's creation.
An edit is stored as a revision and decided by the rules a new review meets
(moderation/revisions.py); a withdrawal removes the review at once through the transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import events, tokens
from ..catalog.models import Product
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..moderation import revisions
from ..reviews.models import Review, ReviewRevision
from ..shops.models import Shop
from ..shops.service import settings_of
from .requests import TokenRefused, grant_for_token

_EXPIRED = "This link to change your review has expired."
_INVALID = "This link to change a review is not valid for this shop."
_CLOSED = {
    "removed": "This review was withdrawn or removed; it can no longer be changed.",
    "rejected": "The shop did not publish this review; it can no longer be changed.",
}


def token_for(review: Review) -> str:
    """The same token for the same review every time (the expiry is a claim, not a signing time)."""
    lifetime = timedelta(days=current_app.config["REVIEW_EDIT_DAYS"])
    return tokens.sign(tokens.REVIEW_EDIT_TOKEN, review.shop_id, review=review.public_id,
                       expires_at=review.created_at + lifetime)


def link_for(review: Review) -> str:
    """The hosted page where the reviewer edits or withdraws the review."""
    return f"{current_app.config['PUBLIC_URL']}/review/edit/{token_for(review)}"


def links_for_order(shop: Shop, request_token: str) -> dict[str, str]:
    """For the hosted review page: the path of the edit page of each review (still open to
    changes) of the order a review-request or widget token is for, by the shop's product id."""
    order = grant_for_token(shop, request_token).order
    rows = db.session.execute(select(Product.external_id, Review).join(Product, Product.id == Review.product_id)
                              .where(Review.order_id == order.id, Review.status.in_(("published", "pending"))))
    return {product_id: f"/review/edit/{token_for(review)}" for product_id, review in rows}


def shop_id_of_token(token: str) -> int:
    """The shop an edit token was signed for (signature and age checked); TokenRefused otherwise."""
    try:
        return tokens.peek_shop(tokens.REVIEW_EDIT_TOKEN, token)
    except tokens.TokenError as exc:
        raise _refused(exc) from None


def _refused(exc: tokens.TokenError) -> TokenRefused:
    if exc.reason != "expired":
        return TokenRefused(_INVALID, reason="invalid")
    review = db.session.scalar(select(Review).where(
        Review.shop_id == exc.claims["shop"], Review.public_id == str(exc.claims.get("review"))))
    # The page that says so speaks the reviewer's language, unless they were erased meanwhile.
    locale = review.locale if review is not None and review.email else None
    return TokenRefused(_EXPIRED, reason="expired", locale=locale)


def review_for_token(shop: Shop, token: str) -> Review:
    """The review an edit token of `shop` names, in any status; TokenRefused (403) when the token
    is wrong, of another shop, expired, or its review is gone."""
    try:
        claims = tokens.unsign(tokens.REVIEW_EDIT_TOKEN, token, shop_id=shop.id)
    except tokens.TokenError as exc:
        raise _refused(exc) from None
    review = db.session.scalar(select(Review).where(Review.shop_id == shop.id,
                                                    Review.public_id == str(claims.get("review"))))
    if review is None:
        raise TokenRefused(_INVALID, reason="invalid")
    return review


def closed_reason(review: Review) -> str | None:
    """Why the review can no longer be changed (None while it can): withdrawn, removed or rejected."""
    return _CLOSED.get(review.status)


def describe(shop: Shop, review: Review) -> dict[str, Any]:
    """The review as its reviewer sees it on the edit page and in `GET .../my-review`: what is
    published, and the edit that waits for the shop's check, if one does."""
    product = db.session.get(Product, review.product_id)
    waiting = revisions.waiting_for(review) if review.status == "published" else None
    return {
        "id": review.public_id, "product_id": product.external_id, "product_name": product.name or "",
        "status": review.status, "rating": review.rating, "title": review.title, "body": review.body,
        "locale": review.locale, "published_at": review.published_at, "edited_at": review.edited_at,
        "can_change": closed_reason(review) is None,
        "pending_edit": {"rating": waiting.rating, "title": waiting.title, "body": waiting.body,
                         "created_at": waiting.created_at} if waiting else None,
        "body_required": not settings_of(shop)["allow_rating_only"],
    }


@dataclass
class Edited:
    review: Review
    revision: ReviewRevision
    # "published" (shown now), "pending" (waits; what was published stays), "rejected" (by a rule),
    # "updated" (a review the public never saw, changed in place and decided again)
    outcome: str


def edit(shop: Shop, token: str, data: dict[str, Any]) -> Edited:
    """Store the reviewer's new stars and words as a revision, let the rules decide it, and commit.

    A review the public saw keeps its published version until the revision is applied; one still
    waiting for its first decision is changed in place. A later edit replaces one that waits.
    Withdrawn, removed and rejected reviews are a Conflict (409)."""
    review = review_for_token(shop, token)
    if closed_reason(review):
        raise Conflict(closed_reason(review), field="token")
    title, body = (data.get("title") or "").strip(), (data.get("body") or "").strip()
    settings = settings_of(shop)
    if not body and not settings["allow_rating_only"]:
        raise Invalid("Please write a few words about the product.", field="body")
    old_rating = review.rating
    revisions.supersede(review, actor="reviewer")
    revision = ReviewRevision(shop_id=shop.id, review_id=review.id, previous_rating=old_rating,
                              rating=data["rating"], title=title, body=body, status="pending",
                              created_at=utcnow())
    try:
        db.session.add(revision)
        db.session.flush()
    except IntegrityError:  # another edit of the same review, at the same moment, was first
        db.session.rollback()
        raise Conflict("Another change to this review arrived at the same time; reload and try again.") from None
    try:
        revisions.moderate_revision(review, revision, settings)
    except Conflict:
        db.session.rollback()
        raise
    events.review_revised.send(shop.id, review=review, revision=revision, old_rating=old_rating,
                               new_rating=revision.rating)
    db.session.commit()
    outcome = {"applied": "published" if review.status == "published" else "updated",
               "rejected": "rejected"}.get(revision.status, "pending")
    return Edited(review, revision, outcome)


def withdraw(shop: Shop, token: str) -> Review:
    """Remove the review at once, from every public surface and the aggregates, and commit.
    Withdrawing one already withdrawn or removed changes nothing."""
    review = review_for_token(shop, token)
    if review.status == "removed":
        return review
    try:
        revisions.withdraw(review)
    except Conflict:
        db.session.rollback()
        raise
    db.session.commit()
    return review
