"""The admin in a real browser: the tab bar on a phone, and an e-mail's HTML preview in which no
script runs."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from reviews_service.extensions import db
from reviews_service.moderation import replies
from reviews_service.outbox.models import OutboxMessage
from reviews_service.shops import service as shops

from .test_admin_browser import _moderator, _sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


def test_on_a_phone_the_tab_bar_scrolls_to_its_last_tab(live, page):
    shop = live.shop("Narrow Shop")
    _sign_in(page, live, _moderator(live, shop, "owner"))
    page.set_viewport_size(PHONE)
    page.goto(f"{live.origin}/admin/shops/{shop.slug}/queue")
    tabs = page.get_by_role("navigation", name="Shop")
    last = tabs.get_by_role("link", name="Import & export")
    assert not _in_view(page, last)  # eight tabs do not fit in 360 px ...
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # ... nor push the page
    last.scroll_into_view_if_needed()  # ... but the bar scrolls sideways to it
    assert _in_view(page, last)
    last.click()
    page.wait_for_url("**/transfer")
    # On the page of a tab far to the right, the bar opens where that tab is.
    current = page.locator(".tabs [aria-current=page]")
    assert current.inner_text() == "Import & export" and _in_view(page, current)


def test_the_queue_views_scroll_to_the_current_one_too(live, page):
    shop = live.shop("Narrow Queue Shop")
    _sign_in(page, live, _moderator(live, shop, "owner"))
    page.set_viewport_size({"width": 300, "height": 700})
    page.goto(f"{live.origin}/admin/shops/{shop.slug}/queue?status=rejected")
    current = page.locator(".subtabs [aria-current=page]")
    assert current.inner_text().startswith("Rejected") and _in_view(page, current)


def test_the_email_preview_shows_the_html_and_runs_no_script(live, page):
    shop = live.shop("Preview Shop")
    live.product(shop, "boot", "Hiking boot")
    rid = live.review(shop, "boot", 5, title="Great", body="Warm.")
    _sign_in(page, live, _moderator(live, shop, "owner"))
    with live.ctx():
        replies.set_reply(shops.get_shop(shop.id), rid, "Glad you like them!", user_id=None)
        message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.shop_id == shop.id,
                                                                 OutboxMessage.topic == "reply")).one()
        hostile = ('<p id="shown">An e-mail</p><script>parent.document.title = "pwned"; window.ran = 1;</script>'
                   '<img src="x" onerror="parent.document.title = \'pwned\'">')
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                           .values(payload={**message.payload, "html": message.payload["html"] + hostile}))
        db.session.commit()
        message_id = message.id
    page.goto(f"{live.origin}/admin/shops/{shop.slug}/outbox/{message_id}")
    title = page.title()
    frame = page.frame_locator("iframe.email-preview")
    frame.locator("#shown").wait_for()
    assert frame.locator("body").inner_text().count("Glad you like them!") >= 1
    child = page.frames[1]
    child.wait_for_load_state("load")  # after the broken image's error event, whose handler would run
    assert page.title() == title != "pwned"
    assert child.evaluate("() => window.ran === undefined")
