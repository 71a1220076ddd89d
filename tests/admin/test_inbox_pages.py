"""The inbox in the admin: the nav counts the open threads; tabs list them by status; a thread's
page shows what the customer wrote and the shop's private replies, with the reply form that says
plainly that nothing may be offered for changing or removing a review; a reply leaves by e-mail
(real SMTP) from the shop's name with support_email as Reply-To; close and reopen; the review
page shows its thread; the alert e-mail about private feedback links to the thread's page."""

from __future__ import annotations

import re

import pytest

from reviews_service import i18n
from tests.helpers import post_order, set_settings, submit
from tests.moderation.test_problem_alerts import opt_in
from tests.outbox.conftest import parse, run_worker
from tests.outbox.servers import SmtpServer

from .conftest import admin_for

SUPPORT = "help@shop-a.example"
PROMISE = "Nothing may be offered for changing or removing a review"


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute", "DIGEST_HOUR": 24}


def low_review(client, shop, order_id: str = "AD-1", *, private: str = "The zip broke on day two.",
               email: str = "ani@example.com") -> str:
    token = post_order(client, shop, order_id, email=email, items=[("sku-1", "Trail shoes")])["widget_token"]
    body = {"rating": 2, "body": "Falls apart.", "display_name": "Ani H.", "token": token}
    if private:
        body["private_message"] = private
    answer = submit(client, shop, "sku-1", **body)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def thread_link(html: str) -> str:
    return re.search(r'href="(/admin/shops/[^"]+/inbox/thr_[^"]+)"', html).group(1)


def private_replies(smtp) -> list:
    subject = i18n.translate("en", "email.private_reply.subject", shop="Shop A")
    return [m for m in map(parse, smtp.messages) if m["Subject"] == subject]


def test_the_nav_counts_open_threads_and_the_inbox_lists_them(app, client, shop, admin):
    low_review(client, shop)
    page = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert re.search(r'inbox"[^>]*>Inbox <span class="count">1</span>', page)

    inbox = admin.get(f"{admin.base}/inbox").get_data(as_text=True)
    assert "Ani H." in inbox and "The zip broke on day two." in inbox and "Trail shoes" in inbox
    assert "No threads with status “Answered”." in admin.get(f"{admin.base}/inbox?status=answered").get_data(as_text=True)


