"""Routes for collecting reviews from shoppers (public key in the path): submit a review, upload a
photo, vote, report, what a review-request or widget token lets its customer review, and the
reviewer's own review (read, edit, withdraw) with the token of their confirmation e-mail's link."""

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
from . import edits, service
from . import requests as review_requests
from .edit_schemas import EditedOut, MyReviewIn, MyReviewOut, MyReviewQuery, WithdrawIn

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


def _mine(shop, review) -> dict:
    return {**edits.describe(shop, review), "edit_url": edits.link_for(review)}


@public.route("/my-review")
class MyReview(MethodView):
    @public.arguments(MyReviewQuery, location="query")
    @public.response(200, MyReviewOut)
    def get(self, args):
        """The reviewer's own review, and their change that waits for the shop's check"""
        shop = current_shop()
        return _mine(shop, edits.review_for_token(shop, args["token"]))

    @limiter.limit(_write_limit)
    @public.arguments(MyReviewIn)
    @public.response(200, EditedOut)
    def put(self, data):
        """Edit one's own review: decided by the same rules as a new review, whatever the stars

        A published review keeps its published version until the change is decided (at once
        when the rules publish it); one not yet published is changed in place. A later change
        replaces one that waits. Withdrawn, removed and rejected reviews answer 409.
        """
        shop = current_shop()
        edited = edits.edit(shop, data["token"], data)
        return {**_mine(shop, edited.review), "outcome": edited.outcome}


@public.route("/my-review/withdraw")
class WithdrawMyReview(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(WithdrawIn)
    @public.response(200, MyReviewOut)
    def post(self, data):
        """Withdraw one's own review: removed at once from every public surface and the rating"""
        shop = current_shop()
        return _mine(shop, edits.withdraw(shop, data["token"]))
