"""A person's reviews, found and emptied when the person is erased. The removal itself goes through
moderation's transition (aggregates and audit stay exact): moderation, which subscribes to
`events.customer_erased`, removes the reviews and then hands them here."""

from __future__ import annotations

from flask import has_app_context
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from . import media
from .models import Photo, Reply, Report, Review, ReviewRevision, Vote

_FILES = "reviews.erased_files"


def of_person(shop_id: int, email: str, customer_id: int | None) -> list[Review]:
    """The person's reviews in this shop, in any status: by their address, and by their customer
    id (a review written with their token keeps it)."""
    condition = Review.email == email
    if customer_id is not None:
        condition = condition | (Review.customer_id == customer_id)
    return list(db.session.scalars(select(Review).where(Review.shop_id == shop_id, condition)
                                   .order_by(Review.id)))


def empty(reviews: list[Review]) -> dict[str, int]:
    """Blank the personal data of removed reviews and delete their photos, votes, reports, replies
    and edits, inside the caller's transaction; the photo files go once it commits. Answers the
    erasure's counts."""
    for review in reviews:
        review.title, review.body, review.author_name = "", "", ""
        review.email, review.visitor_hash, review.ip_hash = None, None, None
        review.visitor_id_hash = None
        review.referral_code, review.photo_count = None, 0
    review_ids = [r.id for r in reviews]
    photos = list(db.session.scalars(select(Photo).where(Photo.review_id.in_(review_ids)))) \
        if review_ids else []
    if review_ids:
        db.session.execute(delete(Photo).where(Photo.review_id.in_(review_ids)))
        db.session.execute(delete(Vote).where(Vote.review_id.in_(review_ids)))
        db.session.execute(delete(Report).where(Report.review_id.in_(review_ids)))
        # A merchant's reply is addressed to the person ("Thank you, Ana!") and is never shown
        # again under a removed review.
        db.session.execute(delete(Reply).where(Reply.review_id.in_(review_ids)))
        # Their edits hold their words too, decided or not.
        db.session.execute(delete(ReviewRevision).where(ReviewRevision.review_id.in_(review_ids)))
    files = db.session().info.setdefault(_FILES, [])
    files += [name for photo in photos for name in (photo.display_name, photo.thumb_name)]
    return {"reviews_removed": len(reviews), "photos_deleted": len(photos)}


def rename_referral_code(shop_id: int, old: str, new: str) -> int:
    """An erased referrer's code, handed over with a friend's review, keeps no name part there
    either (the friend's review stays as it is)."""
    return db.session.execute(update(Review).where(Review.shop_id == shop_id, Review.referral_code == old)
                              .values(referral_code=new).execution_options(synchronize_session=False)).rowcount


# Files go once the rows are gone: a failure here leaves unreferenced files, never a dead link;
# and a rolled-back erasure keeps them.
@event.listens_for(Session, "after_commit")
def _delete_files_on_commit(session: Session) -> None:
    names = session.info.pop(_FILES, None)
    if names and has_app_context():
        store = media.storage()
        for name in names:
            store.delete(name)


@event.listens_for(Session, "after_soft_rollback")
def _keep_files_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # only the outermost rollback
        session.info.pop(_FILES, None)
