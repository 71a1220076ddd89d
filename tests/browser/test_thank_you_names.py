"""The widget's thank-you page greets a Vietnamese customer by the given name and pre-fills the
review forms with "Lan N.", which the reviewer may change."""

from __future__ import annotations

from datetime import UTC, datetime

from reviews_service.catalog import service as catalog
from reviews_service.shops import service as shops

from .conftest import ready


def vietnamese_order(live, shop) -> str:
    with live.ctx():
        order, _ = catalog.ingest_order(shops.get_shop(shop.id), {
            "id": "ORDER-LAN", "customer": {"email": "lan@example.com", "name": "Nguyễn Thị Lan", "locale": "vi"},
            "items": [{"product_id": "tee", "name": "Áo thun", "quantity": 1, "price": "30.00"}],
            "placed_at": datetime.now(UTC), "currency": "EUR", "total": "30.00"})
        return catalog.widget_token(order)


def test_the_thank_you_page_greets_lan_and_prefills_lan_n(live, page):
    shop = live.shop()
    token = vietnamese_order(live, shop)
    element = f'<div data-reviews-token="{token}" data-reviews-key="{shop.public_key}"></div>'

    page.goto(live.embed(shop, lang="vi", body=element))
    ready(page)

    intro = page.locator(".thanks .intro")
    intro.wait_for()
    assert "Lan" in intro.inner_text() and "Nguyễn" not in intro.inner_text()
    form = page.locator("form.form").first
    name = form.locator("input[name=display_name]")
    assert name.input_value() == "Lan N."
    form.locator(".rate label").nth(4).click()  # the compact form opens with a rating
    name.fill("Chị Lan")
    assert name.input_value() == "Chị Lan"
