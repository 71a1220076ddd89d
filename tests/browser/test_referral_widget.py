"""The referral program in the widget: a visit through a ?ref= link (the click, the code kept
first-party, the event, the JavaScript API, the friend offer, the code handed over with a review and
with the order), and the customer's referral panel on the thank-you page (link, code, copy, share,
counts, rewards, languages, accessibility, a strict CSP). Also the new modules' size budgets."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from reviews_service.catalog import service as catalog
from reviews_service.extensions import db
from reviews_service.referrals import coupons
from reviews_service.referrals import service as referrals
from reviews_service.referrals.models import Referral, ReferralClick
from reviews_service.shops import service as shops
from reviews_service.widget import assets

from .conftest import ready

WIDGET = Path(__file__).resolve().parents[2] / "static" / "widget"
# The modules the entry scripts load on demand, each with its own budget (gzipped bytes).
MODULE_BUDGETS = {"referral-link.js": 1536, "referral.js": 2560, "photos.js": 1280, "form.js": 3584,
                  "visitor.js": 1024, "stars-drawing.js": 1280}
PROGRAM = {
    "enabled": True,
    "friend_offer": {"description": "10% off your first order", "kind": "percent", "value": "10.00",
                     "code_mode": "shared", "shared_code": "FRIEND10"},
    "referrer_reward": {"description": "10 EUR off your next order", "kind": "amount", "value": "10.00",
                        "currency": "EUR", "source": "pool"},
    "attribution_days": 14,
    "share_url_template": "https://shop.example/?ref={code}",
}
WATCH = """window.__referralEvents = [];
document.addEventListener("reviews:referral", (e) => window.__referralEvents.push(e.detail));
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""
_orders = iter(range(1, 10**6))


# --- helpers ---------------------------------------------------------------------------------------

def program_shop(live, **changes):
    return live.shop("Referral Shop", referrals={**PROGRAM, **changes})


def referrer(live, shop, name: str = "Ana Petrosyan") -> tuple[str, str]:
    """A customer who bought: answers their widget token and referral code."""
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")], name=name)
    # The server's HTTP client, not the browser: the browser stays a stranger to this customer.
    me = requests.get(f"{live.origin}/api/v1/public/{shop.public_key}/referrals/me", params={"token": token},
                      timeout=10).json()
    return token, me["code"]


def friend_order(live, shop, code: str | None = None, *, email: str | None = None, name: str = "Mila Novak"):
    """A friend's order through the services (with the code, as a shop's backend would send it);
    answers its widget token."""
    n = next(_orders)
    with live.ctx():
        order, _ = catalog.ingest_order(shops.get_shop(shop.id), {
            "id": f"FRIEND-{n}", "customer": {"email": email or f"friend{n}@example.net", "name": name,
                                              "locale": "en"},
            "items": [{"product_id": "tee", "name": "Merino T-shirt", "quantity": 1, "price": "30.00"}],
            "placed_at": datetime.now(UTC), "currency": "EUR", "total": "30.00", "referral_code": code})
        return catalog.widget_token(order)


def clicks(live, shop) -> int:
    with live.ctx():
        return db.session.scalar(select(func.count()).select_from(ReferralClick)
                                 .where(ReferralClick.shop_id == shop.id))


def server_referrals(live, shop) -> list[dict]:
    r = requests.get(f"{live.origin}/api/v1/referrals", headers=shop.headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["referrals"]


def until(page, script: str, timeout: float = 10):
    """Poll `script` until it answers something truthy. (evaluate(), unlike wait_for_function,
    runs under a strict CSP too.)"""
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(script)):
        assert time.monotonic() < deadline, f"still falsy after {timeout}s: {script}"
        page.wait_for_timeout(50)
    return value


def plain(text: str) -> str:
    """Text without the Unicode isolates that keep the shop's words in their own direction."""
    return text.replace("\u2068", "").replace("\u2069", "")


def kept(page):
    return page.evaluate("() => JSON.parse(localStorage.getItem('rv_ref'))")


