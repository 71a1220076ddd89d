"""Accessibility (axe-core), right-to-left, layout stability on the demo shop, taking over the
server-rendered fragment, and the stars for collection pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from reviews_service.widget.demo import seed as demo_seed

from .conftest import ready

pytestmark = pytest.mark.browser
LOCALES = Path(__file__).resolve().parents[2] / "static" / "widget" / "locales"


@pytest.fixture
def reviewed(live):
    shop = live.shop()
    pid = live.product(shop, "pack", "City backpack")
    for n, rating in enumerate([5, 4, 2, 5, 3, 5, 4, 1, 5, 4, 5, 3]):
        live.review(shop, pid, rating, title=f"Review {n}", body="Sturdy and comfortable.\nGood pockets.",
                    name=f"Reviewer{n} Example", photos=1 if n in (1, 4) else 0, days_ago=n,
                    verified=n % 3 != 2, reply="Thank you!" if n == 1 else None)
    return shop, pid


# --- axe-core ----------------------------------------------------------------------------------

def _list(page):
    page.locator(".label summary").first.click()


def _form_errors(page):
    page.get_by_role("button", name="Write a review").click()
    page.get_by_role("button", name="Submit review").click()
    page.locator(".form-error:text('Please check the marked fields.')").wait_for()


def _lightbox(page):
    page.get_by_role("button", name="Open photo 1 of 1").first.click()
    page.locator("dialog[open] img").wait_for()


def _report(page):
    page.get_by_role("button", name="Report").first.click()


@pytest.mark.parametrize("state, attrs, prepare", [
    ("list", "", _list),
    ("list-dark", 'data-reviews-theme="dark"', _list),
    ("form-with-errors", "", _form_errors),
    ("lightbox", "", _lightbox),
    ("report-form", "", _report),
])
def test_axe_finds_no_violations_in_the_reviews_view(live, page, axe, reviewed, state, attrs, prepare):
    shop, pid = reviewed
    page.goto(live.embed(shop, pid, attrs=attrs))
    ready(page)
    prepare(page)
    assert axe() == []


def test_axe_finds_no_violations_in_the_thank_you_panel(live, page, axe):
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    live.product(shop, "shell", "Rain shell")
    token = live.order(shop, [("tee", "Merino T-shirt"), ("shell", "Rain shell")])
    live.review(shop, "shell", 5)  # one reviewed product (by someone else: the panel is this order's)
    page.goto(live.embed(shop, body=f'<div data-reviews-token="{token}" data-reviews-key="{shop.public_key}"></div>'))
    ready(page)
    page.locator(".purchase").first.locator(".rate label").nth(2).click()
    assert axe() == []


def test_axe_finds_no_violations_right_to_left(live, page, axe, reviewed):
    shop, pid = reviewed
    page.goto(live.embed(shop, pid, lang="ar", dir="rtl"))
    ready(page)
    assert axe() == []


# --- right to left -------------------------------------------------------------------------------

def test_arabic_page_gets_an_arabic_right_to_left_widget(live, page, reviewed):
    shop, pid = reviewed
    strings = json.loads((LOCALES / "ar.json").read_text(encoding="utf-8"))
    page.goto(live.embed(shop, pid, lang="ar", dir="rtl"))
    ready(page)
    root = page.locator(".widget")
    assert (root.get_attribute("dir"), root.get_attribute("lang")) == ("rtl", "ar")
    assert page.locator(".heading").inner_text() == strings["title"]
    # Mirrored: the score is on the right of the histogram, bars are labelled on their right.
    score, hist = page.locator(".score").bounding_box(), page.locator(".histogram").bounding_box()
    assert score["x"] > hist["x"] + hist["width"] - 1
    bar_label, track = page.locator(".bar-label").first.bounding_box(), page.locator(".track").first.bounding_box()
    assert bar_label["x"] > track["x"]
    assert page.locator(".review").first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # Numbers and dates through Intl, in Arabic.
    assert page.locator("time").first.inner_text() != page.locator("time").first.get_attribute("datetime")[:10]


@pytest.mark.parametrize("lang, title", [("de", "Kundenbewertungen"), ("ja", "カスタマーレビュー"),
                                         ("hy", "Գնորդների կարծիքներ")])
def test_locale_follows_the_element_then_the_page(live, page, reviewed, lang, title):
    shop, pid = reviewed
    page.goto(live.embed(shop, pid, attrs=f'data-reviews-locale="{lang}"', lang="fr"))
    ready(page)
    assert page.locator(".heading").inner_text() == title
    locales = []
    page.on("request", lambda r: locales.append(r.url) if "/locales/" in r.url else None)
    page.goto(live.embed(shop, pid, lang=f"{lang}-XX"))
    ready(page)
    assert page.locator(".heading").inner_text() == title
    assert [u.rsplit("/", 1)[-1] for u in locales] == [f"{lang}.json"]  # only the page's locale


# --- layout stability on the demo shop -------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_shop(live):
    with live.ctx():
        return demo_seed.ensure_demo_shop()


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_demo_page_has_no_layout_shift(live, browser, demo_shop, viewport):
    """CLS measured by a PerformanceObserver while a visitor scrolls through the whole page."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
    page = context.new_page()
    try:
        page.add_init_script("""window.__cls = 0; window.__shifts = [];
            new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) {
              window.__cls += e.value;
              window.__shifts.push(e.sources.map(s => s.node && (s.node.className || s.node.nodeName)).join());
            } }).observe({type: "layout-shift", buffered: true});""")
        page.goto(f"{live.origin}/demo")
        page.locator("[data-reviews-stars] >> [role=img]").wait_for()
        for _ in range(60):  # a quick fling, about 3,000 px a second
            page.mouse.wheel(0, 250)
            page.wait_for_timeout(80)
        ready(page)
        page.wait_for_timeout(500)
        assert page.locator(".review").count() == 10
        page.screenshot(path=str(live_screenshot(f"demo_{width}x{height}")), full_page=True)
        cls, shifts = page.evaluate("[window.__cls, window.__shifts]")
        assert cls == 0, shifts
    finally:
        context.close()


