"""The loyalty panel in the widget (loyalty.js): view only on the thank-you page (an order's widget
token), with one-click redemption on a shop's account page (a customer token, which the widget sends
in a request body only); in hy and lo, and right to left in ar. And "you earned N points" after a
review on the thank-you page."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import requests

from reviews_service.catalog import service as catalog
from reviews_service.loyalty import service as loyalty
from reviews_service.shops import service as shops

from .conftest import ready

WIDGET = Path(__file__).resolve().parents[2] / "static" / "widget"
PROGRAM = {
    "enabled": True, "currency": "EUR", "point_value": "0.05", "points_per_unit": "1", "for_review": 50,
    "for_review_with_photos": 80, "hold_days": 14,
    "tiers": [{"id": "bronze", "name": {"en": "Bronze", "hy": "Բրոնզ", "lo": "ທອງແດງ", "ar": "برونزي"}, "threshold": 0},
              {"id": "silver", "name": {"en": "Silver", "hy": "Արծաթ", "lo": "ເງິນ", "ar": "فضي"}, "threshold": 250}],
    "rewards": [{"id": "five-off", "points": 100, "kind": "amount", "value": "5.00", "currency": "EUR"}],
}


def member(live, points: int = 130, email: str = "ana@example.com"):
    """A shop running the programme, a customer who bought (10 EUR on hold) and has `points`
    spendable, and a code in the reward's pool; answers the shop, the widget token and a customer token."""
    shop = live.shop("Loyal Shop")
    # As a shop turns it on: through the server API (its schema fills in what is left out).
    answer = requests.patch(f"{live.origin}/api/v1/shop", json={"settings": {"loyalty": PROGRAM}},
                            headers=shop.headers, timeout=10)
    assert answer.status_code == 200, answer.text
    live.product(shop, "tee", "Merino T-shirt")
    widget_token = live.order(shop, [("tee", "Merino T-shirt")], email=email)
    with live.ctx():
        s = shops.get_shop(shop.id)
        person = catalog.find_customer(s, email)
        if points:
            loyalty.adjust(s, person, points, "welcome")
        loyalty.load_codes(s, "five-off", ["LOYAL-5OFF"])
        customer_token = loyalty.customer_token(s, person)["token"]
    return shop, widget_token, customer_token


def thank_you(live, shop, token: str, lang: str) -> str:
    element = f'<div data-reviews-token="{token}" data-reviews-key="{shop.public_key}"></div>'
    return live.embed(shop, lang=lang, body=element)


def account_page(live, shop, token: str, lang: str, dir: str = "ltr") -> str:
    """A shop's account page, as its backend renders it: the customer token in an attribute."""
    element = f'<div data-reviews-loyalty="{token}" data-reviews-key="{shop.public_key}"></div>'
    return live.embed(shop, lang=lang, dir=dir, body=element)


def test_the_panel_is_within_its_gzipped_budget():
    assert len(gzip.compress((WIDGET / "loyalty.js").read_bytes(), compresslevel=9)) <= 3200


@pytest.mark.browser
def test_thank_you_page_shows_the_points_view_only_in_armenian(live, page, axe):
    shop, widget_token, _ = member(live)
    page.goto(thank_you(live, shop, widget_token, "hy"))
    ready(page)
    panel = page.locator(".loyalty")
    panel.wait_for()
    assert panel.get_by_role("heading", name="Ձեր միավորները").is_visible()
    assert panel.locator(".loyalty-balance strong").inner_text() == "130 միավոր"
    standing = panel.locator(".loyalty-standing").inner_text()
    assert "10 միավոր պահված է մինչև վերադարձի ժամկետի ավարտը" in standing
    assert "Ձեր մակարդակը՝ \u2068Բրոնզ\u2069" in standing
    assert "ևս 240 միավոր՝ \u2068Արծաթ\u2069 մակարդակին հասնելու համար" in standing
    earn = panel.locator(".loyalty-part").first.locator("li").all_inner_texts()
    assert earn[1] == "50 միավոր կարծիքի համար՝ անկախ գնահատականից"
    # View only: no button, and how to redeem instead.
    assert panel.get_by_role("button").count() == 0
    assert "Միավորներն օգտագործելու համար մուտք գործեք" in panel.inner_text()
    assert "LOYAL-5OFF" not in panel.inner_text()
    assert axe() == []


@pytest.mark.browser
def test_account_page_redeems_with_one_click_and_shows_the_code_in_lao(live, page, axe):
    shop, _, customer_token = member(live)
    requests_seen = []
    page.on("request", lambda r: requests_seen.append((r.url, r.post_data or "")) if "/loyalty/" in r.url else None)
    page.goto(account_page(live, shop, customer_token, "lo"))
    panel = page.locator(".loyalty")
    panel.wait_for()
    assert panel.get_by_role("heading", name="ຄະແນນຂອງທ່ານ").is_visible()
    assert panel.locator(".loyalty-balance strong").inner_text() == "130 ຄະແນນ"
    reward = panel.locator(".loyalty-reward")
    assert reward.count() == 1 and reward.locator(".loyalty-cost").inner_text() == "100 ຄະແນນ"
    assert axe() == []
    panel.get_by_role("button", name="ແລກ").click()
    done = panel.locator(".loyalty-done")
    done.wait_for()
    assert done.locator(".loyalty-code").inner_text() == "LOYAL-5OFF"
    assert panel.locator(".loyalty-balance strong").inner_text() == "30 ຄະແນນ"
    assert panel.get_by_role("heading", name="ລາງວັນຂອງທ່ານ").is_visible()
    assert "ແລກລາງວັນແລ້ວ" in panel.locator(".loyalty-history").inner_text()
    # The pool's only code is gone (and 30 points would not buy it): the button says so, and waits.
    assert panel.get_by_role("button", name="ບໍ່ມີໃນຕອນນີ້").is_disabled()
    # The customer token went in bodies only, never in a URL.
    assert requests_seen and all(customer_token not in url for url, _ in requests_seen)
    assert any(customer_token in body for _, body in requests_seen)
    assert axe() == []


@pytest.mark.browser
def test_account_page_in_arabic_reads_right_to_left(live, page, axe):
    shop, _, customer_token = member(live)
    page.goto(account_page(live, shop, customer_token, "ar", dir="rtl"))
    panel = page.locator(".loyalty")
    panel.wait_for()
    assert panel.get_by_role("heading", name="نقاطك").is_visible()
    assert panel.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert panel.get_by_role("button", name="استبدال").is_enabled()
    assert axe() == []


@pytest.mark.browser
def test_a_review_on_the_thank_you_page_says_the_points_it_earned(live, page):
    shop, widget_token, _ = member(live, points=0)
    page.goto(thank_you(live, shop, widget_token, "en"))
    ready(page)
    page.locator(".purchase .rate label").first.click()  # one star: the same points as five
    page.get_by_role("button", name="Submit review").click()
    page.locator(".done").filter(has_text="You earned 50 points for your review.").wait_for()


@pytest.mark.browser
def test_no_panel_and_no_module_when_the_programme_is_off(live, page):
    shop = live.shop("No programme")
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    loaded = []
    page.on("request", lambda r: loaded.append(r.url) if "loyalty" in r.url else None)
    page.goto(thank_you(live, shop, token, "en"))
    ready(page)
    page.wait_for_timeout(300)
    assert page.locator(".loyalty").count() == 0 and loaded == []
