"""The reviewer receives the reward: when a review incentive is issued from the pool, an e-mail
through the outbox gives the code (real SMTP), in the review's language, from the shop with its
support address as Reply-To, as a thank-you for writing a review whatever its stars; once per
review, and never to an erased customer."""

from __future__ import annotations

import re

import pytest

from tests.helpers import post_order, set_settings, submit, upload
from tests.outbox.conftest import outbox, parse, run_worker, smtp  # noqa: F401

from .conftest import load_coupons

OFFERS = {"enabled": True, "source": "pool",
          "for_review": {"offered": True, "kind": "percent", "value": "10"},
          "for_photo": {"offered": True, "kind": "amount", "value": "5", "currency": "EUR"}}
CODE = re.compile(r"\b(RV|PH)-\d\b")
# What each language says, whatever the stars: the thank-you and the label.
SAID = {"en": ("As Shop A promised, everyone who writes a review gets this thank-you, whatever its stars:",
               "labelled “incentivised”"),
        "hy": ("կարծիք գրող յուրաքանչյուր ոք ստանում է այս շնորհակալությունը՝ անկախ աստղերից", "«խրախուսված»"),
        "vi": ("mọi người viết đánh giá đều nhận được lời cảm ơn này, dù chấm bao nhiêu sao", "“Có ưu đãi”")}


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def offering(client, shop):
    set_settings(client, shop, incentives=OFFERS, support_email="help@shop-a.example",
                 auto_publish_verified=True)
    return shop


def review(client, shop, rating: int, email: str, lang: str = "en", **fields) -> dict:
    order = post_order(client, shop, items=[("sku-1", "Trail shoes")], email=email,
                       customer={"email": email, "name": "Ana Buyer", "locale": "en"})
    answer = submit(client, shop, rating=rating, token=order["widget_token"], body="Warm and dry.",
                    locale=lang, **fields)
    assert answer.status_code == 201, answer.json
    return answer.json


def mails_to(smtp, address: str) -> list:  # noqa: F811
    """The reward e-mails to `address` (the ones carrying a code of this test's pool); others, such
    as the confirmation that the review was received, are not this test's business."""
    return [parse(raw) for raw in smtp.messages
            if parse(raw)["To"] == address and CODE.search(text_of(parse(raw)))]


def pool(client, shop) -> dict:
    [found] = [p for p in client.get("/api/v1/coupons", headers=shop.headers).json["pools"]
               if p["kind"] == "review_incentive"]
    return found


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize("lang", ["en", "hy", "vi"])
def test_the_reviewer_gets_the_code_in_the_reviews_language_from_the_shop(app, client, offering, smtp, lang):  # noqa: F811
    load_coupons(client, offering, "RV-1", kind="review_incentive")
    review(client, offering, 2, "ana@example.com", lang)
    run_worker(app)

    [message] = mails_to(smtp, "ana@example.com")
    assert message["From"].addresses[0].display_name == "Shop A"
    assert message["Reply-To"] == "help@shop-a.example"
    assert message["Content-Language"] == lang
    text, html = text_of(message), message.get_body(("html",)).get_content()
    thanks, label = SAID[lang]
    for body in (text, html):
        assert "RV-1" in body and "Trail shoes" in body
        assert thanks in body and label in body
    assert "10" in text  # the offer, worded in the reader's language
    assert "/unsubscribe/" in text and message["List-Unsubscribe"]


def test_a_review_with_a_photo_is_thanked_for_the_photo(app, client, offering, smtp):  # noqa: F811
    load_coupons(client, offering, "PH-1", kind="review_incentive")
    review(client, offering, 4, "ana@example.com", photo_ids=[upload(client, offering)])
    run_worker(app)
    [message] = mails_to(smtp, "ana@example.com")
    assert "Thank you for reviewing Trail shoes with a photo." in text_of(message)
    assert "€5 off your next order" in text_of(message)


