"""Private replies through the server API and a real SMTP server: the shop answers a customer's
private feedback or review by e-mail, from the shop's name with its support address as Reply-To,
in the customer's language, quoting what they wrote, with no edit link and no request about the
review. Without a support address it is refused (the service receives no mail); an erased
customer is never written to; a moderation key may reply and reads no address."""

from __future__ import annotations

import json
import re

import pytest

from reviews_service import i18n
from tests.helpers import post_order, run, set_settings, submit
from tests.outbox.conftest import parse, run_worker

SUPPORT = "help@shop-a.example"
COMPLAINT = "The left shoe squeaks at every step."


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute", "DIGEST_HOUR": 24}


@pytest.fixture
def smtp():
    from tests.outbox.servers import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def order_token(client, shop, order_id: str, *, email: str = "ani@example.com", locale: str = "en",
                name: str = "Ani Hakobyan") -> str:
    customer = {"email": email, "name": name, "locale": locale}
    return post_order(client, shop, order_id, email=email, customer=customer,
                      items=[("sku-1", "Trail shoes")])["widget_token"]


def feedback_alone(client, shop, order_id: str = "PR-1", message: str = COMPLAINT, **kw) -> str:
    """Private feedback sent alone; answers its id."""
    answer = client.post(f"{shop.public}/feedback", json={"token": order_token(client, shop, order_id, **kw),
                                                           "message": message})
    assert answer.status_code == 201, answer.json
    [item] = [f for f in client.get("/api/v1/feedback", headers=shop.headers).json["feedback"]
              if f["message"] == message]
    return item["id"]