def test_a_reply_from_the_thread_page_reaches_the_customer_and_answers_the_thread(app, client, shop, admin, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    low_review(client, shop)
    link = thread_link(admin.get(f"{admin.base}/inbox").get_data(as_text=True))
    page = admin.get(link).get_data(as_text=True)
    assert "Falls apart." in page and "The zip broke on day two." in page and PROMISE in page

    sent = admin.post(f"{link}/reply", {"body": "So sorry! A new pair leaves today."}, follow_redirects=True)
    assert sent.status_code == 200
    shown = sent.get_data(as_text=True)
    assert "Private reply sent by e-mail." in shown and "So sorry! A new pair leaves today." in shown
    assert admin.email in shown  # who answered
    assert "No threads with status “Open”." in admin.get(f"{admin.base}/inbox").get_data(as_text=True)

    run_worker(app)
    [message] = private_replies(smtp)
    assert message["To"] == "ani@example.com" and message["Reply-To"] == SUPPORT
    assert message["From"].startswith('"Shop A"') or message["From"].startswith("Shop A")
    text = message.get_body(("plain",)).get_content()
    assert "So sorry! A new pair leaves today." in text and "> The zip broke on day two." in text
    assert "/review/" not in text and not re.search(r"\b(edit|change|remove)\b", text, re.I)


def test_without_a_support_address_the_page_says_so_and_a_reply_is_refused(app, client, shop, admin, smtp):
    low_review(client, shop)
    link = thread_link(admin.get(f"{admin.base}/inbox").get_data(as_text=True))
    assert "Set the shop's support address in Settings first" in admin.get(link).get_data(as_text=True)

    refused = admin.post(f"{link}/reply", {"body": "Hello"})
    assert refused.status_code == 422
    assert "Set the shop's support address in Settings first" in refused.get_data(as_text=True)
    run_worker(app)
    assert private_replies(smtp) == []


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_too_long_reply_is_shown_again_with_its_error(app, client, shop, admin, body):
    set_settings(client, shop, support_email=SUPPORT)
    low_review(client, shop)
    link = thread_link(admin.get(f"{admin.base}/inbox").get_data(as_text=True))
    answer = admin.post(f"{link}/reply", {"body": body})
    assert answer.status_code == 422
    assert 'class="error"' in answer.get_data(as_text=True)


def test_a_reply_without_the_csrf_token_is_refused(app, client, shop, admin):
    set_settings(client, shop, support_email=SUPPORT)
    low_review(client, shop)
    link = thread_link(admin.get(f"{admin.base}/inbox").get_data(as_text=True))
    assert admin.post(f"{link}/reply", {"body": "Hi"}, csrf=False).status_code == 400


def test_a_moderator_closes_and_reopens_a_thread(app, client, shop, admin):
    low_review(client, shop)
    link = thread_link(admin.get(f"{admin.base}/inbox").get_data(as_text=True))
    closed = admin.post(f"{link}/status", {"status": "closed"}, follow_redirects=True).get_data(as_text=True)
    assert "Thread closed." in closed and "Open again" in closed
    assert thread_link(admin.get(f"{admin.base}/inbox?status=closed").get_data(as_text=True)) == link
    assert 'class="count"' not in admin.get(f"{admin.base}/queue").get_data(as_text=True).split("Inbox", 1)[1][:40]

    reopened = admin.post(f"{link}/status", {"status": "open"}, follow_redirects=True).get_data(as_text=True)
    assert "Thread open again." in reopened and "Close the thread" in reopened
    bad = admin.post(f"{link}/status", {"status": "answered"}, follow_redirects=True).get_data(as_text=True)
    assert "Choose to close the thread or to open it again." in bad


def test_the_review_page_shows_its_thread_and_replies_privately(app, client, shop, admin, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    review_id = low_review(client, shop)
    page = admin.get(f"{admin.base}/reviews/{review_id}").get_data(as_text=True)
    assert "Private conversation" in page and "The zip broke on day two." in page and PROMISE in page

    done = admin.post(f"{admin.base}/reviews/{review_id}/private-reply", {"body": "We call you today."},
                      follow_redirects=True).get_data(as_text=True)
    assert "Private reply sent by e-mail." in done and "We call you today." in done
    assert "Private reply" in done.split("History", 1)[1]  # audited in the review's history
    run_worker(app)
    assert [m["To"] for m in private_replies(smtp)] == ["ani@example.com"]


def test_a_review_without_a_thread_can_be_answered_privately_from_its_page(app, client, shop, admin, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    token = post_order(client, shop, "AD-5", email="bo@example.com", items=[("sku-1", "Trail shoes")])["widget_token"]
    review_id = submit(client, shop, "sku-1", rating=5, body="Great.", token=token).json["id"]
    page = admin.get(f"{admin.base}/reviews/{review_id}").get_data(as_text=True)
    assert "Nobody has written privately about this review yet." in page

    admin.post(f"{admin.base}/reviews/{review_id}/private-reply", {"body": "Thank you, Bo!"})
    assert "Thank you, Bo!" in admin.get(f"{admin.base}/inbox?status=answered").get_data(as_text=True)
    run_worker(app)
    assert [m["To"] for m in private_replies(smtp)] == ["bo@example.com"]


def test_another_shops_thread_is_not_found(app, client, shop, admin):
    from tests.factories import make_shop

    other = make_shop(app, "Shop B")
    low_review(client, other)
    other_admin = admin_for(app, other, "moderator")
    link = thread_link(other_admin.get(f"{other_admin.base}/inbox").get_data(as_text=True))
    stolen = link.replace(other.slug, shop.slug)
    assert admin.get(stolen).status_code == 404
    assert admin.post(f"{stolen}/reply", {"body": "Hi"}).status_code == 404
    assert admin.post(f"{stolen}/status", {"status": "closed"}).status_code == 404


def test_the_alert_about_private_feedback_links_to_the_thread(app, client, shop, smtp):
    member, _page = opt_in(app, shop, "helper@shop-a.example")
    token = post_order(client, shop, "AL-1", email="ana@example.com", items=[("sku-1", "Trail shoes")])["widget_token"]
    assert client.post(f"{shop.public}/feedback", json={"token": token, "message": "Box crushed."}).status_code == 201
    run_worker(app)
    [alert] = [m for m in map(parse, smtp.messages) if m["To"] == "helper@shop-a.example"]
    link = re.search(r"http://reviews\.test(/admin/shops/[^\s\"<]+/inbox/thr_[\w-]+)", alert.get_body(("plain",)).get_content())
    assert link, alert.get_body(("plain",)).get_content()
    assert "Box crushed." in member.get(link.group(1)).get_data(as_text=True)
