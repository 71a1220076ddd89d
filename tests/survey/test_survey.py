"""The satisfaction survey, driven as the customer and the shop drive it: the review request
e-mail (through a real SMTP server) mentions the question and links to the hosted page; only the
page's POST records a score, once per request; every score gets the same form and next e-mails;
the NPS through the server API; the answer in the customer's export and gone with their erasure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from reviews_service import clock
from tests.factories import make_shop
from tests.helpers import assert_problem, post_order, row_counts, set_settings
from tests.outbox.conftest import parse, run_worker
from tests.outbox.servers import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute", "DIGEST_HOUR": 24}


@pytest.fixture
def surveyed(client, shop):
    set_settings(client, shop, survey_enabled=True, review_request_delay_days=0)
    return shop


def mails(smtp, since: int = 0):
    return [parse(raw) for raw in smtp.messages[since:]]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def request_mail(app, client, shop, smtp, email: str = "ana@example.com"):
    """An order is fulfilled, the worker sends its review request: answers the e-mail and the
    page's path (the link in it)."""
    before = len(smtp.messages)
    post_order(client, shop, email=email, fulfilled=True, items=[("sku-1", "Trail shoes")])
    run_worker(app)
    [message] = [m for m in mails(smtp, before) if m["To"] == email]
    link = re.search(r"(http://\S+/review/\S+)#survey", text_of(message)).group(1)
    return message, "/review/" + link.rsplit("/review/", 1)[1]


def csrf_of(html: str) -> str:
    return re.search(r'id="survey".*?name="csrf_token" value="([^"]+)"', html, re.S).group(1)


def answer(client, path: str, score, comment: str = ""):
    page = client.get(path).get_data(as_text=True)
    token = path.removeprefix("/review/")
    return client.post(f"/review/survey/{token}", data={"csrf_token": csrf_of(page), "score": score,
                                                         "comment": comment})


