"""Edits after a private reply: when a reviewer edits a review the shop had answered privately,
the edit is audited on the review and counted by direction on the dashboard's compliance panel.

The reviewer's edit sends `events.review_revised` (collecting's edit link); these tests send that
signal themselves, with what the edit sends (review, revision, old and new stars), so that they
test this room's receiver whatever the edit page looks like."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviews_service import events
from reviews_service.extensions import db
from reviews_service.reviews.models import Review
from tests.admin.conftest import admin_for
from tests.helpers import post_order, set_settings, submit

SUPPORT = "help@shop-a.example"


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


def review(client, shop, order_id: str, rating: int) -> str:
    token = post_order(client, shop, order_id, email=f"{order_id.lower()}@example.com",
                       items=[("sku-1", "Trail shoes")])["widget_token"]
    answer = submit(client, shop, "sku-1", rating=rating, body="Meh.", token=token)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def reply_privately(client, shop, review_id: str) -> None:
    answer = client.post(f"/api/v1/reviews/{review_id}/private-replies", headers=shop.headers,
                         json={"body": "Sorry to hear it; we will help."})
    assert answer.status_code == 201, answer.json


def revise(app, review_id: str, old: int, new: int) -> None:
    """What the reviewer's edit does for this room: send `review_revised` in its transaction."""
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == review_id))
        events.review_revised.send(row.shop_id, review=row, revision=None, old_rating=old, new_rating=new)
        db.session.commit()


def compliance_line(page: str) -> str:
    start = page.index("Edits after a private reply:")
    return page[start:page.index("</p>", start)]


def test_edits_after_a_private_reply_are_counted_by_direction_on_the_dashboard(app, client, shop):
    set_settings(client, shop, support_email=SUPPORT)
    up, down, same, untouched = (review(client, shop, f"ED-{n}", r) for n, r in enumerate((2, 4, 3, 1)))
    for review_id in (up, down, same):
        reply_privately(client, shop, review_id)

    revise(app, up, 2, 5)
    revise(app, down, 4, 3)
    revise(app, same, 3, 3)
    revise(app, untouched, 1, 4)  # no private reply before this edit: not counted

    moderator = admin_for(app, shop, "moderator")
    page = moderator.get(f"{moderator.base}/dashboard").get_data(as_text=True)
    assert compliance_line(page) == "Edits after a private reply: 1 up, 1 down, 1 unchanged."


def test_an_edit_after_a_private_reply_is_in_the_reviews_history(app, client, shop):
    set_settings(client, shop, support_email=SUPPORT)
    review_id = review(client, shop, "ED-H", 1)
    reply_privately(client, shop, review_id)
    revise(app, review_id, 1, 4)

    events = client.get(f"/api/v1/reviews/{review_id}/history", headers=shop.headers).json["events"]
    assert [(e["action"], e["actor"], e["note"]) for e in events[-2:]] == [
        ("private_reply", f"key:{shop.secret_key[:12]}", ""), ("edited_after_private_reply", "reviewer", "1 → 4")]
    moderator = admin_for(app, shop, "moderator")
    page = moderator.get(f"{moderator.base}/reviews/{review_id}").get_data(as_text=True)
    assert "Edited after a private reply" in page and "The reviewer" in page


def test_an_edit_without_a_private_reply_is_not_counted(app, client, shop):
    review_id = review(client, shop, "ED-N", 2)  # a thread (low rating), but no reply
    revise(app, review_id, 2, 5)
    moderator = admin_for(app, shop, "moderator")
    page = moderator.get(f"{moderator.base}/dashboard").get_data(as_text=True)
    assert compliance_line(page) == "Edits after a private reply: 0 up, 0 down, 0 unchanged."
