"""Private feedback on the hosted review page, with JavaScript off: the field is there for everyone
before any star; a message goes with a review or alone, and the shop reads it in the server API."""

from __future__ import annotations

import re

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


def test_private_feedback_alone_is_thanked_as_a_message_not_a_review(client, shop, url):
    page = client.get(url).get_data(as_text=True)
    answer = post(client, url, form(page, private_message="The parcel arrived late."))

    thanks = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your message was sent" in thanks
    assert "Thank you, your message went to Shop A only; it is not published." in thanks
    assert "Thank you for your review" not in thanks and "other products" not in thanks
    assert 'href="/review/' in thanks  # back to the form, which still offers a review to everyone


def test_the_name_field_does_not_block_feedback_alone_without_javascript(client, shop, url):
    """No JavaScript: the browser checks nothing but what the HTML says, so the name is not
    `required` there; the customer clears it and sends only a message."""
    page = client.get(url).get_data(as_text=True)
    name_input = re.search(r'<input[^>]*name="display_name"[^>]*>', page).group(0)
    assert "required" not in name_input

    answer = post(client, url, form(page, display_name="", private_message="Only for you, thanks."))

    assert answer.status_code == 303 and "private=1" in answer.headers["Location"]
    assert [m["message"] for m in messages(client, shop)] == ["Only for you, thanks."]
    assert reviews(client, shop) == []


def test_a_review_without_a_name_is_refused_with_an_error_naming_the_field(client, shop, url):
    page = client.get(url).get_data(as_text=True)

    answer = post(client, url, form(page, display_name="", **{"rating-0": "4", "body-0": "Warm."},
                                    private_message="And a word for you."))

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert '<a href="#display-name">Your name, as shown with your reviews: Enter the name to show with your ' \
           'reviews.</a>' in html
    assert 'value="Warm."' in html or ">Warm.</textarea>" in html  # what was typed is kept
    assert reviews(client, shop) == [] and messages(client, shop) == []