def cookie(page):
    return next((c for c in page.context.cookies() if c["name"] == "rv_ref"), None)


def thank_you(live, shop, token: str, lang: str = "en", attrs: str = "", headers: dict | None = None) -> str:
    element = f'<div data-reviews-token="{token}" data-reviews-key="{shop.public_key}" {attrs}></div>'
    return live.embed(shop, lang=lang, headers=headers, body=element)


def stars_script(live, shop, attrs: str = "") -> str:
    src = f"{live.origin}/widget/v1/stars.js"
    return f'<script src="{src}" data-reviews-key="{shop.public_key}" {attrs} async></script>'



def strict_csp(live) -> dict:
    return {"Content-Security-Policy": (
        f"default-src 'self'; script-src 'self' {live.origin}; style-src 'self'; "
        f"connect-src {live.origin}; img-src {live.origin}; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'none'")}


# --- a visit through a referral link ----------------------------------------------------------------

@pytest.mark.browser
def test_landing_records_one_click_and_keeps_the_code_first_party(live, page):
    shop = program_shop(live)
    _, code = referrer(live, shop)
    page.add_init_script(WATCH)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if "/referrals/clicks" in r.url else None)
    # Both entry scripts on one page: one visit, one click.
    url = live.embed(shop, "tee", after=f'<span data-reviews-stars="tee"></span>{stars_script(live, shop)}')
    page.goto(f"{url}?utm_source=mail&ref={code.lower()}")
    until(page, "() => window.__referralEvents.length")
    ready(page)

    assert len(posts) == 1 and clicks(live, shop) == 1
    offer = {"description": "10% off your first order", "kind": "percent", "value": "10.00", "currency": None,
             "code": "FRIEND10"}
    assert page.evaluate("window.__referralEvents") == [{"code": code, "offer": offer}]
    stored = kept(page)
    assert stored["code"] == code and stored["offer"] == offer
    expires = datetime.fromisoformat(stored["expires"].replace("Z", "+00:00"))
    assert 13.99 < (expires - datetime.now(UTC)).total_seconds() / 86400 <= 14
    assert page.evaluate("ReviewsWidget.referral()") == stored
    jar = cookie(page)
    assert jar["value"] == code and jar["path"] == "/" and jar["sameSite"] == "Lax" and not jar["httpOnly"]
    assert jar["domain"] == "localhost"  # first-party: the shop's own origin
    assert 13.99 < (jar["expires"] - time.time()) / 86400 <= 14
    funnel = requests.get(f"{live.origin}/api/v1/referrals/funnel", headers=shop.headers, timeout=10).json()
    assert funnel["clicks"] == 1

    # A reload is the same visitor within the window: still one click.
    page.reload()
    until(page, "() => window.__referralEvents.length")
    assert clicks(live, shop) == 1


@pytest.mark.browser
@pytest.mark.parametrize("query", ["?ref=NOPE-22222", "?ref=%3Cscript%3E", "?ref="])
def test_an_unknown_code_keeps_nothing(live, page, query):
    shop = program_shop(live)
    live.product(shop, "tee", "Merino T-shirt")
    page.add_init_script(WATCH)
    if query == "?ref=":
        page.goto(live.embed(shop, "tee") + query)
        ready(page)
        page.wait_for_timeout(300)
    else:
        with page.expect_response(lambda r: "/referrals/clicks" in r.url) as answer:
            page.goto(live.embed(shop, "tee") + query)
        assert answer.value.status in (404, 422)
        ready(page)
        page.wait_for_timeout(200)
    assert kept(page) is None and cookie(page) is None
    assert page.evaluate("window.__referralEvents") == []
    assert page.evaluate("ReviewsWidget.referral()") is None
    assert clicks(live, shop) == 0


@pytest.mark.browser
def test_a_code_is_kept_only_while_the_program_runs(live, page):
    shop = live.shop("No program")
    live.product(shop, "tee", "Merino T-shirt")
    with page.expect_response(lambda r: "/referrals/clicks" in r.url) as answer:
        page.goto(live.embed(shop, "tee") + "?ref=ANA-K7P3Q")
    assert answer.value.status == 404
    ready(page)
    assert kept(page) is None and cookie(page) is None


