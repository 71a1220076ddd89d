"""The demo shop in a browser, as `reviews-service demo` leaves it: a customer's referral link lands
a friend with the offer, and a vote and a photo upload from the demo's own page are accepted."""

from __future__ import annotations

import pytest

from reviews_service.widget.demo import seed as demo_seed

from .conftest import jpeg, ready

pytestmark = pytest.mark.browser


def test_demo_referral_link_lands_a_friend_who_can_vote_and_upload_a_photo(live, page, tmp_path):
    with live.ctx():
        info = demo_seed.ensure_demo_shop()
    photo = tmp_path / "trail.jpg"
    photo.write_bytes(jpeg(900, 600, seed=11))

    # The page on localhost, the service's public address on 127.0.0.1: both are the demo's own.
    page.goto(f"{live.host_origin}/demo?ref={info['referral_code']}")
    ready(page)
    offer = page.locator("[data-reviews-product] >> .offer")
    offer.wait_for()
    assert demo_seed.FRIEND_CODE in offer.inner_text()

    first = page.locator("[data-reviews-product] >> .review").first
    with page.expect_response(lambda r: r.url.endswith("/votes")) as vote:
        first.locator(".vote[value=up]").click()
    assert vote.value.status == 200

    page.get_by_role("button", name="Write a review").click()
    form = page.locator("form.form")
    form.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/photos")) as upload:
        form.locator("input[type=file]").set_input_files(str(photo))
    assert upload.value.status == 201
    form.locator(".upload img").wait_for()


def test_demo_thank_you_page_shows_the_loyalty_panel(live, page, axe):
    with live.ctx():
        demo_seed.ensure_demo_shop()
    page.goto(f"{live.host_origin}/demo/thank-you")
    ready(page)
    panel = page.locator(".loyalty")
    panel.wait_for()
    assert panel.get_by_role("heading", name="Your points").is_visible()
    assert "Ways to earn points" in panel.inner_text() and panel.get_by_role("button").count() == 0
    assert axe() == []
