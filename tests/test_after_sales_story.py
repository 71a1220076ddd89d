"""The after-sales conversation told once, end to end, through HTTP and a real SMTP server, as the
shop, its customers and its moderators live it:

- Ani orders; the review request asks the survey's question; she answers it from the page (a
  POST: opening the link recorded nothing), then writes a 2-star review with a message only for
  the shop. The shop's member who opted into alerts hears of it; the review is moderated as any
  other. A moderator answers her privately: the e-mail comes from the shop's name with the
  support address as Reply-To, quotes her, and carries no edit link and no word about changing
  the review.
- Bo reviews with 3 stars, then edits his review to 5 from the link in his confirmation e-mail:
  the product's aggregate moves once, by exactly that edit.
- Both wrote while the shop rewards reviews: each gets one code from the pool, once, whatever
  the stars and whatever later decisions.
- Cy, who accepts marketing, is invited to share her referral link after the delay; Ani, who did
  not, is never invited.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from reviews_service import clock
from reviews_service.shops import service as shops
from tests.admin.conftest import admin_for, csrf_token
from tests.factories import order_payload
from tests.helpers import order_event, set_settings
from tests.outbox.conftest import parse, run_worker
from tests.outbox.servers import SmtpServer
from tests.referrals.conftest import PROGRAM, load_coupons

SUPPORT = "help@shop-a.example"
REQUEST_LINK = re.compile(r"https?://\S+(/review/[^\s\"'<>#]+)#survey")
EDIT_LINK = re.compile(r"https?://\S+(/review/edit/[^\s\"'<>]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


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
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute", "DIGEST_HOUR": 24,
            "PROBLEM_ALERT_MINUTES": 0}


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def new_mail(app, smtp, to: str | None = None) -> list:
    """Run the worker once; answers the messages it delivered (to `to`, when given)."""
    before = len(smtp.messages)
    run_worker(app)
    found = [parse(raw) for raw in smtp.messages[before:]]
    return [m for m in found if to is None or m["To"] == to]


def one(messages: list, contains: str):
    matching = [m for m in messages if contains in text_of(m)]
    assert len(matching) == 1, [m["Subject"] for m in messages]
    return matching[0]


def customer_order(client, shop, order_id: str, email: str, name: str, *, marketing: bool = False) -> dict:
    body = order_payload(order_id, email=email, customer={"email": email, "name": name, "locale": "en",
                                                          "accepts_marketing": marketing})
    answer = client.post("/api/v1/orders", headers=shop.headers, json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def rating(client, shop) -> dict:
    answer = client.get(f"{shop.public}/products/sku-1/rating")
    assert answer.status_code == 200
    return answer.json


def test_the_after_sales_conversation_end_to_end(app, client, shop, smtp):
    # The shop: a survey with its requests, a support address, a reward for every review from its
    # pool, a referral programme that invites consenting customers three days after delivery; one
    # member wants the alerts, one does not.
    set_settings(client, shop, review_request_delay_days=0, survey_enabled=True, support_email=SUPPORT,
                 incentives={"enabled": True, "source": "pool",
                             "for_review": {"offered": True, "kind": "percent", "value": "10"}})
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
        **PROGRAM, "invitation_enabled": True, "invitation_delay_days": 3}}})
    assert answer.status_code == 200, answer.json
    load_coupons(client, shop, "THANKS-1", "THANKS-2", "THANKS-3", kind="review_incentive")
    alerted = admin_for(app, shop, "moderator", "care@shop-a.example")
    page = alerted.get("/admin/account").get_data(as_text=True)
    assert alerted.client.post("/admin/account/alerts", data={"csrf_token": csrf_token(page),
                                                              "problem_alerts": "y"}).status_code in (200, 302)
    moderator = admin_for(app, shop, "moderator", "quiet@shop-a.example")

    # Ani's order is fulfilled: the request e-mail asks the survey's question and offers the reward.
    customer_order(client, shop, "ani-1", "ani@example.com", "Ani Hakobyan")
    order_event(client, shop, "ani-1", "fulfilled")
    request = one(new_mail(app, smtp, "ani@example.com"), "#survey")
    assert "10%" in text_of(request)
    page_path = REQUEST_LINK.search(text_of(request)).group(1)
    token = page_path.removeprefix("/review/")

    # Opening the link records nothing; her answer is a POST from the page.
    form = client.get(page_path).get_data(as_text=True)
    assert client.get("/api/v1/survey/summary", headers=shop.headers).json["count"] == 0
    survey_csrf = re.search(r'id="survey".*?name="csrf_token" value="([^"]+)"', form, re.S).group(1)
    assert client.post(f"/review/survey/{token}", data={"csrf_token": survey_csrf, "score": "3",
                                                        "comment": "Delivery took two weeks."}).status_code == 303
    survey = client.get("/api/v1/survey/summary", headers=shop.headers).json
    assert survey["count"] == 1 and survey["nps"] == -100

    # A 2-star review with a message only for the shop, from the same page.
    form = client.get(page_path).get_data(as_text=True)
    sent = client.post(page_path, content_type="multipart/form-data", data={
        "csrf_token": CSRF.search(form).group(1), "rating-0": "2", "body-0": "The sole came off after a week.",
        "display_name": "Ani H.", "private_message": "Can I get a replacement pair?"})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    [ani_review] = client.get("/api/v1/reviews", headers=shop.headers).json["reviews"]
    assert ani_review["status"] == "published"  # the default policy, whatever the stars

    # The worker: Ani's confirmation and her reward; the alert to the member who opted in only.
    delivered = new_mail(app, smtp)
    alerts = [m for m in delivered if m["To"] == "care@shop-a.example"]
    assert [m for m in delivered if m["To"] == "quiet@shop-a.example"] == []
    assert len(alerts) == 1
    assert "The sole came off" in text_of(alerts[0]) and "replacement pair" in text_of(alerts[0])
    to_ani = [m for m in delivered if m["To"] == "ani@example.com"]
    assert "THANKS-1" in "".join(text_of(m) for m in to_ani)
    assert any(EDIT_LINK.search(text_of(m)) for m in to_ani)

    # A moderator answers Ani privately from the review's page.
    assert moderator.post(f"{moderator.base}/reviews/{ani_review['id']}/private-reply",
                          {"body": "We are sending a new pair today."}).status_code == 302
    [reply] = new_mail(app, smtp, "ani@example.com")
    assert reply["Reply-To"] == SUPPORT
    assert "Shop A" in reply["From"] and SUPPORT not in reply["From"]
    for body in (text_of(reply), html_of(reply)):
        assert "We are sending a new pair today." in body
        assert "Can I get a replacement pair?" in body
        assert "/review/edit/" not in body and "/review/" not in body
        assert not re.search(r"(?i)\b(change|update|edit|remove|delete)\b.{0,40}\breview", body)
    thread = client.get(f"/api/v1/reviews/{ani_review['id']}/private-replies", headers=shop.headers).json
    assert thread["status"] == "answered"
    # Nothing of it is public, and the review is as it was.
    public = client.get(f"{shop.public}/products/sku-1/reviews").get_data(as_text=True)
    assert "replacement pair" not in public and "new pair today" not in public
    assert rating(client, shop)["count"] == 1 and rating(client, shop)["histogram"]["2"] == 1

    # Bo reviews with 3 stars from his thank-you page, then edits to 5 from his confirmation e-mail.
    bo = customer_order(client, shop, "bo-1", "bo@example.com", "Bo Lind")
    answer = client.post(f"{shop.public}/products/sku-1/reviews", json={
        "rating": 3, "body": "Runs a little small.", "token": bo["widget_token"]})
    assert answer.status_code == 201, answer.json
    bo_mail = new_mail(app, smtp, "bo@example.com")
    assert "THANKS-2" in "".join(text_of(m) for m in bo_mail)
    before = rating(client, shop)
    assert before["count"] == 2 and before["histogram"]["3"] == 1 and before["average"] == 2.5
    edit_path = next(EDIT_LINK.search(text_of(m)).group(1) for m in bo_mail if EDIT_LINK.search(text_of(m)))
    edit_form = client.get(edit_path).get_data(as_text=True)
    assert "Runs a little small." in edit_form
    saved = client.post(edit_path, data={"csrf_token": CSRF.search(edit_form).group(1), "rating": "5",
                                         "body": "Runs small: order one size up. Great otherwise."})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    after = rating(client, shop)
    assert after["count"] == 2 and after["histogram"]["3"] == 0 and after["histogram"]["5"] == 1
    assert after["average"] == 3.5
    run_worker(app)
    assert rating(client, shop) == after  # applied once: nothing later moves it again
    bo_public = [r for r in client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"]
                 if "order one size up" in r["body"]]
    assert len(bo_public) == 1 and bo_public[0]["rating"] == 5 and "edited" in bo_public[0]["labels"]

    # The rewards: one code each, once; a later decision on Bo's review issues nothing more.
    [bo_review] = [r for r in client.get("/api/v1/reviews", headers=shop.headers).json["reviews"]
                   if r["id"] != ani_review["id"]]
    assert moderator.post(f"{moderator.base}/reviews/{bo_review['id']}/reject",
                          {"reason": "off_topic"}).status_code == 302
    assert moderator.post(f"{moderator.base}/reviews/{bo_review['id']}/approve", {}).status_code == 302
    assert [m for m in new_mail(app, smtp) if "THANKS-" in text_of(m)] == []
    pools = client.get("/api/v1/coupons", headers=shop.headers).json["pools"]
    [incentive_pool] = [p for p in pools if p["kind"] == "review_incentive"]
    assert (incentive_pool["claimed"], incentive_pool["available"]) == (2, 1)

    # Cy accepts marketing, Ani did not: after delivery and the delay, only Cy is invited.
    customer_order(client, shop, "cy-1", "cy@example.com", "Cy Park", marketing=True)
    order_event(client, shop, "cy-1", "delivered")
    order_event(client, shop, "ani-1", "delivered")
    assert [m for m in new_mail(app, smtp) if "?ref=" in text_of(m)] == []
    clock.travel(timedelta(days=2))
    assert [m for m in new_mail(app, smtp) if "?ref=" in text_of(m)] == []
    clock.travel(timedelta(days=2))
    invited = [m for m in new_mail(app, smtp) if "?ref=" in text_of(m)]
    assert [m["To"] for m in invited] == ["cy@example.com"]
    clock.travel(timedelta(days=30))
    assert [m for m in new_mail(app, smtp) if "?ref=" in text_of(m)] == []
    assert urlsplit(re.search(r"https://shop-a\.example/\?ref=\S+", text_of(invited[0])).group(0)).query