@pytest.mark.browser
def test_the_parameter_name_is_configurable_and_stars_alone_record_the_visit(live, page):
    shop = program_shop(live)
    _, code = referrer(live, shop)
    page.add_init_script(WATCH)
    url = live.page(f"""<!doctype html><html lang="en"><head><title>Collection</title></head><body><main>
        <h1>All products</h1><span data-reviews-stars="tee"></span></main>
        {stars_script(live, shop, 'data-reviews-ref-param="invite"')}</body></html>""")
    page.goto(f"{url}?ref=WRONG-22222&invite={code}")
    until(page, "() => window.__referralEvents.length")
    assert kept(page)["code"] == code and cookie(page)["value"] == code
    assert clicks(live, shop) == 1


@pytest.mark.browser
def test_the_referrers_own_browser_keeps_nothing(live, page):
    shop = program_shop(live)
    token, code = referrer(live, shop)
    page.goto(thank_you(live, shop, token))
    page.locator(".referral").wait_for()
    # Rating what they bought makes this browser's visitor id the referrer's.
    tee = page.locator(".purchase").first
    tee.locator(".rate label").nth(4).click()
    tee.get_by_role("button", name="Submit review").click()
    tee.locator(".done").wait_for()
    with page.expect_response(lambda r: "/referrals/clicks" in r.url):
        page.goto(live.embed(shop, "tee") + f"?ref={code}")
    ready(page)
    page.wait_for_timeout(200)
    assert kept(page) is None and cookie(page) is None and clicks(live, shop) == 0


@pytest.mark.browser
def test_friend_offer_banner_only_where_the_shop_shows_it(live, page, axe):
    shop = program_shop(live)
    _, code = referrer(live, shop)
    url = live.embed(shop, "tee", attrs="data-reviews-show-offer data-reviews-eager",
                     after=f'<div data-reviews-product="tee" data-reviews-key="{shop.public_key}" '
                           'data-reviews-eager id="plain"></div>')
    page.goto(f"{url}?ref={code}")
    ready(page, 2)
    banner = page.locator("[data-reviews-show-offer] >> .offer")
    banner.wait_for()
    assert plain(banner.inner_text()) == ("A gift from your friend: 10% off your first order. "
                                          "Use the code FRIEND10 at checkout.")
    assert page.locator("#plain >> .offer").count() == 0
    assert axe() == []
    # Later pages of the visit show it from the kept code, without another click.
    posts = []
    page.on("request", lambda r: posts.append(r.url) if "/referrals/clicks" in r.url else None)
    page.goto(url)
    ready(page, 2)
    page.locator("[data-reviews-show-offer] >> .offer").wait_for()
    assert posts == []


@pytest.mark.browser
def test_a_review_written_after_the_visit_carries_the_code(live, page):
    shop = program_shop(live)
    _, code = referrer(live, shop)
    page.goto(live.embed(shop, "tee") + f"?ref={code}")
    ready(page)
    until(page, "() => ReviewsWidget.referral()")
    page.goto(live.embed(shop, "tee"))  # another page of the shop, no ?ref= any more
    ready(page)
    page.get_by_role("button", name="Write a review").click()
    form = page.locator("form.form")
    form.locator(".rate label").nth(4).click()
    form.get_by_label("Your review").fill("Soft and warm.")
    form.get_by_label("Your name").fill("Mila Novak")
    form.get_by_label("E-mail address").fill("mila@example.com")
    form.get_by_role("button", name="Submit review").click()
    page.locator(".done").wait_for()
    assert [r.referral_code for r in live.stored(shop)] == [code]


@pytest.mark.browser
def test_a_review_without_a_visit_carries_no_code(live, page):
    shop = program_shop(live)
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    page.goto(thank_you(live, shop, token))
    ready(page)
    tee = page.locator(".purchase").first
    tee.locator(".rate label").nth(4).click()
    tee.get_by_role("button", name="Submit review").click()
    tee.locator(".done").wait_for()
    assert [r.referral_code for r in live.stored(shop)] == [None]


