"""The offers' descriptions per language: the widget shows them in its browser's language
(Accept-Language), else the shop's default language's text; a plain string is every language's."""

from __future__ import annotations

import pytest

from tests.factories import order_payload

from .conftest import (
    PROGRAM,
    after_hold,
    browser,
    code_of,
    load_coupons,
    order,
    parse,
    referral_of,
    run_worker,
    set_program,
)

OFFER = {"en": "10% off your first order", "hy": "10% զեղչ ձեր առաջին պատվերի համար"}
REWARD = {"en": "10 EUR off your next order", "hy": "10 եվրո զեղչ ձեր հաջորդ պատվերի համար"}


@pytest.fixture
def app_config(smtp):
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute", "SMTP_URL": smtp.url}


def per_language(client, shop, **changes):
    return set_program(client, shop, email_friend_offer=True,
                       friend_offer={**PROGRAM["friend_offer"], "description": OFFER},
                       referrer_reward={**PROGRAM["referrer_reward"], "description": REWARD}, **changes)


def in_language(who, lang: str):
    """The browser, sending `lang` as its Accept-Language."""
    kw = who._kw
    who._kw = lambda: {**kw(), "headers": {**kw()["headers"], "Accept-Language": lang}}
    return who


def test_the_panel_and_the_click_speak_the_browsers_language(client, shop):
    assert per_language(client, shop)["friend_offer"]["description"] == OFFER
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    token = order(client, shop, "ana@example.com", order_id="second")["widget_token"]

    armenian = in_language(browser(client, shop), "hy-AM,hy;q=0.9,en;q=0.5")
    german = in_language(browser(client, shop), "de-DE,de;q=0.9")

    panel = armenian.panel(token).json
    assert panel["friend_offer"]["description"] == OFFER["hy"]
    assert panel["referrer_reward"]["description"] == REWARD["hy"]
    assert armenian.click(code).json["offer"]["description"] == OFFER["hy"]
    assert german.panel(token).json["friend_offer"]["description"] == OFFER["en"]  # the shop's default
    assert german.click(code).json["offer"]["description"] == OFFER["en"]


def test_the_shops_default_language_else_any_text(client, shop):
    set_program(client, shop, friend_offer={**PROGRAM["friend_offer"], "description": {"hy": OFFER["hy"]}})
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    assert in_language(browser(client, shop), "vi").click(code).json["offer"]["description"] == OFFER["hy"]
    client.patch("/api/v1/shop", json={"settings": {"default_locale": "hy"}}, headers=shop.headers)
    set_program(client, shop, friend_offer={**PROGRAM["friend_offer"], "description": OFFER})
    assert in_language(browser(client, shop), "vi").click(code).json["offer"]["description"] == OFFER["hy"]


def test_a_plain_description_is_every_languages(client, shop):
    set_program(client, shop)
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    offer = in_language(browser(client, shop), "hy").click(code).json["offer"]
    assert offer["description"] == PROGRAM["friend_offer"]["description"]


def test_the_offer_email_in_the_friends_language(app, client, shop, smtp):
    per_language(client, shop)
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    friend = browser(client, shop)
    answer = client.post(f"{shop.public}/referrals/offer-email", **friend._kw(),
                         json={"code": code, "email": "friend@example.com", "locale": "hy"})
    assert answer.status_code == 202, answer.json
    run_worker(app)

    message = parse(smtp.messages[-1])
    assert OFFER["hy"] in message.get_body(("plain",)).get_content()
    assert OFFER["en"] not in message.get_body(("html",)).get_content()


def test_the_reward_in_the_referrers_language(app, client, shop, smtp):
    per_language(client, shop)
    body = order_payload("ani-1", email="ani@example.com")
    body["customer"].update(name="Ani Hakobyan", locale="hy")
    ani = client.post("/api/v1/orders", json=body, headers=shop.headers).json
    code = code_of(client, shop, ani)
    order(client, shop, "bob@example.com", "Bob Friend", code=code, order_id="bob-1")
    load_coupons(client, shop, "REWARD-1")
    after_hold()
    run_worker(app)

    assert referral_of(client, shop, "bob-1")["reward"]["description"] == REWARD["hy"]
    [message] = [parse(raw) for raw in smtp.messages if parse(raw)["To"] == "ani@example.com"]
    assert REWARD["hy"] in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("description", "field"), [
    ({"xx": "10% off"}, "friend_offer.description.xx"), ({"hy": "Ա" * 201}, "friend_offer.description.hy"),
    ("Ա" * 201, "friend_offer.description"), (["10% off"], "friend_offer.description"),
])
def test_an_unknown_language_or_an_over_long_description_is_refused(client, shop, description, field):
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
        **PROGRAM, "friend_offer": {**PROGRAM["friend_offer"], "description": description}}}})

    assert answer.status_code == 422, answer.json
    assert list(answer.json["errors"]) == [f"settings.referrals.{field}"], answer.json
