"""Routes of the survey: the shop's NPS (server API), and the customer's answer from the hosted
page's script (public API; the page's own form posts to the page)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..web.blueprints import public_blueprint, server_blueprint
from ..web.callers import current_shop
from ..web.limits import limiter
from . import service
from .schemas import AnswerIn, AnswerOut, SummaryOut, SummaryQuery

server = server_blueprint("survey", "The satisfaction survey: the shop's NPS overall and by month.",
                          scope="orders")
public = public_blueprint("survey_public", "The satisfaction survey for shoppers: the answer to the "
                          "shop's question, from the hosted review page.")


@server.route("/survey/summary")
class Summary(MethodView):
    @server.arguments(SummaryQuery, location="query")
    @server.response(200, SummaryOut)
    def get(self, args):
        """NPS (% promoters 9-10 minus % detractors 0-6), overall and by month, with the counts"""
        return {**service.summary(current_shop(), args["from_"], args["to"])}


@public.route("/survey")
class Answer(MethodView):
    decorators = [limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"])]

    @public.arguments(AnswerIn)
    @public.response(200, AnswerOut)
    def post(self, data):
        """Record (or replace) the answer of the review request the token was made for"""
        return service.record(current_shop(), data["token"], data["score"], data["comment"])
