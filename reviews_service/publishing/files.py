"""What a published file holds: the API's own answer, built by the same function the route calls
(uncached, so a worker never writes an answer its in-process cache kept from before a change)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..ratings import api as rating_answers
from ..ratings import badge, words
from ..reviews import api as review_answers
from ..reviews.schemas import ReviewListQuery
from ..web.caching import Cached
from . import names


@dataclass(frozen=True)
class File:
    path: str  # relative to the published root
    entry: Cached
    personal: bool  # holds reviewers' names or text: one stable name, no older copy kept


def _default_colours() -> tuple[str, str, str]:
    return badge.DEFAULTS["star"], badge.DEFAULTS["empty"], badge.DEFAULTS["text"]


def product_files(shop_id: int, public_key: str, product_id: str) -> Iterator[File]:
    """The product's files: rating.json, badge.svg (the shop's default language), badge.<lang>.svg
    for each widget language, reviews.json (the list's first page with no parameters). Nothing
    when the product id has no file name."""
    folder = names.product_folder(public_key, product_id)
    if folder is None:
        return
    yield File(f"{folder}/rating.json", rating_answers.product_rating_entry(shop_id, product_id), False)
    colours = _default_colours()
    yield File(f"{folder}/badge.svg", badge.badge_entry(shop_id, product_id, (*colours, None)), False)
    for lang in words.languages():
        yield File(f"{folder}/badge.{lang}.svg", badge.badge_entry(shop_id, product_id, (*colours, lang)), False)
    first_page = ReviewListQuery().load({})  # the route's defaults: newest first, its default limit
    yield File(f"{folder}/reviews.json", review_answers.page_entry(shop_id, first_page, product_id=product_id),
               True)


def shop_files(shop_id: int, public_key: str) -> Iterator[File]:
    """The shop's own file: rating.json, the whole shop's rating."""
    yield File(names.shop_rating_path(public_key), rating_answers.shop_rating_entry(shop_id), False)
