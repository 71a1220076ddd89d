"""Private replies and the inbox through the server API: the shop's backend or a help desk
answers a customer privately (by e-mail, through the outbox) and works the inbox of threads.
A moderation key may reply, and never reads an e-mail address."""

from __future__ import annotations

from flask.views import MethodView

from ..email_addresses import without_emails
from ..errors import NotFound
from ..reviews import queries
from ..web.blueprints import server_blueprint
from ..web.callers import current_shop, key_actor, key_sees_emails
from ..web.idempotency import idempotent
from . import replies, threads
from .thread_schemas import InboxPage, InboxQuery, PrivateReplyIn, ThreadOut, ThreadStatusIn

blp = server_blueprint("feedback_threads", "Private replies and the inbox of threads to follow up: the "
                       "customer's private feedback or low rating, and the shop's answers by e-mail.",
                       scope=("orders", "moderation"))


def _shown(view):
    return view if key_sees_emails() else without_emails(view)


@blp.route("/feedback/<feedback_id>/replies")
class FeedbackReplies(MethodView):
    @blp.response(200, ThreadOut)
    def get(self, feedback_id):
        """The thread of a message of private feedback: what the customer wrote and the shop's replies"""
        return _shown(threads.view(threads.of_feedback(current_shop(), feedback_id)))

    @idempotent
    @blp.arguments(PrivateReplyIn)
    @blp.response(201, ThreadOut)
    def post(self, data, feedback_id):
        """Answer private feedback by e-mail (from the shop's name, Reply-To the shop's support_email)"""
        shop = current_shop()
        thread = threads.of_feedback(shop, feedback_id)
        replies.reply(shop, thread, data["body"], actor=key_actor())
        return _shown(threads.view(thread))


@blp.route("/reviews/<review_id>/private-replies")
class ReviewPrivateReplies(MethodView):
    @blp.response(200, ThreadOut)
    def get(self, review_id):
        """The review's private thread: the review, the customer's private feedback, the shop's replies"""
        thread = threads.of_review(queries.get_review(current_shop(), review_id))
        if thread is None:
            raise NotFound("This review has no private thread: nobody has written privately about it yet.")
        return _shown(threads.view(thread))

    @idempotent
    @blp.arguments(PrivateReplyIn)
    @blp.response(201, ThreadOut)
    def post(self, data, review_id):
        """Answer a reviewer privately by e-mail; never public, never about changing the review"""
        thread = replies.reply_to_review(current_shop(), review_id, data["body"], actor=key_actor())
        return _shown(threads.view(thread))


@blp.route("/inbox")
class Inbox(MethodView):
    @blp.arguments(InboxQuery, location="query")
    @blp.response(200, InboxPage)
    def get(self, args):
        """Threads to follow up, in one status, latest activity first"""
        rows, next_cursor = threads.inbox(current_shop(), status=args["status"], cursor=args["cursor"],
                                          limit=args["limit"])
        return {"threads": [_shown(threads.view(t, with_messages=False)) for t in rows], "next_cursor": next_cursor}


@blp.route("/inbox/<thread_id>")
class InboxThread(MethodView):
    @blp.response(200, ThreadOut)
    def get(self, thread_id):
        """One thread with its messages"""
        return _shown(threads.view(threads.get(current_shop(), thread_id)))

    @blp.arguments(ThreadStatusIn)
    @blp.response(200, ThreadOut)
    def patch(self, data, thread_id):
        """Close a thread, or open it again"""
        return _shown(threads.view(threads.set_status(current_shop(), thread_id, data["status"])))
