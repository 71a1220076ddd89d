"""The reviews view as a shopper uses it: summary, list, sorting, filters, more, photos, votes."""

from __future__ import annotations

import json

import pytest

from .conftest import ready

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(live):
    """A product with 13 reviews: ratings 1 to 5, three with photos, one with a reply."""
    shop = live.shop()
    pid = live.product(shop, "trail-2", "Trail Runner 2")
    ratings = [5, 4, 5, 3, 5, 1, 4, 5, 2, 5, 4, 5, 3]
    for n, rating in enumerate(ratings):
        live.review(shop, pid, rating, title=f"Review {n}", body=f"Body of review {n}.", name=f"Person{n} Lastname",
                    photos=2 if n in (2, 7) else 1 if n == 11 else 0, days_ago=n,
                    reply="Thank you for the feedback!" if n == 0 else None)
    return shop, pid, ratings


def shown_titles(page) -> list[str]:
    return page.locator(".review-title").all_inner_texts()


def test_renders_summary_histogram_and_first_page(live, page, catalog):
    shop, pid, ratings = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    assert page.locator(".average").inner_text() == "3.9"
    assert page.locator(".count").inner_text().endswith("Based on 13 reviews")
    bars = page.locator(".bar")
    assert bars.count() == 5
    assert page.get_by_role("button", name="5 stars 6 6 reviews, 46%").count() == 0  # the visible 6 is not read twice
    assert page.get_by_role("button", name="5 stars 6 reviews, 46%", exact=True).is_visible()
    assert page.get_by_role("button", name="1 star 1 review, 8%", exact=True).is_visible()
    # Newest first, ten of them, with what each review carries.
    assert shown_titles(page) == [f"Review {n}" for n in range(10)]
    first = page.locator(".review").first
    assert first.locator(".author").inner_text() == "Person0 L."
    assert first.locator("time").get_attribute("datetime")
    assert first.locator(".label summary").inner_text() == "Verified buyer"
    assert first.locator(".reply-body").inner_text() == "Thank you for the feedback!"
    assert first.locator(".reply-by").inner_text().startswith("Response from Trail Shop")
    assert page.locator("[role=status]").first.inner_text() == "Reviews shown: 10 of 13"
    assert page.locator(".policy").first.get_attribute("href").startswith(f"{live.origin}/policy/{shop.public_key}")


def test_label_explains_itself(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    label = page.locator(".label").first
    label.locator("summary").click()
    assert label.locator("p").inner_text() == "The shop confirmed that this reviewer bought the product."


@pytest.mark.parametrize("sort, expected", [
    ("lowest", [1, 2, 3, 3, 4, 4, 4, 5, 5, 5]),
    ("highest", [5, 5, 5, 5, 5, 5, 4, 4, 4, 3]),
    ("oldest", None),
])
def test_sorting_reloads_the_list_in_that_order(live, page, catalog, sort, expected):
    shop, pid, ratings = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    page.locator("select").first.select_option(sort)
    if sort == "oldest":
        page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                               ".querySelector('.review-title').textContent === 'Review 12'")
        assert shown_titles(page) == [f"Review {n}" for n in range(12, 2, -1)]
        return
    page.wait_for_function(f"""() => [...document.querySelector('[data-reviews-product]').shadowRoot
        .querySelectorAll('.review .stars + .visually-hidden')].map(e => e.textContent).join() === {json.dumps(
        ",".join(f"Rated {n} out of 5" for n in expected))}""")


def test_clicking_a_histogram_bar_filters_by_that_rating(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    bar = page.locator(".bar[data-stars='4']")
    bar.click()
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           ".querySelectorAll('.review').length === 3")
    assert bar.get_attribute("aria-pressed") == "true"
    assert sorted(shown_titles(page)) == ["Review 1", "Review 10", "Review 6"]
    assert page.locator("[role=status]").first.inner_text() == "Reviews shown: 3 of 3"
    assert page.locator(".filter").inner_text().startswith("Showing reviews with 4 stars.")
    # The same bar again, or "show all", brings every review back.
    page.locator(".filter button").click()
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           ".querySelectorAll('.review').length === 10")
    assert bar.get_attribute("aria-pressed") == "false"


def test_with_photos_shows_only_reviews_with_photos(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    page.get_by_label("Only with photos").check()
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           ".querySelectorAll('.review').length === 3")
    assert shown_titles(page) == ["Review 2", "Review 7", "Review 11"]
    assert page.locator(".review .thumb img").count() == 5
    assert page.locator("[role=status]").first.inner_text() == "Reviews shown: 3"


