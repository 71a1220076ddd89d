"""The programme's e-mails, through HTTP, the movable clock, the worker and a real SMTP server:
points earned (one a day, listing every earning since the last), a tier reached, a reward ready
(its code) and points expiring soon (before they expire, once); none to a customer who
unsubscribed or was erased."""

from __future__ import annotations

import re

import pytest

from tests.helpers import submit
from tests.outbox.conftest import outbox, parse, smtp  # noqa: F401

from .conftest import ledger, load_codes, order, redeem, set_program, travel, worker

UNSUBSCRIBE = re.compile(r"https?://\S+(/unsubscribe/[^\s\"'<>]+)")


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute", "SMTP_URL": smtp.url}


@pytest.fixture(autouse=True)
def support_address(client, shop):
    response = client.patch("/api/v1/shop", json={"settings": {"support_email": "help@shop-a.example"}},
                            headers=shop.headers)
    assert response.status_code == 200, response.json


def loyalty_mail(smtp, to: str = "ana@example.com") -> list:  # noqa: F811
    """The programme's e-mails to `to`, in the order they arrived (not the review e-mails)."""
    messages = [parse(raw) for raw in smtp.messages]
    return [m for m in messages if m["To"] == to and "collect points" in text(m)]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def adjust(client, shop, customer: int, points: int) -> None:
    answer = client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", headers=shop.headers,
                         json={"points": points, "reason": "Welcome gift"})
    assert answer.status_code in (200, 201), answer.json


def test_points_earned_come_once_a_day_one_email_listing_every_earning(client, runner, program, smtp):  # noqa: F811
    shop = program
    first = order(client, shop, "120.00", order_id="L-100")
    assert submit(client, shop, "sku-1", rating=2, body="Too small.", token=first["widget_token"]).status_code == 201
    worker(runner)

    [mail] = loyalty_mail(smtp)
    assert mail["Subject"] == "You earned 170 points at Shop A"
    assert mail["Reply-To"] == "help@shop-a.example" and "Shop A" in mail["From"]
    assert mail["List-Unsubscribe"]
    body = text(mail)
    assert "- Order L-100: +120" in body and "- Your review: +50" in body
    assert "You now have 50 points to spend. Worth €2.50 in rewards." in body
    assert "120 more points are on hold until the return period ends." in body

    order(client, shop, "30.00", order_id="L-101")  # the same day: waits for tomorrow's e-mail
    worker(runner)
    assert len(loyalty_mail(smtp)) == 1
    order(client, shop, "10.00", order_id="L-102")
    travel(1)
    worker(runner)
    worker(runner)

    mails = loyalty_mail(smtp)
    assert len(mails) == 2
    later = text(mails[1])
    assert mails[1]["Subject"] == "You earned 40 points at Shop A"
    assert "- Order L-101: +30" in later and "- Order L-102: +10" in later and "L-100" not in later


def test_an_order_refunded_before_the_days_email_is_not_in_it(client, runner, program, smtp):  # noqa: F811
    shop = program
    order(client, shop, "50.00", order_id="L-300")
    refunded = order(client, shop, "70.00", order_id="L-301")
    assert client.post(f"/api/v1/orders/{refunded['id']}/events", json={"type": "refunded"},
                       headers=shop.headers).status_code == 200
    worker(runner)

    [mail] = loyalty_mail(smtp)
    assert mail["Subject"] == "You earned 50 points at Shop A"
    assert "- Order L-300: +50" in text(mail) and "L-301" not in text(mail)


def test_points_for_an_event_the_shop_reported_are_listed_by_what_earned_them(client, runner, shop, smtp):  # noqa: F811
    set_program(client, shop, for_account_created=25)
    customer = order(client, shop, "10.00", order_id="L-400")["customer_id"]
    reported = client.post(f"/api/v1/loyalty/customers/{customer}/events", json={"type": "account_created"},
                           headers=shop.headers)
    assert reported.status_code in (200, 201), reported.json
    worker(runner)

    [mail] = loyalty_mail(smtp)
    assert "- Order L-400: +10" in text(mail) and "- Creating your account: +25" in text(mail)


def test_a_tier_reached_is_announced_once_and_a_tier_from_zero_is_not(client, runner, program, smtp):  # noqa: F811
    shop = program
    first = order(client, shop, "100.00")  # Bronze (from 0 points): where everyone starts
    order(client, shop, "200.00")  # 300 points in the year: Silver
    worker(runner)
    worker(runner)

    tiers = [m for m in loyalty_mail(smtp) if "Welcome to" in text(m)]
    assert [m["Subject"] for m in tiers] == ["You reached Silver at Shop A"]
    body = text(tiers[0])
    assert "Thank you for shopping with Shop A. Your new tier: Silver." in body
    assert "Your orders now earn 1.5 times the points." in body and "Free returns" in body
    assert first["customer_id"]


def test_a_reward_redeemed_from_the_pool_brings_its_code_by_email(client, runner, program, smtp):  # noqa: F811
    shop = program
    customer = order(client, shop, "20.00")["customer_id"]
    adjust(client, shop, customer, 300)
    load_codes(client, shop, "five-off", ["FIVE-A1"])
    assert redeem(client, shop, customer, "five-off", key="r-1").status_code == 201
    assert redeem(client, shop, customer, "five-off", key="r-1").status_code == 201  # replayed: one e-mail
    assert redeem(client, shop, customer, "shipping").status_code == 201  # the shop makes that one: no e-mail
    worker(runner)

    ready = [m for m in loyalty_mail(smtp) if m["Subject"] == "Your reward from Shop A is ready"]
    assert len(ready) == 1
    body = text(ready[0])
    assert "You spent 100 points on this reward:" in body and "€5 off your next order" in body
    assert "Your code: FIVE-A1" in body
    assert "Enter this code at checkout at Shop A. It can be used once." in body


