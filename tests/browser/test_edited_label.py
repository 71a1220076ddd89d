"""The widget shows a review its reviewer edited after publication as "edited" (a label that explains
itself, like the others), in the reader's language; and shows it no more once it is withdrawn."""

from __future__ import annotations

import pytest

from reviews_service.collecting import edits
from reviews_service.extensions import db
from reviews_service.reviews.models import Review
from reviews_service.shops import service as shops

from .conftest import ready

pytestmark = pytest.mark.browser


def edited(live, shop, review_id: str, **change) -> None:
    """The reviewer's edit, sent with their link's token (the rules publish it at once)."""
    with live.ctx():
        s = shops.get_shop(shop.id)
        token = edits.token_for(db.session.scalar(db.select(Review).where(Review.public_id == review_id)))
        assert edits.edit(s, token, change).outcome == "published"


@pytest.mark.parametrize(("lang", "label", "info"), [
    ("en", "Edited", "The reviewer changed this review after it was first published."),
    ("hy", "Խմբագրված", "Հեղինակը փոխել է այս կարծիքն առաջին հրապարակումից հետո։"),
], ids=["en", "hy"])
def test_an_edited_review_is_labelled_edited(live, page, lang, label, info):
    shop = live.shop()
    pid = live.product(shop, "boot", "Boot")
    changed = live.review(shop, pid, 5, title="Changed", body="First words.")
    live.review(shop, pid, 4, title="Untouched", body="Never edited.", days_ago=1)
    edited(live, shop, changed, rating=2, title="Changed", body="Second thoughts.")

    page.goto(live.embed(shop, pid, lang=lang))
    ready(page)

    first, second = page.locator(".review").nth(0), page.locator(".review").nth(1)
    assert first.locator(".body").inner_text() == "Second thoughts."
    assert first.locator(".label.edited summary").inner_text() == label
    first.locator(".label.edited summary").click()
    assert first.locator(".label.edited p").inner_text() == info
    assert second.locator(".label.edited").count() == 0


def test_a_withdrawn_review_is_not_shown(live, page):
    shop = live.shop()
    pid = live.product(shop, "boot", "Boot")
    gone = live.review(shop, pid, 1, title="Gone", body="Withdrawn later.")
    live.review(shop, pid, 5, title="Stays", body="Still here.", days_ago=1)
    with live.ctx():
        token = edits.token_for(db.session.scalar(db.select(Review).where(Review.public_id == gone)))
        edits.withdraw(shops.get_shop(shop.id), token)

    page.goto(live.embed(shop, pid))
    ready(page)

    assert page.locator(".review-title").all_inner_texts() == ["Stays"]
    assert page.locator(".average").inner_text() == "5.0"