def test_the_same_email_for_one_star_and_five_stars(app, client, offering, smtp):  # noqa: F811
    load_coupons(client, offering, "RV-1", "RV-2", kind="review_incentive")
    low = review(client, offering, 1, "low@example.com")
    high = review(client, offering, 5, "high@example.com")
    run_worker(app)

    [to_low], [to_high] = mails_to(smtp, "low@example.com"), mails_to(smtp, "high@example.com")

    def shown(message) -> tuple:
        # What may differ: the code itself, and the link that unsubscribes this very customer.
        text = re.sub(r"RV-\d|/unsubscribe/\S+", "", text_of(message))
        return message["Subject"], message["From"], message["Reply-To"], text

    assert shown(to_low) == shown(to_high)
    assert (low["status"], low["labels"]) == (high["status"], high["labels"])
    assert "star" not in to_low["Subject"].lower()


def test_one_email_per_review_whatever_decisions_follow(app, client, offering, smtp):  # noqa: F811
    load_coupons(client, offering, "RV-1", "RV-2", kind="review_incentive")
    published = review(client, offering, 3, "ana@example.com")
    for decision, reason in (("reject", "off_topic"), ("approve", None)):
        answer = client.post(f"/api/v1/reviews/{published['id']}/decision", headers=offering.headers,
                             json={"decision": decision, "reason": reason})
        assert answer.status_code == 200, answer.json
    run_worker(app)
    run_worker(app)
    assert len(mails_to(smtp, "ana@example.com")) == 1
    assert len(outbox(app, topic="review_incentive")) == 1


def test_no_email_when_the_shop_makes_the_code_itself(app, client, offering, smtp):  # noqa: F811
    set_settings(client, offering, incentives={**OFFERS, "source": "webhook"})
    review(client, offering, 5, "ana@example.com")
    run_worker(app)
    assert mails_to(smtp, "ana@example.com") == [] and outbox(app, topic="review_incentive") == []


@pytest.mark.parametrize("reason", ["spam", "abuse"])
def test_no_code_and_no_email_when_the_first_decision_is_spam_or_abuse(app, client, offering, smtp, reason):  # noqa: F811
    set_settings(client, offering, auto_publish_verified=False)
    load_coupons(client, offering, "RV-1", kind="review_incentive")
    held = review(client, offering, 5, "ana@example.com")
    answer = client.post(f"/api/v1/reviews/{held['id']}/decision", headers=offering.headers,
                         json={"decision": "reject", "reason": reason})
    assert answer.status_code == 200, answer.json
    run_worker(app)
    assert mails_to(smtp, "ana@example.com") == [] and pool(client, offering)["claimed"] == 0


def test_a_review_without_an_order_link_is_thanked_at_its_address(app, client, offering, smtp):  # noqa: F811
    load_coupons(client, offering, "RV-1", kind="review_incentive")
    post_order(client, offering, items=[("sku-1", "Trail shoes")])  # the product exists
    set_settings(client, offering, auto_publish_verified=False)
    answer = submit(client, offering, rating=4, email="walk-in@example.com", display_name="Bo",
                    body="Fine.", locale="vi")
    assert answer.status_code == 201, answer.json
    client.post(f"/api/v1/reviews/{answer.json['id']}/decision", headers=offering.headers,
                json={"decision": "approve"})
    run_worker(app)
    [message] = mails_to(smtp, "walk-in@example.com")
    assert "RV-1" in text_of(message) and message["Content-Language"] == "vi"
    assert "Xin chào," in text_of(message)  # no name to greet by


def test_no_email_to_a_customer_erased_before_it_left(app, client, offering, smtp):  # noqa: F811
    load_coupons(client, offering, "RV-1", kind="review_incentive")
    review(client, offering, 5, "ana@example.com")
    assert client.post("/api/v1/customers/erase", json={"email": "ana@example.com"},
                       headers=offering.headers).status_code == 200
    run_worker(app)
    assert mails_to(smtp, "ana@example.com") == []