def test_the_expiry_reminder_comes_once_before_the_points_expire(client, runner, program, smtp):  # noqa: F811
    shop = program
    customer = order(client, shop, "10.00")["customer_id"]
    travel(15)
    worker(runner)  # the order's points released from their hold
    adjust(client, shop, customer, 190)  # the last activity: 12 months from now, 200 points expire
    worker(runner)
    travel(300)
    worker(runner)
    assert not [m for m in loyalty_mail(smtp) if "expire" in m["Subject"]]  # not yet: 65 days before

    travel(40)  # 25 days before
    worker(runner)
    worker(runner)
    [reminder] = [m for m in loyalty_mail(smtp) if "expire" in m["Subject"]]
    assert re.fullmatch(r"Your 200 points at Shop A expire on \w+ \d+, \d{4}", reminder["Subject"])
    assert "unless you earn or spend points before then" in text(reminder)
    assert "Worth €10.00 in rewards." in text(reminder)
    assert [e["kind"] for e in ledger(client, shop, customer)][-1] == "adjust"  # nothing expired yet

    travel(30)
    worker(runner)
    worker(runner)
    assert [e["kind"] for e in ledger(client, shop, customer)][-1] == "expire"
    assert len([m for m in loyalty_mail(smtp) if "expire" in m["Subject"]]) == 1


def test_a_reminder_is_dropped_when_the_member_spends_before_it_goes_out(app, client, runner, program, smtp):  # noqa: F811
    shop = program
    customer = order(client, shop, "10.00")["customer_id"]
    travel(15)
    worker(runner)
    adjust(client, shop, customer, 190)
    worker(runner)
    travel(340)
    smtp.stop()  # the reminder is queued, and waits while the mail server is down
    worker(runner)
    adjust(client, shop, customer, 5)  # activity: the expiry moves a year on
    smtp.start()
    travel(1)
    worker(runner)
    assert not [m for m in loyalty_mail(smtp) if "expire" in m["Subject"]]
    [queued] = outbox(app, topic="loyalty_points_expiring")
    assert (queued.status, queued.last_error) == ("dead", "the member earned or spent points since: the expiry moved")


def test_an_unsubscribed_customer_gets_none_of_them(client, runner, program, smtp):  # noqa: F811
    shop = program
    customer = order(client, shop, "120.00", order_id="L-200")["customer_id"]
    worker(runner)
    [mail] = loyalty_mail(smtp)
    link = UNSUBSCRIBE.search(text(mail)).group(1)
    page = client.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert client.post(link, data={"csrf_token": csrf.group(1)} if csrf else {}).status_code == 200

    order(client, shop, "300.00")  # points and a tier
    adjust(client, shop, customer, 300)
    load_codes(client, shop, "five-off", ["FIVE-A1"])
    assert redeem(client, shop, customer, "five-off").status_code == 201
    travel(2)
    worker(runner)
    travel(340)
    worker(runner)
    assert len(loyalty_mail(smtp)) == 1



def test_points_never_expire_unannounced_when_the_worker_missed_the_reminders_window(client, runner, program, smtp):  # noqa: F811
    shop = program
    customer = order(client, shop, "10.00")["customer_id"]
    travel(15)
    worker(runner)
    adjust(client, shop, customer, 190)
    travel(400)  # the worker stopped through the whole window: the months ran out a month ago
    worker(runner)
    [reminder] = [m for m in loyalty_mail(smtp) if "expire" in m["Subject"]]
    assert [e["kind"] for e in ledger(client, shop, customer)][-1] == "adjust"
    travel(29)
    worker(runner)
    assert [e["kind"] for e in ledger(client, shop, customer)][-1] == "adjust"  # 30 days' notice
    travel(2)
    worker(runner)
    assert [e["kind"] for e in ledger(client, shop, customer)][-1] == "expire"


def test_a_member_no_email_can_reach_loses_the_points_when_the_months_run_out(client, runner, program, smtp):  # noqa: F811
    shop = program
    customer = order(client, shop, "120.00", order_id="L-300")["customer_id"]
    worker(runner)
    [mail] = loyalty_mail(smtp)
    link = UNSUBSCRIBE.search(text(mail)).group(1)
    page = client.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert client.post(link, data={"csrf_token": csrf.group(1)} if csrf else {}).status_code == 200
    travel(15)
    worker(runner)  # the hold passes: the last activity
    travel(366)
    worker(runner)
    assert [e["kind"] for e in ledger(client, shop, customer)][-1] == "expire"
    assert not [m for m in loyalty_mail(smtp) if "expire" in m["Subject"]]

def test_an_erased_customer_gets_none_of_them_even_those_already_queued(client, runner, program, smtp):  # noqa: F811
    shop = program
    order(client, shop, "300.00", email="bo@example.com")  # points earned and a tier, queued
    erased = client.post("/api/v1/customers/erase", json={"email": "bo@example.com"}, headers=shop.headers)
    assert erased.status_code in (200, 202), erased.json
    worker(runner)
    travel(2)
    worker(runner)
    assert [m for m in (parse(raw) for raw in smtp.messages) if m["To"] == "bo@example.com"] == []
