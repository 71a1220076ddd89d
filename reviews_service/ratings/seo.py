"""Reviews for machines that do not run JavaScript: schema.org JSON-LD, and a server-rendered HTML
fragment (summary, first page of reviews, the JSON-LD inside) for a shop to put in its own pages.

Both are cached like the ratings. The cache key holds what changes the answer: the product row's
`updated_at`, the rating's version, and the ids and change times of the first page's reviews and
replies. So a new review, a moderation, a reply or an edited product shows at once, and a hit costs
three small indexed queries instead of loading and rendering the reviews.
"""

from __future__ import annotations

import functools
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Response, render_template, request
from flask_smorest import Blueprint
from markupsafe import Markup
from sqlalchemy import select

from ..catalog import service as catalog
from ..catalog.models import Product
from ..extensions import db
from ..reviews import queries
from ..reviews.models import Reply, Review
from ..reviews.schemas import PublicReviewPage
from ..shops import service as shops
from ..web import caching
from ..web.blueprints import refuse_nul_in_path
from ..web.callers import resolve_public_key_id
from . import reads, words
from .words import Words

blp = Blueprint("ratings_seo", __name__, url_prefix="/api/v1/public/<public_key>",
                description="Reviews for search engines and server-rendered pages: JSON-LD and an "
                            "HTML fragment. Cacheable: ETag, Cache-Control, 304 on If-None-Match.")
blp.before_request(lambda: refuse_nul_in_path(request.view_args))

PAGE_SIZE = 10


# --- JSON-LD -------------------------------------------------------------------------------------

def _gtin_key(gtin: str) -> str:
    digits = gtin.isdigit() and len(gtin) in (8, 12, 13, 14)
    return f"gtin{len(gtin)}" if digits else "gtin"


def _rating(value: Any) -> dict[str, Any]:
    return {"@type": "Rating", "ratingValue": value, "bestRating": 5, "worstRating": 1}


def review_jsonld(view: dict[str, Any]) -> dict[str, Any]:
    """One review (its public view) as a schema.org Review."""
    out: dict[str, Any] = {
        "@type": "Review",
        "author": {"@type": "Person", "name": view["author"] or "Anonymous"},
        "datePublished": view["published_at"].date().isoformat(),
        "reviewRating": _rating(view["rating"]),
    }
    if view.get("title"):
        out["name"] = view["title"]
    if view.get("body"):
        out["reviewBody"] = view["body"]
    return out


