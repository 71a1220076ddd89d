"""The admin in a real browser: sign in, approve a pending review from the queue with the
keyboard, and find it in the public list. Then the pages against axe-core's WCAG rules."""

from __future__ import annotations

import pytest

from reviews_service.shops import service as shops
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _moderator(live, shop, role: str = "moderator") -> str:
    email = f"{role}-{shop.slug}@example.com"
    with live.ctx():
        shops.create_user(email, PASSWORD, shop=shops.get_shop(shop.id), role=role)
    return email


def _sign_in(page, live, email: str) -> None:
    page.goto(f"{live.origin}/admin/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/queue")


def test_approve_from_the_queue_with_the_keyboard(live, page):
    shop = live.shop("Keyboard Shop")
    live.product(shop, "boot", "Hiking boot")
    first = live.review(shop, "boot", 2, title="Sole came off", body="After two walks.", verified=False,
                        publish=False)
    second = live.review(shop, "boot", 5, title="Great boot", body="Warm and dry.", verified=False,
                         publish=False)
    _sign_in(page, live, _moderator(live, shop))

    cards = page.locator("[data-review]")
    assert cards.count() == 2
    page.keyboard.press("j")
    focused = page.locator("[data-review]:focus")
    assert focused.get_attribute("data-review") == first
    page.keyboard.press("j")
    assert page.locator("[data-review]:focus").get_attribute("data-review") == second
    page.keyboard.press("k")
    assert page.locator("[data-review]:focus").get_attribute("data-review") == first

    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.get_by_role("status").get_by_text("Review approved.").is_visible()
    # The approved review left the pending queue, and focus went on to the next one.
    assert page.locator("[data-review]").count() == 1
    assert page.locator("[data-review]:focus").get_attribute("data-review") == second

    answer = page.request.get(f"{live.origin}/api/v1/public/{shop.public_key}/products/boot/reviews")
    assert answer.ok
    listed = answer.json()["reviews"]
    assert [r["id"] for r in listed] == [first]
    assert listed[0]["rating"] == 2  # a 2-star review, published like any other

    # r goes to the reason, Enter rejects; x selects for a bulk action.
    page.keyboard.press("x")
    assert page.locator("[data-selected-count]").inner_text() == "1 selected"
    page.keyboard.press("r")
    reason = page.locator(f"#reason-{second}")
    assert reason.evaluate("el => el === document.activeElement")
    reason.select_option("spam")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Review rejected.").is_visible()
    assert page.get_by_text("Nothing waits for a decision.").is_visible()


def test_admin_pages_pass_axe(live, page, axe):
    shop = live.shop("Axe Shop")
    live.product(shop, "boot", "Hiking boot")
    live.review(shop, "boot", 4, title="Good", body="Comfortable.", verified=False, publish=False, photos=1)
    live.review(shop, "boot", 1, title="Bad", body="Too small.", days_ago=3)
    page.goto(f"{live.origin}/admin/login")
    assert axe() == []
    _sign_in(page, live, _moderator(live, shop, "owner"))
    base = f"{live.origin}/admin/shops/{shop.slug}"
    for path in ("queue", "dashboard", "settings", "keys", "webhooks", "outbox", "transfer"):
        page.goto(f"{base}/{path}")
        assert axe() == [], path
    page.set_viewport_size({"width": 375, "height": 740})  # a phone: nothing may overflow sideways
    for path in ("queue", "dashboard", "settings"):
        page.goto(f"{base}/{path}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
