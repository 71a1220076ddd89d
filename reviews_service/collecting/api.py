"""Routes for collecting reviews from shoppers (public key in the path): submit a review, upload a
photo, vote, report, and what a review-request or widget token lets its customer review."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from marshmallow import fields

from ..errors import Invalid, TooLarge
from ..reviews import media, views
from ..reviews.schemas import (
    PhotoOut,
    ReportIn,
    ReportOut,
    ReviewIn,
    ReviewRequestInfoOut,
    SubmittedOut,
    VoteIn,
    VoteOut,
)
from ..schemas import StrictSchema
from ..web.blueprints import public_blueprint
from ..web.callers import current_shop, current_visitor
from ..web.limits import limiter
from . import requests as review_requests
from . import service

public = public_blueprint("collecting_public", "Reviews from shoppers: write, upload a photo, vote, report.",
                          multipart_endpoints=frozenset({"collecting_public.Photos"}))


def _write_limit() -> str:
    return current_app.config["PUBLIC_WRITE_LIMIT"]


@public.route("/products/<path:product_id>/reviews")
class ProductReviews(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(ReviewIn)
    @public.response(201, SubmittedOut)
    def post(self, data, product_id):
        """Submit a review (with a token: a verified buyer's)"""
        review = service.submit_review(current_shop(), product_id, data, current_visitor(data["visitor_id"]))
        return {**views.public_view(review), "status": review.status}


class PhotoUpload(StrictSchema):
    photo = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


@public.route("/photos")
class Photos(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(PhotoUpload, location="files")
    @public.response(201, PhotoOut)
    def post(self, files):
        """Upload one photo (JPEG, PNG or WebP, at most 10 MB); attach its id to a review"""
        data = files["photo"].read(current_app.config["PHOTO_MAX_BYTES"] + 1)
        if len(data) > current_app.config["PHOTO_MAX_BYTES"]:
            raise TooLarge("A photo may have at most 10 MB.", field="photo")
        if not data:
            raise Invalid("The photo is empty.", field="photo")
        photo = media.upload_photo(current_shop(), data, visitor_hash=current_visitor().visitor_hash)
        return media.photo_view(photo)


@public.route("/reviews/<review_id>/votes")
class Votes(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(VoteIn)
    @public.response(200, VoteOut)
    def post(self, data, review_id):
        """Vote a review helpful (up) or not (down)

        A vote counts once per visitor id and once per network within the shop's
        `vote_window_days`; the voter may change it. Another browser on a network that voted
        gets 409.
        """
        value = 1 if data["value"] == "up" else -1
        review = service.vote(current_shop(), review_id, value, current_visitor(data["visitor_id"]))
        return {"id": review.public_id, "your_vote": data["value"],
                "helpful": {"up": review.helpful_up, "down": review.helpful_down}}


@public.route("/reviews/<review_id>/reports")
class Reports(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(ReportIn)
    @public.response(202, ReportOut)
    def post(self, data, review_id):
        """Report a review for a moderator to look at"""
        service.report(current_shop(), review_id, data["reason"], data["note"], current_visitor(data["visitor_id"]))
        return {"status": "received"}


@public.route("/review-requests/<path:token>")
class ReviewRequestInfo(MethodView):
    @public.response(200, ReviewRequestInfoOut)
    def get(self, token):
        """What a review-request or widget token lets its customer review"""
        return review_requests.describe_grant(current_shop(), token)
