"""The shop's public reply to a review: one per review, editable, shown under it in the public list.

Creating or editing a reply tells the reviewer by e-mail, through the outbox and in the reply's
own transaction, so the e-mail leaves only if the reply was saved.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..reviews import queries
from ..reviews.models import Reply
from ..shops.models import Shop
from . import notices
from . import service as moderation

MAX_REPLY = 5000


def set_reply(shop: Shop, review_id: str | int, body: str, *, user_id: int | None,
              actor: str | None = None) -> Reply:
    """Create the review's reply, or replace its text; the reviewer is e-mailed either way
    (not when the text is unchanged). Only a published review can be answered in public.
    `actor` names who answered in the audit log (`key:<prefix>`), else the user or "system"."""
    body = (body or "").strip()
    if not body:
        raise Invalid("Write the reply first.", field="body")
    if len(body) > MAX_REPLY:
        raise Invalid(f"A reply may have at most {MAX_REPLY} characters.", field="body")
    if "\x00" in body:
        raise Invalid("The reply may not contain NUL characters.", field="body")
    review = queries.get_review(shop, review_id)
    if review.status != "published":
        raise Conflict("Only a published review can get a public reply; approve it first.", field="body")
    reply = db.session.scalar(select(Reply).where(Reply.review_id == review.id))
    if reply is None:
        try:
            with db.session.begin_nested():
                reply = Reply(review_id=review.id, body=body, author_user_id=user_id)
                db.session.add(reply)
                db.session.flush()
            action = "created"
        except IntegrityError:
            # Two moderators answered at once: the other one's reply exists now; this one edits it.
            reply = db.session.scalar(select(Reply).where(Reply.review_id == review.id))
            action = "edited"
    else:
        action = "edited"
    if action == "edited":
        if reply.body == body:
            db.session.rollback()
            return reply
        reply.body, reply.author_user_id, reply.updated_at = body, user_id, utcnow()
        db.session.flush()
    db.session.expire(review, ["reply"])  # the notice reads the reply through the review
    moderation.record(review, "reply", actor=actor or _actor(user_id), note=f"{action}, {len(body)} characters")
    notices.queue_reply_notice(review)
    db.session.commit()
    return reply


def _actor(user_id: int | None) -> str:
    return f"user:{user_id}" if user_id is not None else "system"


def delete_reply(shop: Shop, review_id: str | int, *, user_id: int | None, actor: str | None = None) -> bool:
    """Remove the review's reply; answers whether there was one. The reviewer is not e-mailed."""
    review = queries.get_review(shop, review_id)
    deleted = db.session.execute(delete(Reply).where(Reply.review_id == review.id)).rowcount
    if deleted:
        moderation.record(review, "reply_deleted", actor=actor or _actor(user_id))
    db.session.commit()
    return bool(deleted)
