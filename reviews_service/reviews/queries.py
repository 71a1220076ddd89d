"""The review queries: published reviews in each sort with filters and keyset pages, the server
API's every-status sync, one review by id.

A cursor holds the last row's sort key, so page 1,000 costs what page 1 costs: the query seeks
to the key with a row comparison on an index instead of skipping rows with OFFSET.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Select, String, bindparam, case, literal_column, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from .. import cursors
from ..catalog.models import Product
from ..errors import Invalid, NotFound
from ..extensions import db, run_read
from ..shops.models import Shop
from . import media, views
from .models import Photo, Reply, Review

SORTS = ("newest", "oldest", "highest", "lowest", "helpful", "photos_first")


def _sort_columns(sort: str, of: Any = Review):
    """The key columns of a sort (of the reviews, or of a page of them `of` a subquery's columns),
    and whether it runs descending. Every sort uses one direction, so a row comparison
    `(a, b, id) < (x, y, z)` finds the next page (in two steps for the sorts led by an expression,
    see `_seek_by_group`)."""
    # The constant written out, not bound: the expression must equal the index's (models.py) for
    # PostgreSQL and SQLite to read this sort from it. True (1 in SQLite) sorts first.
    has_photos = of.photo_count > literal_column("0")
    return {
        "newest": ([of.published_at, of.id], True),
        "oldest": ([of.published_at, of.id], False),
        "highest": ([of.rating, of.published_at, of.id], True),
        "lowest": ([-of.rating, of.published_at, of.id], True),
        "helpful": ([of.helpful_up, of.published_at, of.id], True),
        "photos_first": ([has_photos, of.published_at, of.id], True),
    }[sort]


def _key_of(review: Review, sort: str) -> list[Any]:
    at = review.published_at.isoformat()
    return {
        "newest": [at, review.id], "oldest": [at, review.id],
        "highest": [review.rating, at, review.id], "lowest": [-review.rating, at, review.id],
        "helpful": [review.helpful_up, at, review.id],
        "photos_first": [1 if review.photo_count else 0, at, review.id],
    }[sort]


# What each position of a sort's key holds (see cursors.py).
_KEY_KINDS = {
    "newest": (cursors.AT, cursors.ID), "oldest": (cursors.AT, cursors.ID),
    "sync": (cursors.AT, cursors.ID),
    "highest": (cursors.SMALL, cursors.AT, cursors.ID), "lowest": (cursors.SMALL, cursors.AT, cursors.ID),
    "helpful": (cursors.INT, cursors.AT, cursors.ID), "photos_first": (cursors.INT, cursors.AT, cursors.ID),
}


class Published(NamedTuple):
    """Which published reviews to read: the statement's shape (its filters, built into a statement
    once per shape and sort) and the values bound to it."""

    shape: tuple[str | None, bool, bool, bool]  # product by "id" or "external" id, rating, photos, lang
    params: dict[str, Any]


def published_query(shop: Shop | int, *, product_id: int | None = None, rating: int | None = None,
                    with_photos: bool = False, product_external_id: str | None = None,
                    lang: str | None = None) -> Published:
    """Published reviews, as plain rows with the reply joined in: the public list runs on every
    product page, so it builds no ORM objects, builds each statement once, and asks the database
    twice at most."""
    shop_id = shop if isinstance(shop, int) else shop.id
    product = "id" if product_id is not None else "external" if product_external_id is not None else None
    return Published((product, rating is not None, with_photos, lang is not None),
                     {"shop": shop_id, "product": product_id if product_id is not None else product_external_id,
                      "rating": rating, "lang": lang})


@functools.cache
def _published(shape: tuple[str | None, bool, bool, bool], part: str | None) -> Select:
    """The statement of a shape; `part`: the reader's language ("mine") or the others ("rest")."""
    product, rating, with_photos, lang = shape
    query = (select(*_PUBLIC_COLUMNS).select_from(Review)
             .outerjoin(Reply, Reply.review_id == Review.id)
             .where(Review.shop_id == bindparam("shop"), Review.status == "published"))
    if product == "id":
        query = query.where(Review.product_id == bindparam("product"))
    elif product == "external":
        # The shop's own product id, resolved in the same query rather than in one before it. A
        # scalar subquery, not a join: PostgreSQL then reads the reviews in the sort's index order
        # and stops after one page, where a join made it fetch and sort all of a product's reviews.
        query = query.where(Review.product_id == select(Product.id).where(
            Product.shop_id == bindparam("shop"), Product.external_id == bindparam("product")).scalar_subquery())
    if rating:
        query = query.where(Review.rating == bindparam("rating"))
    if with_photos:
        query = query.where(Review.photo_count > 0)
    if lang:
        query = query.where(Review.lang == bindparam("lang"))
    if part == "mine":
        query = query.where(Review.lang == bindparam("lang_first"))
    elif part == "rest":
        query = query.where(or_(Review.lang != bindparam("lang_first"), Review.lang.is_(None)))
    return query


class _json_rows(FunctionElement):
    """An aggregate: the rows of its arguments as one JSON text, `[[a, b, ...], ...]` in no order."""

    type = String()
    inherit_cache = True