def live_screenshot(name: str):
    from .conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


# --- the server-rendered fragment ------------------------------------------------------------------

def test_widget_takes_over_the_server_rendered_fragment_without_fetching_again(live, page, reviewed):
    shop, pid = reviewed
    fragment = requests.get(f"{live.origin}/api/v1/public/{shop.public_key}/products/{pid}/reviews.html",
                            timeout=10).text
    api = []
    page.on("request", lambda r: api.append(r.url) if "/api/v1/public/" in r.url else None)
    page.goto(live.embed(shop, body=fragment))
    ready(page)
    assert not [u for u in api if f"/products/{pid}/" in u]
    section = page.locator("section.rv-reviews")
    assert section.evaluate("s => !!s.shadowRoot")
    assert page.locator(".review").count() == 10
    assert page.locator(".average").inner_text() == "3.8"
    # The server's markup stays in the page for crawlers (its JSON-LD too), but is not shown.
    assert page.locator("section.rv-reviews > ol.rv-list").count() == 1
    assert not page.locator("section.rv-reviews > h2.rv-heading").is_visible()
    assert page.locator("script[type='application/ld+json']").count() == 1
    # The fragment's cursor carries on.
    page.get_by_role("button", name="Show more reviews").click()
    page.wait_for_function("document.querySelector('section.rv-reviews').shadowRoot"
                           ".querySelectorAll('.review').length === 12")
    assert [u for u in api if f"/products/{pid}/reviews?" in u and "cursor=" in u]


# --- stars for collection pages ---------------------------------------------------------------------

