"""Post-purchase e-mails through a real SMTP server on loopback: what a customer receives, when,
how often, in which language; what unsubscribing stops; what an outage of the server loses (nothing)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import formataddr
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from reviews_service import clock, i18n
from reviews_service.cli import main
from reviews_service.collecting import scheduling
from reviews_service.extensions import db
from reviews_service.moderation import notices
from reviews_service.outbox import mailer
from reviews_service.outbox.models import OutboxMessage
from reviews_service.reviews.models import Reply, Review
from reviews_service.shops import service as shops
from tests.factories import make_product
from tests.helpers import order_event, set_settings

from .conftest import fulfilled_order, outbox, parse, run_worker

LINK = re.compile(r"https?://\S+/review/\S+")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "DIGEST_HOUR": 0, "PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def no_delay(client, shop):
    set_settings(client, shop, review_request_delay_days=0)


def customer(email="ana@example.com", locale="en", name="Ana Buyer") -> dict:
    return {"email": email, "name": name, "locale": locale}


def sent_one(smtp, to: str | None = None):
    """The one message sent (to `to`, when given: a reviewer also gets their review's confirmation)."""
    messages = [parse(m) for m in smtp.messages if to is None or parse(m)["To"] == to]
    assert len(messages) == 1, [m["Subject"] for m in messages]
    return messages[0]


def subjects(smtp) -> list[str]:
    return [parse(m)["Subject"] for m in smtp.messages]


CONFIRMATION = "Thank you for your review of Trail shoes"  # the reviewer's confirmation e-mail


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def review_with_link(client, shop, message, rating=5):
    token = LINK.search(text_of(message)).group(0).rsplit("/review/", 1)[1]
    response = client.post(f"{shop.public}/products/sku-1/reviews",
                           json={"token": token, "rating": rating, "body": "Fits well."})
    assert response.status_code == 201, response.json
    return response.json


# --- the message ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["hy", "ka", "lo", "vi", "ar", "de", "es", "fr", "it", "ja", "en"])
def test_review_request_arrives_as_one_multipart_message_in_the_customers_language(
        app, client, shop, smtp, no_delay, lang):
    fulfilled_order(client, shop, email="ana@example.com", customer=customer(locale=lang))

    run_worker(app)

    message = sent_one(smtp)
    assert message["To"] == "ana@example.com"
    assert message["From"].addresses[0].addr_spec == app.config["MAIL_FROM"]
    assert message["From"].addresses[0].display_name == "Shop A"
    assert message["Subject"] == i18n.translate(lang, "email.review_request.subject", product="Trail shoes")
    assert message["Content-Language"] == lang
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    heading = i18n.translate(lang, "email.review_request.heading")
    assert heading in text_of(message) and heading in html_of(message)
    assert "Trail shoes" in text_of(message) and "Trail shoes" in html_of(message)


@pytest.mark.parametrize("name, subject", [
    ("Trail\u2028shoes", "Trail shoes"), ("Trail\u2029shoes", "Trail shoes"),
    ("Trail \r\n shoes", "Trail shoes"), ("Trail\x0b\x0c\x1c\x85shoes", "Trail shoes"),
    ("Trail\x1b[31mshoes", "Trail [31mshoes"), ("Trail\r\nBcc: eve@evil.example", "Trail Bcc: eve@evil.example"),
])
def test_a_product_name_with_line_breaks_still_gives_a_one_line_subject_and_is_delivered(
        app, client, shop, smtp, no_delay, name, subject):
    fulfilled_order(client, shop, items=[("sku-1", name)])

    stats = run_worker(app)

    assert (stats.sent, stats.failed) == (1, 0), stats.errors
    message = sent_one(smtp)
    assert message["Subject"] == f"How do you like your {subject}?"
    assert message["Bcc"] is None and message["To"] == "buyer@example.com"
    assert [row.status for row in outbox(app)] == ["sent"]


def test_a_shop_name_with_a_line_break_still_gives_a_sender(app, client, shop, smtp, no_delay):
    renamed = client.patch("/api/v1/shop", json={"name": "Shop\u2028A\nX-Evil: 1"}, headers=shop.headers)
    assert renamed.status_code == 200, renamed.json
    fulfilled_order(client, shop)

    assert run_worker(app).sent == 1

    message = sent_one(smtp)
    assert message["From"].addresses[0].display_name == "Shop A X-Evil: 1"
    assert message["X-Evil"] is None


def test_a_message_queued_with_a_line_break_in_the_encoded_sender_is_delivered(app, client, shop, smtp, no_delay):
    """Rows queued before names were cleaned hold the raw name, encoded: they are sent as well."""
    fulfilled_order(client, shop)
    with app.app_context():
        scheduling.queue_due_requests()  # what the worker's first step does
        row = db.session.scalar(select(OutboxMessage))
        row.payload = {**row.payload, "from": formataddr(("Shop\u2028A\nX-Evil: 1", app.config["MAIL_FROM"]))}
        db.session.commit()

    assert run_worker(app).sent == 1

    assert sent_one(smtp)["From"].addresses[0].display_name == "Shop A X-Evil: 1"


def test_message_id_is_set_on_the_public_host(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)

    run_worker(app)

    assert re.fullmatch(r"<[^@<>\s]+@reviews\.test>", sent_one(smtp)["Message-ID"])


def test_list_unsubscribe_is_a_plain_one_click_header(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)

    run_worker(app)

    raw = smtp.messages[0].decode("ascii")
    unfolded = re.sub(r"\r?\n[ \t]", " ", raw.split("\r\n\r\n", 1)[0])
    headers = dict(line.split(": ", 1) for line in unfolded.splitlines() if ": " in line)
    assert re.fullmatch(r"<https?://reviews\.test/unsubscribe/[^\s<>]+>", headers["List-Unsubscribe"])
    assert "=?" not in headers["List-Unsubscribe"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_message_travels_as_seven_bit_for_any_smtp_server(app, client, shop, smtp, no_delay):
    # Without BODY=8BITMIME (smtplib sends it only for SMTPUTF8 addresses) the body must be 7-bit.
    fulfilled_order(client, shop, customer=customer(locale="hy"))

    run_worker(app)

    smtp.messages[0].decode("ascii")
    assert "Trail shoes" in text_of(sent_one(smtp))


def test_html_part_has_no_images_so_no_tracking_pixel(app, client, shop, smtp, no_delay):
    make_product(app, shop, "sku-1", "Trail shoes", image_url="https://cdn.shop-a.example/shoes.jpg")
    fulfilled_order(client, shop)

    run_worker(app)

    html = html_of(sent_one(smtp)).lower()
    assert "<img" not in html and "url(" not in html and "cdn.shop-a.example" not in html


def test_review_link_in_the_text_part_opens_the_review_page_for_the_product(
        app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop, items=[("sku-1", "Trail shoes"), ("sku-2", "Wool socks")])

    run_worker(app)

    link = LINK.search(text_of(sent_one(smtp))).group(0)
    assert link.startswith("http://reviews.test/review/")
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Trail shoes" in page.text and "Wool socks" in page.text


# --- when, and how often -------------------------------------------------------------------------

def test_nothing_is_sent_before_the_request_is_due(app, client, shop, smtp):
    fulfilled_order(client, shop)

    clock.travel(timedelta(days=13, hours=23))
    run_worker(app)

    assert smtp.messages == []


def test_request_is_sent_once_the_default_delay_has_passed(app, client, shop, smtp):
    fulfilled_order(client, shop)

    clock.travel(timedelta(days=14, minutes=1))
    run_worker(app)
    run_worker(app)

    assert sent_one(smtp)["Subject"] == "How do you like your Trail shoes?"


def test_one_reminder_follows_after_the_reminder_delay_when_no_review_came(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)

    clock.travel(timedelta(days=6, hours=23))
    run_worker(app)
    assert len(smtp.messages) == 1
    clock.travel(timedelta(hours=2))
    run_worker(app)

    reminder = parse(smtp.messages[-1])
    assert len(smtp.messages) == 2
    assert reminder["Subject"] == "A minute for a review of your Trail shoes?"
    assert LINK.search(text_of(reminder))


def test_no_reminder_once_the_customer_has_reviewed(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)
    review_with_link(client, shop, sent_one(smtp))

    clock.travel(timedelta(days=8))
    run_worker(app)

    assert subjects(smtp)[1:] == [CONFIRMATION]  # the review's confirmation, and no reminder


def test_no_reminder_after_a_review_of_one_product_of_several(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop, items=[("sku-1", "Trail shoes"), ("sku-2", "Wool socks")])
    run_worker(app)
    review_with_link(client, shop, sent_one(smtp))

    clock.travel(timedelta(days=8))
    run_worker(app)

    assert subjects(smtp)[1:] == [CONFIRMATION]


def test_never_a_second_reminder(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)
    for _ in range(4):
        clock.travel(timedelta(days=8))
        run_worker(app)

    assert [m["Subject"] for m in map(parse, smtp.messages)] == [
        "How do you like your Trail shoes?", "A minute for a review of your Trail shoes?"]


def test_cap_allows_three_asking_emails_in_thirty_days(app, client, shop, smtp, no_delay):
    set_settings(client, shop, reminder_delay_days=365)
    for _ in range(4):
        fulfilled_order(client, shop, email="ana@example.com")

    run_worker(app)
    clock.travel(timedelta(days=29))
    run_worker(app)

    assert len(smtp.messages) == 3


def test_capped_request_goes_out_once_the_window_has_moved(app, client, shop, smtp, no_delay):
    set_settings(client, shop, reminder_delay_days=365)
    for _ in range(4):
        fulfilled_order(client, shop, email="ana@example.com")
    run_worker(app)

    clock.travel(timedelta(days=31))
    run_worker(app)

    assert len(smtp.messages) == 4
    assert {m["To"] for m in map(parse, smtp.messages)} == {"ana@example.com"}


def test_cap_counts_per_customer(app, client, shop, smtp, no_delay):
    for n in range(4):
        fulfilled_order(client, shop, email=f"buyer{n}@example.com", customer=customer(f"buyer{n}@example.com"))

    run_worker(app)

    assert len(smtp.messages) == 4


# --- who gets nothing ----------------------------------------------------------------------------

def unsubscribe_path(message) -> str:
    return urlsplit(message["List-Unsubscribe"].strip("<>")).path


def test_one_click_unsubscribe_answers_200_and_stops_every_later_email(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)

    response = client.post(unsubscribe_path(sent_one(smtp)), data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    fulfilled_order(client, shop)
    clock.travel(timedelta(days=8))
    run_worker(app)

    assert len(smtp.messages) == 1


def test_unsubscribe_stops_an_email_already_queued(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)
    fulfilled_order(client, shop)
    with app.app_context():
        scheduling.queue_due_requests()

    client.post(unsubscribe_path(sent_one(smtp)), data={"List-Unsubscribe": "One-Click"})
    run_worker(app)

    assert len(smtp.messages) == 1
    assert [row.status for row in outbox(app, kind="email")] == ["sent", "dead"]


def test_unsubscribe_page_asks_for_confirmation_with_a_button(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)

    page = client.get(unsubscribe_path(sent_one(smtp)))

    assert page.status_code == 200
    assert re.search(r"<form method=\"post\"[^>]*>\s*<p><button[^>]*type=\"submit\"", page.text)
    assert i18n.translate("en", "unsubscribe.button") in page.text


def test_unsubscribe_page_is_in_the_customers_language(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop, customer=customer(locale="ka"))
    run_worker(app)

    page = client.get(unsubscribe_path(sent_one(smtp)))

    assert i18n.translate("ka", "unsubscribe.button") in page.text


def test_tampered_unsubscribe_link_is_404_and_unsubscribes_nobody(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)

    response = client.post(unsubscribe_path(sent_one(smtp))[:-2] + "xx")
    fulfilled_order(client, shop)
    run_worker(app)

    assert response.status_code == 404
    assert len(smtp.messages) == 2


@pytest.mark.parametrize("event", ["refunded", "cancelled"])
def test_refunded_or_cancelled_order_gets_no_email(app, client, shop, smtp, no_delay, event):
    order = fulfilled_order(client, shop)
    order_event(client, shop, order["id"], event)

    run_worker(app)
    clock.travel(timedelta(days=8))
    run_worker(app)

    assert smtp.messages == []


@pytest.mark.parametrize("event", ["refunded", "cancelled"])
def test_refund_after_the_email_was_queued_stops_it(app, client, shop, smtp, no_delay, event):
    order = fulfilled_order(client, shop)
    with app.app_context():
        assert scheduling.queue_due_requests() == 1

    order_event(client, shop, order["id"], event)
    run_worker(app)

    assert smtp.messages == []
    assert outbox(app, kind="email")[0].status == "dead"


def test_erased_customer_gets_no_email_already_queued(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    with app.app_context():
        assert scheduling.queue_due_requests() == 1

    erased = client.post("/api/v1/customers/erase", json={"email": "buyer@example.com"}, headers=shop.headers)
    run_worker(app)

    assert erased.status_code == 200
    assert smtp.messages == []


def test_no_reminder_for_an_order_refunded_after_the_request(app, client, shop, smtp, no_delay):
    order = fulfilled_order(client, shop)
    run_worker(app)
    order_event(client, shop, order["id"], "refunded")

    clock.travel(timedelta(days=8))
    run_worker(app)

    assert len(smtp.messages) == 1


# --- without an SMTP server ----------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"SMTP_URL": ""}])
def test_without_smtp_url_emails_stay_pending_in_the_outbox(app, client, shop, no_delay):
    fulfilled_order(client, shop)

    stats = run_worker(app)
    answer = client.get("/api/v1/outbox", headers=shop.headers)

    assert stats.sent == 0
    assert answer.status_code == 200
    [message] = [m for m in answer.json["messages"] if m["kind"] == "email"]
    assert message["status"] == "pending" and message["attempts"] == 0
    assert message["topic"] == "review_request" and message["recipient"] == "buyer@example.com"


@pytest.mark.parametrize("app_config", [{"SMTP_URL": ""}])
def test_worker_print_shows_pending_emails_readably_and_marks_them_sent(app, client, shop, runner, no_delay):
    fulfilled_order(client, shop, customer=customer(locale="hy"))
    run_worker(app)

    result = runner.invoke(main, ["worker", "--once", "--print"])

    assert result.exit_code == 0, result.output
    subject = i18n.translate("hy", "email.review_request.subject", product="Trail shoes")
    assert "To: ana@example.com" in result.output and f"Subject: {subject}" in result.output
    assert i18n.translate("hy", "email.review_request.heading") in result.output
    assert "http://reviews.test/review/" in result.output
    [row] = outbox(app, kind="email")
    assert (row.status, row.attempts) == ("sent", 1)


@pytest.mark.parametrize("app_config", [{"SMTP_URL": ""}])
def test_outbox_lists_only_the_shops_own_messages(app, client, shop, other_shop, no_delay):
    fulfilled_order(client, shop)
    run_worker(app)

    answer = client.get("/api/v1/outbox", headers=other_shop.headers)

    assert answer.status_code == 200 and answer.json["messages"] == []


# --- outages -------------------------------------------------------------------------------------

def test_smtp_server_stopped_mid_run_fails_the_rest_and_loses_nothing(
        app, client, shop, smtp, no_delay, monkeypatch):
    for n in range(2):
        fulfilled_order(client, shop, customer=customer(f"buyer{n}@example.com"))
    real_send = mailer.send

    def send_then_go_down(*args, **kwargs):
        real_send(*args, **kwargs)
        smtp.stop()

    monkeypatch.setattr(mailer, "send", send_then_go_down)
    stats = run_worker(app)

    assert (stats.sent, stats.failed) == (1, 1)
    sent, failed = outbox(app, kind="email")
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error and "Connection" in failed.last_error
    assert failed.next_attempt_at > clock.now() + timedelta(seconds=29)


def test_failed_email_is_delivered_once_when_the_server_is_back(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    smtp.stop()
    run_worker(app)

    smtp.start()
    run_worker(app)  # before the backoff: nothing is due
    assert smtp.messages == []
    clock.travel(timedelta(minutes=1))
    run_worker(app)
    run_worker(app)

    assert len(smtp.messages) == 1
    [row] = outbox(app, kind="email")
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_email_is_dead_after_max_attempts(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop)
    smtp.stop()

    for _ in range(10):
        run_worker(app)
        clock.travel(timedelta(hours=7))

    [row] = outbox(app, kind="email")
    assert (row.status, row.attempts) == ("dead", row.max_attempts)
    assert row.last_error


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://user:p%40ss@mail.example:587?starttls=1",
     mailer.SmtpSettings("mail.example", 587, False, "always", "user", "p@ss", 15.0)),
    ("smtps://mail.example", mailer.SmtpSettings("mail.example", 465, True, "never", None, None, 15.0)),
    ("smtp://mail.example", mailer.SmtpSettings("mail.example", 25, False, "auto", None, None, 15.0)),
    ("smtp://mail.example:2525?starttls=0&timeout=3",
     mailer.SmtpSettings("mail.example", 2525, False, "never", None, None, 3.0)),
])
def test_smtp_url_gives_host_port_tls_and_credentials(url, expected):
    assert mailer.parse_smtp_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "smtp://mail.example?starttls=maybe",
                                 "smtp://mail.example:99999", "smtp://mail.example?timeout=soon"])