@pytest.mark.browser
def test_the_thank_you_page_hands_the_kept_code_over_with_the_order(live, page):
    shop = program_shop(live)
    _, code = referrer(live, shop)
    page.goto(live.embed(shop, "tee") + f"?ref={code}")
    until(page, "() => ReviewsWidget.referral()")
    # The friend buys; the shop's backend sends the order without the code.
    token = friend_order(live, shop)
    with page.expect_response(lambda r: "/referrals/handover" in r.url) as answer:
        page.goto(thank_you(live, shop, token))
    assert answer.value.json() == {"attributed": True}
    # With the visitor id the click made: this browser's click, not a colleague's on its network.
    visitor_id = page.evaluate("() => localStorage.getItem('rv_vid')")
    assert visitor_id and answer.value.request.post_data_json["visitor_id"] == visitor_id
    [referral] = server_referrals(live, shop)
    assert (referral["code"], referral["source"], referral["status"]) == (code, "handover", "pending")


@pytest.mark.browser
def test_the_js_api_and_event_let_the_checkout_attach_the_code(live, page):
    """The README's checkout example, run: the order the shop's backend receives has the code."""
    shop = program_shop(live)
    _, code = referrer(live, shop)
    page.goto(live.embed(shop, "tee") + f"?ref={code}")
    until(page, "() => ReviewsWidget.referral()")
    order = page.evaluate("""() => {
        const order = { id: "A-1001", items: [] };
        const referral = window.ReviewsWidget && ReviewsWidget.referral();
        if (referral) order.referral_code = referral.code;
        return order; }""")
    assert order["referral_code"] == code
    token = friend_order(live, shop, order["referral_code"])
    assert token and server_referrals(live, shop)[0]["source"] == "order"


# --- the referral panel on the thank-you page --------------------------------------------------------

@pytest.fixture
def rewarded(live):
    """A referrer with two friends who ordered with the code: one rewarded from the pool, one on hold."""
    shop = program_shop(live)
    token, code = referrer(live, shop)
    with live.ctx():
        coupons.load(shops.get_shop(shop.id), "referrer_reward", ["THANKS-7K2P"])
    friend_order(live, shop, code, name="Mila Novak")
    friend_order(live, shop, code, name="Jon Berg")
    with live.ctx():
        first = db.session.scalar(select(Referral).where(Referral.shop_id == shop.id).order_by(Referral.id))
        assert referrals.settle(first) == "approved"
    return shop, token, code


@pytest.mark.browser
def test_thank_you_panel_shows_link_code_counts_and_rewards(live, page, axe, rewarded):
    shop, token, code = rewarded
    page.goto(thank_you(live, shop, token))
    ready(page)
    panel = page.locator(".referral")
    panel.wait_for()
    # After "rate what you bought", in the same widget.
    assert page.locator(".thanks + .referral").count() == 1
    assert panel.get_by_role("heading", name="Invite your friends").is_visible()
    assert plain(panel.locator(".intro").inner_text()) == ("Your friends get 10% off your first order. "
                                                            "You get 10 EUR off your next order for each "
                                                            "friend who orders.")
    link = panel.get_by_label("Your link")
    assert link.input_value() == f"https://shop.example/?ref={code}" and link.get_attribute("readonly") == ""
    assert panel.locator(".referral-code").inner_text() == f"Your code: {code}"
    terms, values = panel.locator("dt").all_inner_texts(), panel.locator("dd").all_inner_texts()
    counts = dict(zip(terms, values, strict=True))
    assert counts == {"Friends who ordered": "2", "Rewards earned": "1"}
    assert panel.get_by_role("heading", name="Your rewards").is_visible()
    assert panel.locator(".referral-earned li").all_inner_texts() == ["10 EUR off your next order THANKS-7K2P"]
    # Styled by referral.css, adopted into the shadow root (no style element, no style attribute).
    assert panel.locator("dd").first.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert axe() == []