def test_stars_script_fetches_every_product_in_one_request(live, page, axe):
    shop = live.shop()
    for pid, ratings in (("a", [5, 4]), ("b", [3]), ("c", [])):
        live.product(shop, pid, pid.upper())
        for rating in ratings:
            live.review(shop, pid, rating)
    api = []
    page.on("request", lambda r: api.append(r.url) if "/api/v1/public/" in r.url else None)
    page.goto(live.page(f"""<!doctype html><html lang="en"><head><title>Collection</title></head><body><main>
        <h1>All products</h1><ul>
        <li>A <span data-reviews-stars="a"></span></li><li>B <span data-reviews-stars="b"></span></li>
        <li>C <span data-reviews-stars="c"></span></li><li>A again <span data-reviews-stars="a"></span></li></ul>
        </main><script src="{live.origin}/widget/v1/stars.js" data-reviews-key="{shop.public_key}" async></script>
        </body></html>""", headers={"Content-Security-Policy": f"default-src 'self'; script-src {live.origin}; "
                                                                  f"connect-src {live.origin}; style-src 'self'"}))
    page.locator("[data-reviews-stars='b'] >> [role=img]").wait_for()
    assert len(api) == 1 and "ratings?ids=a%2Cb%2Cc" in api[0]
    labels = page.locator("[data-reviews-stars] >> [role=img]")
    assert labels.count() == 3
    assert labels.first.get_attribute("aria-label") == "Rated 4.5 out of 5 stars. Reviews: 2"
    assert page.locator("[data-reviews-stars='c']").evaluate("e => e.shadowRoot.childNodes.length") == 0
    assert labels.first.locator("svg svg").get_attribute("width") == "108"
    assert axe() == []


def test_stars_ask_for_the_ratings_while_the_drawing_code_loads(live, page):
    """No extra round trip on a collection page: the ratings request goes out before
    stars-drawing.js has arrived (here it is held until the ratings request is seen)."""
    shop = live.shop()
    live.product(shop, "a", "A")
    live.review(shop, "a", 5)
    seen = []
    page.on("request", lambda r: seen.append("ratings") if "/ratings?" in r.url else None)

    def hold_the_drawing_code(route):
        for _ in range(50):  # up to 5 s; a script that waits for this module never asks
            if "ratings" in seen:
                return route.continue_()
            page.wait_for_timeout(100)
        return route.fulfill(status=503)

    page.route("**/stars-drawing.js", hold_the_drawing_code)
    page.goto(live.page(f"""<!doctype html><html lang="en"><head><title>Collection</title></head><body>
        <main><span data-reviews-stars="a"></span></main>
        <script src="{live.origin}/widget/v1/stars.js" data-reviews-key="{shop.public_key}" async></script>
        </body></html>"""))
    page.locator("[data-reviews-stars='a'] >> [role=img]").wait_for(timeout=10000)



# --- formatting the browser cannot do ----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["hy", "ka", "lo"])
def test_widget_formats_dates_and_averages_with_its_own_cldr_data(live, page, reviewed, lang):
    # Debian's Chromium has no hy, ka or lo data: its Intl answers "Nov 29, 2026" and "3.8" for them.
    cldr = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))["_cldr"]
    shop, pid = reviewed
    page.goto(live.embed(shop, pid, lang=lang))
    ready(page)
    assert page.locator(".average").inner_text() == f"3{cldr['decimal']}8"  # 46 / 12
    time = page.locator("time").first
    day, month, year = time.evaluate("e => { const d = new Date(e.dateTime); return [d.getDate(), d.getMonth(), d.getFullYear()] }")
    expected = cldr["date"].format(d=day, D=f"{day:02}", M=cldr["months"][month], y=year)
    assert time.inner_text() == expected and cldr["months"][month] in expected


def test_widget_formats_with_its_own_data_where_intl_has_only_cldrs_root(live, page, reviewed):
    # Some engines list a language they have no data for and format it in CLDR's root: "2026 M11 29".
    page.add_init_script("Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', "
                         "{ get: () => (n) => { const d = new Date(n); "
                         "return `${d.getFullYear()} M${d.getMonth() + 1} ${d.getDate()}`; } })")
    cldr = json.loads((LOCALES / "vi.json").read_text(encoding="utf-8"))["_cldr"]
    shop, pid = reviewed
    page.goto(live.embed(shop, pid, lang="vi"))
    ready(page)
    time = page.locator("time").first
    day, month, year = time.evaluate("e => { const d = new Date(e.dateTime); return [d.getDate(), d.getMonth(), d.getFullYear()] }")
    assert time.inner_text() == f"{day} {cldr['months'][month]}, {year}"  # "5 thg 12, 2026"
    assert page.locator(".average").inner_text() == "3,8"
