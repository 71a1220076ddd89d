"""Review incentives: the offer is decided at submission and labelled on every public surface,
the reward is issued once at the review's first moderation decision whatever its stars, and
withheld when that decision rejects it as spam or abuse."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.helpers import assert_problem, post_order, set_settings, submit, upload
from tests.outbox.conftest import add_endpoint, outbox

from .conftest import load_coupons

OFFERS = {"enabled": True, "source": "pool",
          "for_review": {"offered": True, "kind": "percent", "value": "10"},
          "for_photo": {"offered": True, "kind": "amount", "value": "5", "currency": "EUR"}}


def incentives_on(client, shop, **changes) -> dict:
    if not client.get("/api/v1/webhooks", headers=shop.headers).json["endpoints"]:
        add_endpoint(client, shop, "https://hooks.shop-a.example/reviews", ["review.incentive_earned"])
    return set_settings(client, shop, incentives={**OFFERS, **changes})["settings"]["incentives"]


def review(client, shop, rating: int, email: str, **fields) -> dict:
    order = post_order(client, shop, items=[("sku-1", "Trail shoes")], email=email)
    answer = submit(client, shop, rating=rating, token=order["widget_token"], body="Warm and dry.", **fields)
    assert answer.status_code == 201, answer.json
    return answer.json


def decide(client, shop, public_id: str, decision: str, reason: str | None = None):
    answer = client.post(f"/api/v1/reviews/{public_id}/decision", headers=shop.headers,
                         json={"decision": decision, "reason": reason})
    assert answer.status_code == 200, answer.json
    return answer.json


def pool(client, shop) -> dict:
    answer = client.get("/api/v1/coupons", headers=shop.headers)
    [found] = [p for p in answer.json["pools"] if p["kind"] == "review_incentive"]
    return found


def earned(app) -> list[dict]:
    return [m.payload["data"]["incentive"] | {"review": m.payload["data"]["review"]["id"]}
            for m in outbox(app, topic="review.incentive_earned")]


@pytest.mark.parametrize(("field", "value"), [
    ("source", "email"), ("enabled", "yes"),
    ("for_review", {"offered": True, "kind": "percent", "value": "150"}),
    ("for_photo", {"offered": True, "kind": "amount", "value": "5"}),
    ("for_review", {"offered": True, "kind": "gift"}),
])
def test_bad_incentive_settings_are_422_naming_the_field(client, shop, field, value):
    answer = client.patch("/api/v1/shop", headers=shop.headers,
                          json={"settings": {"incentives": {**OFFERS, field: value}}})
    body = assert_problem(answer, 422)
    assert field in str(body["errors"]) and field in body["detail"]


def test_coupon_issued_once_at_the_first_decision_and_never_again(app, client, shop):
    incentives_on(client, shop)
    load_coupons(client, shop, "RV-1", "RV-2", "RV-3", kind="review_incentive")

    published = review(client, shop, 4, "ana@example.com")  # auto-published: the first decision
    assert published["status"] == "published" and published["incentivized"] is True
    decide(client, shop, published["id"], "reject", "off_topic")
    decide(client, shop, published["id"], "approve")

    assert pool(client, shop)["claimed"] == 1
    assert [(e["review"], e["code"], e["offer"]) for e in earned(app)] == [(published["id"], "RV-1", "review")]


def test_the_reward_is_the_same_for_one_star_and_five_stars(app, client, shop):
    incentives_on(client, shop)
    load_coupons(client, shop, "RV-1", "RV-2", kind="review_incentive")

    low = review(client, shop, 1, "low@example.com")
    high = review(client, shop, 5, "high@example.com")

    assert (low["status"], low["incentivized"], low["labels"]) == (high["status"], high["incentivized"], high["labels"])
    outcome = {e["review"]: (e["offer"], e["kind"], e["value"], e["source"]) for e in earned(app)}
    assert outcome[low["id"]] == outcome[high["id"]] == ("review", "percent", "10.00", "pool")
    assert pool(client, shop)["claimed"] == 2


def test_a_review_with_a_photo_earns_the_photo_offer(app, client, shop):
    incentives_on(client, shop)
    load_coupons(client, shop, "PH-1", kind="review_incentive")
    with_photo = review(client, shop, 3, "ana@example.com", photo_ids=[upload(client, shop)])
    [issued] = earned(app)
    assert (issued["review"], issued["offer"], issued["kind"], issued["currency"]) == (
        with_photo["id"], "photo", "amount", "EUR")


@pytest.mark.parametrize("reason", ["spam", "abuse"])
def test_none_when_the_first_decision_rejects_it_as_spam_or_abuse(app, client, shop, reason):
    set_settings(client, shop, auto_publish_verified=False)
    incentives_on(client, shop)
    load_coupons(client, shop, "RV-1", kind="review_incentive")
    held = review(client, shop, 5, "ana@example.com")
    assert held["status"] == "pending"

    decide(client, shop, held["id"], "reject", reason)
    decide(client, shop, held["id"], "approve")  # a later approval does not make it the first decision

    assert pool(client, shop)["claimed"] == 0 and earned(app) == []


def test_a_rejection_for_another_reason_still_earns_it(app, client, shop):
    set_settings(client, shop, auto_publish_verified=False)
    incentives_on(client, shop)
    load_coupons(client, shop, "RV-1", kind="review_incentive")
    held = review(client, shop, 2, "ana@example.com")
    decide(client, shop, held["id"], "reject", "personal_data")
    assert [e["code"] for e in earned(app)] == ["RV-1"]


def test_webhook_source_announces_it_without_a_code(app, client, shop):
    incentives_on(client, shop, source="webhook")
    decided = review(client, shop, 1, "ana@example.com")
    [issued] = earned(app)
    assert (issued["review"], issued["code"], issued["source"]) == (decided["id"], None, "webhook")


def test_offer_in_force_at_submission_decides_the_label(client, shop):
    before = review(client, shop, 5, "before@example.com")
    incentives_on(client, shop)
    during = review(client, shop, 5, "during@example.com")
    incentives_on(client, shop, enabled=False)
    after = review(client, shop, 5, "after@example.com")
    assert [r["incentivized"] for r in (before, during, after)] == [False, True, False]


def test_label_on_public_json_fragment_and_feed_while_json_ld_body_stays_verbatim(client, shop):
    incentives_on(client, shop)
    review(client, shop, 5, "ana@example.com")
    listed = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"]
    assert all("incentivized" in r["labels"] for r in listed)

    fragment = client.get(f"{shop.public}/products/sku-1/reviews.html").get_data(as_text=True)
    assert "Warm and dry." in fragment and "incentivized" in fragment

    feed = ET.fromstring(client.get("/api/v1/feeds/google-product-reviews.xml", headers=shop.headers).data)
    [element] = feed.findall("reviews/review")
    names = [child.tag for child in element]
    assert element.findtext("is_incentivized_review") == "true"
    assert names.index("is_spam") < names.index("is_incentivized_review") < names.index("collection_method")


def test_no_flag_in_the_feed_for_a_review_without_an_offer(client, shop):
    review(client, shop, 5, "ana@example.com")
    feed = ET.fromstring(client.get("/api/v1/feeds/google-product-reviews.xml", headers=shop.headers).data)
    assert feed.find("reviews/review/is_incentivized_review") is None
