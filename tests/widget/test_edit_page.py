"""The reviewer's own page, `/review/edit/<token>`, driven as a browser with JavaScript off: reached
from the hosted page's thank-you, prefilled, edited (CSRF, errors next to their fields, a 303 to
the outcome), withdrawn in two steps; in the reviewer's language, right to left in Arabic."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from reviews_service import clock

from ..factories import make_order
from ..helpers import set_settings
from .test_review_page import csrf_of, form, link_for, parse, post, reviews

EDIT = re.compile(r'href="(/review/edit/[^"]+)"')


@pytest.fixture
def edit_url(app, client, shop):
    """A 5-star review sent from the hosted page; the thank-you's link to change it."""
    order = make_order(app, shop, fulfilled=True, items=[("sku-1", "Trail shoes"), ("sku-2", "Wool socks")])
    url = link_for(client, shop, order)
    sent = post(client, url, form(client.get(url).get_data(as_text=True),
                                  **{"rating-0": "5", "title-0": "Light", "body-0": "Ran 40 km in them."}))
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Edit or withdraw your review of Trail shoes" in thanks
    [link] = EDIT.findall(thanks)
    # The review page itself links to it too, beside the product already reviewed.
    assert link in client.get(url).get_data(as_text=True)
    return link


def page(client, url: str, **kw) -> str:
    response = client.get(url, **kw)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_the_page_shows_the_review_prefilled(client, edit_url):
    html = page(client, edit_url)
    root = parse(html)

    [checked] = [n for n in root.iter("input") if n.attrs.get("name") == "rating" and "checked" in n.attrs]
    assert checked.attrs["value"] == "5"
    assert 'name="title" value="Light"' in html and ">Ran 40 km in them.</textarea>" in html
    assert "Edit your review" in html and "Trail shoes" in html and "Published on" in html
    assert "Withdraw my review" in html


def test_the_page_keeps_its_token_private(client, edit_url):
    response = client.get(edit_url)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in response.get_data(as_text=True)  # complete without JavaScript


def test_an_edit_is_saved_and_the_page_says_it_is_published(client, shop, edit_url):
    html = page(client, edit_url)

    sent = client.post(edit_url, data={"csrf_token": csrf_of(html), "rating": "2", "title": "",
                                       "body": "The sole came off.\r\nSad."})

    assert sent.status_code == 303 and "saved=published" in sent.headers["Location"]
    after = page(client, sent.headers["Location"])
    assert "Your changes are published." in after and "Edited on" in after
    [review] = [r for r in reviews(client, shop) if r["product_id"] == "sku-1"]
    assert (review["rating"], review["title"], review["body"]) == (2, "", "The sole came off.\nSad.")
    assert review["edited_at"] is not None


def test_an_edit_a_rule_holds_says_the_earlier_version_stays(client, shop, edit_url):
    html = page(client, edit_url)

    sent = client.post(edit_url, data={"csrf_token": csrf_of(html), "rating": "1",
                                       "body": "Write me at ana@example.com"})

    after = page(client, sent.headers["Location"])
    assert "until then the earlier version stays published" in after
    assert 'value="1" checked' in after.replace("\n", " ") or re.search(r'value="1"\s+checked', after)
    assert [r["rating"] for r in reviews(client, shop) if r["product_id"] == "sku-1"] == [5]


@pytest.mark.parametrize(("fields", "message"), [
    ({"rating": ""}, "Choose a star rating."),
    ({"rating": "9"}, "Choose a star rating."),
    ({"rating": "3", "title": "t" * 151}, "Use at most 150 characters (you used 151)."),
])
def test_a_wrong_field_comes_back_with_its_error_and_the_text_kept(client, shop, edit_url, fields, message):
    html = page(client, edit_url)

    refused = client.post(edit_url, data={"csrf_token": csrf_of(html), "body": "Kept text", **fields})

    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert message in text and "Please check the following" in text and ">Kept text</textarea>" in text
    assert [r["rating"] for r in reviews(client, shop) if r["product_id"] == "sku-1"] == [5]


