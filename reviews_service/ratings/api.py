"""Public rating JSON: one product, many products (a collection page), the whole shop.

A lean path on purpose: the shop id comes from a cache of public keys, the answer from a cache
that never outlives the max-age, and the body is encoded once per version.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from ..errors import Invalid
from ..schemas import StrictSchema
from ..web import caching
from ..web.blueprints import refuse_nul_in_path
from ..web.callers import resolve_public_key_id
from ..web.fastpath import SEGMENT, direct_read
from . import reads

blp = Blueprint("ratings", __name__, url_prefix="/api/v1/public/<public_key>",
                description="Ratings for storefronts, straight from the aggregates. Cacheable: "
                            "ETag, Cache-Control, 304 on If-None-Match.")

MAX_BULK = 100


@blp.url_value_preprocessor
def _no_nul(_endpoint, values):
    refuse_nul_in_path(values)



class Histogram(StrictSchema):
    _1 = fields.Integer(data_key="1")
    _2 = fields.Integer(data_key="2")
    _3 = fields.Integer(data_key="3")
    _4 = fields.Integer(data_key="4")
    _5 = fields.Integer(data_key="5")


class RatingOut(StrictSchema):
    product_id = fields.String()
    average = fields.Float(metadata={"description": "Mean stars, 2 decimals; 0 without reviews"})
    count = fields.Integer()
    histogram = fields.Nested(Histogram)
    verified_count = fields.Integer()


class ShopRatingOut(RatingOut):
    class Meta:
        exclude = ("product_id",)


class BulkQuery(StrictSchema):
    ids = fields.String(required=True, metadata={"description": "Comma-separated product ids, at most 100"})


class BulkOut(StrictSchema):
    ratings = fields.List(fields.Nested(RatingOut))




@blp.route("/products/<path:product_id>/rating")
class ProductRating(MethodView):
    @blp.response(200, RatingOut)
    def get(self, public_key, product_id):
        """The rating of one product"""
        return caching.respond(product_rating(resolve_public_key_id(public_key), None, product_id))


@direct_read(rf"products/(?P<product_id>{SEGMENT})/rating")
def product_rating(sid: int, _args, product_id: str) -> caching.Cached:
    """The view's answer, which the fast path also gives without Flask (web/fastpath.py)."""
    return caching.cached_entry(("product", sid, product_id), lambda: product_rating_entry(sid, product_id),
                                by_url=True)


def product_rating_entry(sid: int, product_id: str) -> caching.Cached:
    """The body and ETag of a product's rating answer, uncached: the route caches it, and the
    published file (publishing/) is these same bytes."""
    rating = reads.product_rating(sid, product_id)
    return caching.json_entry(rating.view(product_id=product_id), sid, product_id, rating.version)


def shop_rating_entry(sid: int) -> caching.Cached:
    """The body and ETag of the whole shop's rating answer, uncached (as `product_rating_entry`)."""
    rating = reads.shop_rating(sid)
    return caching.json_entry(rating.view(), sid, "shop", rating.version)


def parse_ids(raw: str) -> list[str]:
    """`a,b,c` -> unique ids in their order; at most 100."""
    ids = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not ids:
        raise Invalid("ids: give at least one product id.", field="ids")
    if len(ids) > MAX_BULK:
        raise Invalid(f"At most {MAX_BULK} product ids per request, got {len(ids)}.", field="ids")
    if any(len(i) > 255 or "\x00" in i for i in ids):
        raise Invalid("ids: a product id has at most 255 characters and no NUL.", field="ids")
    return ids


@blp.route("/ratings")
class BulkRatings(MethodView):
    @blp.arguments(BulkQuery, location="query")
    @blp.response(200, BulkOut)
    def get(self, args, public_key):
        """The ratings of up to 100 products at once (a collection page); unknown ids count zero"""
        sid = resolve_public_key_id(public_key)
        ids = parse_ids(args["ids"])

        def compute():
            ratings = reads.product_ratings(sid, ids)
            payload = {"ratings": [ratings[i].view(product_id=i) for i in ids]}
            return caching.json_entry(payload, sid, tuple(ids), tuple(r.version for r in ratings.values()))

        return caching.respond(caching.cached_entry(("bulk", sid, tuple(ids)), compute, by_url=True))


@blp.route("/rating")
class WholeShopRating(MethodView):
    @blp.response(200, ShopRatingOut)
    def get(self, public_key):
        """The rating of the whole shop, over all its products"""
        return caching.respond(shop_rating(resolve_public_key_id(public_key), None))


@direct_read("rating")
def shop_rating(sid: int, _args) -> caching.Cached:
    """The view's answer, which the fast path also gives without Flask (web/fastpath.py)."""
    return caching.cached_entry(("shop", sid), lambda: shop_rating_entry(sid), by_url=True)
