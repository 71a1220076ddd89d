"""Every kind of e-mail, sent through a real SMTP server: each carries Content-Language (the
reader's language), each to a customer has the shop's support address as its Reply-To, and the
reply notice greets the reviewer by the given name like the other e-mails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviews_service import clock, i18n
from tests.admin.conftest import admin_for
from tests.factories import make_review, order_payload
from tests.helpers import set_settings
from tests.referrals.conftest import PROGRAM, after_hold, browser, code_of, load_coupons, set_program

from .conftest import order_event, parse, run_worker

SUPPORT = "help@shop-a.example"


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "10000 per minute"}


def ordered(client, shop, order_id: str, email: str, customer: dict, code: str | None = None) -> dict:
    body = order_payload(order_id, email=email, referral_code=code)
    body["customer"] = {**body["customer"], "email": email, **customer}
    answer = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert answer.status_code == 201, answer.json
    return answer.json


def sent(smtp, topic_subject_to) -> list:
    return [parse(raw) for raw in smtp.messages if topic_subject_to(parse(raw))]


def greeting_line(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return [line for line in text.splitlines() if line.strip()][1]  # after the heading


def reply_through_the_admin(app, shop, review_id: str, body: str = "Thank you!") -> None:
    moderator = admin_for(app, shop, "moderator")
    assert moderator.post(f"{moderator.base}/reviews/{review_id}/reply", {"body": body}).status_code == 302


def review_through_the_link(client, shop, order: dict, **fields) -> str:
    answer = client.post(f"{shop.public}/products/sku-1/reviews",
                         json={"token": order["widget_token"], "rating": 5, "body": "Fits well.", **fields})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


# --- the reply notice greets by the given name ---------------------------------------------------

@pytest.mark.parametrize(("customer", "greeted", "not_greeted"), [
    ({"name": "Nguyễn Thị Lan", "locale": "vi"}, "Lan", "Nguyễn"),
    ({"name": "Ana Buyer", "given_name": "Ana", "family_name": "Buyer", "locale": "en"}, "Ana", "Buyer"),
    ({"name": "Ani Hakobyan", "locale": "hy"}, "Ani", "Hakobyan"),
], ids=["vi-full-name", "en-parts", "hy-full-name"])
def test_the_reply_notice_greets_the_customer_by_the_given_name(app, client, shop, smtp, customer, greeted,
                                                                 not_greeted):
    """The review shows a name the reviewer chose ("Trail Runner"); the e-mail greets the person."""
    order = ordered(client, shop, "o-1", "c@example.com", customer)
    review_id = review_through_the_link(client, shop, order, display_name="Trail Runner")
    reply_through_the_admin(app, shop, review_id)
    run_worker(app)

    # The confirmation of the review, then the reply notice: each greets the person.
    mails = sent(smtp, lambda m: m["To"] == "c@example.com")
    assert len(mails) == 2
    for mail in mails:
        line = greeting_line(mail)
        assert greeted in line and not_greeted not in line and "Trail" not in line, line
        assert mail["Content-Language"] == customer["locale"]


def test_a_reviewer_without_a_customer_record_is_greeted_by_the_name_the_review_shows(app, client, shop, smtp):
    review_id = make_review(app, shop, name="Lan N.", email="lan@example.com", status="published")
    reply_through_the_admin(app, shop, review_id)
    run_worker(app)

    mails = sent(smtp, lambda m: m["To"] == "lan@example.com")  # the confirmation, the reply notice
    assert len(mails) == 2
    for mail in mails:
        line = greeting_line(mail)
        assert "Lan" in line and "N." not in line, line


# --- every kind of e-mail: Content-Language and Reply-To -----------------------------------------

def test_every_email_carries_its_language_and_the_shops_reply_to(app, client, shop, smtp):
    """Review request, reminder, the review's confirmation, reply notice, referral reward and friend
    offer go to customers, in
    their language, with the support address as Reply-To; the moderators' digest goes to the shop's
    own people in its default language, with no Reply-To to the shop's customer support."""
    set_settings(client, shop, review_request_delay_days=0, support_email=SUPPORT, default_locale="ka")
    set_program(client, shop, email_friend_offer=True, friend_offer={**PROGRAM["friend_offer"], "description": ""})

    ani = ordered(client, shop, "ani-1", "ani@example.com", {"name": "Ani Hakobyan", "locale": "hy"})
    order_event(client, shop, "ani-1", "fulfilled")
    run_worker(app)  # the review request
    clock.travel(timedelta(days=8))
    run_worker(app)  # the reminder
    reply_through_the_admin(app, shop, review_through_the_link(client, shop, ani))
    code = code_of(client, shop, ani)
    ordered(client, shop, "lan-1", "lan@example.com", {"name": "Nguyễn Thị Lan", "locale": "vi"}, code=code)
    load_coupons(client, shop, "REWARD-1")
    offer = client.post(f"{shop.public}/referrals/offer-email", **browser(client, shop)._kw(),
                        json={"code": code, "email": "friend@example.com", "locale": "lo"})
    assert offer.status_code == 202, offer.json
    make_review(app, shop, name="Pending Person", email="pending@example.com")  # for the digest
    after_hold()
    run_worker(app)
    run_worker(app)

    messages = [parse(raw) for raw in smtp.messages]
    by_subject = {}
    for message in messages:
        by_subject.setdefault(message["To"], []).append(message)
    ani_mail = by_subject["ani@example.com"]
    assert len(ani_mail) == 5, [m["Subject"] for m in ani_mail]  # request, reminder, confirmation, reply, reward
    assert [m for m in ani_mail if "REWARD-1" in m.get_body(("plain",)).get_content()]
    for message in ani_mail:
        assert (message["Content-Language"], message["Reply-To"]) == ("hy", SUPPORT), message["Subject"]
    [friend] = by_subject["friend@example.com"]
    assert (friend["Content-Language"], friend["Reply-To"]) == ("lo", SUPPORT)
    [confirmation] = by_subject["pending@example.com"]  # the pending review's "received"
    assert (confirmation["Content-Language"], confirmation["Reply-To"]) == ("ka", SUPPORT)
    digests = [m for to, sent_to in by_subject.items()
               if to not in ("ani@example.com", "friend@example.com", "pending@example.com") for m in sent_to]
    assert digests
    for digest in digests:  # to the moderators (the one who replied)
        assert digest["Subject"] == i18n.translate("ka", "email.digest.subject", shop="Shop A", count=1)
        assert digest["Content-Language"] == "ka" and digest["Reply-To"] is None, digest["Subject"]


def test_without_a_support_address_no_customer_email_has_a_reply_to(app, client, shop, smtp):
    set_settings(client, shop, review_request_delay_days=0)
    set_program(client, shop, email_friend_offer=True)
    ani = ordered(client, shop, "ani-1", "ani@example.com", {"name": "Ani Hakobyan", "locale": "hy"})
    order_event(client, shop, "ani-1", "fulfilled")
    run_worker(app)  # the review request
    reply_through_the_admin(app, shop, review_through_the_link(client, shop, ani))
    code = code_of(client, shop, ani)
    offer = client.post(f"{shop.public}/referrals/offer-email", **browser(client, shop)._kw(),
                        json={"code": code, "email": "friend@example.com", "locale": "vi"})
    assert offer.status_code == 202, offer.json
    run_worker(app)

    messages = [parse(raw) for raw in smtp.messages]
    # request, the review's confirmation, reply notice, friend offer
    assert len(messages) == 4, [(m["To"], m["Subject"]) for m in messages]
    assert all(m["Reply-To"] is None for m in messages)
    assert sorted(m["Content-Language"] for m in messages) == ["hy", "hy", "hy", "vi"]
