"""The moderation queue: what it shows, its filters, and every action, through the test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reviews_service.collecting import service as reviews
from reviews_service.extensions import db
from reviews_service.moderation.models import AuditEvent
from reviews_service.outbox.models import OutboxMessage
from reviews_service.reviews.models import Photo, Reply, Review
from reviews_service.shops import service as shops
from tests.factories import make_review

from .conftest import review_row


def _ids_on(page) -> list[str]:
    return re.findall(r'data-review="([^"]+)"', page.get_data(as_text=True))


def _events(app, public_id: str) -> list[AuditEvent]:
    with app.app_context():
        review_id = db.session.scalar(select(Review.id).where(Review.public_id == public_id))
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.review_id == review_id)
                                       .order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def _public_ids(client, shop, product="sku-1") -> list[str]:
    answer = client.get(f"{shop.public}/products/{product}/reviews")
    assert answer.status_code == 200
    return [r["id"] for r in answer.get_json()["reviews"]]


# --- the page ------------------------------------------------------------------------------------

def test_queue_lists_pending_reviews_with_photos_labels_and_rule(app, admin, shop):
    rid = make_review(app, shop, title="Great boots", body="Warm and dry.", photos=2)
    make_review(app, shop, status="published", title="Already live")
    answer = admin.get(f"{admin.base}/queue")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert _ids_on(answer) == [rid]
    assert "Great boots" in html and "Warm and dry." in html
    assert html.count('loading="lazy"') == 2 and "-400." in html  # the thumbnails
    assert 'aria-label="4 of 5 stars"' in html
    assert "hold_unverified" in html  # the rule that held it
    assert re.search(r"Pending <span class=\"count\">1</span>", html)


def test_review_text_is_escaped(app, admin, shop):
    make_review(app, shop, title="<img src=x onerror=alert(1)>", body="<script>alert(1)</script>")
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_empty_queue_says_so(admin):
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert "Nothing waits for a decision." in html


@pytest.mark.parametrize("query, expected", [
    ({"stars": "1"}, {"one"}),
    ({"stars": "5"}, {"five-photos"}),
    ({"product": "sku-2"}, {"other-product"}),
    ({"has_photos": "yes"}, {"five-photos"}),
    ({"has_photos": "no"}, {"one", "other-product"}),
    ({"q": "PHOTOS"}, {"five-photos"}),
    ({"q": "100%"}, set()),
    ({"status": "published"}, {"live"}),
    ({"status": "rejected"}, {"spam"}),
    ({"status": "", "stars": "3"}, {"live", "spam"}),
    ({"verified": "yes"}, set()),
    ({"verified": "no"}, {"one", "five-photos", "other-product"}),
    ({"stars": "nonsense", "has_photos": "maybe"}, {"one", "five-photos", "other-product"}),
])
def test_filters(app, admin, shop, query, expected):
    ids = {
        "one": make_review(app, shop, rating=1, body="Broke after a week."),
        "five-photos": make_review(app, shop, rating=5, body="See the photos.", photos=1),
        "other-product": make_review(app, shop, product="sku-2", rating=4, body="Nice."),
        "live": make_review(app, shop, rating=3, status="published", body="Fine."),
        "spam": make_review(app, shop, rating=3, status="rejected", body="Buy cheap watches."),
    }
    answer = admin.get(f"{admin.base}/queue", query_string=query)
    assert answer.status_code == 200
    names = {name for name, rid in ids.items() if rid in _ids_on(answer)}
    assert names == expected


def test_reported_tab_lists_reviews_with_open_reports(app, admin, shop):
    reported = make_review(app, shop, status="published", body="Call me on my number.")
    make_review(app, shop, status="published", body="Quiet one.")
    with app.app_context():
        reviews.report(shops.get_shop(shop.id), reported, "personal_data", "Has a phone number",
                       reviews.Visitor("reporter", "ip"))
    page = admin.get(f"{admin.base}/queue", query_string={"status": "", "reported": "yes"})
    html = page.get_data(as_text=True)
    assert _ids_on(page) == [reported]
    assert "Reported 1 time" in html and "Has a phone number" in html
    assert re.search(r"Reported <span class=\"count\">1</span>", html)


def test_pages_through_a_long_queue(app, admin, shop, monkeypatch):
    from reviews_service.admin import queue_pages

    monkeypatch.setattr(queue_pages, "PAGE_SIZE", 3)
    made = [make_review(app, shop, body=f"Review number {n}.") for n in range(5)]
    first = admin.get(f"{admin.base}/queue")
    next_url = re.search(r'href="([^"]+)" rel="next"', first.get_data(as_text=True)).group(1)
    second = admin.get(next_url.replace("&amp;", "&"))
    assert _ids_on(first) + _ids_on(second) == made  # oldest first: a queue is worked from its front
    assert 'rel="next"' not in second.get_data(as_text=True)


def test_a_tampered_cursor_is_a_422_page_not_a_500(admin):
    answer = admin.get(f"{admin.base}/queue", query_string={"cursor": "not-a-cursor"})
    assert answer.status_code == 422
    assert "cursor" in answer.get_data(as_text=True)


# --- decisions -----------------------------------------------------------------------------------

def test_approve_publishes_audits_and_shows_in_the_public_list(app, client, admin, shop):
    rid = make_review(app, shop)
    answer = admin.post(f"{admin.base}/reviews/{rid}/approve", {"next": f"{admin.base}/queue"})
    assert answer.status_code == 302 and answer.headers["Location"] == f"{admin.base}/queue"
    assert review_row(app, rid).status == "published"
    last = _events(app, rid)[-1]
    assert (last.actor, last.from_status, last.to_status) == (admin.actor, "pending", "published")
    assert rid in _public_ids(client, shop)
    assert "Review approved." in admin.get(f"{admin.base}/queue").get_data(as_text=True)


def test_reject_needs_a_reason_and_records_it(app, admin, shop):
    rid = make_review(app, shop)
    admin.post(f"{admin.base}/reviews/{rid}/reject", {"reason": ""})
    assert review_row(app, rid).status == "pending"
    admin.post(f"{admin.base}/reviews/{rid}/reject", {"reason": "spam", "note": "link farm"})
    row = review_row(app, rid)
    assert (row.status, row.reject_reason) == ("rejected", "spam")
    assert _events(app, rid)[-1].note == "link farm"


def test_rejected_review_can_be_published_after_all(app, admin, shop):
    rid = make_review(app, shop, status="rejected")
    admin.post(f"{admin.base}/reviews/{rid}/approve")
    assert review_row(app, rid).status == "published"


def test_bulk_approve_and_reject(app, admin, shop):
    a, b, c = (make_review(app, shop, body=f"Text {n}.") for n in range(3))
    answer = admin.post(f"{admin.base}/queue/bulk", {"ids": [a, b], "action": "approve"})
    assert answer.status_code == 302
    assert [review_row(app, r).status for r in (a, b, c)] == ["published", "published", "pending"]
    admin.post(f"{admin.base}/queue/bulk", {"ids": [a, c], "action": "reject", "reason": "off_topic"})
    assert [review_row(app, r).status for r in (a, b, c)] == ["rejected", "published", "rejected"]
    assert "Rejected 2 reviews." in admin.get(f"{admin.base}/queue").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"action": "approve"}, "Select one or more reviews first"),
    ({"action": "reject", "reason": ""}, "Choose a reason for rejecting."),
    ({"action": "delete"}, "Choose approve or reject."),
])
def test_bulk_refusals_change_nothing(app, admin, shop, data, message):
    rid = make_review(app, shop)
    if data.get("action") != "approve":
        data = {**data, "ids": [rid]}
    admin.post(f"{admin.base}/queue/bulk", data)
    assert review_row(app, rid).status == "pending"
    assert message in admin.get(f"{admin.base}/queue").get_data(as_text=True)


def test_remove_photo_keeps_the_review_and_its_status(app, admin, shop):
    rid = make_review(app, shop, photos=2)
    with app.app_context():
        photo_ids = list(db.session.scalars(select(Photo.public_id).join(Review)
                                            .where(Review.public_id == rid).order_by(Photo.position)))
    answer = admin.post(f"{admin.base}/reviews/{rid}/photos/{photo_ids[0]}/remove")
    assert answer.status_code == 302
    row = review_row(app, rid)
    assert (row.status, row.photo_count) == ("pending", 1)
    assert _events(app, rid)[-1].action == "photo_removed"
    assert admin.post(f"{admin.base}/reviews/{rid}/photos/nope/remove").status_code == 404


def test_redact_personal_data_is_audited_and_labelled(app, admin, shop):
    rid = make_review(app, shop, body="Call me at +1 555 0100 if it breaks.")
    answer = admin.post(f"{admin.base}/reviews/{rid}/redact",
                        {"title": "Fits well", "body": "Call me at [redacted] if it breaks."})
    assert answer.status_code == 302
    row = review_row(app, rid)
    assert row.redacted and row.body == "Call me at [redacted] if it breaks."
    event = _events(app, rid)[-1]
    assert event.action == "redacted" and "555" not in event.note
    assert "Redacted by the shop" in admin.get(f"{admin.base}/reviews/{rid}").get_data(as_text=True)


def test_redaction_cannot_rewrite_the_review(app, admin, shop):
    rid = make_review(app, shop, rating=1, body="Terrible, fell apart.")
    answer = admin.post(f"{admin.base}/reviews/{rid}/redact", {"title": "Fits well", "body": "Lovely!"})
    assert answer.status_code == 422
    assert "must stay as the reviewer wrote it" in answer.get_data(as_text=True)
    assert review_row(app, rid).body == "Terrible, fell apart."


def test_reply_is_public_editable_and_e_mails_the_reviewer(app, client, admin, shop):
    rid = make_review(app, shop, status="published")
    assert admin.post(f"{admin.base}/reviews/{rid}/reply", {"body": "Thank you!"}).status_code == 302
    assert admin.post(f"{admin.base}/reviews/{rid}/reply", {"body": "Thank you, Ana!"}).status_code == 302
    listed = client.get(f"{shop.public}/products/sku-1/reviews").get_json()["reviews"]
    assert listed[0]["reply"]["body"] == "Thank you, Ana!"
    with app.app_context():
        assert db.session.scalar(select(Reply.body).join(Review).where(Review.public_id == rid)) == "Thank you, Ana!"
        topics = list(db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.kind == "email")))
    assert "reply" in topics
    admin.post(f"{admin.base}/reviews/{rid}/reply/delete")
    assert client.get(f"{shop.public}/products/sku-1/reviews").get_json()["reviews"][0]["reply"] is None


def test_reply_to_an_unpublished_review_is_refused(app, admin, shop):
    rid = make_review(app, shop)
    page = admin.get(f"{admin.base}/reviews/{rid}").get_data(as_text=True)
    assert "approve it first" in page
    answer = admin.post(f"{admin.base}/reviews/{rid}/reply", {"body": "Thanks"})
    assert answer.status_code == 422 and "approve it first" in answer.get_data(as_text=True)


def test_empty_reply_is_refused(app, admin, shop):
    rid = make_review(app, shop, status="published")
    assert admin.post(f"{admin.base}/reviews/{rid}/reply", {"body": "  "}).status_code == 422


def test_resolving_reports_keeps_the_review_published(app, admin, shop):
    rid = make_review(app, shop, status="published")
    with app.app_context():
        reviews.report(shops.get_shop(shop.id), rid, "spam", "", reviews.Visitor("r1", "i1"))
    admin.post(f"{admin.base}/reviews/{rid}/reports/resolve")
    row = review_row(app, rid)
    assert (row.status, row.report_count) == ("published", 0)


def test_review_page_shows_the_audit_trail_with_who_did_it(app, admin, shop):
    rid = make_review(app, shop)
    admin.post(f"{admin.base}/reviews/{rid}/reject", {"reason": "abuse"})
    html = admin.get(f"{admin.base}/reviews/{rid}").get_data(as_text=True)
    assert "History" in html and admin.email in html
    assert "Pending → rejected" in html and "Abuse or hate speech" in html


# --- CSRF ----------------------------------------------------------------------------------------

ACTIONS = [
    ("reviews/{rid}/approve", {}),
    ("reviews/{rid}/reject", {"reason": "spam"}),
    ("queue/bulk", {"ids": "{rid}", "action": "approve"}),
    ("reviews/{rid}/redact", {"body": "[redacted]"}),
    ("reviews/{rid}/reply", {"body": "Thanks"}),
    ("reviews/{rid}/reply/delete", {}),
    ("reviews/{rid}/reports/resolve", {}),
    ("reviews/{rid}/photos/{photo}/remove", {}),
]


@pytest.mark.parametrize("path, data", ACTIONS, ids=[a[0].split("/")[-1] for a in ACTIONS])
def test_actions_without_csrf_token_are_400_and_change_nothing(app, admin, shop, path, data):
    rid = make_review(app, shop, photos=1)
    with app.app_context():
        photo = db.session.scalar(select(Photo.public_id).join(Review).where(Review.public_id == rid))
    before = _events(app, rid)
    data = {k: v.format(rid=rid) for k, v in data.items()}
    answer = admin.post(f"{admin.base}/{path.format(rid=rid, photo=photo)}", data, csrf=False)
    assert answer.status_code == 400
    assert len(_events(app, rid)) == len(before)
    assert review_row(app, rid).status == "pending"


def test_a_token_from_another_session_is_refused(app, admin, owner, shop):
    rid = make_review(app, shop)
    answer = admin.post(f"{admin.base}/reviews/{rid}/approve", {"csrf_token": owner.token()})
    assert answer.status_code == 400
    assert review_row(app, rid).status == "pending"