def test_unusable_smtp_url_is_a_config_error(url):
    with pytest.raises(mailer.MailConfigError):
        mailer.parse_smtp_url(url)


# --- the moderators' digest and the reply notice -------------------------------------------------

def pending_review(client, shop, email="visitor@example.com"):
    response = client.post(f"{shop.public}/products/sku-1/reviews",
                           json={"rating": 4, "body": "Good.", "email": email, "display_name": "Vi"})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending"


@pytest.fixture
def moderated_shop(app, client, shop):
    make_product(app, shop, "sku-1", "Trail shoes")
    with app.app_context():
        shops.create_user("mod@shop-a.example", "correct horse battery staple", shop=shops.get_shop(shop.id))
    pending_review(client, shop)
    pending_review(client, shop, "second@example.com")
    return shop


def test_moderator_gets_one_digest_a_day_of_the_pending_reviews(app, moderated_shop, smtp):
    run_worker(app)
    run_worker(app)

    digest = sent_one(smtp, "mod@shop-a.example")
    assert digest["Subject"] == "2 reviews are waiting for moderation"
    assert "http://reviews.test/admin/" in text_of(digest)


def test_digest_comes_again_the_next_day(app, moderated_shop, smtp):
    run_worker(app)
    clock.travel(timedelta(days=1))
    run_worker(app)

    to_moderators = [m["To"] for m in map(parse, smtp.messages) if m["To"].endswith("@shop-a.example")]
    assert to_moderators == ["mod@shop-a.example"] * 2


