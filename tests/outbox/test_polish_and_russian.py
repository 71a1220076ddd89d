"""A Polish and a Russian customer's path, through a real SMTP server and HTTP: the review request
arrives in their language, and the hosted review page it links to, its error messages, its thanks
page and the unsubscribe page are in that language too, with numbers worded the way the language
counts them (1 gwiazdka, 2 gwiazdki, 5 gwiazdek; 1 звезда, 2 звезды, 5 звёзд)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import set_settings

from .conftest import fulfilled_order, parse, run_worker

LINK = re.compile(r"https?://\S+/review/[^\s\"'<>]+")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def request_for(app, client, shop, smtp, name: str, locale: str):
    """The review request the customer receives: the message, its plain text and its HTML."""
    set_settings(client, shop, review_request_delay_days=0)
    fulfilled_order(client, shop, email="buyer@example.com",
                    customer={"email": "buyer@example.com", "name": name, "locale": locale})
    run_worker(app)
    assert len(smtp.messages) == 1
    message = parse(smtp.messages[0])
    return message, message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def send(client, link: str, page: str, **fields):
    return client.post(link, data={"csrf_token": csrf_of(page), "display_name": "X", **fields},
                       content_type="multipart/form-data")


def test_a_polish_customer_gets_the_e_mail_the_review_page_and_the_unsubscribe_page_in_polish(
        app, client, shop, smtp):
    message, text, html = request_for(app, client, shop, smtp, "Ola Nowak", "pl-PL")

    assert message["Content-Language"] == "pl"
    assert message["Subject"] == "Co sądzisz o produkcie Trail shoes?"
    assert '<html lang="pl"' in html
    for body in (text, html):
        assert "Witaj, Ola Nowak!" in body
        assert "Jak oceniasz swoje zamówienie?" in body
        assert "Dziękujemy za zakupy w sklepie Shop A." in body
        assert "Napisz opinię" in body
        assert "Otrzymujesz tę wiadomość w związku z zakupem w sklepie Shop A." in body
        assert "Zrezygnuj z tych e-maili" in body
        assert "How was your order?" not in body and "Write a review" not in body

    link = urlsplit(LINK.search(text).group(0)).path
    form = client.get(link)
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert '<html lang="pl" dir="ltr">' in page
    assert "<h1>Oceń swoje zamówienie</h1>" in page
    assert "Cześć, Ola Nowak!" in page
    # Each number of stars in the form of the noun that number takes.
    assert "1 gwiazdka" in page and "2 gwiazdki" in page and "4 gwiazdki" in page and "5 gwiazdek" in page
    assert "Najwyżej 5 zdjęć: JPEG, PNG lub WebP" in page
    assert "Wyślij moje opinie" in page
    assert "Review your order" not in page and "5 stars" not in page

    too_long = send(client, link, page, **{"rating-0": "4", "title-0": "x" * 152, "body-0": "Wygodne."})
    assert too_long.status_code == 422
    assert "Wpisz najwyżej 150 znaków (wpisano 152)." in too_long.get_data(as_text=True)

    sent = send(client, link, page, **{"rating-0": "4", "body-0": "Wygodne i lekkie."})
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Dziękujemy za opinię!" in thanks
    assert "Trail shoes: opinia opublikowana." in thanks
    assert "Thank you for your review!" not in thanks

    unsubscribe = client.get(urlsplit(message["List-Unsubscribe"].strip("<>")).path).get_data(as_text=True)
    assert "E-maile od sklepu Shop A" in unsubscribe
    assert "Czy chcesz przestać otrzymywać prośby o opinie i podobne e-maile od sklepu Shop A?" in unsubscribe
    assert "Wypisz mnie" in unsubscribe and "Unsubscribe" not in unsubscribe


def test_a_russian_customer_gets_the_e_mail_and_the_review_page_in_russian(app, client, shop, smtp):
    message, text, html = request_for(app, client, shop, smtp, "Анна Иванова", "ru")

    assert message["Content-Language"] == "ru"
    assert message["Subject"] == "Как вам Trail shoes?"
    for body in (text, html):
        assert "Здравствуйте, Анна Иванова!" in body
        assert "Мы публикуем каждый честный отзыв — и положительный, и отрицательный." in body
        assert "Отписаться от этих писем" in body

    link = urlsplit(LINK.search(text).group(0)).path
    page = client.get(link).get_data(as_text=True)
    assert '<html lang="ru" dir="ltr">' in page
    assert "<h1>Оцените свой заказ</h1>" in page
    assert "1 звезда" in page and "3 звезды" in page and "5 звёзд" in page
    assert "До 5 фотографий в формате JPEG, PNG или WebP" in page

    too_long = send(client, link, page, **{"rating-0": "5", "title-0": "я" * 151, "body-0": "Удобные."})
    assert too_long.status_code == 422
    assert "Слишком длинный текст: можно не более 150 символов, сейчас 151." in too_long.get_data(as_text=True)


@pytest.mark.parametrize(("locale", "subject", "heading", "page_title"), [
    ("nl-BE", "Hoe bevalt je Trail shoes?", "Hoe was je bestelling?", "Beoordeel je bestelling"),
    ("pl", "Co sądzisz o produkcie Trail shoes?", "Jak oceniasz swoje zamówienie?", "Oceń swoje zamówienie"),
    ("pt-BR", "O que achou de Trail shoes?", "Como foi seu pedido?", "Avalie seu pedido"),
    ("ru-RU", "Как вам Trail shoes?", "Как вам заказ?", "Оцените свой заказ"),
    ("tr", "Trail shoes ürününüzü beğendiniz mi?", "Siparişiniz nasıldı?", "Siparişinizi değerlendirin"),
    ("uk-UA", "Як вам Trail shoes?", "Як вам замовлення?", "Оцініть своє замовлення"),
    ("zh-CN", "您觉得 Trail shoes 怎么样？", "您对这次订单满意吗？", "评价您的订单"),
])
def test_the_review_request_and_its_page_speak_each_of_these_languages(
        app, client, shop, smtp, locale, subject, heading, page_title):
    message, text, html = request_for(app, client, shop, smtp, "Sam", locale)

    lang = locale.split("-")[0]
    assert message["Content-Language"] == lang
    assert message["Subject"] == subject
    assert heading in text and heading in html
    page = client.get(urlsplit(LINK.search(text).group(0)).path).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="ltr">' in page
    assert f"<h1>{page_title}</h1>" in page
