"""The CSV exports of other review platforms, column by column, and how a file's header says
which one it is. Headers are compared in one normal form (`Review Score`, `reviewScore` and
`review_score` are the same column), so a file re-saved from a spreadsheet still matches.

What each platform's file holds (documented in README.md, "Importing reviews"):

- Judge.me: title, body, rating, review_date, source, curated, reviewer_name, reviewer_email,
  product_id, product_handle, reply, reply_date, picture_urls, ip_address, location, metaobject_handle
- Yotpo: review_title, review_content, review_score, date, product_id, product_title, product_url,
  display_name, email, comment_content, comment_public, comment_created_at, published_image_url,
  published (its export names the same columns "Review Title", "Review Content", "Review Score", ...)
- Okendo: name, body, rating, title, dateCreated, handle, productId, sku, email, countryCode,
  imageUrls, reply, replyDate
- Shopify Product Reviews: product_handle, state, rating, title, author, email, location, body,
  reply, created_at, replied_at
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


def normalize_header(name: str) -> str:
    """`Review Score` / `reviewScore` / `reviewer.name` -> `review_score` / `review_score` / `reviewer_name`."""
    name = (name or "").strip().lstrip("\ufeff")
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    signatures: tuple[frozenset[str], ...]  # a header holding all of one set is this format
    columns: dict[str, tuple[str, ...]]  # our field -> the columns that may hold it, preferred first

    def matches(self, headers: set[str]) -> bool:
        return any(signature <= headers for signature in self.signatures)

    def locate(self, headers: list[str]) -> dict[str, int]:
        """Our field -> the index of the column that holds it, for the columns this file has."""
        where = {}
        for field, candidates in self.columns.items():
            for candidate in candidates:
                if candidate in headers:
                    where[field] = headers.index(candidate)
                    break
        return where

    def missing(self, headers: list[str]) -> list[str]:
        """The columns a file of this format must have and this one lacks."""
        where = self.locate(headers)
        need = [f for f in ("rating", "date") if f not in where]
        if not {"product_id", "handle", "product_url", "sku"} & where.keys():
            need.append("product")
        return [" or ".join(self.columns.get(f, ("product_id", "handle", "sku"))) for f in need]


JUDGEME = Format(
    "judgeme", "Judge.me",
    (frozenset({"reviewer_name", "review_date", "rating"}), frozenset({"curated", "reviewer_email", "rating"})),
    {"title": ("title", "review_title"), "body": ("body", "review_body"), "rating": ("rating",),
     "date": ("review_date",), "name": ("reviewer_name",), "email": ("reviewer_email",),
     "product_id": ("product_id",), "handle": ("product_handle",), "reply": ("reply",),
     "reply_date": ("reply_date",), "photos": ("picture_urls",), "state": ("curated",)},
)
YOTPO = Format(
    "yotpo", "Yotpo",
    (frozenset({"review_score"}), frozenset({"review_content"})),
    {"title": ("review_title", "title"), "body": ("review_content", "content"),
     "rating": ("review_score", "score"),
     "date": ("date", "review_creation_date", "review_date", "created_at"),
     "name": ("display_name", "reviewer_display_name", "reviewer_name", "user_name"),
     "email": ("email", "reviewer_email", "user_email"), "product_id": ("product_id",),
     "product_url": ("product_url",), "handle": ("product_handle",), "sku": ("sku", "product_sku"),
     "reply": ("comment_content", "comment"), "reply_date": ("comment_created_at",),
     "reply_public": ("comment_public",),
     "photos": ("published_image_url", "published_image_urls", "published_images"),
     "state": ("published", "review_status", "status")},
)
OKENDO = Format(
    "okendo", "Okendo",
    (frozenset({"date_created", "rating", "handle"}), frozenset({"date_created", "rating", "product_id"}),
     frozenset({"date_created", "rating", "sku"})),
    {"title": ("title",), "body": ("body",), "rating": ("rating",), "date": ("date_created",),
     "name": ("name", "reviewer_name", "reviewer_display_name"), "email": ("email", "reviewer_email"),
     "product_id": ("product_id",), "handle": ("handle", "product_handle"), "sku": ("sku",),
     "reply": ("reply", "reply_body"), "reply_date": ("reply_date", "reply_date_created"),
     "photos": ("image_urls",), "state": ("status",)},
)
SHOPIFY = Format(
    "shopify", "Shopify Product Reviews",
    (frozenset({"product_handle", "author", "created_at", "rating"}),),
    {"title": ("title",), "body": ("body",), "rating": ("rating",), "date": ("created_at",),
     "name": ("author",), "email": ("email",), "handle": ("product_handle",), "reply": ("reply",),
     "reply_date": ("replied_at",), "state": ("state",)},
)

# Tried in this order: the most specific signatures first.
FORMATS = {f.name: f for f in (YOTPO, OKENDO, SHOPIFY, JUDGEME)}


def detect(headers: list[str]) -> Format | None:
    present = set(headers)
    return next((f for f in FORMATS.values() if f.matches(present)), None)


def handle_of(url: str | None) -> str:
    """The product handle in a product URL: its last path segment (`/products/trail-shoe?x=1`
    -> `trail-shoe`)."""
    if not url:
        return ""
    path = urlsplit(url.strip()).path if "://" in url else url.strip().split("?", 1)[0]
    return unquote(path.rstrip("/").rsplit("/", 1)[-1]).strip().lower()


def shopify_id(value: str) -> str:
    """`gid://shopify/Product/555` -> `555`; anything else as it is."""
    value = value.strip()
    return value.rsplit("/", 1)[-1] if value.startswith("gid://") else value