@pytest.mark.parametrize("app_config", [{"DIGEST_HOUR": 8}])
def test_digest_waits_for_the_digest_hour(app, client, shop, smtp):
    now = clock.now()
    clock.travel(datetime(now.year, now.month, now.day, 7, tzinfo=UTC) + timedelta(days=1) - now)
    app.config["SMTP_URL"] = smtp.url
    make_product(app, shop, "sku-1", "Trail shoes")
    with app.app_context():
        shops.create_user("mod@shop-a.example", "correct horse battery staple", shop=shops.get_shop(shop.id))
    pending_review(client, shop)

    run_worker(app)
    assert subjects(smtp) == [CONFIRMATION]  # the reviewer's, at once; not yet the digest
    clock.travel(timedelta(hours=1))
    run_worker(app)

    assert sent_one(smtp, "mod@shop-a.example")


def test_no_digest_without_pending_reviews(app, client, shop, smtp):
    with app.app_context():
        shops.create_user("mod@shop-a.example", "correct horse battery staple", shop=shops.get_shop(shop.id))

    run_worker(app)

    assert smtp.messages == []


def test_reviewer_is_emailed_the_shops_public_reply(app, client, shop, smtp, no_delay):
    fulfilled_order(client, shop, customer=customer(locale="vi"))
    run_worker(app)
    public_id = review_with_link(client, shop, sent_one(smtp))["id"]

    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.public_id == public_id))
        db.session.add(Reply(review=review, body="Thank you, Ana! Enjoy the trails."))
        notices.queue_reply_notice(review)
        db.session.commit()
    run_worker(app)

    notice = parse(smtp.messages[-1])
    assert len(smtp.messages) == 3  # the request, the review's confirmation, the notice
    assert notice["To"] == "ana@example.com"
    assert notice["Subject"] == i18n.translate("vi", "email.reply.subject", shop="Shop A")
    assert "Thank you, Ana! Enjoy the trails." in text_of(notice)
    assert "Thank you, Ana! Enjoy the trails." in html_of(notice)
