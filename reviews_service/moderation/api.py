"""The moderation API: the queue worked from outside the admin pages (a help desk, a chat bot, an
agency's dashboard), with a key of the `moderation` scope. The same actions as the admin's, through
the same functions: decisions through the one transition, replies that e-mail the reviewer, and
the audit trail, each action audited with the key (`key:<prefix>`) as its actor.

No answer here holds an e-mail address, whatever the key: a moderation tool never needs one."""

from __future__ import annotations

from flask.views import MethodView

from ..email_addresses import without_emails
from ..errors import NotFound
from ..reviews import queries, views
from ..web.blueprints import server_blueprint
from ..web.callers import current_shop, key_actor
from ..web.idempotency import idempotent
from . import queue, replies, revisions
from .schemas import (
    DecisionIn,
    HistoryOut,
    ModerationReviewOut,
    QueuePage,
    QueueQuery,
    ReplyIn,
    RevisionOut,
    RevisionPage,
    RevisionQuery,
)

blp = server_blueprint("moderation", "The moderation queue, decisions, public replies and each review's "
                       "history, for tools outside the admin.", scope="moderation")


def _view(review) -> dict:
    return without_emails(views.server_view(review))


def _revision_view(waiting: revisions.Waiting) -> dict:
    r = waiting.revision
    return without_emails({
        "status": r.status, "previous_rating": r.previous_rating, "rating": r.rating, "title": r.title,
        "body": r.body, "moderation_rule": r.moderation_rule, "reject_reason": r.reject_reason,
        "created_at": r.created_at, "decided_at": r.decided_at, "review": views.server_view(waiting.review)})


@blp.route("/moderation/queue")
class Queue(MethodView):
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, QueuePage)
    def get(self, args):
        """The reviews waiting for a decision (or in another status), by rule, a page at a time"""
        rows, next_cursor = queue.queue(current_shop(), status=args["status"], rule=args["rule"],
                                        cursor=args["cursor"], limit=args["limit"])
        return {"reviews": [_view(r) for r in rows], "next_cursor": next_cursor}


@blp.route("/reviews/<review_id>/decision")
class Decision(MethodView):
    @idempotent
    @blp.arguments(DecisionIn)
    @blp.response(200, ModerationReviewOut)
    def post(self, data, review_id):
        """Approve (publish) or reject a review, with a reason from the closed list"""
        review = queue.decide(current_shop(), review_id, data["decision"], reason=data["reason"],
                              note=data["note"], actor=key_actor())
        return _view(review)


@blp.route("/moderation/revisions")
class Revisions(MethodView):
    @blp.arguments(RevisionQuery, location="query")
    @blp.response(200, RevisionPage)
    def get(self, args):
        """Reviewers' edits of their published reviews that wait for a decision, oldest first, each
        beside the version that stays published until it is decided"""
        rows, next_cursor = revisions.pending(current_shop(), cursor=args["cursor"], limit=args["limit"])
        return {"revisions": [_revision_view(w) for w in rows], "next_cursor": next_cursor}


@blp.route("/reviews/<review_id>/revision/decision")
class RevisionDecision(MethodView):
    @idempotent
    @blp.arguments(DecisionIn)
    @blp.response(200, RevisionOut)
    def post(self, data, review_id):
        """Approve (apply) or reject the edit that waits for a review, with a reason from the closed list

        Approving replaces the published stars and words with the edit's (the rating aggregates
        move once, the review shows "edited"); rejecting leaves the review as it was.
        """
        waiting = revisions.decide(current_shop(), review_id, data["decision"], reason=data["reason"],
                                   note=data["note"], actor=key_actor())
        return _revision_view(waiting)


@blp.route("/reviews/<review_id>/reply")
class Reply(MethodView):
    @idempotent
    @blp.arguments(ReplyIn)
    @blp.response(200, ModerationReviewOut)
    def post(self, data, review_id):
        """Reply in public under a published review (or change the reply); the reviewer is e-mailed"""
        shop = current_shop()
        replies.set_reply(shop, review_id, data["body"], user_id=None, actor=key_actor())
        return _view(queries.get_review(shop, review_id))

    @blp.response(204)
    def delete(self, review_id):
        """Take the public reply down (the reviewer is not e-mailed)"""
        if not replies.delete_reply(current_shop(), review_id, user_id=None, actor=key_actor()):
            raise NotFound("This review has no reply.")


@blp.route("/reviews/<review_id>/history")
class History(MethodView):
    @blp.response(200, HistoryOut)
    def get(self, review_id):
        """Everything that happened to a review, oldest first: who, what, when, why"""
        events = queue.audit_log(current_shop(), review_id)
        return without_emails({"events": [
            {"at": e.created_at, "actor": e.actor, "action": e.action, "from_status": e.from_status,
             "to_status": e.to_status, "reason": e.reason, "note": e.note} for e in events]})