def product_jsonld(product: Product, rating: reads.Rating,
                   reviews: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A schema.org Product with its AggregateRating and latest reviews (public views, newest
    first, at most 10), or None when the product has no published review.

    Only ever a Product: Google ignores (and may penalise) ratings of an Organization or a
    LocalBusiness published by that business itself."""
    if rating.count <= 0:
        return None
    out: dict[str, Any] = {"@context": "https://schema.org", "@type": "Product", "name": product.name}
    for key, value in (("url", product.url), ("image", product.image_url), ("sku", product.sku)):
        if value:
            out[key] = value
    if product.gtin:
        out[_gtin_key(product.gtin)] = product.gtin
    if product.mpn:
        out["mpn"] = product.mpn
    if product.brand:
        out["brand"] = {"@type": "Brand", "name": product.brand}
    out["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": rating.average,
                              "reviewCount": rating.count, "bestRating": 5, "worstRating": 1}
    if reviews:
        out["review"] = [review_jsonld(v) for v in reviews[:PAGE_SIZE]]
    return out


def script_safe_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: `<`, `>` and `&` become \\u escapes, so a
    review that contains `</script>` or `<!--` cannot end the element or start a comment.
    The same JSON for any JSON parser: only how the characters are written changes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def script_json(data: Any) -> Markup:
    """`script_safe_json` for a template."""
    return Markup(script_safe_json(data))  # escaped by construction


# --- what changes the answer ---------------------------------------------------------------------

class Head:
    """The product, its rating and a marker of its first page: the cache key of both answers."""

    def __init__(self, sid: int, external_id: str):
        self.sid = sid
        self.external_id = external_id
        self.product = catalog.get_product(sid, external_id)
        self.rating = reads.product_rating(sid, external_id)
        self.marker: tuple = ()
        if self.rating.count:
            # The first page's rows and their change times (votes, redactions and replies included),
            # through the public list's index; the next row tells whether a next page exists.
            rows = db.session.execute(
                select(Review.id, Review.updated_at, Reply.updated_at)
                .outerjoin(Reply, Reply.review_id == Review.id)
                .where(Review.product_id == self.product.id, Review.status == "published")
                .order_by(Review.published_at.desc(), Review.id.desc()).limit(PAGE_SIZE + 1))
            self.marker = tuple((r[0], r[1].isoformat(), r[2].isoformat() if r[2] else None) for r in rows)

    @functools.cached_property
    def shop(self):
        return shops.get_shop(self.sid)

    def key(self, kind: str, *more: Any) -> tuple:
        return (kind, self.sid, self.external_id, self.product.updated_at.isoformat(),
                self.rating.version, self.marker, *more)

    def first_page(self, lang_first: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """The public views of the newest reviews (those in `lang_first` first, as the widget
        shows them), and the cursor of the page after them."""
        if not self.rating.count:
            return [], None
        return queries.page(queries.published_query(self.sid, product_id=self.product.id),
                            sort="newest", limit=PAGE_SIZE, cursor=None, lang_first=lang_first)


def _entry(body: bytes, mimetype: str, kind: str) -> caching.Cached:
    # The ETag is the body's own digest: whatever changed the body (a setting, a deployment)
    # changes the ETag, so a client can never be told "not modified" about a stale copy.
    return caching.Cached(body, caching.etag_for(kind, hashlib.blake2b(body, digest_size=16).hexdigest()),
                         mimetype)


# --- routes --------------------------------------------------------------------------------------

@blp.route("/products/<path:product_id>/jsonld")
@blp.doc(responses={"200": {"description": "A schema.org Product with its rating and reviews",
                            "content": {"application/ld+json": {}}},
                    "204": {"description": "The product has no published review"},
                    "404": {"description": "No such product"}})
def jsonld(public_key, product_id):
    """JSON-LD of a product: schema.org Product, AggregateRating and the latest reviews"""
    head = Head(resolve_public_key_id(public_key), product_id)

    def compute():
        reviews, _ = head.first_page()
        data = product_jsonld(head.product, head.rating, reviews)
        # Shops paste this answer into a <script type="application/ld+json"> of their own pages.
        body = b"" if data is None else script_safe_json(data).encode()
        return _entry(body, "application/ld+json", "jsonld")

    entry = caching.cached_entry(head.key("jsonld"), compute)
    response = caching.respond(entry)
    if response.status_code == 200 and not entry.body:
        response = _no_content(response)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _no_content(response: Response) -> Response:
    empty = Response(status=204, headers=response.headers)
    empty.headers.pop("Content-Type", None)
    empty.headers.pop("Content-Length", None)
    return empty


_LANG = [{"in": "query", "name": "lang", "required": False,
          "schema": {"type": "string", "enum": list(words.languages())},
          "description": "The fragment's language (its words, dates and numbers): one of the widget's "
                         "languages (a regional tag such as pt-BR reads as pt; another value is a 422 "
                         "naming lang). Default: the shop's default language."}]


@blp.route("/products/<path:product_id>/reviews.html")
@blp.doc(parameters=_LANG, responses={"200": {"description": "An HTML fragment: summary, first page of reviews, JSON-LD",
                            "content": {"text/html": {}}},
                    "404": {"description": "No such product"},
                    "422": {"description": "lang is not one of the widget's languages"}})
def fragment(public_key, product_id):
    """Server-rendered reviews of a product: an HTML fragment with no executable script"""
    head = Head(resolve_public_key_id(public_key), product_id)
    raw_lang = request.args.get("lang")
    lang = words.resolve(raw_lang, None if raw_lang else
                         shops.settings_of(head.shop).get("default_locale"))

    def compute():
        # The reader's language first: the widget that takes the fragment over goes on from here.
        reviews, next_cursor = head.first_page(lang_first=lang)
        shop = head.shop
        said = Words(lang)
        state = {"product_id": product_id,
                 "rating": head.rating.view(product_id=product_id),
                 **PublicReviewPage().dump({"reviews": reviews, "next_cursor": next_cursor})}
        ld = product_jsonld(head.product, head.rating, reviews)
        html = render_template(
            "ratings/fragment.html", public_key=public_key, product_id=product_id,
            rating=head.rating, reviews=reviews, next_cursor=next_cursor, shop_name=shop.name,
            policy_url=shops.settings_of(shop).get("review_policy_url") or None, words=said,
            summary=summary(head.rating, said), jsonld=script_json(ld) if ld else None,
            state=script_json(state))
        return _entry(html.encode(), "text/html", "html")

    response = caching.respond(caching.cached_entry(head.key("html", lang), compute))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def stars(value: int) -> str:
    return "★" * value + "☆" * (5 - value)


def summary(rating: reads.Rating, said: Words) -> dict[str, Any]:
    """The numbers the fragment's summary shows: average, rounded stars and the histogram, each
    number also as the reader's language writes it (`shown`, `percent_shown`)."""
    count = rating.count
    rows = []
    for n in range(5, 0, -1):
        k = getattr(rating, f"n{n}")
        rows.append({"stars": n, "count": k, "percent": round(100 * k / count) if count else 0,
                     "shown": said.number(k), "percent_shown": said.percent(k, count)})
    if not count:
        return {"average": "0", "exact": 0.0, "stars": stars(0), "count": 0, "histogram": rows}
    mean = Decimal(rating.total) / Decimal(count)
    return {"average": said.average(mean), "exact": rating.average,
            "stars": stars(int(mean.quantize(Decimal("1"), ROUND_HALF_UP))), "count": count,
            "histogram": rows}
