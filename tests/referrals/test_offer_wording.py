"""An offer without the shop's own description is worded from its kind and value in the reader's
language: the widget's panel and click in the browser's (Accept-Language), the offer e-mail in the
friend's, the reward in the referrer's, with CLDR's way of writing the number in each language."""

from __future__ import annotations

import pytest

from reviews_service import i18n
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
from .test_offer_texts import in_language

NBSP = "\xa0"
STRUCTURED = {
    "friend_offer": {"kind": "percent", "value": "10", "code_mode": "shared", "shared_code": "FRIEND10"},
    "referrer_reward": {"description": "", "kind": "amount", "value": "10", "currency": "EUR", "source": "pool"},
}
# What a reader sees, per language: the friend's offer and the referrer's reward.
WORDED = {
    "en-GB,en;q=0.9": ("10% off your first order", "€10 off your next order"),
    "fr-FR,fr;q=0.9": (f"10{NBSP}% de réduction sur votre première commande",
                       f"10{NBSP}€ de réduction sur votre prochaine commande"),
    "hy-AM,hy;q=0.9": ("10% զեղչ ձեր առաջին պատվերի համար", f"10{NBSP}€ զեղչ ձեր հաջորդ պատվերի համար"),
    "vi-VN,vi;q=0.9": ("Giảm 10% cho đơn hàng đầu tiên của bạn", f"Giảm 10{NBSP}€ cho đơn hàng tiếp theo của bạn"),
}


@pytest.fixture
def app_config(smtp):
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute", "SMTP_URL": smtp.url}


def customer(client, shop, email: str, name: str, locale: str, order_id: str, code: str | None = None) -> dict:
    body = order_payload(order_id, email=email, referral_code=code)
    body["customer"].update(name=name, locale=locale)
    answer = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert answer.status_code == 201, answer.json
    return answer.json


@pytest.mark.parametrize(("accept", "expected"), WORDED.items(), ids=lambda v: v[:2] if isinstance(v, str) else "")
def test_the_panel_and_the_click_word_the_offer_in_the_browsers_language(client, shop, accept, expected):
    stored = set_program(client, shop, **STRUCTURED)
    assert stored["friend_offer"]["description"] == "" and stored["referrer_reward"]["description"] == ""
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    token = order(client, shop, "ana@example.com", order_id="second")["widget_token"]
    reader = in_language(browser(client, shop), accept)

    panel = reader.panel(token).json
    assert (panel["friend_offer"]["description"], panel["referrer_reward"]["description"]) == expected
    assert panel["friend_offer"]["kind"] == "percent" and panel["friend_offer"]["value"] == "10.00"
    assert reader.click(code).json["offer"]["description"] == expected[0]


def test_a_shop_that_sets_no_description_at_all_gets_the_worded_offers(client, shop):
    """The program's defaults (10 %, 10 EUR) are worded too: a shop only switches the program on."""
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
        "enabled": True, "friend_offer": {"shared_code": "FRIEND10"}}}})
    assert answer.status_code == 200, answer.json
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    assert in_language(browser(client, shop), "hy").click(code).json["offer"]["description"] == (
        "10% զեղչ ձեր առաջին պատվերի համար")
    assert in_language(browser(client, shop), "ka").click(code).json["offer"]["description"] == (
        "10% ფასდაკლება თქვენს პირველ შეკვეთაზე")


def test_fractions_are_written_as_each_language_writes_them(client, shop):
    set_program(client, shop, friend_offer={**STRUCTURED["friend_offer"], "value": "12.5"},
                referrer_reward={**STRUCTURED["referrer_reward"], "value": "7.5"})
    token = order(client, shop, "ana@example.com")["widget_token"]

    english = in_language(browser(client, shop), "en").panel(token).json
    french = in_language(browser(client, shop), "fr").panel(token).json
    assert english["friend_offer"]["description"] == "12.5% off your first order"
    assert english["referrer_reward"]["description"] == "€7.50 off your next order"
    assert french["friend_offer"]["description"] == f"12,5{NBSP}% de réduction sur votre première commande"
    assert french["referrer_reward"]["description"] == f"7,50{NBSP}€ de réduction sur votre prochaine commande"


