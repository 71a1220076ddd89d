"""The reviewer edits or withdraws their own review, through the public API with the token of the
link their confirmation e-mail carries: an edit is decided by the rules a new review meets (the
published version stays until then), an applied edit moves the aggregates exactly once, and a
withdrawal takes the review off every public surface at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from reviews_service import clock, events
from reviews_service.extensions import db
from reviews_service.moderation.models import AuditEvent
from reviews_service.ratings import service as ratings
from reviews_service.reviews.models import Review, ReviewRevision
from tests.helpers import assert_problem, edit_token, publish, row_counts, set_settings, write_review
from tests.signals import connected, fail

LINKED = "Loved them. More at www.trail-deals.example today."


@pytest.fixture
def mine(app, client, shop):
    """A verified buyer's published 5-star review, and the token of its confirmation e-mail's link."""
    review = publish(client, shop, rating=5, title="Great", body="Comfortable from day one.")
    return review["id"], edit_token(app, client, shop, review["id"])


def edit(client, shop, token, **body):
    return client.put(f"{shop.public}/my-review", json={"token": token, **body})


def rating(client, shop, product="sku-1") -> dict:
    return client.get(f"{shop.public}/products/{product}/rating").json


def listed(client, shop) -> list[dict]:
    return client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"]


def history(app, review_id: str) -> list[tuple]:
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.public_id == review_id))
        rows = [(e.actor, e.action, e.note) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.review_id == review.id).order_by(AuditEvent.id))]
        db.session.remove()
        return rows


def recount_agrees(app) -> bool:
    with app.app_context():
        return ratings.recount() == []


# --- reading -------------------------------------------------------------------------------------

def test_the_token_reads_the_reviewers_own_review(client, shop, mine):
    review_id, token = mine

    answer = client.get(f"{shop.public}/my-review", query_string={"token": token})

    assert answer.status_code == 200
    assert answer.json | {"edit_url": None} == answer.json | {
        "id": review_id, "product_id": "sku-1", "product_name": "Trail shoes", "status": "published",
        "rating": 5, "title": "Great", "body": "Comfortable from day one.", "edited_at": None,
        "can_change": True, "pending_edit": None, "edit_url": None}
    assert answer.json["edit_url"] == f"http://reviews.test/review/edit/{token}"


# --- an edit the rules publish -------------------------------------------------------------------

def test_an_edit_from_5_to_2_stars_is_applied_and_the_aggregate_changes_once(app, client, shop, mine):
    review_id, token = mine
    before = rating(client, shop)

    answer = edit(client, shop, token, rating=2, title="Worn out", body="The sole came off after a month.")

    assert answer.status_code == 200, answer.json
    assert (answer.json["outcome"], answer.json["status"], answer.json["rating"]) == ("published", "published", 2)
    after = rating(client, shop)
    assert (before["count"], before["histogram"]["5"], before["histogram"]["2"]) == (1, 1, 0)
    assert (after["count"], after["average"], after["histogram"]["5"], after["histogram"]["2"]) == (1, 2.0, 0, 1)
    assert recount_agrees(app)
    [shown] = listed(client, shop)
    assert (shown["rating"], shown["title"], shown["body"]) == (2, "Worn out", "The sole came off after a month.")
    assert shown["edited_at"] is not None and "edited" in shown["labels"]


@pytest.mark.parametrize(("lang", "label"), [("en", "Edited"), ("hy", "Խմբագրված"), ("vi", "Đã sửa")])
def test_the_fragment_labels_an_edited_review(client, shop, mine, lang, label):
    _review_id, token = mine
    fragment = f"{shop.public}/products/sku-1/reviews.html?lang={lang}"
    assert "rv-label-edited" not in client.get(fragment).get_data(as_text=True)

    edit(client, shop, token, rating=4, body="Still good.")

    html = client.get(fragment).get_data(as_text=True)
    assert f'<li class="rv-label rv-label-edited">{label}</li>' in html and "Still good." in html


def test_the_audit_log_keeps_the_old_and_the_new_version(app, client, shop, mine):
    review_id, token = mine

    edit(client, shop, token, rating=3, title="", body="Fine, a bit narrow.")

    [(actor, _action, note)] = [e for e in history(app, review_id) if e[1] == "edited"]
    assert actor == "policy"
    assert '"rating": [5, 3]' in note and '"title": ["Great", ""]' in note
    assert '"body": ["Comfortable from day one.", "Fine, a bit narrow."]' in note


def test_the_same_edit_again_moves_nothing_twice(app, client, shop, mine):
    _review_id, token = mine

    for _ in range(2):
        assert edit(client, shop, token, rating=1, body="Broke.").status_code == 200

    assert (rating(client, shop)["count"], rating(client, shop)["histogram"]["1"]) == (1, 1)
    assert recount_agrees(app)


def test_the_edit_sends_review_revised_in_its_transaction(app, client, shop, mine):
    review_id, token = mine
    seen = []

    def receiver(sender, **kw):
        seen.append((sender, kw["review"].public_id, kw["revision"].status, kw["old_rating"], kw["new_rating"]))

    with connected(events.review_revised, receiver):
        edit(client, shop, token, rating=2, body="Worse than I thought.")

    assert seen == [(shop.id, review_id, "applied", 5, 2)]


def test_a_failing_receiver_of_the_signal_rolls_the_edit_back(app, client, shop, mine):
    _review_id, token = mine
    before = row_counts(app)

    with connected(events.review_revised, fail):
        assert_problem(edit(client, shop, token, rating=1, body="Broke."), 500)

    assert row_counts(app) == before
    assert rating(client, shop)["histogram"]["5"] == 1
    assert listed(client, shop)[0]["rating"] == 5
    assert recount_agrees(app)


# --- an edit the rules hold, or reject ------------------------------------------------------------

@pytest.mark.parametrize("stars", [1, 5])
def test_an_edit_a_rule_holds_waits_and_the_published_version_stays(app, client, shop, mine, stars):
    review_id, token = mine

    answer = edit(client, shop, token, rating=stars, body=LINKED)

    assert (answer.json["outcome"], answer.json["rating"], answer.json["body"]) == (
        "pending", 5, "Comfortable from day one.")
    assert answer.json["pending_edit"]["rating"] == stars and answer.json["pending_edit"]["body"] == LINKED
    assert (listed(client, shop)[0]["body"], rating(client, shop)["average"]) == ("Comfortable from day one.", 5.0)


@pytest.mark.parametrize("stars", [1, 5])
def test_a_clean_edit_is_published_whatever_its_stars(client, shop, mine, stars):
    _review_id, token = mine

    answer = edit(client, shop, token, rating=stars, body="Changed my mind about them.")

    assert (answer.json["outcome"], answer.json["rating"]) == ("published", stars)


def test_the_published_version_stays_until_a_moderator_approves_the_edit(app, client, shop, mine):
    review_id, token = mine
    edit(client, shop, token, rating=2, body=LINKED)
    queue = client.get("/api/v1/moderation/revisions", headers=shop.headers).json["revisions"]
    assert [(r["review"]["id"], r["review"]["rating"], r["rating"]) for r in queue] == [(review_id, 5, 2)]

    decided = client.post(f"/api/v1/reviews/{review_id}/revision/decision", headers=shop.headers,
                          json={"decision": "approve"})

    assert decided.status_code == 200, decided.json
    assert (listed(client, shop)[0]["rating"], listed(client, shop)[0]["body"]) == (2, LINKED)
    assert rating(client, shop)["average"] == 2.0 and recount_agrees(app)
    assert client.get("/api/v1/moderation/revisions", headers=shop.headers).json["revisions"] == []


def test_a_moderator_rejects_an_edit_for_its_content_and_the_review_stays(app, client, shop, mine):
    review_id, token = mine
    edit(client, shop, token, rating=1, body=LINKED)

    refused = client.post(f"/api/v1/reviews/{review_id}/revision/decision", headers=shop.headers,
                          json={"decision": "reject", "reason": "spam"})

    assert refused.status_code == 200, refused.json
    assert refused.json["status"] == "rejected" and refused.json["reject_reason"] == "spam"
    assert (listed(client, shop)[0]["rating"], rating(client, shop)["average"]) == (5, 5.0)
    assert ("user:" not in history(app, review_id)[-1][0]) and history(app, review_id)[-1][1] == "edit_rejected"


def test_an_edit_of_an_unverified_review_waits_for_a_moderator_like_the_review_did(client, shop):
    client.put("/api/v1/products/sku-1", headers=shop.headers, json={"name": "Trail shoes"})
    review_id = write_review(client, shop, rating=4)
    approved = client.post(f"/api/v1/reviews/{review_id}/decision", headers=shop.headers, json={"decision": "approve"})
    assert approved.status_code == 200

    answer = edit(client, shop, edit_token(client.application, client, shop, review_id), rating=4, body="Still warm.")

    assert (answer.json["outcome"], answer.json["pending_edit"]["body"]) == ("pending", "Still warm.")


def test_a_rule_that_rejects_rejects_the_edit_not_the_review(app, client, shop, mine):
    set_settings(client, shop, rule_profanity_action="reject")
    _review_id, token = mine

    answer = edit(client, shop, token, rating=1, body="What a fucking mess.")

    assert answer.status_code == 200
    assert (answer.json["outcome"], answer.json["status"], answer.json["pending_edit"]) == ("rejected", "published", None)
    assert (listed(client, shop)[0]["body"], rating(client, shop)["average"]) == ("Comfortable from day one.", 5.0)


def test_a_new_edit_replaces_the_one_that_waits(client, shop, mine):
    _review_id, token = mine
    edit(client, shop, token, rating=2, body=LINKED)

    answer = edit(client, shop, token, rating=3, body=LINKED + " Really.")

    assert answer.json["pending_edit"]["rating"] == 3
    assert len(client.get("/api/v1/moderation/revisions", headers=shop.headers).json["revisions"]) == 1


# --- a review not yet published ----------------------------------------------------------------------

def test_a_review_not_yet_published_is_changed_in_place_and_audited(app, client, shop):
    client.put("/api/v1/products/sku-1", headers=shop.headers, json={"name": "Trail shoes"})
    review_id = write_review(client, shop, rating=2, body="Too small.")
    token = edit_token(app, client, shop, review_id)

    answer = edit(client, shop, token, rating=4, body="Fits with thicker socks.")

    assert (answer.json["outcome"], answer.json["status"], answer.json["rating"]) == ("updated", "pending", 4)
    assert answer.json["edited_at"] is None  # the public never saw another version
    assert [e[:2] for e in history(app, review_id)][-1] == ("reviewer", "edited")
    assert rating(client, shop)["count"] == 0 and recount_agrees(app)


# --- withdrawing ---------------------------------------------------------------------------------------

def test_withdrawing_removes_the_review_from_every_public_surface_at_once(app, client, shop, mine):
    review_id, token = mine
    jsonld = f"{shop.public}/products/sku-1/jsonld"
    assert client.get(jsonld).get_json(force=True)["aggregateRating"]["reviewCount"] == 1

    answer = client.post(f"{shop.public}/my-review/withdraw", json={"token": token})

    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["can_change"]) == ("removed", False)
    assert listed(client, shop) == []
    assert rating(client, shop)["count"] == 0
    assert client.get(jsonld).status_code == 204  # no published review: nothing to mark up
    assert review_id not in client.get(f"{shop.public}/products/sku-1/reviews.html").get_data(as_text=True)
    assert "Comfortable" not in client.get("/api/v1/feeds/google-product-reviews.xml",
                                           headers=shop.headers).get_data(as_text=True)
    assert 'aria-label="0 reviews"' in client.get(f"{shop.public}/products/sku-1/badge.svg").get_data(as_text=True)
    assert recount_agrees(app)
    assert [(actor, action) for actor, action, _ in history(app, review_id)][-1] == ("reviewer", "status")
    assert history(app, review_id)[-1][2] == "withdrawn by the reviewer"


@pytest.mark.parametrize("app_config", [{"RATING_CACHE_TTL": 60, "RATING_MAX_AGE": 60}])
def test_withdrawing_and_editing_are_seen_at_once_through_the_caches(client, shop, mine):
    _review_id, token = mine
    assert rating(client, shop)["average"] == 5.0 and listed(client, shop)[0]["rating"] == 5

    edit(client, shop, token, rating=3, body="Middling.")
    assert (rating(client, shop)["average"], listed(client, shop)[0]["rating"]) == (3.0, 3)

    client.post(f"{shop.public}/my-review/withdraw", json={"token": token})
    assert (rating(client, shop)["count"], listed(client, shop)) == (0, [])


@pytest.mark.parametrize("status", ["removed", "rejected"])
def test_a_withdrawn_or_rejected_review_can_no_longer_be_edited(app, client, shop, mine, status):
    review_id, token = mine
    if status == "removed":
        client.post(f"{shop.public}/my-review/withdraw", json={"token": token})
    else:
        client.post(f"/api/v1/reviews/{review_id}/decision", headers=shop.headers,
                    json={"decision": "reject", "reason": "off_topic"})

    body = assert_problem(edit(client, shop, token, rating=1, body="Again."), 409, field="token", shopper=True)

    assert "can no longer be changed" in body["detail"]


def test_withdrawing_twice_changes_nothing_more(app, client, shop, mine):
    _review_id, token = mine
    for _ in range(2):
        answer = client.post(f"{shop.public}/my-review/withdraw", json={"token": token})
        assert answer.status_code == 200 and answer.json["status"] == "removed"
    assert recount_agrees(app)


# --- the token -------------------------------------------------------------------------------------

def test_a_token_of_another_shop_is_refused(client, shop, other_shop, mine):
    _review_id, token = mine

    for answer in (client.get(f"{other_shop.public}/my-review", query_string={"token": token}),
                   client.put(f"{other_shop.public}/my-review", json={"token": token, "rating": 1}),
                   client.post(f"{other_shop.public}/my-review/withdraw", json={"token": token})):
        assert_problem(answer, 403, field="token", shopper=True)
    assert listed(client, shop)[0]["rating"] == 5


def test_a_token_names_one_review_only(app, client, shop, mine):
    review_id, token = mine
    other = publish(client, shop, rating=4, email="someone.else@example.com", body="Nice.")

    edit(client, shop, token, rating=1, body="Broke.")

    ratings_ = {r["id"]: r["rating"] for r in listed(client, shop)}
    assert ratings_ == {review_id: 1, other["id"]: 4}


@pytest.mark.parametrize("token", ["", "x", "not.a.token", "eyJzaG9wIjoxfQ.forged"])
def test_a_wrong_token_is_refused(client, shop, mine, token):
    answer = edit(client, shop, token, rating=1)
    assert answer.status_code in (403, 422)
    assert "token" in answer.json["errors"]


def test_a_token_of_another_purpose_is_refused(client, shop, mine):
    order = client.post("/api/v1/orders", headers=shop.headers, json={
        "id": "W-9", "customer": {"email": "w9@example.com", "name": "W"}, "currency": "EUR", "total": "1.00",
        "placed_at": "2026-11-01T12:00:00+00:00",
        "items": [{"product_id": "sku-1", "name": "Trail shoes", "quantity": 1, "price": "1.00"}]}).json

    assert_problem(edit(client, shop, order["widget_token"], rating=1), 403, field="token", shopper=True)


def test_the_link_expires_after_review_edit_days(client, shop, mine):
    _review_id, token = mine
    clock.travel(timedelta(days=366))

    body = assert_problem(edit(client, shop, token, rating=1), 403, field="token", shopper=True)

    assert "expired" in body["detail"]


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"rating": 6}, "rating"), ({"rating": 0}, "rating"), ({"rating": "5"}, "rating"), ({}, "rating"),
    ({"rating": 4, "title": "t" * 151}, "title"), ({"rating": 4, "body": "b" * 5001}, "body"),
    ({"rating": 4, "status": "published"}, "status"),
])
def test_bad_input_is_4xx_naming_the_field(app, client, shop, mine, body, field):
    _review_id, token = mine

    assert_problem(client.put(f"{shop.public}/my-review", json={"token": token, **body}), 422, field=field)
    assert listed(client, shop)[0]["rating"] == 5


def test_the_token_is_required(client, shop):
    assert_problem(client.put(f"{shop.public}/my-review", json={"rating": 4}), 422, field="token")
    assert_problem(client.get(f"{shop.public}/my-review"), 422, field="token")


def test_text_is_required_when_the_shop_wants_it(client, shop, mine):
    set_settings(client, shop, allow_rating_only=False)
    _review_id, token = mine

    assert_problem(edit(client, shop, token, rating=3, body="  "), 422, field="body", shopper=True)


# --- the reviewer's data --------------------------------------------------------------------------

def test_the_reviewers_edits_are_in_their_export_and_gone_with_their_erasure(app, client, shop, mine):
    review_id, token = mine
    edit(client, shop, token, rating=2, body="Ana Buyer here: " + LINKED)  # waits, with her name in it

    exported = client.get("/api/v1/customers/export", query_string={"email": "buyer@example.com"},
                          headers=shop.headers).json
    assert [(e["review_id"], e["status"], e["rating"]) for e in exported["review_edits"]] == [
        (review_id, "pending", 2)]

    assert client.post("/api/v1/customers/erase", json={"email": "buyer@example.com"},
                       headers=shop.headers).status_code == 200
    with app.app_context():
        assert db.session.scalars(select(ReviewRevision)).all() == []
        notes = db.session.scalars(select(AuditEvent.note)).all()
        db.session.remove()
    assert not any("Ana Buyer" in note or "Comfortable" in note for note in notes)
    assert client.get("/api/v1/moderation/revisions", headers=shop.headers).json["revisions"] == []