def test_the_text_is_required_when_the_shop_wants_it(client, shop, edit_url):
    set_settings(client, shop, allow_rating_only=False)
    refused = client.post(edit_url, data={"csrf_token": csrf_of(page(client, edit_url)), "rating": "4", "body": " "})
    assert refused.status_code == 422 and "Write a few words about the product." in refused.get_data(as_text=True)


def test_a_post_without_csrf_token_is_400_and_changes_nothing(client, shop, edit_url):
    refused = client.post(edit_url, data={"rating": "1", "body": "Broke."})

    assert refused.status_code == 400
    assert ">Broke.</textarea>" in refused.get_data(as_text=True)
    assert [r["rating"] for r in reviews(client, shop) if r["product_id"] == "sku-1"] == [5]


def test_withdrawing_asks_first_then_removes_the_review(client, shop, edit_url):
    html = page(client, edit_url)
    withdraw = re.search(r'action="(/review/withdraw/[^"]+)"', html).group(1)

    asked = client.post(withdraw, data={"csrf_token": csrf_of(html)})

    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "Withdraw your review?" in text and "Yes, withdraw it" in text and "No, keep my review" in text
    assert [r["status"] for r in reviews(client, shop) if r["product_id"] == "sku-1"] == ["published"]

    done = client.post(withdraw, data={"csrf_token": csrf_of(text), "confirm": "yes"})

    assert done.status_code == 303
    assert "Your review is withdrawn" in page(client, done.headers["Location"])
    assert [r["status"] for r in reviews(client, shop) if r["product_id"] == "sku-1"] == ["removed"]
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"] == []


def test_withdrawing_needs_the_csrf_token(client, shop, edit_url):
    html = page(client, edit_url)
    withdraw = re.search(r'action="(/review/withdraw/[^"]+)"', html).group(1)

    assert client.post(withdraw, data={"confirm": "yes"}).status_code == 400
    assert [r["status"] for r in reviews(client, shop) if r["product_id"] == "sku-1"] == ["published"]


def test_a_rejected_review_says_it_can_no_longer_be_changed(client, shop, edit_url):
    [review] = [r for r in reviews(client, shop) if r["product_id"] == "sku-1"]
    client.post(f"/api/v1/reviews/{review['id']}/decision", headers=shop.headers,
                json={"decision": "reject", "reason": "off_topic"})

    html = page(client, edit_url)

    assert "This review can no longer be changed" in html and 'name="rating"' not in html


@pytest.mark.parametrize(("lang", "words", "direction"), [
    ("hy", "Խմբագրեք ձեր կարծիքը", "ltr"), ("vi", "Sửa đánh giá của bạn", "ltr"),
    ("ka", "შეცვალეთ თქვენი შეფასება", "ltr"), ("lo", "ແກ້ໄຂຄຳເຫັນຂອງທ່ານ", "ltr"),
    ("ar", "عدّل تقييمك", "rtl"),
])
def test_the_page_speaks_the_reviewers_language(client, edit_url, lang, words, direction):
    html = page(client, f"{edit_url}?lang={lang}")

    assert f'<html lang="{lang}" dir="{direction}">' in html and words in html
    assert "Save changes" not in html


@pytest.mark.parametrize("path", ["/review/edit/nonsense", "/review/edit/eyJzaG9wIjoxfQ.forged"])
def test_a_wrong_link_is_a_page_that_says_so(client, edit_url, path):
    response = client.get(path)
    assert response.status_code == 404 and "This link does not work" in response.get_data(as_text=True)


def test_an_expired_link_says_so(client, edit_url):
    clock.travel(timedelta(days=366))
    response = client.get(edit_url)
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)


def test_a_review_request_link_is_no_edit_link(client, shop, edit_url, app):
    request_link = link_for(client, shop, make_order(app, shop, fulfilled=True))
    token = request_link.removeprefix("/review/")
    assert client.get(f"/review/edit/{token}").status_code == 404
