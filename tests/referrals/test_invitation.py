"""The referral invitation through HTTP and a real SMTP server: the e-mail that asks a customer who
accepts marketing to share their link, some days after delivery; once per period, within the cap,
never after unsubscribing, erasure or a refund, and the same whatever the customer's review says."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from reviews_service import clock
from reviews_service.extensions import db
from reviews_service.referrals import invitations
from tests.factories import order_payload
from tests.helpers import assert_problem, order_event, set_settings, submit

from .conftest import PROGRAM, outbox, parse, run_worker, set_program

SUBJECT = "Share Shop A with a friend"
DELAY = 7


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def inviting(client, shop):
    """The program on, inviting 7 days after delivery; review requests far off, so that the
    invitations are the only e-mails in these tests unless one asks for a request."""
    set_program(client, shop, invitation_enabled=True, invitation_delay_days=DELAY)
    set_settings(client, shop, review_request_delay_days=300, support_email="help@shop-a.example")
    return shop


def delivered(client, shop, email: str, *, consent: bool = True, locale: str = "en",
              name: str = "Ana Buyer") -> dict:
    """An order whose customer says `accepts_marketing`, delivered now; answers the order."""
    body = order_payload(email=email)
    body["customer"] = {"email": email, "name": name, "locale": locale, "accepts_marketing": consent}
    response = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert response.status_code == 201, response.json
    order_event(client, shop, response.json["id"], "delivered")
    return response.json


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def invited(smtp) -> list[str]:
    return sorted(m["To"] for m in map(parse, smtp.messages) if "?ref=" in text_of(m))


def panel_code(client, shop, order: dict) -> str:
    answer = client.get(f"{shop.public}/referrals/me", query_string={"token": order["widget_token"]},
                        headers={"Origin": "https://shop-a.example"})
    assert answer.status_code == 200, answer.json
    return answer.json["code"]


# --- when, and to whom ---------------------------------------------------------------------------

def test_the_consenting_customer_is_invited_after_the_delay_and_nobody_else(app, client, inviting, smtp):
    ana = delivered(client, inviting, "ana@example.com", consent=True)
    delivered(client, inviting, "bob@example.com", consent=False, name="Bob Buyer")

    clock.travel(timedelta(days=DELAY) - timedelta(hours=1))
    run_worker(app)
    assert invited(smtp) == []

    clock.travel(timedelta(hours=2))
    run_worker(app)
    run_worker(app)

    assert invited(smtp) == ["ana@example.com"]
    [message] = map(parse, smtp.messages)
    text = text_of(message)
    assert message["Subject"] == SUBJECT
    assert message["Content-Language"] == "en"
    assert message["Reply-To"] == "help@shop-a.example"
    assert re.fullmatch(r"<https?://reviews\.test/unsubscribe/[^\s<>]+>", message["List-Unsubscribe"])
    assert text.startswith("Invite your friends\n\nHello Ana Buyer,\n\nThank you for shopping at Shop A.")
    assert f"https://shop-a.example/?ref={panel_code(client, inviting, ana)}" in text
    assert "The offer for your friends: 10% off your first order" in text
    assert "Your reward for each friend who orders: 10 EUR off your next order" in text
    assert "because you agreed to receive news from Shop A" in text


def test_the_invitation_shows_in_the_outbox_like_other_mails(app, client, inviting, smtp):
    delivered(client, inviting, "ana@example.com")
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)

    listed = client.get("/api/v1/outbox", headers=inviting.headers)
    assert listed.status_code == 200
    [row] = [m for m in listed.json["messages"] if m["topic"] == "referral_invitation"]
    assert row["status"] == "sent"


def test_once_per_customer_in_the_period_and_again_after_it(app, client, inviting, smtp):
    set_program(client, inviting, invitation_enabled=True, invitation_delay_days=DELAY,
                invitation_period_days=90)
    delivered(client, inviting, "ana@example.com")
    delivered(client, inviting, "ana@example.com")
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)
    delivered(client, inviting, "ana@example.com")
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)
    assert invited(smtp) == ["ana@example.com"]

    clock.travel(timedelta(days=90))
    delivered(client, inviting, "ana@example.com")
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)

    assert invited(smtp) == ["ana@example.com", "ana@example.com"]


@pytest.mark.parametrize("switch", [{"invitation_enabled": False}, {"enabled": False}])
def test_nothing_while_the_invitation_or_the_program_is_off(app, client, shop, smtp, switch):
    set_program(client, shop, **{"invitation_enabled": True, "invitation_delay_days": DELAY, **switch})
    delivered(client, shop, "ana@example.com")
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)

    assert invited(smtp) == []


def test_switched_off_before_it_was_due_sends_nothing(app, client, inviting, smtp):
    delivered(client, inviting, "ana@example.com")
    set_program(client, inviting, invitation_enabled=False)
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)

    assert invited(smtp) == []


def test_the_cap_on_asking_emails_holds_the_invitation_back(app, client, inviting, smtp):
    set_settings(client, inviting, review_request_delay_days=0, review_request_trigger="delivered",
                 email_cap_count=1, email_cap_days=30, reminder_delay_days=365)
    delivered(client, inviting, "ana@example.com")
    run_worker(app)
    assert [parse(m)["Subject"] for m in smtp.messages] == ["How do you like your Trail shoes?"]

    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)
    assert invited(smtp) == []

    clock.travel(timedelta(days=30 - DELAY))
    run_worker(app)
    assert invited(smtp) == ["ana@example.com"]


# --- who gets nothing ----------------------------------------------------------------------------

@pytest.mark.parametrize("stop", ["unsubscribe", "erase", "refund", "cancel", "consent withdrawn"])
def test_nothing_after_a_stop_before_it_was_due(app, client, inviting, smtp, stop):
    if stop == "unsubscribe":  # through the review request's link, as the customer does
        set_settings(client, inviting, review_request_delay_days=0, review_request_trigger="delivered")
    order = delivered(client, inviting, "ana@example.com")
    run_worker(app)
    if stop == "unsubscribe":
        [request] = map(parse, smtp.messages)
        path = urlsplit(request["List-Unsubscribe"].strip("<>")).path
        answer = client.post(path, data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 200
    elif stop == "erase":
        erased = client.post("/api/v1/customers/erase", json={"email": "ana@example.com"},
                             headers=inviting.headers)
        assert erased.status_code in (200, 202), erased.json
    elif stop in ("refund", "cancel"):
        order_event(client, inviting, order["id"], {"refund": "refunded", "cancel": "cancelled"}[stop])
    else:  # a later order of the same customer says no to marketing
        response = client.post("/api/v1/orders", json=order_payload(email="ana@example.com", customer={
            "email": "ana@example.com", "name": "Ana Buyer", "locale": "en", "accepts_marketing": False}),
            headers=inviting.headers)
        assert response.status_code == 201, response.json
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)

    assert invited(smtp) == []


@pytest.mark.parametrize("stop", ["refund", "unsubscribe", "erase"])
def test_a_queued_invitation_is_dropped_when_a_stop_comes_before_it_leaves(app, client, inviting, smtp, stop):
    order = delivered(client, inviting, "ana@example.com")
    clock.travel(timedelta(days=DELAY, hours=1))
    with app.app_context():  # queued by the worker's job; the SMTP delivery not yet run
        assert invitations.queue_due() == 1
        db.session.remove()
    [queued] = outbox(app, topic="referral_invitation")
    if stop == "refund":
        order_event(client, inviting, order["id"], "refunded")
    elif stop == "unsubscribe":
        path = urlsplit(queued.payload["headers"]["List-Unsubscribe"].strip("<>")).path
        assert client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded").status_code == 200
    else:
        assert client.post("/api/v1/customers/erase", json={"email": "ana@example.com"},
                           headers=inviting.headers).status_code in (200, 202)
    run_worker(app)

    assert invited(smtp) == []


# --- never about a review --------------------------------------------------------------------------

def test_one_star_five_stars_or_no_review_get_the_same_invitation_at_the_same_time(app, client, inviting, smtp):
    people = {"one@example.com": 1, "five@example.com": 5, "none@example.com": None}
    for email, rating in people.items():
        order = delivered(client, inviting, email, name="Ana Buyer")
        if rating is not None:
            answer = submit(client, inviting, rating=rating, token=order["widget_token"], body="My review.")
            assert answer.status_code == 201, answer.json

    clock.travel(timedelta(days=DELAY) - timedelta(minutes=5))
    run_worker(app)
    assert invited(smtp) == []
    clock.travel(timedelta(minutes=10))
    run_worker(app)

    # The reviewers also got their reviews' confirmations, before; the invitations are these.
    messages = sorted((m for m in map(parse, smtp.messages) if "?ref=" in text_of(m)), key=lambda m: m["To"])
    assert [m["To"] for m in messages] == sorted(people)
    # Word for word the same e-mail, but for each customer's own link.
    bodies = {re.sub(r"\?ref=\S+|/unsubscribe/\S+", "", text_of(m)) for m in messages}
    assert len(bodies) == 1 and {m["Subject"] for m in messages} == {SUBJECT}


# --- the customer's language -----------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "subject", "opening", "offer"), [
    ("hy", "Կիսվեք Shop A-ով ընկերոջ հետ", "Հրավիրեք ձեր ընկերներին",
     "Առաջարկը ձեր ընկերների համար: 10% զեղչ ձեր առաջին պատվերի համար"),
    ("vi", "Chia sẻ Shop A với bạn bè", "Mời bạn bè của bạn",
     "Ưu đãi dành cho bạn bè của bạn: Giảm 10% cho đơn hàng đầu tiên của bạn"),
])
def test_the_invitation_speaks_the_customers_language(app, client, shop, smtp, lang, subject, opening, offer):
    # Offers without a description of their own: worded in each reader's language.
    set_program(client, shop, invitation_enabled=True, invitation_delay_days=DELAY,
                friend_offer={**PROGRAM["friend_offer"], "description": ""},
                referrer_reward={**PROGRAM["referrer_reward"], "description": ""})
    delivered(client, shop, "lan@example.com", locale=lang, name="Lan Nguyen")
    clock.travel(timedelta(days=DELAY, hours=1))
    run_worker(app)

    [message] = map(parse, smtp.messages)
    text = text_of(message)
    assert message["Subject"] == subject
    assert message["Content-Language"] == lang
    assert text.startswith(opening)
    assert offer in text
    assert "Invite" not in text and "friend" not in text


# --- settings --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"invitation_enabled": "yes"}, "settings.referrals.invitation_enabled"),
    ({"invitation_delay_days": -1}, "settings.referrals.invitation_delay_days"),
    ({"invitation_delay_days": 366}, "settings.referrals.invitation_delay_days"),
    ({"invitation_delay_days": "7"}, "settings.referrals.invitation_delay_days"),
    ({"invitation_period_days": 6}, "settings.referrals.invitation_period_days"),
    ({"invitation_period_days": 731}, "settings.referrals.invitation_period_days"),
])
def test_invitation_settings_are_validated(client, shop, change, field):
    answer = client.patch("/api/v1/shop", json={"settings": {"referrals": {**PROGRAM, **change}}},
                          headers=shop.headers)

    assert_problem(answer, 422, field=field)


def test_invitation_settings_default_to_off(client, shop):
    program = set_program(client, shop)

    assert (program["invitation_enabled"], program["invitation_delay_days"], program["invitation_period_days"]) \
        == (False, 14, 90)
