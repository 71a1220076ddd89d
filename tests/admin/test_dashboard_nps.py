"""The dashboard's NPS trend: the survey's answers by UTC month, drawn and told as a table."""

from __future__ import annotations

import re
from datetime import timedelta

from reviews_service import clock
from reviews_service.catalog.models import Order
from reviews_service.collecting import requests as review_requests
from reviews_service.extensions import db
from tests.helpers import post_order, set_settings

from .conftest import csrf_token

TITLE = "Net Promoter Score per month"


def answer_survey(app, client, shop, score: int, n: int) -> None:
    """A fulfilled order's customer answers the survey through the page's API."""
    order = post_order(client, shop, email=f"buyer{n}@example.com", fulfilled=True, items=[("sku-1", "Trail shoes")])
    with app.app_context():
        row = db.session.scalar(db.select(Order).where(Order.shop_id == shop.id, Order.external_id == order["id"]))
        token = review_requests.token_for(review_requests.for_order(row))
    response = client.post(f"/api/v1/public/{shop.public_key}/survey", json={"token": token, "score": score})
    assert response.status_code == 200, response.get_json()


def nps_figure(html: str) -> str:
    found = re.search(r'<figure class="figure"[^>]*>(?:(?!</figure>).)*' + TITLE + r".*?</figure>", html, re.S)
    return found.group(0) if found else ""


def test_answers_in_two_months_show_both_months_nps_in_the_svg_and_the_table(app, client, admin, shop):
    set_settings(client, shop, survey_enabled=True, review_request_delay_days=0)
    first = clock.now()
    for n, score in enumerate((10, 9, 8, 7)):  # 2 promoters, no detractor of 4: +50
        answer_survey(app, client, shop, score, n)
    clock.travel(timedelta(days=40))  # always a later month
    second = clock.now()
    for n, score in enumerate((0, 3)):  # detractors only: -100
        answer_survey(app, client, shop, score, 10 + n)

    figure = nps_figure(admin.get(f"{admin.base}/dashboard").get_data(as_text=True))

    svg, table = figure.split('<details class="chart-table">')
    first_label, second_label = first.strftime("%b %Y"), second.strftime("%b %Y")
    assert f"<title>{first_label}: +50 · 4 answers</title>" in svg
    assert f"<title>{second_label}: -100 · 2 answers</title>" in svg
    assert '<text class="value"' in svg and ">+50</text>" in svg and ">-100</text>" in svg
    assert f'<th scope="row">{first_label}</th><td>+50</td><td>4 answers</td>' in table
    assert f'<th scope="row">{second_label}</th><td>-100</td><td>2 answers</td>' in table
    assert table.count('<th scope="row">') == 12  # the last twelve months, those without answers as gaps
    assert '<th scope="col">Net Promoter Score</th><th scope="col">Answers</th>' in table
    assert 'role="img"' in svg and "<desc" in svg


def test_no_chart_without_answers_while_the_survey_is_off(admin):
    html = admin.get(f"{admin.base}/dashboard").get_data(as_text=True)
    assert html.count("<svg") >= 7  # the other charts are there
    assert TITLE not in html and "NPS" not in html


def test_the_chart_is_there_once_the_survey_is_on_before_any_answer(client, admin, shop):
    set_settings(client, shop, survey_enabled=True)
    figure = nps_figure(admin.get(f"{admin.base}/dashboard").get_data(as_text=True))
    assert figure and "0 answers" in figure and "<circle" not in figure


def test_answers_stay_on_the_chart_after_the_survey_is_switched_off(app, client, admin, shop):
    set_settings(client, shop, survey_enabled=True, review_request_delay_days=0)
    answer_survey(app, client, shop, 10, 1)
    set_settings(client, shop, survey_enabled=False)
    figure = nps_figure(admin.get(f"{admin.base}/dashboard").get_data(as_text=True))
    assert ">+100</text>" in figure and "1 answer</" in figure


def test_in_armenian_the_charts_words_are_armenian(app, client, admin, shop):
    set_settings(client, shop, survey_enabled=True, review_request_delay_days=0)
    answer_survey(app, client, shop, 9, 1)
    page = admin.get("/admin/account").get_data(as_text=True)
    admin.client.post("/admin/account/language", data={"language": "hy", "csrf_token": csrf_token(page)})

    html = admin.get(f"{admin.base}/dashboard").get_data(as_text=True)

    assert TITLE not in html and "answers" not in html and "Answers" not in html
    assert "Զուտ խթանողների ցուցանիշը (NPS) ըստ ամիսների" in html
    assert "1 պատասխան" in html and ">+100</text>" in html