def review(client, shop, order_id: str, rating: int, **kw) -> str:
    answer = submit(client, shop, "sku-1", rating=rating, body="Not what I hoped for.", display_name="Ani H.",
                    token=order_token(client, shop, order_id, **kw))
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def sent(smtp, lang: str = "en") -> list:
    """The private replies the SMTP server received (other e-mails, such as a confirmation of the
    review, are left out), in `lang`."""
    subject = i18n.translate(lang, "email.private_reply.subject", shop="Shop A")
    return [m for m in map(parse, smtp.messages) if m["Subject"] == subject]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def test_a_reply_to_feedback_reaches_the_customer_from_the_shop_with_reply_to_support(app, client, shop, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    feedback_id = feedback_alone(client, shop)

    answer = client.post(f"/api/v1/feedback/{feedback_id}/replies", headers=shop.headers,
                         json={"body": "We are sorry! A new pair is on its way to you."})
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "answered"
    assert [(m["kind"], m["author"]) for m in answer.json["messages"]] == [("feedback", "customer"), ("reply", "api")]

    run_worker(app)
    [message] = [m for m in sent(smtp) if m["To"] == "ani@example.com"]
    assert re.fullmatch(r'"?Shop A"? <.+>', message["From"]), message["From"]
    assert message["Reply-To"] == SUPPORT
    assert message["Subject"] == "A personal message from Shop A"
    for body in (text_of(message), html_of(message)):
        assert "A new pair is on its way to you." in body
        assert COMPLAINT in body  # what the customer wrote, quoted
        assert "Hello Ani Hakobyan," in body  # the greeting every e-mail uses
        assert "/review/" not in body and "token=" not in body  # no edit link
        assert not re.search(r"\b(edit|change|update|remove|delete)\b", body, re.I)


def test_a_reply_speaks_the_customers_language(app, client, shop, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    feedback_id = feedback_alone(client, shop, "PR-HY", "Կոշիկը ճռռում է։", locale="hy", name="Անի Հակոբյան")
    assert client.post(f"/api/v1/feedback/{feedback_id}/replies", headers=shop.headers,
                       json={"body": "Ներողություն, նորն արդեն ճանապարհին է։"}).status_code == 201
    run_worker(app)
    [message] = sent(smtp, "hy")
    assert message["Content-Language"] == "hy"
    assert message["Subject"] == "Անձնական հաղորդագրություն Shop A-ից"
    assert "Կոշիկը ճռռում է։" in text_of(message) and "Բարև, Անի," in text_of(message)


def test_a_private_reply_to_a_review_opens_its_thread_and_quotes_the_review(app, client, shop, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    review_id = review(client, shop, "PR-R", 4)
    assert client.get(f"/api/v1/reviews/{review_id}/private-replies", headers=shop.headers).status_code == 404

    answer = client.post(f"/api/v1/reviews/{review_id}/private-replies", headers=shop.headers,
                         json={"body": "Thank you for taking the time."})
    assert answer.status_code == 201, answer.json
    assert answer.json["opened_by"] == "reply" and answer.json["review_id"] == review_id
    thread = client.get(f"/api/v1/reviews/{review_id}/private-replies", headers=shop.headers).json
    assert [m["kind"] for m in thread["messages"]] == ["review", "reply"]
    assert thread["messages"][0]["rating"] == 4 and thread["messages"][1]["email"] == "ani@example.com"

    run_worker(app)
    [message] = sent(smtp)
    assert "Not what I hoped for." in text_of(message) and message["Reply-To"] == SUPPORT
    history = client.get(f"/api/v1/reviews/{review_id}/history", headers=shop.headers).json["events"]
    assert history[-1]["action"] == "private_reply"


def test_without_a_support_address_a_reply_is_refused_naming_support_email(app, client, shop, smtp):
    feedback_id = feedback_alone(client, shop)
    answer = client.post(f"/api/v1/feedback/{feedback_id}/replies", headers=shop.headers, json={"body": "Hello"})
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    assert "support_email" in answer.json["errors"]
    thread = client.get(f"/api/v1/feedback/{feedback_id}/replies", headers=shop.headers).json
    assert thread["status"] == "open" and [m["kind"] for m in thread["messages"]] == ["feedback"]
    run_worker(app)
    assert sent(smtp) == []


@pytest.mark.parametrize("body, field", [
    ({}, "body"), ({"body": ""}, "body"), ({"body": "   \n "}, "body"), ({"body": "x" * 5001}, "body"),
    ({"body": "Hi", "coupon": "SAVE10"}, "coupon"), ({"body": 5}, "body"),
])
def test_bad_replies_are_refused_naming_the_field(client, shop, body, field):
    set_settings(client, shop, support_email=SUPPORT)
    feedback_id = feedback_alone(client, shop)
    review_id = review(client, shop, "PR-B", 2)
    for path in (f"/api/v1/feedback/{feedback_id}/replies", f"/api/v1/reviews/{review_id}/private-replies"):
        answer = client.post(path, headers=shop.headers, json=body)
        assert 400 <= answer.status_code < 500 and answer.content_type == "application/problem+json", answer.json
        assert field in answer.json["errors"], (path, answer.json)


def test_an_erased_customer_gets_no_reply(app, client, shop, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    review_id = review(client, shop, "PR-E", 1, email="zed@example.com")
    erased = client.post("/api/v1/customers/erase", headers=shop.headers, json={"email": "zed@example.com"})
    assert erased.status_code == 200 and erased.json["private_threads"] == 1

    answer = client.post(f"/api/v1/reviews/{review_id}/private-replies", headers=shop.headers, json={"body": "Hi"})
    assert answer.status_code == 409 and "email" in answer.json["errors"]
    run_worker(app)
    assert sent(smtp) == []


def test_a_reply_queued_before_an_erasure_is_never_sent(app, client, shop, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    feedback_id = feedback_alone(client, shop, email="zed@example.com")
    assert client.post(f"/api/v1/feedback/{feedback_id}/replies", headers=shop.headers,
                       json={"body": "Dear Zed, sorry."}).status_code == 201
    assert client.post("/api/v1/customers/erase", headers=shop.headers,
                       json={"email": "zed@example.com"}).status_code == 200
    run_worker(app)
    assert sent(smtp) == []


def test_a_moderation_key_replies_and_reads_no_address(app, client, shop, runner, smtp):
    set_settings(client, shop, support_email=SUPPORT)
    feedback_id = feedback_alone(client, shop, message="Write to me at ani.private@example.com please")
    result = run(runner, "keys", "create", shop.slug, "--scope", "moderation", "--json")
    headers = {"Authorization": f"Bearer {json.loads(result.output)['secret_key']}"}

    answer = client.post(f"/api/v1/feedback/{feedback_id}/replies", headers=headers, json={"body": "Done!"})
    assert answer.status_code == 201, answer.json
    assert "@example.com" not in json.dumps(answer.json)
    listed = client.get("/api/v1/inbox", query_string={"status": "answered"}, headers=headers).json
    assert [t["id"] for t in listed["threads"]] == [answer.json["id"]] and "email" not in listed["threads"][0]
    run_worker(app)
    assert [m["To"] for m in sent(smtp)] == ["ani@example.com"]


def test_a_key_of_another_scope_may_not_reply(client, shop, runner):
    set_settings(client, shop, support_email=SUPPORT)
    feedback_id = feedback_alone(client, shop)
    result = run(runner, "keys", "create", shop.slug, "--scope", "privacy", "--json")
    headers = {"Authorization": f"Bearer {json.loads(result.output)['secret_key']}"}
    answer = client.post(f"/api/v1/feedback/{feedback_id}/replies", headers=headers, json={"body": "Hi"})
    assert answer.status_code == 403
