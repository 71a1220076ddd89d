"""Google's product reviews feed (schema version 2.3): every published review of a shop, each time.

Google treats each feed as the full set: a review missing from the next feed is deleted there, so a
rejected or removed review simply stops appearing. The feed is produced in batches of 1,000
(keyset on the review id), and each review is built with ElementTree and serialized on its own,
so memory stays flat for a shop of any size and no user text is ever pasted into markup.

Element order follows the XSD's sequences (product_reviews.xsd):
feed: version, aggregator, publisher, reviews; review: review_id, reviewer, review_timestamp,
title, content, pros, cons, review_url, reviewer_images, ratings, products, is_spam,
collection_method, transaction_id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Response, current_app, stream_with_context
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..catalog.models import Product
from ..extensions import db
from ..files import atomic_write
from ..reviews import media, views
from ..reviews.models import Review
from ..shops.models import Shop
from ..web.blueprints import server_blueprint
from ..web.callers import current_shop

VERSION = "2.3"
SCHEMA = f"http://www.google.com/shopping/reviews/schema/product/{VERSION}/product_reviews.xsd"
AGGREGATOR = "Reviews service"
BATCH = 1000
# Reviews asked for after a purchase: by the review-request e-mail, or on the thank-you page.
SOLICITED = ("request", "thank_you")
# The review's link is its anchor on the product page, which shows many reviews: a "group" page
# in the schema's terms ("singleton" is for a page that shows this one review only).
REVIEW_URL_TYPE = "group"
GTIN = re.compile(r"\d{8}|\d{12,14}")
# Characters XML 1.0 cannot carry at all, not even escaped: a feed holding one is not XML.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

blp = server_blueprint("feeds", "Feeds for shopping platforms, generated from the published reviews.",
                       scope="orders")


def clean(text: str | None) -> str:
    """Text as XML 1.0 can hold it, stripped; None for nothing."""
    return _NOT_XML.sub("", text or "").strip()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def collection_method(source: str) -> str:
    return "post_fulfillment" if source in SOLICITED else "unsolicited"


def _reviewer_id(review: Review) -> str | None:
    """A stable id for the reviewer that says nothing about them: a keyed hash of the customer."""
    if review.customer_id is None:
        return None
    secret = current_app.config["SECRET_KEY"].encode()
    material = f"reviewer|{review.shop_id}|{review.customer_id}".encode()
    return hmac.new(secret, material, hashlib.sha256).hexdigest()[:20]


def fragment_url(shop: Shop, product: Product) -> str:
    """Our own server-rendered reviews of a product: the landing page when the shop gave no URL."""
    base = current_app.config["PUBLIC_URL"]
    return f"{base}/api/v1/public/{shop.public_key}/products/{quote(product.external_id, safe='')}/reviews.html"


def review_element(review: Review, product: Product, shop: Shop, store) -> ET.Element | None:
    """One review as the feed's <review>, or None when it has no text: `content` is required
    and may not be empty, so a stars-only review cannot be sent."""
    content = clean(review.body) or clean(review.title)
    if not content:
        return None
    element = ET.Element("review")
    _sub(element, "review_id", review.public_id)
    reviewer = _sub(element, "reviewer")
    name = clean(views.display_name(review.author_name or ""))
    if name:
        _sub(reviewer, "name", name)
    else:
        _sub(reviewer, "name", "Anonymous", is_anonymous="true")
    reviewer_id = _reviewer_id(review)
    if reviewer_id:
        _sub(reviewer, "reviewer_id", reviewer_id)
    _sub(element, "review_timestamp", _timestamp(review.created_at))
    title = clean(review.title)
    if title and title != content:
        _sub(element, "title", title)
    _sub(element, "content", content)
    product_url = clean(product.url) or fragment_url(shop, product)
    _sub(element, "review_url", f"{product_url.split('#')[0]}#review-{review.public_id}",
         type=REVIEW_URL_TYPE)
    if review.photos:
        images = _sub(element, "reviewer_images")
        for photo in review.photos:
            _sub(_sub(images, "reviewer_image"), "url", media.photo_view(photo, store)["url"])
    _sub(_sub(element, "ratings"), "overall", str(review.rating), min="1", max="5")
    _product(_sub(_sub(element, "products"), "product"), product, product_url)
    _sub(element, "is_spam", "false")
    if review.incentivized:
        # The schema's own flag (added in 2.4, after is_spam): the reviewer was offered a reward.
        _sub(element, "is_incentivized_review", "true")
    _sub(element, "collection_method", collection_method(review.source))
    return element


def _product(element: ET.Element, product: Product, url: str) -> None:
    ids = ET.Element("product_ids")
    gtin = clean(product.gtin)
    # In the XSD's order: gtins, mpns, skus, brands (asins, new in 2.3, we never have).
    for group, tag, value in (("gtins", "gtin", gtin if GTIN.fullmatch(gtin) else ""),
                              ("mpns", "mpn", clean(product.mpn)), ("skus", "sku", clean(product.sku)),
                              ("brands", "brand", clean(product.brand))):
        if value:
            _sub(_sub(ids, group), tag, value)
    if len(ids):
        element.append(ids)
    name = clean(product.name)
    if name:
        _sub(element, "product_name", name)
    _sub(element, "product_url", url)


# --- the feed, in pieces -------------------------------------------------------------------------

@dataclass
class FeedStats:
    reviews: int = 0  # reviews written into the feed
    skipped: int = 0  # published reviews without text, which the schema cannot carry


def published_batches(shop: Shop, size: int = BATCH) -> Iterator[list[tuple[Review, Product]]]:
    """Every published review of `shop` with its product, `size` at a time, keyset on the id."""
    last = 0
    while True:
        rows = list(db.session.scalars(
            select(Review).where(Review.shop_id == shop.id, Review.status == "published",
                                 Review.id > last)
            .order_by(Review.id).limit(size).options(selectinload(Review.photos))))
        if not rows:
            return
        product_ids = {r.product_id for r in rows}
        products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(product_ids)))}
        yield [(r, products[r.product_id]) for r in rows]
        # The session's identity map holds rows weakly: once a batch is written, it can go.
        last = rows[-1].id
        if len(rows) < size:
            return


def _head(shop: Shop) -> bytes:
    feed = ET.Element("feed")
    _sub(feed, "version", VERSION)
    _sub(_sub(feed, "aggregator"), "name", AGGREGATOR)
    _sub(_sub(feed, "publisher"), "name", clean(shop.name) or shop.slug)
    # The opening tag is ours (fixed text); the children are serialized by ElementTree.
    inner = b"".join(ET.tostring(child, encoding="utf-8", xml_declaration=False) for child in feed)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<feed xmlns:vc="http://www.w3.org/2007/XMLSchema-versioning" '
            b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            b'xsi:noNamespaceSchemaLocation="' + SCHEMA.encode() + b'">' + inner)


def feed_chunks(shop: Shop, stats: FeedStats | None = None, *, batch: int = BATCH) -> Iterator[bytes]:
    """The feed as a sequence of byte strings, one batch of reviews at a time."""
    stats = stats if stats is not None else FeedStats()
    yield _head(shop)
    store = media.storage()
    opened = False
    for rows in published_batches(shop, batch):
        parts = []
        for review, product in rows:
            element = review_element(review, product, shop, store)
            if element is None:
                stats.skipped += 1
                continue
            stats.reviews += 1
            parts.append(ET.tostring(element, encoding="utf-8", xml_declaration=False))
        if parts and not opened:
            opened = True
            parts.insert(0, b"<reviews>")
        if parts:
            yield b"".join(parts)
    # <reviews> must hold at least one <review>: without any, it is left out.
    yield b"</reviews></feed>\n" if opened else b"</feed>\n"


def build_feed(shop: Shop) -> bytes:
    """The whole feed of `shop` as bytes."""
    return b"".join(feed_chunks(shop))


def write_feed(shop: Shop, path: str) -> FeedStats:
    """Write the feed to `path` atomically: a temporary file beside it, then a rename, so a
    reader (or Google's fetcher) sees the old file or the new one, never half of one."""
    stats = FeedStats()
    with atomic_write(path, permissions=0o644) as handle:
        for chunk in feed_chunks(shop, stats):
            handle.write(chunk)
    return stats


# --- route ---------------------------------------------------------------------------------------

@blp.route("/feeds/google-product-reviews.xml")
@blp.doc(responses={"200": {"description": "Google product reviews feed, schema 2.3, every published "
                                           "review", "content": {"application/xml": {}}}})
def google_product_reviews():
    """Google product reviews feed (XML, schema 2.3) of all the shop's published reviews"""
    shop = current_shop()
    # Streamed, batch by batch: a shop with a million reviews is not held in memory.
    response = Response(stream_with_context(feed_chunks(shop)), mimetype="application/xml")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
