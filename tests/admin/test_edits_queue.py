"""Reviewers' edits in the admin: the queue's Edits tab shows each edit a rule held beside the version
that stays published, a moderator approves it (the aggregates move once) or rejects it with a
reason; the review's history tells old and new; the compliance panel counts edits by direction."""

from __future__ import annotations

import pytest

from reviews_service.ratings import service as ratings
from tests.helpers import edit_token, publish

from .conftest import admin_for

HELD = "Now with a discount at www.trail-deals.example"


@pytest.fixture
def held(app, client, shop):
    """A published 5-star review whose reviewer sent a 2-star edit that the link rule holds."""
    review = publish(client, shop, rating=5, title="Great", body="Comfortable from day one.", email="ana@example.com")
    token = edit_token(app, client, shop, review["id"])
    answer = client.put(f"{shop.public}/my-review", json={"token": token, "rating": 2, "title": "Meh", "body": HELD})
    assert answer.json["outcome"] == "pending"
    return review["id"]


@pytest.fixture
def moderator(app, shop):
    return admin_for(app, shop, "moderator")


def public(client, shop) -> tuple[int, str, float]:
    [review] = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"]
    return review["rating"], review["body"], client.get(f"{shop.public}/products/sku-1/rating").json["average"]


def test_the_edits_tab_counts_and_shows_old_beside_new(client, shop, held, moderator):
    queue = moderator.get(f"{moderator.base}/queue").get_data(as_text=True)
    assert "Edits <span class=\"count\">1</span>" in queue

    page = moderator.get(f"{moderator.base}/queue/edits")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Published now" in html and "The reviewer’s edit" in html
    assert "Comfortable from day one." in html and HELD in html
    assert html.index("Comfortable from day one.") < html.index(HELD)
    assert "<code>links</code>" in html


def test_approving_applies_the_edit_and_moves_the_aggregate_once(app, client, shop, held, moderator):
    assert public(client, shop) == (5, "Comfortable from day one.", 5.0)

    answer = moderator.post(f"{moderator.base}/reviews/{held}/edit/approve")

    assert answer.status_code == 302
    assert public(client, shop) == (2, HELD, 2.0)
    with app.app_context():
        assert ratings.recount() == []
    assert "No edit waits for a decision." in moderator.get(f"{moderator.base}/queue/edits").get_data(as_text=True)
    history = moderator.get(f"{moderator.base}/reviews/{held}").get_data(as_text=True)
    assert "Stars: 5 → 2" in history and "Title: “Great” → “Meh”" in history
    assert f"Text: “Comfortable from day one.” → “{HELD}”" in history


def test_rejecting_keeps_the_published_version(client, shop, held, moderator):
    answer = moderator.post(f"{moderator.base}/reviews/{held}/edit/reject", {"reason": "spam"})

    assert answer.status_code == 302
    assert public(client, shop) == (5, "Comfortable from day one.", 5.0)
    assert "Edit rejected" in moderator.get(f"{moderator.base}/reviews/{held}").get_data(as_text=True)


def test_rejecting_needs_a_reason(client, shop, held, moderator):
    moderator.post(f"{moderator.base}/reviews/{held}/edit/reject", {"reason": ""})

    assert "Choose a reason for rejecting." in moderator.get(f"{moderator.base}/queue/edits").get_data(as_text=True)
    assert public(client, shop)[0] == 5


def test_a_decision_needs_the_csrf_token(client, shop, held, moderator):
    assert moderator.post(f"{moderator.base}/reviews/{held}/edit/approve", csrf=False).status_code == 400
    assert public(client, shop)[0] == 5


def test_another_shops_review_is_404(app, held, other_shop):
    stranger = admin_for(app, other_shop, "owner")
    assert stranger.post(f"{stranger.base}/reviews/{held}/edit/approve").status_code == 404


def test_the_compliance_panel_counts_edits_by_direction_and_withdrawals(app, client, shop, moderator):
    for n, (before, after) in enumerate([(5, 2), (1, 4), (3, 3)]):
        review = publish(client, shop, rating=before, email=f"p{n}@example.com", body="First words.")
        token = edit_token(app, client, shop, review["id"])
        client.put(f"{shop.public}/my-review", json={"token": token, "rating": after, "body": "Second words."})
    withdrawn = publish(client, shop, rating=4, email="w@example.com")
    client.post(f"{shop.public}/my-review/withdraw", json={"token": edit_token(app, client, shop, withdrawn["id"])})

    html = moderator.get(f"{moderator.base}/dashboard").get_data(as_text=True)

    assert "Edits by reviewers: 1 up, 1 down, 1 unchanged; 1 withdrawn." in html
