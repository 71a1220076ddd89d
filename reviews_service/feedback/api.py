"""Private feedback through the API: a customer answers a review request with a message only for
the shop (public key in the path, with the request's token); the shop's backend reads them all."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..email_addresses import without_emails
from ..web.blueprints import public_blueprint, server_blueprint
from ..web.callers import current_shop, key_sees_emails
from ..web.limits import limiter
from ..web import downloads
from . import exporting, service
from .schemas import FeedbackExportQuery, FeedbackIn, FeedbackPage, FeedbackQuery, FeedbackReceived

public = public_blueprint("feedback_public", "Private feedback: a message only for the shop.")
# A moderation key reads the messages (someone follows them up) but never an e-mail address.
server = server_blueprint("feedback_server", "Private feedback for the shop's backend: never public.",
                          scope=("orders", "moderation"))


def _write_limit() -> str:
    return current_app.config["PUBLIC_WRITE_LIMIT"]


@public.route("/feedback")
class Feedback(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(FeedbackIn)
    @public.response(201, FeedbackReceived)
    def post(self, data):
        """Answer a review request with private feedback alone (no review, no stars)"""
        service.answer_request(current_shop(), data["token"], data["message"],
                               display_name=data["display_name"], locale=data["locale"])
        return {"status": "received"}


@server.route("/feedback")
class ServerFeedback(MethodView):
    @server.arguments(FeedbackQuery, location="query")
    @server.response(200, FeedbackPage)
    def get(self, args):
        """Private feedback, oldest change first, for sync and export"""
        query = service.server_query(current_shop(), updated_since=args["updated_since"])
        rows, next_cursor = service.page(query, limit=args["limit"], cursor=args["cursor"])
        views = [service.server_view(r) for r in rows]
        if not key_sees_emails():
            views = without_emails(views)
        return {"feedback": views, "next_cursor": next_cursor}


@server.route("/feedback/export")
class FeedbackExport(MethodView):
    @server.arguments(FeedbackExportQuery, location="query")
    @server.doc(responses={"200": {"description": "Every message only for the shop, streamed as CSV or as a "
                                                  "JSON array (a moderation key's without e-mail addresses)",
                                   "content": {"text/csv": {"schema": {"type": "string"}},
                                               "application/json": {"schema": {
                                                   "type": "array", "items": {"type": "object"}}}}}})
    def get(self, args):
        """Export all private feedback (never public), beside the reviews' export"""
        shop, fmt = current_shop(), args["format"]
        chunks = exporting.export_feedback(shop, fmt, emails=key_sees_emails())
        return downloads.download(chunks, fmt, exporting.export_filename(shop, fmt))
