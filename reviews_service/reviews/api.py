"""Reading reviews: the public lists (shoppers, the widget) and the server API's reads, export and
erasure (the shop's backend). Writing them is the collecting room's (`collecting/api.py`)."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask.views import MethodView
from marshmallow import fields, validate

from ..catalog import privacy
from ..catalog import service as catalog
from ..email_addresses import without_emails
from ..schemas import StrictSchema
from ..web import caching
from ..web.blueprints import public_blueprint, server_blueprint
from ..web.callers import current_shop, current_shop_id, key_sees_emails
from ..web.fastpath import SEGMENT, direct_read
from ..web.scopes import requires
from . import exporting, queries, views
from .schemas import (
    CustomerExportOut,
    EraseIn,
    EraseOut,
    PublicReviewPage,
    ReviewListQuery,
    ServerReviewOut,
    ServerReviewPage,
    ServerReviewQuery,
)

public = public_blueprint("reviews_public", "Published reviews for shoppers and storefronts.")
server = server_blueprint("reviews_server", "Reviews for the shop's backend: every status, "
                          "export and erasure of a reviewer's data.", scope="orders")


def _page(shop_id: int, args, *, product_id: str | None = None) -> caching.Cached:
    """A page of the public list as a cacheable answer: ETag from the body, Cache-Control, 304.

    The rendered page may be served from the same bounded in-process cache as the ratings
    (never older than RATING_MAX_AGE); an unknown product is a 404, never cached."""
    key = ("list", shop_id, product_id, args["sort"], args["rating"], args["with_photos"],
           args["cursor"], args["limit"], args["lang"], args["lang_first"])
    return caching.cached_entry(key, lambda: page_entry(shop_id, args, product_id=product_id), by_url=True)


def page_entry(shop_id: int, args, *, product_id: str | None = None) -> caching.Cached:
    """A page of the public list (`args`: a loaded `ReviewListQuery`) as body and ETag, uncached:
    the route caches it, and the published reviews.json (publishing/) is these same bytes."""
    query = queries.published_query(shop_id, product_external_id=product_id, rating=args["rating"],
                                    with_photos=args["with_photos"], lang=args["lang"])
    shown, next_cursor = queries.page(query, sort=args["sort"], limit=args["limit"],
                                      cursor=args["cursor"], lang_first=args["lang_first"])
    if not shown and product_id is not None:
        catalog.get_product(shop_id, product_id)  # an empty page, or no such product (404)?
    return caching.json_entry({"reviews": shown, "next_cursor": next_cursor})


# One instance for every request: given the class, webargs would build (and deep-copy the fields
# of) a new schema per request, a tenth of the list's cost when the answer is not cached.
_LIST_QUERY = ReviewListQuery()


# The storefront's lists, also answered by the fast path without Flask (web/fastpath.py).
@direct_read(rf"products/(?P<product_id>{SEGMENT})/reviews", _LIST_QUERY)
def _product_page(shop_id: int, args, product_id: str) -> caching.Cached:
    return _page(shop_id, args, product_id=product_id)


@direct_read("reviews", _LIST_QUERY)
def _shop_page(shop_id: int, args) -> caching.Cached:
    return _page(shop_id, args)


@public.route("/products/<path:product_id>/reviews")
class ProductReviews(MethodView):
    @public.arguments(_LIST_QUERY, location="query")
    @public.response(200, PublicReviewPage)
    def get(self, args, product_id):
        """Published reviews of a product"""
        return caching.respond(_product_page(current_shop_id(), args, product_id))


@public.route("/reviews")
class ShopReviews(MethodView):
    @public.arguments(_LIST_QUERY, location="query")
    @public.response(200, PublicReviewPage)
    def get(self, args):
        """Published reviews of the whole shop"""
        return caching.respond(_shop_page(current_shop_id(), args))


# --- server API ----------------------------------------------------------------------------------

@server.route("/reviews")
class ServerReviews(MethodView):
    @requires("orders", "moderation")
    @server.arguments(ServerReviewQuery, location="query")
    @server.response(200, ServerReviewPage)
    def get(self, args):
        """Reviews in any status, oldest change first, for sync and export"""
        shop = current_shop()
        product = catalog.get_product(shop, args["product_id"]) if args["product_id"] else None
        query = queries.server_query(shop, status=args["status"], product=product,
                                     source=args["source"], updated_since=args["updated_since"])
        rows, next_cursor = queries.sync_page(query, limit=args["limit"], cursor=args["cursor"])
        return {"reviews": [_shown(views.server_view(r)) for r in rows], "next_cursor": next_cursor}


def _shown(view: dict) -> dict:
    """A moderation key reads reviews without e-mail addresses: not the reviewer's, none in a text."""
    return view if key_sees_emails() else without_emails(view)


class ReviewExportQuery(StrictSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "json"]))


@server.route("/reviews/export")
class ReviewExport(MethodView):
    @server.arguments(ReviewExportQuery, location="query")
    @server.doc(responses={"200": {"description": "Every review, streamed as CSV or as a JSON array",
                                   "content": {"text/csv": {"schema": {"type": "string"}},
                                               "application/json": {"schema": {
                                                   "type": "array", "items": {"type": "object"}}}}}})
    def get(self, args):
        """Export every review (all statuses) with replies, photo URLs, votes and labels"""
        shop, fmt = current_shop(), args["format"]
        chunks = exporting.export_reviews(shop, fmt)
        mimetype = "text/csv" if fmt == "csv" else "application/json"
        return Response(stream_with_context(chunks), mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="{exporting.export_filename(shop, fmt)}"',
            "Cache-Control": "no-store"})


@server.route("/reviews/<review_id>")
class ServerReview(MethodView):
    @requires("orders", "moderation")
    @server.response(200, ServerReviewOut)
    def get(self, review_id):
        """One review, in any status"""
        return _shown(views.server_view(queries.get_review(current_shop(), review_id)))


class ExportQuery(StrictSchema):
    email = fields.Email(required=True)


@server.route("/customers/export")
class CustomerExport(MethodView):
    @requires("privacy")
    @server.arguments(ExportQuery, location="query")
    @server.response(200, CustomerExportOut)
    def get(self, args):
        """Everything the shop holds about one reviewer, as JSON"""
        return privacy.export(current_shop(), args["email"])


@server.route("/customers/erase")
class CustomerErase(MethodView):
    @requires("privacy")
    @server.arguments(EraseIn)
    @server.response(200, EraseOut)
    def post(self, data):
        """Erase a reviewer everywhere: reviews removed, photos deleted, links ended"""
        return privacy.erase(current_shop(), data["email"])
