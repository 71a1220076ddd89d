"""Points for a review: decided when it is submitted (the settings then, photos or not), never by
its stars or its moderation result, except a first decision that rejects it as spam or abuse; and
a review offered points is an incentivised review, labelled and disclosed like a reward."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.helpers import set_settings, submit, upload

from .conftest import ledger, order, set_program, standing


def review(client, shop, rating: int, email: str, **fields) -> tuple[dict, int]:
    """A verified buyer's review; answers it and the buyer's customer id."""
    bought = order(client, shop, "10.00", email=email)
    answer = submit(client, shop, rating=rating, token=bought["widget_token"], body="Warm and dry.", **fields)
    assert answer.status_code == 201, answer.json
    return answer.json, bought["customer_id"]


def review_points(client, shop, customer: int) -> list[int]:
    return [e["points"] for e in ledger(client, shop, customer) if e["source"] == "review"]


def decide(client, shop, public_id: str, decision: str, reason: str | None = None) -> None:
    answer = client.post(f"/api/v1/reviews/{public_id}/decision", headers=shop.headers,
                         json={"decision": decision, "reason": reason})
    assert answer.status_code == 200, answer.json


def test_the_same_review_at_one_and_five_stars_earns_the_same_points(client, program):
    low, low_buyer = review(client, program, 1, "low@example.com")
    high, high_buyer = review(client, program, 5, "high@example.com")

    assert (low["status"], low["incentivized"]) == (high["status"], high["incentivized"]) == ("published", True)
    assert review_points(client, program, low_buyer) == review_points(client, program, high_buyer) == [50]


def test_a_review_held_and_decided_later_earns_at_that_first_decision_whatever_its_stars(client, program):
    set_settings(client, program, auto_publish_verified=False)
    held, buyer = review(client, program, 1, "ana@example.com")
    assert held["status"] == "pending" and review_points(client, program, buyer) == []

    decide(client, program, held["id"], "reject", "off_topic")  # content, not spam: still earned
    decide(client, program, held["id"], "approve")  # a later decision changes nothing
    assert review_points(client, program, buyer) == [50]


@pytest.mark.parametrize("reason", ["spam", "abuse"])
def test_none_when_the_first_decision_rejects_it_as_spam_or_abuse(client, program, reason):
    set_settings(client, program, auto_publish_verified=False)
    held, buyer = review(client, program, 5, "ana@example.com")
    decide(client, program, held["id"], "reject", reason)
    decide(client, program, held["id"], "approve")
    assert review_points(client, program, buyer) == []


def test_a_review_with_photos_earns_the_photo_points(client, program):
    _, buyer = review(client, program, 3, "ana@example.com", photo_ids=[upload(client, program)])
    assert review_points(client, program, buyer) == [80]


def test_the_points_in_force_at_submission_decide_the_label_and_the_points(client, shop):
    before, before_buyer = review(client, shop, 5, "before@example.com")
    set_program(client, shop)
    set_settings(client, shop, auto_publish_verified=False)
    during, during_buyer = review(client, shop, 5, "during@example.com")
    set_program(client, shop, enabled=False)  # switched off while it waits: it keeps its offer
    decide(client, shop, during["id"], "approve")
    decide(client, shop, before["id"], "reject", "off_topic")

    assert [before["incentivized"], during["incentivized"]] == [False, True]
    assert review_points(client, shop, before_buyer) == [] and review_points(client, shop, during_buyer) == [50]


def test_every_surface_labels_a_review_offered_points(client, program):
    review(client, program, 4, "ana@example.com")
    listed = client.get(f"{program.public}/products/sku-1/reviews").json["reviews"]
    assert [("incentivized" in r["labels"], r["incentivized"]) for r in listed] == [(True, True)]
    feed = ET.fromstring(client.get("/api/v1/feeds/google-product-reviews.xml", headers=program.headers).data)
    assert feed.findtext("reviews/review/is_incentivized_review") == "true"


def test_a_reviewer_the_shop_does_not_know_is_labelled_but_has_no_account_to_earn_in(client, program):
    client.put("/api/v1/products/sku-1", json={"name": "Trail shoes"}, headers=program.headers)
    answer = submit(client, program, rating=5, body="Nice.", email="stranger@example.com", display_name="S")
    assert answer.status_code == 201 and answer.json["incentivized"] is True
    assert client.post("/api/v1/loyalty/customers/lookup", json={"email": "stranger@example.com"},
                       headers=program.headers).status_code == 404


def test_an_unverified_review_by_a_known_customers_address_earns_for_that_customer(client, program):
    buyer = order(client, program, "10.00", email="ana@example.com")["customer_id"]
    client.put("/api/v1/products/sku-9", json={"name": "Socks"}, headers=program.headers)
    answer = submit(client, program, "sku-9", rating=2, body="Thin.", email="Ana@Example.com", display_name="Ana")
    assert answer.status_code == 201
    set_settings(client, program, auto_publish_verified=True)
    decide(client, program, answer.json["id"], "approve")
    assert review_points(client, program, buyer) == [50]
    assert standing(client, program, buyer)["spendable"] == 50


@pytest.mark.parametrize(("lang", "review_line", "photo_line"), [
    ("en", "For writing a review, whatever its stars, you get: 50 points.",
     "For a review with a photo, whatever its stars, you get: 80 points."),
    ("hy", "Կարծիք գրելու համար, անկախ աստղերից, կստանաք՝ 50 միավոր։",
     "Լուսանկարով կարծիքի համար, անկախ աստղերից, կստանաք՝ 80 միավոր։"),
    ("ru", "За отзыв", "80 баллов"),
])
def test_the_form_says_the_points_before_the_review_is_sent(client, program, lang, review_line, photo_line):
    lines = client.get(f"{program.public}/widget-config", query_string={"lang": lang}).json["incentives"]
    assert len(lines) == 2
    assert lines[0].startswith(review_line) and photo_line in lines[1]


def test_nothing_is_said_while_no_points_are_offered_for_reviews(client, shop):
    set_program(client, shop, for_review=0, for_review_with_photos=0)
    assert client.get(f"{shop.public}/widget-config", query_string={"lang": "en"}).json["incentives"] == []
    _, buyer = review(client, shop, 5, "ana@example.com")
    assert review_points(client, shop, buyer) == []