@pytest.mark.browser
def test_copy_button_copies_the_link_and_says_so(live, browser, rewarded):
    shop, token, code = rewarded
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], locale="en-US")
    try:
        page = context.new_page()
        page.goto(thank_you(live, shop, token))
        page.locator(".referral").wait_for()
        status = page.locator(".referral [role=status]")
        assert status.inner_text() == ""
        page.get_by_role("button", name="Copy link").click()
        status.filter(has_text="Link copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == f"https://shop.example/?ref={code}"
    finally:
        context.close()


@pytest.mark.browser
def test_copy_falls_back_to_the_copy_command_without_the_clipboard_api(live, page, rewarded):
    shop, token, code = rewarded
    page.add_init_script("""Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined });
        window.__copied = []; const exec = document.execCommand.bind(document);
        document.execCommand = (name) => { window.__copied.push(name); return exec(name); };""")
    page.goto(thank_you(live, shop, token))
    page.locator(".referral").wait_for()
    page.get_by_role("button", name="Copy link").click()
    page.locator(".referral [role=status]").filter(has_text="Link copied.").wait_for()
    assert page.evaluate("window.__copied") == ["copy"]
    # What the copy command copied: the selection inside the input.
    selected = page.get_by_label("Your link").evaluate("i => i.value.slice(i.selectionStart, i.selectionEnd)")
    assert selected == f"https://shop.example/?ref={code}"


@pytest.mark.browser
def test_share_button_only_where_the_browser_shares(live, browser, rewarded):
    shop, token, code = rewarded
    without = browser.new_context(locale="en-US")
    with_share = browser.new_context(locale="en-US")
    with_share.add_init_script("navigator.share = async (data) => { window.__shared = data; };")
    try:
        page = without.new_page()
        page.goto(thank_you(live, shop, token))
        page.locator(".referral").wait_for()
        assert page.evaluate("typeof navigator.share") == "undefined"
        assert page.get_by_role("button", name="Share").count() == 0

        page = with_share.new_page()
        page.goto(thank_you(live, shop, token))
        page.locator(".referral").wait_for()
        page.get_by_role("button", name="Share").click()
        shared = until(page, "() => window.__shared")
        assert shared["url"] == f"https://shop.example/?ref={code}"
        assert shared["text"] == "Get 10% off your first order with my link."
        assert shared["title"].startswith("Referral Shop")
    finally:
        without.close()
        with_share.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang, title, copy", [
    ("de", "Freunde einladen", "Link kopieren"),
    ("ar", "ادعُ أصدقاءك", "نسخ الرابط"),
    ("ja", "お友だちを招待", "リンクをコピー"),
])
def test_thank_you_panel_speaks_the_pages_language(live, page, axe, rewarded, lang, title, copy):
    shop, token, _ = rewarded
    page.goto(thank_you(live, shop, token, lang=lang))
    page.locator(".referral").wait_for()
    assert page.get_by_role("heading", name=title).is_visible()
    assert page.get_by_role("button", name=copy).is_visible()
    assert axe() == []


@pytest.mark.browser
def test_thank_you_panel_dark_theme_is_accessible(live, page, axe, rewarded):
    shop, token, _ = rewarded
    page.goto(thank_you(live, shop, token, attrs='data-reviews-theme="dark"'))
    page.locator(".referral").wait_for()
    assert axe() == []


@pytest.mark.browser
def test_no_panel_and_no_module_when_the_program_is_off(live, page):
    shop = live.shop("No program")
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    loaded = []
    page.on("request", lambda r: loaded.append(r.url) if "referral" in r.url else None)
    page.goto(thank_you(live, shop, token))
    ready(page)
    page.wait_for_timeout(300)
    assert page.locator(".referral").count() == 0 and loaded == []