def summary(client, shop, **query):
    response = client.get("/api/v1/survey/summary", query_string=query, headers=shop.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_request_email_mentions_the_question_and_links_to_the_page(app, client, surveyed, smtp):
    message, path = request_mail(app, client, surveyed, smtp)
    text, html = text_of(message), message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "how likely are you to recommend us to a friend?" in body
        assert f"{path}#survey" in body


def test_the_request_email_asks_nothing_when_the_survey_is_off(app, client, shop, smtp):
    set_settings(client, shop, review_request_delay_days=0)
    post_order(client, shop, fulfilled=True)
    run_worker(app)
    [message] = mails(smtp)
    assert "recommend us" not in text_of(message)
    assert 'id="survey"' not in client.get(re.search(r"http://\S+(/review/\S+)", text_of(message))
                                           .group(1)).get_data(as_text=True)


def test_the_page_asks_the_question_as_an_accessible_radio_group(app, client, surveyed, smtp):
    _, path = request_mail(app, client, surveyed, smtp)
    html = client.get(path).get_data(as_text=True)
    group = re.search(r'<fieldset class="nps".*?</fieldset>', html, re.S).group(0)
    assert "<legend>How likely are you to recommend us to a friend?</legend>" in group
    for score in range(11):
        assert f'<input type="radio" id="survey-score-{score}" name="score" value="{score}">' in group
        assert f'<label for="survey-score-{score}">{score}</label>' in group
    assert '<label for="survey-comment">What could we do better?' in html


def test_opening_the_page_or_the_emails_link_records_nothing(app, client, surveyed, smtp):
    _, path = request_mail(app, client, surveyed, smtp)
    before = row_counts(app)
    for url in (path, path + "?survey=saved", path + "?score=0"):
        assert client.get(url).status_code == 200
    assert row_counts(app) == before
    assert summary(client, surveyed)["count"] == 0


def test_a_post_from_the_page_records_one_answer_per_request_and_an_edit_replaces_it(
        app, client, surveyed, smtp):
    _, path = request_mail(app, client, surveyed, smtp)
    first = answer(client, path, "3", "Delivery was slow.")
    assert first.status_code == 303
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Thank you, your answer is saved." in page
    assert 'value="3" checked' in page and "Delivery was slow." in page
    assert answer(client, path, "10").status_code == 303
    figures = summary(client, surveyed)
    assert (figures["count"], figures["promoters"], figures["detractors"]) == (1, 1, 0)


@pytest.mark.parametrize("score", ["11", "x", "-1", ""])
def test_a_bad_score_on_the_page_is_422_next_to_the_field_and_records_nothing(
        app, client, surveyed, smtp, score):
    _, path = request_mail(app, client, surveyed, smtp)
    response = answer(client, path, score)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="survey-score-error">' in html
    assert "Choose a number from 0 to 10." in html
    assert summary(client, surveyed)["count"] == 0


@pytest.mark.parametrize("score", [11, "x", -1, None, True, 7.5])
def test_a_bad_score_through_the_api_is_422_naming_the_field(app, client, surveyed, smtp, score):
    _, path = request_mail(app, client, surveyed, smtp)
    response = client.post(f"/api/v1/public/{surveyed.public_key}/survey",
                           json={"token": path.removeprefix("/review/"), "score": score})
    assert_problem(response, 422, field="score")


def test_the_api_records_the_answer_of_the_pages_script(app, client, surveyed, smtp):
    _, path = request_mail(app, client, surveyed, smtp)
    response = client.post(f"/api/v1/public/{surveyed.public_key}/survey",
                           json={"token": path.removeprefix("/review/"), "score": 8, "comment": "Fine"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["score"] == 8
    assert summary(client, surveyed)["passives"] == 1


def test_every_score_gets_the_same_form_and_the_same_next_emails(app, client, surveyed, smtp):
    """A detractor and a promoter see the same review form and get the same reminder."""
    pages, reminders = {}, {}
    for score, email in (("0", "low@example.com"), ("10", "high@example.com")):
        _, path = request_mail(app, client, surveyed, smtp, email=email)
        assert answer(client, path, score).status_code == 303
        html = client.get(path).get_data(as_text=True)
        form = re.search(r'<form class="review-form".*?</form>', html, re.S).group(0)
        pages[score] = re.sub(r'value="[^"]*"|data-reviews-token="[^"]*"|action="[^"]*"', "", form)
    clock.travel(timedelta(days=8))
    before = len(smtp.messages)
    run_worker(app)
    for message in mails(smtp, before):
        reminders[message["To"]] = (message["Subject"], re.sub(r"/(review|unsubscribe)/\S+", "LINK", text_of(message)))
    assert pages["0"] == pages["10"]
    assert set(reminders) == {"low@example.com", "high@example.com"}
    assert reminders["low@example.com"] == reminders["high@example.com"]


def test_summary_counts_promoters_passives_detractors_by_month(app, client, surveyed, smtp):
    first = clock.now()
    for n, score in enumerate(("10", "9", "8", "6")):
        _, path = request_mail(app, client, surveyed, smtp, email=f"first{n}@example.com")
        answer(client, path, score)
    clock.travel(timedelta(days=40))  # always a later month
    second = clock.now()
    for n, score in enumerate(("0", "3")):
        _, path = request_mail(app, client, surveyed, smtp, email=f"second{n}@example.com")
        answer(client, path, score)
    figures = summary(client, surveyed)
    assert {k: figures[k] for k in ("count", "promoters", "passives", "detractors", "nps")} == \
        {"count": 6, "promoters": 2, "passives": 1, "detractors": 3, "nps": round(100 * (2 - 3) / 6, 1)}
    earlier, later = figures["months"]
    assert (earlier["month"], earlier["count"], earlier["nps"]) == (first.strftime("%Y-%m"), 4, 25.0)
    assert (later["month"], later["count"], later["nps"]) == (second.strftime("%Y-%m"), 2, -100.0)
    assert (earlier["promoters"], earlier["passives"], earlier["detractors"]) == (2, 1, 1)
    only_later = summary(client, surveyed, **{"from": second.replace(day=1).date().isoformat(),
                                              "to": second.date().isoformat()})
    assert (only_later["count"], only_later["nps"], len(only_later["months"])) == (2, -100.0, 1)
    before = summary(client, surveyed, to=(first - timedelta(days=1)).date().isoformat())
    assert (before["count"], before["nps"], before["months"]) == (0, None, [])


def test_summary_refuses_from_after_to(client, surveyed):
    response = client.get("/api/v1/survey/summary", query_string={"from": "2026-05-01", "to": "2026-04-01"},
                          headers=surveyed.headers)
    assert_problem(response, 422, field="to")


def test_another_shops_summary_holds_none_of_the_answers(app, client, surveyed, smtp):
    _, path = request_mail(app, client, surveyed, smtp)
    answer(client, path, "9")
    other = make_shop(app, "Other")
    assert summary(client, other)["count"] == 0


def test_answers_are_in_the_export_and_gone_with_the_erasure(app, client, surveyed, smtp):
    _, path = request_mail(app, client, surveyed, smtp, email="ana@example.com")
    answer(client, path, "4", "Box was damaged.")
    export = client.get("/api/v1/customers/export", query_string={"email": "ana@example.com"},
                        headers=surveyed.headers).get_json()
    assert [(a["score"], a["comment"]) for a in export["survey_answers"]] == [(4, "Box was damaged.")]
    erased = client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=surveyed.headers)
    assert erased.status_code == 200, erased.get_json()
    assert summary(client, surveyed)["count"] == 0
    assert row_counts(app)["survey_answers"] == 0


def test_a_detractors_score_alerts_the_opted_in_members_once(app, client, surveyed, smtp, monkeypatch):
    from reviews_service.shops import service as shops
    from tests.moderation.test_problem_alerts import opt_in

    monkeypatch.setattr(shops, "PASSWORD_METHOD", "scrypt:1024:8:1")
    opt_in(app, surveyed, "helper@shop-a.example")
    _, low = request_mail(app, client, surveyed, smtp, email="low@example.com")
    _, high = request_mail(app, client, surveyed, smtp, email="high@example.com")
    answer(client, low, "3", "The parcel arrived open.")
    answer(client, low, "2", "The parcel arrived open.")  # still a detractor: no second alert
    answer(client, high, "10")
    before = len(smtp.messages)
    run_worker(app)
    [alert] = [m for m in mails(smtp, before) if m["To"] == "helper@shop-a.example"]
    text = text_of(alert)
    assert alert["Subject"] == "1 customer may need your help"
    assert "Survey: 3 of 10" in text and "The parcel arrived open." in text
    assert f"/admin/shops/{surveyed.slug}/dashboard" in text
