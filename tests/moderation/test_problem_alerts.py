"""Follow-up on problems, never suppression: a review of 1 or 2 stars tells the shop's members who
opted in (one batched e-mail through a real SMTP server, listing every such review) and the
`review.low_rating` webhook (signed, to a real HTTP receiver), so that someone can help the
customer; and the review goes through moderation exactly as the same review with 5 stars."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from reviews_service import clock
from reviews_service.shops import service as shops
from tests.admin.conftest import admin_for, csrf_token
from tests.factories import make_shop
from tests.helpers import post_order, server_review, set_settings, submit
from tests.outbox.conftest import add_endpoint, parse, run_worker
from tests.outbox.servers import SmtpServer, WebhookReceiver


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    monkeypatch.setattr(shops, "PASSWORD_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute", "DIGEST_HOUR": 24}


def opt_in(app, shop, email: str, wanted: bool = True):
    """A member of `shop` signs in and saves the alerts checkbox on their account page."""
    member = admin_for(app, shop, "moderator", email)
    page = member.get("/admin/account").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page)} | ({"problem_alerts": "y"} if wanted else {})
    answer = member.client.post("/admin/account/alerts", data=data, follow_redirects=True)
    assert answer.status_code == 200
    return member, answer.get_data(as_text=True)


def review(client, shop, rating: int, *, product: str = "sku-1", name: str = "Trail shoes",
           body: str = "The sole came off after a week.", email: str = "buyer@example.com") -> dict:
    """A verified buyer's review of `product`, sent from the thank-you page's widget."""
    order = post_order(client, shop, items=[(product, name)], email=email)
    answer = submit(client, shop, product, rating=rating, token=order["widget_token"], body=body,
                    display_name="Ana P.")
    assert answer.status_code == 201, answer.json
    return answer.json


def messages(smtp):
    """The mail to the shop's members (each reviewer also gets their review's confirmation)."""
    return [m for m in (parse(raw) for raw in smtp.messages) if m["To"].endswith("@shop-a.example")]


def test_two_low_reviews_reach_the_opted_in_member_in_one_email_listing_both(app, client, shop, smtp):
    opt_in(app, shop, "helper@shop-a.example")
    opt_in(app, shop, "quiet@shop-a.example", wanted=False)
    low = review(client, shop, 2, body="The sole came off after a week.", email="ana@example.com")
    lower = review(client, shop, 1, product="sku-2", name="Rain jacket", body="Leaks at the seams.",
                   email="lan@example.com")
    review(client, shop, 4, product="sku-3", name="Wool socks", body="Warm enough.", email="mo@example.com")

    run_worker(app)
    run_worker(app)

    [message] = messages(smtp)
    assert message["To"] == "helper@shop-a.example"
    assert message["Subject"] == "2 customers may need your help"
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Trail shoes" in body and "2 stars" in body and "The sole came off after a week." in body
        assert "Rain jacket" in body and "1 star" in body and "Leaks at the seams." in body
        assert f"http://reviews.test/admin/shops/{shop.slug}/reviews/{low['id']}" in body
        assert f"http://reviews.test/admin/shops/{shop.slug}/reviews/{lower['id']}" in body
        assert "Wool socks" not in body and "Warm enough." not in body
        assert "ana@example.com" not in body


def test_a_four_star_review_alerts_nobody(app, client, shop, smtp):
    opt_in(app, shop, "helper@shop-a.example")
    review(client, shop, 4, body="Good, though the laces are short.")

    run_worker(app)

    assert messages(smtp) == []


def test_a_member_who_did_not_opt_in_gets_nothing(app, client, shop, smtp):
    _, page = opt_in(app, shop, "quiet@shop-a.example", wanted=False)
    assert "You will get no e-mail about unhappy customers." in page
    review(client, shop, 1)

    run_worker(app)

    assert messages(smtp) == []


def checkbox(page: str) -> str:
    [tag] = re.findall(r'<input[^>]*name="problem_alerts"[^>]*>', page)
    return tag


def test_the_account_page_shows_the_choice_and_the_member_can_turn_alerts_off_again(app, client, shop, smtp):
    member = admin_for(app, shop, "moderator", "helper@shop-a.example")
    assert "checked" not in checkbox(member.get("/admin/account").get_data(as_text=True))
    on = member.post("/admin/account/alerts", {"problem_alerts": "y"}, follow_redirects=True).get_data(as_text=True)
    assert "You will get an e-mail when a customer is unhappy." in on and "checked" in checkbox(on)

    off = member.post("/admin/account/alerts", {}, follow_redirects=True).get_data(as_text=True)
    review(client, shop, 2)
    run_worker(app)

    assert "checked" not in checkbox(off)
    assert messages(smtp) == []


def test_the_alerts_form_without_its_csrf_token_changes_nothing(app, client, shop, smtp):
    member = admin_for(app, shop, "moderator", "helper@shop-a.example")
    answer = member.post("/admin/account/alerts", {"problem_alerts": "y"}, csrf=False)
    review(client, shop, 1)
    run_worker(app)

    assert answer.status_code == 400
    assert messages(smtp) == []


def test_alerts_come_at_most_once_a_period_and_a_later_one_lists_only_what_is_new(app, client, shop, smtp):
    opt_in(app, shop, "helper@shop-a.example")
    review(client, shop, 1, body="Broken on arrival.", email="ana@example.com")
    run_worker(app)
    review(client, shop, 2, product="sku-2", name="Rain jacket", body="Too small.", email="lan@example.com")

    run_worker(app)
    assert len(messages(smtp)) == 1

    clock.travel(timedelta(minutes=61))
    run_worker(app)
    first, second = messages(smtp)
    assert "Broken on arrival." in first.get_body(("plain",)).get_content()
    later = second.get_body(("plain",)).get_content()
    assert second["Subject"] == "1 customer may need your help"
    assert "Too small." in later and "Broken on arrival." not in later


def test_the_alert_is_written_in_the_shops_language(app, client, shop, smtp):
    set_settings(client, shop, default_locale="vi")
    opt_in(app, shop, "helper@shop-a.example")
    review(client, shop, 2)

    run_worker(app)

    [message] = messages(smtp)
    assert message["Content-Language"] == "vi"
    assert message["Subject"] == "1 khách hàng có thể cần bạn giúp đỡ"
    assert "2 sao" in message.get_body(("plain",)).get_content()


def test_an_erased_customer_leaves_no_alert_behind(app, client, shop, smtp):
    opt_in(app, shop, "helper@shop-a.example")
    review(client, shop, 1, body="Never again.", email="ana@example.com")

    answer = client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=shop.headers)
    assert answer.status_code == 200, answer.json
    run_worker(app)

    assert messages(smtp) == []


def test_the_low_rating_webhook_is_delivered_signed(app, client, shop):
    receiver = WebhookReceiver()
    receiver.start()
    try:
        endpoint = add_endpoint(client, shop, receiver.url, ["review.low_rating"])
        receiver.secret = endpoint["secret"]
        low = review(client, shop, 2, email="ana@example.com")
        review(client, shop, 5, product="sku-2", name="Rain jacket", body="Dry.", email="lan@example.com")

        run_worker(app)
    finally:
        receiver.stop()

    [delivery] = receiver.deliveries
    assert delivery.valid
    assert delivery.body["type"] == "review.low_rating"
    assert delivery.body["data"]["review"]["id"] == low["id"]
    assert delivery.body["data"]["review"]["rating"] == 2
    assert delivery.body["data"]["review"]["status"] == low["status"]


@pytest.mark.parametrize(("body", "status"), [
    ("The sole came off after a week.", "published"),  # the default settings publish a verified buyer's
    ("The sole came off, see https://example.com/photo", "pending"),  # the links rule holds it
])
def test_the_same_review_at_1_and_5_stars_gets_the_same_status_at_the_same_time(app, client, smtp, body,
                                                                                status):
    one, five = make_shop(app, "One star"), make_shop(app, "Five stars")
    for shop in (one, five):
        opt_in(app, shop, f"helper@{shop.slug}.example")
    clock.freeze()

    low = review(client, one, 1, body=body)
    high = review(client, five, 5, body=body)
    run_worker(app)

    assert low["status"] == high["status"] == status
    after_low, after_high = server_review(client, one, low["id"]), server_review(client, five, high["id"])
    for key in ("status", "published_at", "moderation_rule", "reject_reason"):
        assert after_low[key] == after_high[key], key
    assert after_low["status"] == status
    assert (after_low["published_at"] is not None) == (status == "published")
    # The 1-star shop's member heard of it; nothing else differs (each reviewer got a confirmation).
    assert [m["To"] for m in map(parse, smtp.messages) if m["To"].startswith("helper@")] == ["helper@one-star.example"]
