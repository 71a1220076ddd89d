"""Reviews: submission by shoppers, helpful votes, abuse reports."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import events
from ..catalog import names
from ..catalog import service as catalog
from ..email_addresses import normalize_email
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..moderation import service as moderation
from ..reviews.models import Photo, Report, Review, Vote
from ..shops import incentives
from ..shops.models import Shop
from ..shops.service import settings_of
from ..web.callers import Visitor
from . import confirmation, languages
from . import requests as review_requests

MAX_PHOTOS = 5
_PHOTO_TAKEN = "A photo id is unknown or already used; upload the photo again."


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def _staff(email: str | None, settings: dict) -> bool:
    if not email:
        return False
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in settings["staff_email_domains"])


def submit_review(shop: Shop, product_external_id: str, data: dict[str, Any], visitor: Visitor,
                  *, source: str | None = None) -> Review:
    """Store a shopper's review and give it its first status through the transition."""
    settings = settings_of(shop)
    product = catalog.get_product(shop, product_external_id)
    grant = review_requests.grant_for_token(shop, data["token"]) if data.get("token") else None
    if grant is not None:
        review_requests.require_order_product(grant, product.id)
        email = grant.order.customer.email
        customer = grant.order.customer
        author = data.get("display_name") or names.public_name(names.of_customer(customer), customer.locale)
    else:
        email = data.get("email")
        if not email:
            raise Invalid("An e-mail address is needed to review without an order link.", field="email")
        email = normalize_email(email)
        author = data.get("display_name") or ""
    if not author.strip():
        raise Invalid("Please give a name to show with the review.", field="display_name")
    body = data.get("body", "").strip()
    if not body and not settings["allow_rating_only"]:
        raise Invalid("Please write a few words about the product.", field="body")
    photos = _claim_photos(shop, data.get("photo_ids") or [])

    review = Review(
        public_id=new_public_id(), shop_id=shop.id, product_id=product.id,
        order_id=grant.order.id if grant else None,
        customer_id=grant.order.customer_id if grant else None,
        rating=data["rating"], title=data.get("title", "").strip(), body=body,
        lang=languages.review_language(data.get("lang"), data.get("locale"), (data.get("title", ""), body)),
        author_name=author.strip()[:100], email=email,
        locale=data.get("locale") or (grant.order.customer.locale if grant else settings["default_locale"]),
        status="pending", source=source or (grant.source if grant else "widget"),
        verified_buyer=grant is not None, staff=_staff(email, settings),
        # The offer in force now, whatever the stars: the review is labelled by it for good (a
        # reward, or loyalty points for writing it).
        incentive=incentives.offer_for(settings, bool(photos)),
        incentivized=incentives.labelled(settings, bool(photos)),
        visitor_hash=visitor.visitor_hash, ip_hash=visitor.ip_hash, visitor_id_hash=visitor.visitor_id_hash,
        referral_code=data.get("referral_code"), photo_count=len(photos),
    )
    # No savepoint: a duplicate rolls everything back anyway, and on SQLite a savepoint that opens
    # the transaction commits it when released, before the rest of the submission ran.
    try:
        db.session.add(review)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        what = "this order" if grant else "this e-mail address"
        raise Conflict(f"This product already has a review from {what}.") from None
    for position, photo in enumerate(photos):
        # Compare-and-swap: a photo that a concurrent submission claimed first matches no row.
        claimed = db.session.execute(
            update(Photo).where(Photo.id == photo.id, Photo.review_id.is_(None))
            .values(review_id=review.id, position=position).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            db.session.rollback()
            raise Invalid(_PHOTO_TAKEN, field="photo_ids")
    moderation.announce_created(review, actor="visitor")
    moderation.moderate_new(review, settings)
    confirmation.queue_confirmation(shop, review, settings)  # received or published, with the edit link
    if grant is not None:
        reviewed = set(db.session.scalars(select(Review.product_id).where(
            Review.order_id == grant.order.id)))
        review_requests.mark_completed_if_done(grant.request, reviewed)
    events.review_submitted.send(shop, review=review, order=grant.order if grant else None,
                                 visitor=visitor, referral_code=data.get("referral_code"),
                                 private_message=data.get("private_message") or "")
    db.session.commit()
    return review


def _claim_photos(shop: Shop, public_ids: list[str]) -> list[Photo]:
    if len(public_ids) > MAX_PHOTOS:
        raise Invalid(f"At most {MAX_PHOTOS} photos per review.", field="photo_ids")
    if len(set(public_ids)) != len(public_ids):
        raise Invalid("The same photo is listed twice.", field="photo_ids")
    if not public_ids:
        return []
    photos = list(db.session.scalars(select(Photo).where(
        Photo.shop_id == shop.id, Photo.public_id.in_(public_ids), Photo.review_id.is_(None))))
    if len(photos) != len(public_ids):
        raise Invalid(_PHOTO_TAKEN, field="photo_ids")
    order = {pid: n for n, pid in enumerate(public_ids)}
    return sorted(photos, key=lambda p: order[p.public_id])


def visitor_ids_of(customer_id: int) -> set[str]:
    """The visitor ids (keyed hashes) of the browsers the customer wrote reviews from with their
    own token: the browsers known to be theirs."""
    return set(db.session.scalars(select(Review.visitor_id_hash).distinct().where(
        Review.customer_id == customer_id, Review.visitor_id_hash.is_not(None))))


def get_published(shop: Shop, public_id: str) -> Review:
    review = db.session.scalar(select(Review).where(
        Review.shop_id == shop.id, Review.public_id == public_id, Review.status == "published"))
    if review is None:
        raise NotFound("No published review with this id.")
    return review


def vote(shop: Shop, public_id: str, value: int, visitor: Visitor) -> Review:
    """Count a helpful (+1) or unhelpful (-1) vote once per visitor id and once per network (IP
    hash) within the shop's `vote_window_days`; whoever cast a vote may change it. Another
    browser of a network that voted, whatever its user agent or visitor id, is 409."""
    review = get_published(shop, public_id)
    since = utcnow() - timedelta(days=settings_of(shop)["vote_window_days"])
    own = _own_vote(review.id, visitor, since)
    if own is None:
        # A network's vote older than the window gives its address up: addresses change hands.
        db.session.execute(update(Vote).where(
            Vote.review_id == review.id, Vote.ip_hash == visitor.ip_hash, Vote.created_at < since,
        ).values(ip_hash=None).execution_options(synchronize_session=False))
        # The unique keys (review, network) and (review, visitor id) decide between concurrent
        # votes: the loser's insert waits for the winner, then does nothing.
        created = db.session.execute(insert_ignore(Vote, {
            "review_id": review.id, "visitor_hash": visitor.visitor_hash, "ip_hash": visitor.ip_hash,
            "visitor_id_hash": visitor.visitor_id_hash, "value": value, "created_at": utcnow()},
            None).returning(Vote.id)).first()
        if created is not None:
            _count_vote(review, value, +1)
            return _done(review)
        own = _own_vote(review.id, visitor, since)  # the same visitor's other request won
        if own is None:
            db.session.rollback()
            raise Conflict("A vote from this network already counts for this review.")
    # Change only if the stored vote differs; the guarded UPDATE makes a double click count once.
    changed = db.session.execute(update(Vote).where(Vote.id == own, Vote.value == -value)
                                 .values(value=value).execution_options(synchronize_session=False)).rowcount
    if changed:
        _count_vote(review, -value, -1)
        _count_vote(review, value, +1)
    return _done(review)


def _own_vote(review_id: int, visitor: Visitor, since: datetime) -> int | None:
    """The id of the vote this visitor cast on the review: the one with their visitor id, or,
    for a vote cast without one (another client, or before the widget sent ids), the one from
    their address and user agent within the window."""
    if visitor.visitor_id_hash:
        found = db.session.scalar(select(Vote.id).where(Vote.review_id == review_id,
                                                        Vote.visitor_id_hash == visitor.visitor_id_hash))
        if found is not None:
            return found
    return db.session.scalar(select(Vote.id).where(
        Vote.review_id == review_id, Vote.visitor_id_hash.is_(None),
        Vote.visitor_hash == visitor.visitor_hash, Vote.created_at >= since).order_by(Vote.id).limit(1))


def _done(review: Review) -> Review:
    db.session.commit()
    db.session.refresh(review)
    return review


def _count_vote(review: Review, value: int, sign: int) -> None:
    column = Review.helpful_up if value > 0 else Review.helpful_down
    db.session.execute(update(Review).where(Review.id == review.id)
                       .values({column: column + sign}).execution_options(synchronize_session=False))
    events.helpful_votes_changed.send(review.shop_id, product_id=review.product_id)


def report(shop: Shop, public_id: str, reason: str, note: str, visitor: Visitor) -> bool:
    """Record an abuse report once per browser and once per visitor id; answers whether it was new."""
    review = get_published(shop, public_id)
    created = db.session.execute(insert_ignore(
        Report, {"review_id": review.id, "visitor_hash": visitor.visitor_hash,
                 "visitor_id_hash": visitor.visitor_id_hash, "reason": reason, "note": note},
        None).returning(Report.id)).first()
    if created is not None:
        db.session.execute(update(Review).where(Review.id == review.id)
                           .values(report_count=Review.report_count + 1)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return created is not None
