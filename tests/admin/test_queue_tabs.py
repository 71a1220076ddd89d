"""The queue's tabs: the Reported tab is reached, highlighted and filtered as it says, and the
empty queue counts the reported reviews in proper English."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from reviews_service.collecting import service as reviews
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews.models import Review
from reviews_service.shops import service as shops
from tests.factories import make_review


def _report(app, shop, public_id: str, who: str = "reporter") -> None:
    with app.app_context():
        reviews.report(shops.get_shop(shop.id), public_id, "spam", "", reviews.Visitor(who, who))


def _tab(html: str, label: str) -> re.Match:
    match = re.search(rf'<a href="([^"]+)" ?(aria-current="page")?>{label} <span class="count">', html)
    assert match, f"no {label} tab"
    return match


def _selected(html: str, select_id: str) -> str:
    select = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def test_the_reported_tab_is_highlighted_and_its_filter_says_any_status(app, admin, shop):
    published = make_review(app, shop, status="published", body="Buy at spam.example")
    rejected = make_review(app, shop, status="published", body="Call 555 0100")
    make_review(app, shop, status="published", body="A quiet one.")
    make_review(app, shop, body="Waiting, not reported.")
    _report(app, shop, published)
    _report(app, shop, rejected)
    with app.app_context():  # reported, then rejected: its reports are still there to read
        review = db.session.scalar(select(Review).where(Review.public_id == rejected))
        moderation.transition(review, "rejected", actor="test", reason="personal_data")
        db.session.commit()

    queue = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert _tab(queue, "Pending").group(2) and not _tab(queue, "Reported").group(2)
    href = unescape(_tab(queue, "Reported").group(1))

    page = admin.get(href)
    html = page.get_data(as_text=True)
    assert _tab(html, "Reported").group(2), "the Reported tab is the current one"
    assert not _tab(html, "Pending").group(2)
    assert _selected(html, "f-status") == "" and _selected(html, "f-reported") == "yes"
    assert set(re.findall(r'data-review="([^"]+)"', html)) == {published, rejected}


def test_the_reported_tabs_link_keeps_its_status_through_the_pages(app, admin, shop):
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    href = unescape(_tab(html, "Reported").group(1))
    assert "status=&" in href or href.endswith("status=")


@pytest.mark.parametrize("reported, sentence", [
    (1, "1 reported review</a> needs a look."),
    (2, "2 reported reviews</a> need a look."),
])
def test_the_empty_queue_counts_reported_reviews_with_proper_plurals(app, admin, shop, reported, sentence):
    for n in range(reported):
        _report(app, shop, make_review(app, shop, status="published", body=f"Review {n}"))
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert "Nothing waits for a decision." in html
    assert sentence in html


def test_a_review_reported_once_says_once(app, admin, shop):
    rid = make_review(app, shop, status="published")
    _report(app, shop, rid)
    assert "Reported 1 time<" in admin.get(f"{admin.base}/reviews/{rid}").get_data(as_text=True)
    _report(app, shop, rid, who="another")
    assert "Reported 2 times<" in admin.get(f"{admin.base}/reviews/{rid}").get_data(as_text=True)