def test_show_more_loads_the_next_page_and_moves_focus_to_it(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    more = page.get_by_role("button", name="Show more reviews")
    more.click()
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           ".querySelectorAll('.review').length === 13")
    assert shown_titles(page) == [f"Review {n}" for n in range(13)]
    assert not more.is_visible()
    focused = page.evaluate("document.querySelector('[data-reviews-product]').shadowRoot.activeElement"
                            ".querySelector('.review-title').textContent")
    assert focused == "Review 10"
    assert page.locator("[role=status]").first.inner_text() == "Reviews shown: 13 of 13"


def test_photos_open_in_a_lightbox_that_the_keyboard_can_use(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    thumb = page.get_by_role("button", name="Open photo 1 of 2").first
    thumb.click()
    dialog = page.get_by_role("dialog", name="Photo 1 of 2")
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           ".querySelector('dialog img').complete")
    assert dialog.locator("img").evaluate("img => img.naturalWidth") > 0
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("dialog", name="Photo 2 of 2").is_visible()
    page.keyboard.press("Escape")
    page.locator("dialog").wait_for(state="detached")
    assert page.evaluate("document.querySelector('[data-reviews-product]').shadowRoot.activeElement"
                         ".getAttribute('aria-label')") == "Open photo 2 of 2"  # the photo last shown


def test_helpful_vote_and_report(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid))
    ready(page)
    first = page.locator(".review").first
    yes = first.locator(".vote[value=up]")
    assert yes.inner_text() == "Yes · 0"
    yes.click()
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           ".querySelector('.vote').textContent === 'Yes · 1'")
    assert yes.get_attribute("aria-pressed") == "true"
    first.get_by_role("button", name="Report").click()
    first.get_by_label("Reason").select_option("spam")
    first.get_by_label("Details").fill("Advertises another shop.")
    first.get_by_role("button", name="Send report").click()
    assert first.locator(".note").inner_text() == "Thank you. A moderator will look at this review."
    stored = live.stored(shop)
    assert sum(r.report_count for r in stored) == 1 and sum(r.helpful_up for r in stored) == 1


def test_several_widgets_on_one_page_share_their_assets(live, page):
    shop = live.shop()
    a = live.product(shop, "a", "Product A")
    b = live.product(shop, "b", "Product B")
    live.review(shop, a, 5, title="About A")
    live.review(shop, b, 2, title="About B")
    assets = []
    page.on("request", lambda r: assets.append(r.url) if "/widget/v1/" in r.url else None)
    page.goto(live.embed(shop, body=f"""
        <div data-reviews-product="{a}" data-reviews-key="{shop.public_key}"></div>
        <div data-reviews-product="{b}" data-reviews-key="{shop.public_key}"></div>"""))
    ready(page, 2)
    widgets = page.locator("[data-reviews-product]")
    assert widgets.nth(0).locator(".review-title").all_inner_texts() == ["About A"]
    assert widgets.nth(1).locator(".review-title").all_inner_texts() == ["About B"]
    assert len([u for u in assets if u.endswith("/reviews.css")]) == 1
    assert len([u for u in assets if "/locales/" in u]) == 1


def test_reviews_below_the_fold_load_only_when_scrolled_near(live, page, catalog):
    shop, pid, _ = catalog
    api = []
    page.on("request", lambda r: api.append(r.url) if "/api/v1/public/" in r.url else None)
    page.goto(live.embed(shop, pid, before='<div style="height:4000px">Tall product description</div>'))
    page.wait_for_timeout(600)
    assert not [u for u in api if "/reviews" in u or "/rating" in u]
    # Its space is reserved already, so nothing moves when it renders.
    assert page.locator("[data-reviews-product]").bounding_box()["height"] >= 300
    page.mouse.wheel(0, 3600)
    ready(page)
    assert [u for u in api if f"/products/{pid}/reviews" in u]
    assert page.locator(".review").count() == 10


def test_empty_product_invites_the_first_review(live, page):
    shop = live.shop()
    pid = live.product(shop, "new", "Brand new")
    page.goto(live.embed(shop, pid))
    ready(page)
    assert page.locator(".empty p").inner_text() == "No reviews yet. Be the first to share your experience."
    assert page.locator(".tools").is_hidden()
    assert page.get_by_role("button", name="Write a review").is_visible()


def test_dark_theme_and_custom_properties(live, page, catalog):
    shop, pid, _ = catalog
    page.goto(live.embed(shop, pid, attrs='data-reviews-theme="dark"', head=""))
    ready(page)
    bg = page.locator(".widget").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(13, 17, 23)"


def test_unknown_product_says_so_with_a_retry(live, page):
    shop = live.shop()
    page.goto(live.embed(shop, "no-such-product"))
    ready(page)
    assert page.locator(".message").inner_text().startswith("The reviews could not be loaded.")
    assert page.get_by_role("button", name="Try again").is_visible()