@pytest.mark.browser
def test_no_panel_when_the_program_was_switched_off_after_the_config_was_cached(live, page):
    shop = program_shop(live)
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    # widget-config may be cached for minutes; referrals/me has the last word.
    with live.ctx():
        shops.update_shop(shops.get_shop(shop.id), {"settings": {"referrals": {**PROGRAM, "enabled": False}}})
    page.route("**/widget-config?*", lambda route: route.fulfill(
        json={"name": "Cached", "default_locale": "en", "policy_url": "https://shop.example/policy",
              "allow_rating_only": True, "auto_publish_verified": True, "max_photos": 5,
              "referrals_enabled": True},
        headers={"Access-Control-Allow-Origin": "*"}))
    with page.expect_response(lambda r: "/referrals/me" in r.url) as answer:
        page.goto(thank_you(live, shop, token))
    assert answer.value.json() == {"enabled": False}
    ready(page)
    page.wait_for_timeout(200)
    assert page.locator(".referral").count() == 0


@pytest.mark.browser
def test_strict_csp_host_pages_have_no_violations(live, page, rewarded):
    shop, token, code = rewarded
    live.review(shop, "tee", 5)  # so that the stars have something to draw
    page.add_init_script(WATCH)
    loaded = []
    page.on("response", lambda r: loaded.append((r.url.rsplit("/", 1)[-1], r.status))
            if "/widget/v1/" in r.url else None)
    url = live.embed(shop, "tee", attrs="data-reviews-show-offer", headers=strict_csp(live),
                     after=f'<span data-reviews-stars="tee"></span>{stars_script(live, shop)}')
    page.goto(f"{url}?ref={code}")
    page.locator("[data-reviews-show-offer] >> .offer").wait_for()
    page.locator("[data-reviews-stars] >> [role=img]").wait_for()
    assert page.evaluate("window.__violations") == []
    page.goto(thank_you(live, shop, token, headers=strict_csp(live)))
    page.locator(".referral").wait_for()
    page.get_by_role("button", name="Copy link").click()
    page.locator(".referral [role=status]").filter(has_text="Link copied.").wait_for()
    assert page.evaluate("window.__violations") == []
    assert {name for name, status in loaded if status == 200} >= {
        "reviews.js", "stars.js", "stars-drawing.js", "referral-link.js", "referral.js", "referral.css",
        "reviews.css"}


# --- the modules as the server serves them ----------------------------------------------------------

@pytest.mark.parametrize("name, budget", MODULE_BUDGETS.items())
def test_module_is_within_its_gzipped_budget(name, budget):
    size = len(gzip.compress((WIDGET / name).read_bytes(), compresslevel=9))
    assert size <= budget, f"{name} is {size} bytes gzipped, over its budget of {budget}"


@pytest.mark.parametrize("name", [*MODULE_BUDGETS, "referral.css"])
def test_modules_are_served_immutable_with_their_type(client, name):
    with client.application.app_context():
        version = assets.bundle().version
    r = client.get(f"/widget/v1/{version}/{name}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == assets.IMMUTABLE
    assert r.headers["Content-Type"] == assets.TYPES[Path(name).suffix]
    # Modules load in CORS mode from the shop's pages.
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", MODULE_BUDGETS)
def test_modules_are_readable_and_never_parse_html(name):
    text = (WIDGET / name).read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 130
    assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "eval(" not in text
    assert ".style." not in text and "setAttribute(\"style\"" not in text


@pytest.mark.parametrize("lang", sorted(p.stem for p in (WIDGET / "locales").glob("*.json")))
def test_every_language_has_the_referral_strings(lang):
    table = json.loads((WIDGET / "locales" / f"{lang}.json").read_text(encoding="utf-8"))
    for key in ("offer", "offer_code", "ref_title", "ref_intro", "ref_copy", "ref_copied", "ref_share",
                "ref_code", "ref_friends", "ref_rewards", "ref_reward_soon"):
        assert table[key].strip(), (lang, key)


def test_widget_config_says_whether_the_program_runs(live):
    on, off = program_shop(live), live.shop("No program")
    for shop, enabled in ((on, True), (off, False)):
        body = requests.get(f"{live.origin}/api/v1/public/{shop.public_key}/widget-config", timeout=10).json()
        assert body["referrals_enabled"] is enabled
