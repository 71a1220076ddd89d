"""Whom the hosted review page greets and which name it pre-fills, in the customer's language's
order of names: a Vietnamese full name is family name first ("Nguyễn Thị Lan" is Lan N.)."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.helpers import post_order

from .test_review_page import form, link_for, post, reviews

LAN = {"email": "lan@example.com", "name": "Nguyễn Thị Lan", "locale": "vi"}


def page(client, shop, customer: dict) -> str:
    order = post_order(client, shop, customer=customer, fulfilled=True)
    return html_lib.unescape(client.get(link_for(client, shop, order["id"])).get_data(as_text=True))


def greeting(html: str) -> str:
    return re.search(r'<p class="greeting">(.*?)</p>', html).group(1)


def prefilled(html: str) -> str:
    return re.search(r'name="display_name" value="([^"]*)"', html).group(1)


@pytest.mark.parametrize("customer", [
    LAN, {**LAN, "given_name": "Lan", "family_name": "Nguyễn"},
    {**LAN, "name": "", "first_name": "Lan", "last_name": "Nguyễn"}], ids=["full", "parts", "first-last"])
def test_a_vietnamese_customer_is_greeted_lan_and_shown_as_lan_n(client, shop, customer):
    html = page(client, shop, customer)

    assert "Lan" in greeting(html) and "Nguyễn" not in greeting(html)
    assert prefilled(html) == "Lan N."


@pytest.mark.parametrize(("customer", "greeted", "shown"), [
    ({"name": "Անի Հակոբյան", "locale": "hy"}, "Անի", "Անի Հ."),
    ({"name": "ნინო ბერიძე", "locale": "ka"}, "ნინო", "ნინო ბ."),
    ({"given_name": "Ani", "family_name": "Hakobyan", "locale": "hy"}, "Ani", "Ani H."),
    ({"name": "Ana Buyer", "locale": "en"}, "Ana Buyer", "Ana"),
    ({"name": "Ana Buyer", "given_name": "Ana", "family_name": "Buyer", "locale": "en"}, "Ana", "Ana"),
])
def test_greeting_and_prefilled_name_follow_the_language(client, shop, customer, greeted, shown):
    html = page(client, shop, {"email": "c@example.com", **customer})

    assert re.search(rf"\b{re.escape(greeted)}\b", greeting(html))
    assert greeted == "Ana Buyer" or "Buyer" not in greeting(html)
    assert prefilled(html) == shown


def test_the_reviewer_may_change_the_prefilled_name(client, shop):
    order = post_order(client, shop, customer=LAN, fulfilled=True)
    url = link_for(client, shop, order["id"])
    data = form(client.get(url).get_data(as_text=True), **{"rating-0": "5", "body-0": "Rất tốt.",
                                                             "display_name": "Chị Lan"})

    assert post(client, url, data).status_code == 303

    assert [r["author_name"] for r in reviews(client, shop)] == ["Chị Lan"]


def test_the_request_info_greets_by_the_given_name_and_prefills_the_display_name(client, shop):
    order = post_order(client, shop, customer=LAN, fulfilled=True)
    token = link_for(client, shop, order["id"]).rsplit("/", 1)[1]

    info = client.get(f"{shop.public}/review-requests/{token}").json

    assert (info["customer_name"], info["display_name"]) == ("Lan", "Lan N.")


def test_a_review_sent_without_a_name_shows_lan_n(client, shop):
    order = post_order(client, shop, customer=LAN, fulfilled=True)

    posted = client.post(f"{shop.public}/products/sku-1/reviews",
                         json={"rating": 5, "body": "Rất tốt.", "token": order["widget_token"]})

    assert posted.status_code == 201, posted.json
    assert posted.json["author"] == "Lan N."
