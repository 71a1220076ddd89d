"""The widget's form offers a message only for the shop to everyone, before any star, and the same
form whatever the stars: nothing is revealed or suggested because of a low or a high rating."""

from __future__ import annotations

import pytest

from .conftest import ready

pytestmark = pytest.mark.browser


@pytest.fixture
def panel(live, page):
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])

    def open_panel():
        page.goto(live.embed(shop, body=f'<div data-reviews-token="{token}" '
                                        f'data-reviews-key="{shop.public_key}"></div>'))
        ready(page)
        return page.locator(".purchase").first
    return shop, open_panel


def form_as_seen(tee) -> dict:
    """What the customer sees and can fill: visible text, and each control's kind, name and limits."""
    form = tee.locator("form")
    controls = form.locator("input, textarea, button, select").evaluate_all(
        "els => els.filter(e => e.offsetParent !== null || e.type === 'radio').map(e => "
        "[e.tagName, e.type, e.getAttribute('name') && e.getAttribute('name').replace(/^[^r]*r$/, 'stars'),"
        " e.getAttribute('maxlength'), e.value && e.type === 'radio' ? e.value : null])")
    return {"text": form.inner_text(), "controls": controls}


def test_the_private_message_is_offered_before_any_star(panel):
    _shop, open_panel = panel
    tee = open_panel()
    assert tee.get_by_label("A message only for the shop").is_visible()
    assert tee.locator(".rate input:checked").count() == 0


def test_the_form_is_the_same_after_one_star_and_after_five(panel):
    _shop, open_panel = panel
    seen = {}
    for stars in (1, 5):
        tee = open_panel()
        tee.locator(".rate label").nth(stars - 1).click()
        assert tee.locator(".rate input:checked").get_attribute("value") == str(stars)
        seen[stars] = form_as_seen(tee)
    assert seen[1] == seen[5]
    assert "A message only for the shop" in seen[1]["text"]


def test_a_private_message_alone_is_sent_without_a_review(live, panel):
    shop, open_panel = panel
    tee = open_panel()
    tee.get_by_label("A message only for the shop").fill("The parcel was late.")
    tee.get_by_role("button", name="Send only this message").click()
    tee.locator(".done").wait_for()
    assert "Thank you: the shop has your message." in tee.locator(".done").inner_text()
    assert live.stored(shop) == []


def test_without_javascript_a_message_alone_is_sent_with_the_name_left_empty(live, browser):
    """The hosted page as a browser without JavaScript submits it: only the HTML's own checks
    run, and nothing there demands a name for a message sent without a review."""
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{live.origin}/review/{token}")
        plain.get_by_label("Your name, as shown with your reviews").fill("")
        plain.get_by_label("A message only for the shop").fill("The parcel was late.")
        plain.get_by_role("button", name="Send my reviews").click()
        plain.wait_for_load_state()
        assert plain.get_by_role("heading", name="Your message was sent").is_visible()
        assert "it is not published" in plain.locator("main").inner_text()
    finally:
        context.close()
    assert live.stored(shop) == []
