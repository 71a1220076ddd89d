"""Private feedback on the hosted review page, with JavaScript off: the field is there for everyone
before any star; a message goes with a review or alone, and the shop reads it in the server API."""

from __future__ import annotations

import pytest

from tests.factories import make_order
from tests.widget.test_review_page import customer, form, link_for, post, reviews


@pytest.fixture
def url(app, client, shop):
    oid = make_order(app, shop, "HP-1", fulfilled=True, items=[("sku-1", "Trail shoes"), ("sku-2", "Wool socks")])
    return link_for(client, shop, oid)


def messages(client, shop) -> list[dict]:
    return client.get("/api/v1/feedback", headers=shop.headers).get_json()["feedback"]


def test_the_form_offers_a_message_only_for_the_shop_before_the_stars(client, url):
    html = client.get(url).get_data(as_text=True)
    assert "A message only for the shop" in html and 'name="private_message"' in html
    assert html.index('name="private_message"') < html.index('name="rating-0"')


def test_a_review_sent_with_a_private_message_keeps_the_message_for_the_shop(client, shop, url):
    page = client.get(url).get_data(as_text=True)
    answer = post(client, url, form(page, **{"rating-0": "2", "body-0": "Too narrow.",
                                             "private_message": "Can I exchange them for a wider size?"}))
    assert answer.status_code == 303
    [review] = reviews(client, shop)
    [message] = messages(client, shop)
    assert message["review_id"] == review["id"] and message["message"] == "Can I exchange them for a wider size?"
    public = client.get(f"{shop.public}/products/sku-1/reviews").get_data(as_text=True)
    assert "wider size" not in public


def test_private_feedback_alone_answers_the_request_without_a_review(client, shop, url):
    page = client.get(url).get_data(as_text=True)
    answer = post(client, url, form(page, private_message="The parcel arrived late, but all is fine."))
    assert answer.status_code == 303 and "done=1" in answer.headers["Location"]
    assert reviews(client, shop) == []
    [message] = messages(client, shop)
    assert message["review_id"] is None and message["order_id"] == "HP-1"
    assert message["message"] == "The parcel arrived late, but all is fine."


def test_an_empty_form_still_asks_for_something(client, shop, url):
    page = client.get(url).get_data(as_text=True)
    answer = post(client, url, form(page, private_message="   "))
    assert answer.status_code == 422
    assert messages(client, shop) == [] and reviews(client, shop) == []


def test_the_field_speaks_the_customers_language(app, client, shop):
    oid = make_order(app, shop, "HP-HY", fulfilled=True, customer=customer("hy-AM", "Անի Պետրոսյան"))
    html = client.get(link_for(client, shop, oid)).get_data(as_text=True)
    assert "Հաղորդագրություն միայն խանութի համար" in html