@compiles(_json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(_json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    return f"CAST(json_agg(json_build_array({compiler.process(element.clauses, **kw)})) AS TEXT)"


_PHOTO_COLUMNS = (Photo.public_id, Photo.display_name, Photo.thumb_name, Photo.width, Photo.height,
                  Photo.thumb_width, Photo.thumb_height)
_PhotoRow = namedtuple("_PhotoRow", [column.key for column in _PHOTO_COLUMNS])

_PUBLIC_COLUMNS = (
    Review.id, Review.public_id, Review.rating, Review.title, Review.body, Review.author_name,
    Review.locale, Review.lang, Review.published_at, Review.edited_at, Review.source, Review.verified_buyer, Review.incentivized,
    Review.staff, Review.redacted, Review.helpful_up, Review.helpful_down, Review.photo_count,
    Reply.body.label("reply_body"), Reply.created_at.label("reply_created_at"),
    Reply.updated_at.label("reply_updated_at"),
)
# Rows are copied into plain named tuples as they arrive: reading an attribute of SQLAlchemy's Row
# raises (and formats) an AttributeError inside before it finds the column, about a sixth of a
# 20-review page when every field of every row is read.
_PublicRow = namedtuple("_PublicRow", [column.key for column in _PUBLIC_COLUMNS] + ["photos"])


def page(query: Published, *, sort: str, limit: int, cursor: str | None, lang_first: str | None = None,
         storage=None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of `query` in `sort` order as public views, and the next page's cursor (None at
    the end). With `lang_first`, the reviews written in that language come first, then the rest,
    each part in `sort` order."""
    def rows_and_cursor(connection) -> tuple[list, str | None]:
        read = _Reader(connection, query, sort)
        if lang_first is not None:
            return _language_first(read, limit, cursor, lang_first)
        key = cursors.decode(cursor, sort, _KEY_KINDS[sort]) if cursor else None
        rows = read(None, limit + 1, key)
        return rows, cursors.encode(sort, _key_of(rows[limit - 1], sort)) if len(rows) > limit else None

    rows, next_cursor = run_read(rows_and_cursor)
    storage = storage or media.storage()
    return [views.public_dict(r, _photos_in(r.photos, storage), _reply_of(r)) for r in rows[:limit]], next_cursor


class _Reader:
    """Reads rows of one published query in one sort, on one connection."""

    def __init__(self, connection, query: Published, sort: str) -> None:
        self.connection, self.query, self.sort = connection, query, sort

    def __call__(self, part: str | None, n: int, key: list[Any] | None, lang_first: str | None = None) -> list:
        """Up to `n` rows in the sort's order, after the row whose sort key is `key`."""
        params = {**self.query.params, "n": n, "lang_first": lang_first}
        if key is None:
            return self._all(_statement(self.query.shape, part, self.sort, "first"), params)
        params.update((f"k{i}", value) for i, value in enumerate(key))
        if self.sort not in _LED_BY_EXPRESSION:
            return self._all(_statement(self.query.shape, part, self.sort, "after"), params)
        # SQLite seeks a row comparison only on plain columns, so these seek in two steps, each
        # exact: the rest of the cursor's group, then the groups after it.
        rows = self._all(_statement(self.query.shape, part, self.sort, "group"), params)
        if len(rows) < n:
            rows += self._all(_statement(self.query.shape, part, self.sort, "later"),
                              {**params, "n": n - len(rows)})
        return rows

    def _all(self, statement: Select, params: dict[str, Any]) -> list:
        return list(map(_PublicRow._make, self.connection.execute(statement, params).all()))


@functools.cache
def _statement(shape: tuple, part: str | None, sort: str, seek: str) -> Select:
    """The statement of a shape in a sort, built once (see `_page_rows`), with each review's photos
    in its row as JSON, each photo's position first (`_photos_in`): a second statement for a page's
    photos cost more than the first, and on PostgreSQL a round trip.

    The photos are read in an outer query over the page, so that they are read for the page's rows
    only, whatever the plan (SQLite computes a sorted query's columns for every row it sorts). The
    outer order is the page's: PostgreSQL knows it without sorting, SQLite sorts the page's rows."""
    page = _page_rows(shape, part, sort, seek).subquery("page")
    columns, descending = _sort_columns(sort, page.c)
    if seek == "group":
        columns = columns[1:]
    photos = case((page.c.photo_count > literal_column("0"), select(_json_rows(Photo.position, *_PHOTO_COLUMNS))
                   .where(Photo.review_id == page.c.id).scalar_subquery()))
    return (select(*page.c, photos.label("photos"))
            .order_by(*(c.desc() if descending else c.asc() for c in columns)))


def _page_rows(shape: tuple, part: str | None, sort: str, seek: str) -> Select:
    """The rows of a shape in a sort: `first` page, the rows `after` a key, or for the sorts led by
    an expression the rest of the key's `group` and the groups `later`. Key values are bound as k0,
    k1, ... with their column's type, so timestamps compare as the column stores them; the page
    size as n."""
    query = _published(shape, part)
    columns, descending = _sort_columns(sort)
    order = [c.desc() if descending else c.asc() for c in columns]
    n = bindparam("n")
    if seek == "first":
        return query.order_by(*order).limit(n)
    key = [bindparam(f"k{i}", type_=c.type) for i, c in enumerate(columns)]
    if seek == "after":
        after = tuple_(*columns) < tuple_(*key) if descending else tuple_(*columns) > tuple_(*key)
        return query.where(after).order_by(*order).limit(n)
    head, rest = columns[0], columns[1:]
    if seek == "group":
        rest_after = tuple_(*rest) < tuple_(*key[1:]) if descending else tuple_(*rest) > tuple_(*key[1:])
        # Within the group the head is one value: ordering by it too would make SQLite sort.
        return query.where(head == key[0], rest_after).order_by(*order[1:]).limit(n)
    later = head < key[0] if descending else head > key[0]
    return query.where(later).order_by(*order).limit(n)


def _language_first(read: _Reader, limit: int, cursor: str | None, lang: str) -> tuple[list, str | None]:
    """The reader's language first, then the rest: two keyset lists read one after the other,
    each from an index (the language's part from ix_reviews_public_lang in the default sort). A
    cursor names its part and the language, so a page that crosses from one part to the other
    resumes exactly where it stopped."""
    sort = read.sort
    mine_name, rest_name, start_name = (f"{sort}:{part}:{lang}" for part in ("first", "rest", "start"))
    part, key = _part_of(cursor, sort, mine_name, rest_name, start_name)
    rows: list = []
    if part == "first":
        rows = read("mine", limit + 1, key, lang)
        if len(rows) > limit:
            return rows, cursors.encode(mine_name, _key_of(rows[limit - 1], sort))
        key = None
    mine = len(rows)
    rows += read("rest", limit + 1 - mine, key, lang)
    if len(rows) <= limit:
        return rows, None
    if mine == limit:  # the page ends with the reader's language; the rest starts the next one
        return rows, cursors.encode(start_name, [])
    return rows, cursors.encode(rest_name, _key_of(rows[limit - 1], sort))


def _part_of(cursor: str | None, sort: str, mine_name: str, rest_name: str,
             start_name: str) -> tuple[str, list[Any] | None]:
    if not cursor:
        return "first", None
    for part, name, kinds in (("first", mine_name, _KEY_KINDS[sort]), ("rest", rest_name, _KEY_KINDS[sort])):
        try:
            return part, cursors.decode(cursor, name, kinds)
        except Invalid:
            pass
    cursors.decode(cursor, start_name, ())  # Invalid (422 on cursor) when it is none of the three
    return "rest", None


# Sorts whose first key is an expression (a few distinct values), read in two steps (`_Reader`).
_LED_BY_EXPRESSION = frozenset({"lowest", "photos_first"})

def _photos_in(photos: str | None, storage) -> list[dict]:
    """A review's photos from its row's JSON (see `_statement`), in their order."""
    if not photos:
        return []
    return [media.photo_view(_PhotoRow._make(photo[1:]), storage) for photo in sorted(orjson.loads(photos))]


def _reply_of(row) -> dict | None:
    if row.reply_body is None:
        return None
    return {"body": row.reply_body, "created_at": row.reply_created_at, "updated_at": row.reply_updated_at}


# --- the server API's list: every status, for sync ---------------------------------------------------

def server_query(shop: Shop, *, status=None, product=None, source=None, updated_since=None) -> Select:
    query = select(Review).where(Review.shop_id == shop.id)
    if status:
        query = query.where(Review.status == status)
    if product is not None:
        query = query.where(Review.product_id == product.id)
    if source:
        query = query.where(Review.source == source)
    if updated_since:
        query = query.where(Review.updated_at >= updated_since)
    return query


def sync_page(query: Select, *, limit: int, cursor: str | None) -> tuple[list[Review], str | None]:
    """Oldest change first, so that a sync can store `next_cursor` and resume from it."""
    columns = [Review.updated_at, Review.id]
    if cursor:
        key = cursors.decode(cursor, "sync", _KEY_KINDS["sync"])
        value = tuple_(*[bindparam(None, v, type_=c.type) for v, c in zip(key, columns, strict=True)])
        query = query.where(tuple_(*columns) > value)
    rows = list(db.session.scalars(query.order_by(*columns).limit(limit + 1)
                                   .options(selectinload(Review.photos), selectinload(Review.reply))))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = cursors.encode("sync", [last.updated_at, last.id])
    return rows[:limit], next_cursor


def get_review(shop: Shop, review_ref: str | int) -> Review:
    """A review of this shop in any status, by its public id (an int is taken as the internal id);
    NotFound for another shop's or an unknown id. The one lookup of the API, the queue and the
    pages."""
    if isinstance(review_ref, int) and not isinstance(review_ref, bool):
        ref = Review.id == review_ref
    else:
        ref = Review.public_id == str(review_ref)
    review = db.session.scalar(select(Review).where(Review.shop_id == shop.id, ref))
    if review is None:
        raise NotFound("No review with this id in this shop.")
    return review
