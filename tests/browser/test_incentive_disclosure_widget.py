"""The widget says the shop's reward for a review openly, before the review is sent: the hosted
review page's very words, in the widget's language, before any star is chosen and the same
whatever stars are chosen; once in the thank-you panel, and not twice on the hosted page."""

from __future__ import annotations

import html as html_text
import re

import pytest
import requests

from .conftest import ready
from .test_private_feedback_form import form_as_seen

pytestmark = pytest.mark.browser

INCENTIVES = {"enabled": True, "source": "pool",
              "for_review": {"offered": True, "kind": "percent", "value": "10"},
              "for_photo": {"offered": True, "kind": "amount", "value": "5", "currency": "EUR"}}


@pytest.fixture
def offering(live):
    shop = live.shop(incentives=INCENTIVES)
    live.product(shop, "tee", "Merino T-shirt")
    return shop


def hosted_page_lines(live, shop, lang: str) -> list[str]:
    """What the hosted review page says about the reward, in `lang`, without JavaScript."""
    token = live.order(shop, [("tee", "Merino T-shirt")])
    html = requests.get(f"{live.origin}/review/{token}", params={"lang": lang}, timeout=10).text
    return [html_text.unescape(line) for line in re.findall(r'<p class="incentive">([^<]+)</p>', html)]


def open_form(live, page, shop, lang: str = "en"):
    page.goto(live.embed(shop, "tee", lang=lang))
    ready(page)
    page.locator("[data-reviews-product] >> button[aria-expanded]").first.click()  # "Write a review"
    form = page.locator("form.form")
    form.wait_for()
    return form


@pytest.mark.parametrize("lang", ["en", "hy", "vi"])
def test_the_form_says_the_hosted_pages_words_before_any_star(live, page, offering, lang):
    said = hosted_page_lines(live, offering, lang)
    assert len(said) == 2

    form = open_form(live, page, offering, lang)

    assert form.locator(".rate input:checked").count() == 0
    assert form.locator("p.incentive").all_inner_texts() == said
    # Said above the stars, not after them.
    assert form.evaluate("f => f.querySelector('p.incentive').compareDocumentPosition("
                         "f.querySelector('.rate')) & Node.DOCUMENT_POSITION_FOLLOWING") != 0


def test_the_form_is_the_same_after_one_star_and_after_five(live, page, offering):
    seen = {}
    for stars in (1, 5):
        form = open_form(live, page, offering)
        form.locator(".rate label").nth(stars - 1).click()
        assert form.locator(".rate input:checked").get_attribute("value") == str(stars)
        seen[stars] = form_as_seen(page.locator("[data-reviews-product]"))
    assert seen[1] == seen[5]
    assert "whatever its stars" in seen[1]["text"]


def test_nothing_is_said_while_the_shop_offers_nothing(live, page):
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    form = open_form(live, page, shop)
    assert form.locator("p.incentive").count() == 0


def test_the_thank_you_panel_says_it_once_above_its_forms(live, page, offering):
    live.product(offering, "cap", "Wool cap")
    token = live.order(offering, [("tee", "Merino T-shirt"), ("cap", "Wool cap")])
    page.goto(live.embed(offering, body=f'<div data-reviews-token="{token}" '
                                        f'data-reviews-key="{offering.public_key}"></div>'))
    ready(page)
    panel = page.locator(".thanks")
    assert panel.locator("p.incentive").all_inner_texts() == hosted_page_lines(live, offering, "en")
    assert panel.locator("form p.incentive").count() == 0 and panel.locator("form").count() == 2


def test_the_hosted_page_says_it_once_with_the_widget_running(live, page, offering):
    token = live.order(offering, [("tee", "Merino T-shirt")])
    page.goto(f"{live.origin}/review/{token}")
    ready(page)
    assert page.locator("form.review-form").is_hidden()
    visible = page.locator("p.incentive:visible")  # the page's own, and none inside the widget
    assert visible.count() == 2
    assert page.locator(".thanks p.incentive").count() == 0
