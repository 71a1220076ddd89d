"""The shop's own words in its e-mails to customers: its support address as the Reply-To, and the
review-request intro and sign-off per language (the customer's, else the shop's default language,
else the built-in text), set through PATCH /api/v1/shop and delivered through a real SMTP server."""

from __future__ import annotations

import pytest

from tests.helpers import set_settings

from .conftest import fulfilled_order, parse, run_worker

INTRO_HY = "Շնորհակալություն, որ գնումներ եք կատարել Acme-ում։ Ինչպե՞ս էր ապրանքը։"
INTRO_KA = "გმადლობთ, რომ Acme-ში იყიდეთ. როგორ მოგეწონათ?"


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def delivered(app, client, shop, smtp, locale: str, email: str = "c@example.com"):
    fulfilled_order(client, shop, email=email, customer={"email": email, "name": "Ani Hakobyan",
                                                        "locale": locale})
    run_worker(app)
    return parse(smtp.messages[-1])


def bodies(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_the_support_address_is_the_reply_to(app, client, shop, smtp):
    set_settings(client, shop, review_request_delay_days=0, support_email="support@shop.example")
    assert client.get("/api/v1/shop", headers=shop.headers).json["settings"]["support_email"] == "support@shop.example"

    message = delivered(app, client, shop, smtp, "en")

    assert message["Reply-To"] == "support@shop.example"


def test_no_support_address_no_reply_to(app, client, shop, smtp):
    set_settings(client, shop, review_request_delay_days=0)
    assert delivered(app, client, shop, smtp, "en")["Reply-To"] is None


@pytest.mark.parametrize("address", ["support@shop.example\r\nBcc: all@else.example", "support @shop.example",
                                     "Support <support@shop.example>", "support", "a@b", "x" * 250 + "@shop.example"])
def test_a_support_address_is_one_plain_address(client, shop, address):
    answer = client.patch("/api/v1/shop", json={"settings": {"support_email": address}}, headers=shop.headers)

    assert answer.status_code == 422, answer.json
    assert list(answer.json["errors"]) == ["settings.support_email"], answer.json


def test_the_intro_in_the_customers_language_else_the_shops(app, client, shop, smtp):
    answer = set_settings(client, shop, review_request_delay_days=0, default_locale="ka",
                          review_request_intro={"hy-AM": INTRO_HY, "ka": INTRO_KA},
                          email_sign_off={"hy": "Acme-ի թիմ", "ka": "Acme-ის გუნდი"})
    assert answer["settings"]["review_request_intro"] == {"hy": INTRO_HY, "ka": INTRO_KA}

    armenian = delivered(app, client, shop, smtp, "hy-AM", "ani@example.com")
    german = delivered(app, client, shop, smtp, "de", "karl@example.com")

    assert armenian["Content-Language"] == "hy"
    for body in bodies(armenian):
        assert INTRO_HY in body and "Acme-ի թիմ" in body and INTRO_KA not in body
    # No German text of the shop's: its default language's, among the built-in strings in German.
    assert german["Content-Language"] == "de"
    for body in bodies(german):
        assert INTRO_KA in body and "Acme-ის გუნდი" in body and INTRO_HY not in body
        assert "Wie war Ihre Bestellung?" in body and "Bewertung schreiben" in body


def test_a_plain_intro_is_every_languages_and_none_is_the_built_in_text(app, client, shop, smtp):
    set_settings(client, shop, review_request_delay_days=0)
    built_in = bodies(delivered(app, client, shop, smtp, "en", "one@example.com"))[0]
    set_settings(client, shop, review_request_intro="Our own words.")
    own = bodies(delivered(app, client, shop, smtp, "hy", "two@example.com"))[0]

    assert "Our own words." not in built_in
    assert "Our own words." in own


@pytest.mark.parametrize(("value", "where"), [
    ({"xx": "Hello"}, "xx"), ({"klingon": "Hello"}, "klingon"), ({"hy": "Ա" * 1001}, "hy"),
    ("A" * 1001, None), ({"en": 5}, "en"), ("Hi\x00there", None), (["Hi"], None),
])
def test_an_unknown_language_or_an_over_long_text_is_refused(client, shop, value, where):
    answer = client.patch("/api/v1/shop", json={"settings": {"review_request_intro": value}},
                          headers=shop.headers)

    assert answer.status_code == 422, answer.json
    field = "settings.review_request_intro" + (f".{where}" if where else "")
    assert list(answer.json["errors"]) == [field], answer.json
    assert client.get("/api/v1/shop", headers=shop.headers).json["settings"]["review_request_intro"] == ""
