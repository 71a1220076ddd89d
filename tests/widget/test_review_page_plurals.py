"""The hosted review page counts in the shopper's language: its limits (characters, photos) in the
form of the noun that number takes, and written the way the language writes numbers."""

from __future__ import annotations

import html as html_lib
import io

import pytest

from ..factories import jpeg, make_order
from .test_review_page import customer, form, link_for, post


@pytest.fixture
def arabic(app, client, shop) -> str:
    """An Arabic customer's review page."""
    return link_for(client, shop, make_order(app, shop, fulfilled=True, customer=customer("ar", "ليلى")))


def shown(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def test_arabic_too_long_errors_say_150_in_the_many_form_and_5000_in_the_other(client, arabic):
    page = client.get(arabic).get_data(as_text=True)

    refused = post(client, arabic, form(page, **{"rating-0": "4", "title-0": "س" * 151, "body-0": "ب" * 5001}))

    assert refused.status_code == 422
    text = shown(refused)
    assert "استخدم 150 حرفًا كحد أقصى (استخدمت 151)." in text  # 11 to 99 (mod 100): "many"
    assert "استخدم 5,000 حرف كحد أقصى (استخدمت 5,001)." in text  # 100 and on: "other"
    assert "characters" not in text


def test_arabic_photo_hint_and_limit_say_five_photos_in_the_few_form(client, arabic):
    page = client.get(arabic).get_data(as_text=True)
    assert "حتى 5 صور بصيغة JPEG أو PNG أو WebP" in html_lib.unescape(page)  # 3 to 10: "few"

    photos = [(io.BytesIO(jpeg(64, 48)), f"{n}.jpg", "image/jpeg") for n in range(6)]
    refused = post(client, arabic, form(page, **{"rating-0": "5", "photos-0": photos}))

    assert refused.status_code == 422
    assert "اختر 5 صور كحد أقصى." in shown(refused)


@pytest.mark.parametrize(("locale", "title", "body"), [
    ("ru", "Слишком длинный текст: можно не более 150 символов, сейчас 151.",
     "Слишком длинный текст: можно не более 5\xa0000 символов, сейчас 5\xa0001."),
    ("pl", "Wpisz najwyżej 150 znaków (wpisano 151).", "Wpisz najwyżej 5\xa0000 znaków (wpisano 5\xa0001)."),
    ("fr", "Utilisez au maximum 150 caractères (vous en avez utilisé 151).",
     "Utilisez au maximum 5\u202f000 caractères (vous en avez utilisé 5\u202f001)."),
    ("de", "Bitte verwenden Sie höchstens 150 Zeichen (Sie haben 151 verwendet).",
     "Bitte verwenden Sie höchstens 5.000 Zeichen (Sie haben 5.001 verwendet)."),
])
def test_too_long_errors_write_the_numbers_the_languages_way(app, client, shop, locale, title, body):
    link = link_for(client, shop, make_order(app, shop, fulfilled=True, customer=customer(locale)))
    page = client.get(link).get_data(as_text=True)

    refused = post(client, link, form(page, **{"rating-0": "4", "title-0": "x" * 151, "body-0": "y" * 5001}))

    assert refused.status_code == 422
    assert title in shown(refused) and body in shown(refused)
