"""The hosted review page's thank-you says the loyalty points the reviews earned, where that is
true: the programme on and points offered for a review; the number from the settings (with photos,
theirs), the same at 1 star and at 5; in the reader's language, with its plural forms."""

from __future__ import annotations

import io

import pytest

from ..factories import jpeg, make_order
from .test_review_page import form, link_for, post

PROGRAM = {"enabled": True, "for_review": 50, "for_review_with_photos": 80}


def turn_on(client, shop, **changes) -> None:
    answer = client.patch("/api/v1/shop", json={"settings": {"loyalty": {**PROGRAM, **changes}}}, headers=shop.headers)
    assert answer.status_code == 200, answer.get_json()


def thanks(client, url: str, lang: str = "en", **fields) -> str:
    page = client.get(f"{url}?lang={lang}").get_data(as_text=True)
    answer = post(client, f"{url}?lang={lang}", form(page, **fields))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client.get(answer.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("stars", ["1", "5"])
def test_the_thanks_say_the_points_whatever_the_stars(app, client, shop, stars):
    turn_on(client, shop)
    url = link_for(client, shop, make_order(app, shop, fulfilled=True))
    assert "You earned 50 loyalty points." in thanks(client, url, **{"rating-0": stars})


@pytest.mark.parametrize(("lang", "said"), [("hy", "Դուք վաստակեցիք 80 բոնուսային միավոր։"),
                                            ("lo", "ທ່ານໄດ້ຮັບ 80 ຄະແນນສະສົມ."),
                                            ("ru", "Вы получили 80 бонусных баллов."),
                                            ("ar", "حصلت على 80 نقطة ولاء.")])
def test_a_review_with_photos_earns_their_points_in_the_readers_language(app, client, shop, lang, said):
    turn_on(client, shop)
    url = link_for(client, shop, make_order(app, shop, fulfilled=True))
    page = thanks(client, url, lang, **{"rating-0": "4", "photos-0": (io.BytesIO(jpeg(64, 48)), "a.jpg", "image/jpeg")})
    assert said in page


def test_two_reviews_of_one_order_say_their_sum(app, client, shop):
    turn_on(client, shop)
    url = link_for(client, shop, make_order(app, shop, fulfilled=True,
                                            items=[("sku-1", "Trail shoes"), ("sku-2", "Wool socks")]))
    assert "You earned 100 loyalty points." in thanks(client, url, **{"rating-0": "2", "rating-1": "5"})


@pytest.mark.parametrize("settings", [{"enabled": False}, {"for_review": 0, "for_review_with_photos": 0}])
def test_nothing_is_said_where_nothing_was_earned(app, client, shop, settings):
    turn_on(client, shop, **settings)
    url = link_for(client, shop, make_order(app, shop, fulfilled=True))
    page = thanks(client, url, **{"rating-0": "5"})
    assert "Thank you for your review!" in page and "loyalty point" not in page
