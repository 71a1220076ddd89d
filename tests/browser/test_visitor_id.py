"""The visitor id (README, "The visitor id"): made on the visitor's first write, never on a page
view; kept first-party as `rv_vid` (localStorage and a one-year cookie); the same id goes with every
later vote, report, review and referral click."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import ready
from .test_referral_widget import program_shop, referrer, stars_script, until

pytestmark = pytest.mark.browser
ID = re.compile(r"^[A-Za-z0-9_-]{22,43}$")
WRITES = ("/votes", "/reports", "/reviews", "/referrals/clicks")


@pytest.fixture
def reviewed(live):
    shop = program_shop(live)
    live.product(shop, "tee", "Merino T-shirt")
    live.review(shop, "tee", 5, title="Soft", body="Warm and soft.")
    return shop


def watch_writes(page) -> list[tuple[str, dict]]:
    """Every public write the page sends: (which, its JSON body)."""
    seen: list[tuple[str, dict]] = []

    def record(request):
        if request.method == "POST" and "/api/v1/public/" in request.url:
            which = next((w for w in WRITES if request.url.endswith(w)), request.url)
            seen.append((which, request.post_data_json))
    page.on("request", record)
    return seen


def stored_id(page):
    return page.evaluate("() => localStorage.getItem('rv_vid')")


def id_cookie(page):
    return next((c for c in page.context.cookies() if c["name"] == "rv_vid"), None)


def vote(page):
    first = page.locator(".review").first
    first.locator(".vote[value=up]").click()
    first.locator(".vote[value=up][aria-pressed=true]").wait_for()


def test_viewing_pages_makes_no_visitor_id(live, page, reviewed):
    shop = reviewed
    loaded: list[str] = []
    page.on("response", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]) if "/widget/v1/" in r.url else None)
    writes = watch_writes(page)
    # A product page with a query that is no referral link, and a collection page.
    url = live.embed(shop, "tee", after=f'<span data-reviews-stars="tee"></span>{stars_script(live, shop)}')
    page.goto(f"{url}?utm_source=mail")
    ready(page)
    page.locator("[data-reviews-stars] >> [role=img]").wait_for()
    page.get_by_label("Sort by").select_option("helpful")
    page.get_by_role("button", name="Write a review").click()  # opening the form is no write either
    page.locator("form.form").wait_for()
    page.get_by_role("button", name="Report").click()
    assert writes == []
    assert stored_id(page) is None and id_cookie(page) is None
    assert "visitor.js" not in loaded


def test_the_first_vote_makes_the_id_and_every_later_write_sends_it(live, page, reviewed):
    shop = reviewed
    _, code = referrer(live, shop)
    writes = watch_writes(page)
    page.goto(live.embed(shop, "tee"))
    ready(page)
    vote(page)
    (which, body), = writes
    made = body["visitor_id"]
    assert which == "/votes" and ID.match(made)
    assert stored_id(page) == made
    jar = id_cookie(page)
    assert jar["value"] == made and jar["path"] == "/" and jar["sameSite"] == "Lax" and not jar["httpOnly"]
    assert jar["domain"] == "localhost"  # first-party: the shop's own origin, not the service's
    assert 364.9 < (jar["expires"] - time.time()) / 86400 <= 365

    # A report on the same page, then on another page a review and a visit through a referral link.
    first = page.locator(".review").first
    first.get_by_role("button", name="Report").click()
    first.get_by_role("button", name="Send report").click()
    first.locator(".note").wait_for()
    page.goto(live.embed(shop, "tee"))
    ready(page)
    page.get_by_role("button", name="Write a review").click()
    form = page.locator("form.form")
    form.locator(".rate label").nth(4).click()
    form.get_by_label("Your name").fill("Mila Novak")
    form.get_by_label("E-mail address").fill("mila@example.com")
    form.get_by_role("button", name="Submit review").click()
    page.locator(".done").wait_for()
    page.goto(live.embed(shop, "tee") + f"?ref={code}")
    until(page, "() => ReviewsWidget.referral()")

    assert [which for which, _ in writes] == ["/votes", "/reports", "/reviews", "/referrals/clicks"]
    assert {body["visitor_id"] for _, body in writes} == {made}
    assert stored_id(page) == made


def test_a_referral_click_on_a_collection_page_makes_the_id(live, page, reviewed):
    shop = reviewed
    _, code = referrer(live, shop)
    writes = watch_writes(page)
    url = live.page(f"""<!doctype html><html lang="en"><head><title>Collection</title></head><body><main>
        <h1>All products</h1><span data-reviews-stars="tee"></span></main>{stars_script(live, shop)}</body></html>""")
    page.goto(f"{url}?ref={code}")
    until(page, "() => localStorage.getItem('rv_ref')")
    (which, body), = writes
    assert which == "/referrals/clicks" and ID.match(body["visitor_id"])
    assert stored_id(page) == body["visitor_id"] == id_cookie(page)["value"]


def test_the_cookie_keeps_the_id_when_storage_is_cleared(live, page, reviewed):
    shop = reviewed
    writes = watch_writes(page)
    page.goto(live.embed(shop, "tee"))
    ready(page)
    vote(page)
    made = writes[0][1]["visitor_id"]
    page.evaluate("() => localStorage.clear()")
    page.goto(live.embed(shop, "tee"))
    ready(page)
    vote(page)
    assert writes[1][1]["visitor_id"] == made and stored_id(page) == made


def test_another_browser_on_the_same_network_gets_its_own_id_and_is_told_why_it_does_not_count(
        live, browser, reviewed):
    shop = reviewed
    made = []
    for n in range(2):
        context = browser.new_context()
        try:
            page = context.new_page()
            writes = watch_writes(page)
            page.goto(live.embed(shop, "tee"))
            ready(page)
            if n == 0:
                vote(page)
            else:  # the same address has voted on this review: the server counts it once (409)
                first = page.locator(".review").first
                first.locator(".vote[value=up]").click()
                first.locator(".error:text('You have already voted on this review.')").wait_for()
            made.append(writes[0][1]["visitor_id"])
        finally:
            context.close()
    assert made[0] != made[1] and all(ID.match(m) for m in made)