def test_free_shipping_is_worded_in_every_language(client, shop):
    set_program(client, shop, friend_offer={"kind": "free_shipping", "code_mode": "shared", "shared_code": "SHIP"},
                referrer_reward={"kind": "free_shipping", "source": "pool"})
    token = order(client, shop, "ana@example.com")["widget_token"]
    english = in_language(browser(client, shop), "en").panel(token).json
    assert english["friend_offer"]["description"] == "Free shipping on your first order"
    assert english["referrer_reward"]["description"] == "Free shipping on your next order"
    assert english["friend_offer"]["value"] is None and english["friend_offer"]["currency"] is None

    seen = {}
    for lang in i18n.SUPPORTED:
        panel = in_language(browser(client, shop), lang).panel(token).json
        friend, reward = panel["friend_offer"]["description"], panel["referrer_reward"]["description"]
        assert friend and reward and friend != reward, lang
        assert "{" not in friend + reward, lang
        if lang != "en":
            assert friend != english["friend_offer"]["description"], f"{lang} shows English"
            assert reward != english["referrer_reward"]["description"], f"{lang} shows English"
        seen[lang] = friend
    assert seen["vi"] == "Miễn phí vận chuyển cho đơn hàng đầu tiên của bạn"
    assert seen["lo"] == "ສົ່ງຟຣີສຳລັບຄຳສັ່ງຊື້ທຳອິດຂອງທ່ານ"
    assert len(set(seen.values())) == len(seen)  # each language its own words


def test_the_offer_email_words_the_offer_in_the_friends_language(app, client, shop, smtp):
    set_program(client, shop, email_friend_offer=True, **STRUCTURED)
    code = code_of(client, shop, order(client, shop, "ana@example.com"))
    friend = browser(client, shop)
    answer = client.post(f"{shop.public}/referrals/offer-email", **friend._kw(),
                         json={"code": code, "email": "friend@example.com", "locale": "vi"})
    assert answer.status_code == 202, answer.json
    run_worker(app)

    [message] = [parse(raw) for raw in smtp.messages if parse(raw)["To"] == "friend@example.com"]
    assert message["Content-Language"] == "vi"
    assert "Giảm 10% cho đơn hàng đầu tiên của bạn" in message.get_body(("plain",)).get_content()
    assert "Giảm 10% cho đơn hàng đầu tiên của bạn" in message.get_body(("html",)).get_content()
    assert "off your first order" not in message.get_body(("plain",)).get_content()


def test_the_reward_is_worded_in_the_referrers_language(app, client, shop, smtp):
    set_program(client, shop, **STRUCTURED)
    code = code_of(client, shop, customer(client, shop, "ani@example.com", "Ani Hakobyan", "hy", "ani-1"))
    order(client, shop, "bob@example.com", "Bob Friend", code=code, order_id="bob-1")
    load_coupons(client, shop, "REWARD-1")
    after_hold()
    run_worker(app)

    worded = f"10{NBSP}€ զեղչ ձեր հաջորդ պատվերի համար"
    assert referral_of(client, shop, "bob-1")["reward"]["description"] == worded
    [message] = [parse(raw) for raw in smtp.messages if parse(raw)["To"] == "ani@example.com"]
    assert message["Content-Language"] == "hy"
    assert worded in message.get_body(("plain",)).get_content()
    assert "REWARD-1" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("offer", "field"), [
    ({"kind": "percent", "value": "101"}, "friend_offer.value"),
    ({"kind": "percent", "value": "0"}, "friend_offer.value"),
    ({"kind": "percent", "value": None}, "friend_offer.value"),
    ({"kind": "percent", "value": "10", "currency": "EUR"}, "friend_offer.currency"),
    ({"kind": "amount", "value": "10", "currency": None}, "friend_offer.currency"),
    ({"kind": "amount", "value": "10", "currency": "XYZ"}, "friend_offer.currency"),
    ({"kind": "amount", "value": "10", "currency": "eur"}, "friend_offer.currency"),
    ({"kind": "amount", "value": "10.50", "currency": "JPY"}, "friend_offer.value"),
    ({"kind": "free_shipping", "value": "5"}, "friend_offer.value"),
    ({"kind": "free_shipping", "currency": "EUR"}, "friend_offer.currency"),
    ({"kind": "gift", "value": "10"}, "friend_offer.kind"),
])
def test_a_kind_and_value_that_make_no_sense_are_refused(client, shop, offer, field):
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
        **PROGRAM, "friend_offer": {"code_mode": "shared", "shared_code": "F", **offer}}}})

    assert answer.status_code == 422, answer.json
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert list(answer.json["errors"]) == [f"settings.referrals.{field}"], answer.json


def test_a_whole_yen_amount_is_worded_without_decimals(client, shop):
    set_program(client, shop, referrer_reward={"kind": "amount", "value": "500", "currency": "JPY", "source": "pool"})
    token = order(client, shop, "ana@example.com")["widget_token"]
    panel = in_language(browser(client, shop), "en").panel(token).json
    assert panel["referrer_reward"]["description"] == "¥500 off your next order"
