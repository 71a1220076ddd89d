"""Writing a review: the form, photos, the API's answers, the thank-you panel, the keyboard."""

from __future__ import annotations

import pytest

from .conftest import jpeg, ready

pytestmark = pytest.mark.browser


@pytest.fixture
def product(live):
    shop = live.shop()
    pid = live.product(shop, "rain-shell", "Packable rain shell")
    live.review(shop, pid, 4, title="Dry all day")
    return shop, pid


def open_form(page):
    page.get_by_role("button", name="Write a review").click()
    form = page.locator("form.form")
    form.wait_for()  # its module loads when the button is first pressed
    return form


def test_submit_with_a_photo_downscaled_then_awaiting_moderation(live, page, product, tmp_path):
    shop, pid = product
    big = tmp_path / "big.jpg"
    big.write_bytes(jpeg(3000, 2000, seed=3))
    # What the widget hands to the upload, as the page sees it.
    page.add_init_script("""window.__uploads = []; const append = FormData.prototype.append;
        FormData.prototype.append = function (name, value) {
          if (value instanceof Blob) window.__uploads.push(value); return append.apply(this, arguments); };""")
    page.goto(live.embed(shop, pid))
    ready(page)
    form = open_form(page)
    form.locator(".rate label").nth(3).click()  # 4 stars
    form.get_by_label("Title").fill("Light and really waterproof")
    form.get_by_label("Your review").fill("Survived a whole day of rain in the Alps.")
    form.locator("input[type=file]").set_input_files(str(big))
    preview = form.locator(".upload img")
    preview.wait_for()
    assert preview.get_attribute("alt") == "Photo 1 of 1"
    assert preview.evaluate("img => img.complete && img.naturalWidth > 0")
    form.get_by_label("Your name").fill("Mila Novak")
    form.get_by_label("E-mail address").fill("mila@example.com")
    form.get_by_role("button", name="Submit review").click()
    done = page.locator(".done")
    done.wait_for()
    assert done.inner_text().split("\n", 1)[1].strip() == "Your review will appear once a moderator has checked it."
    assert page.evaluate("document.querySelector('[data-reviews-product]').shadowRoot.activeElement"
                         ".className") == "done"
    # Downscaled in the browser before upload: at most 2048 px, and less to send.
    size, width, height, kind = page.evaluate("""async () => { const b = window.__uploads[0];
        const bitmap = await createImageBitmap(b); return [b.size, bitmap.width, bitmap.height, b.type]; }""")
    assert (width, height, kind) == (2048, 1365, "image/jpeg") and size < big.stat().st_size
    review = live.stored(shop)[-1]
    assert (review.rating, review.title, review.status, review.photo_count) == (
        4, "Light and really waterproof", "pending", 1)
    assert review.locale == "en"


def test_a_second_review_from_the_same_address_is_explained(live, page, product):
    shop, pid = product
    for attempt in range(2):
        page.goto(live.embed(shop, pid))
        ready(page)
        form = open_form(page)
        form.locator(".rate label").nth(4).click()
        form.get_by_label("Your name").fill("Mila")
        form.get_by_label("E-mail address").fill("mila@example.com")
        form.get_by_role("button", name="Submit review").click()
        if attempt == 0:
            page.locator(".done").wait_for()
    page.locator(".form-error:text('You have already reviewed this product.')").wait_for()


def test_thank_you_panel_lets_the_buyer_rate_each_product(live, page, tmp_path):
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt", image_url=f"{live.origin}/demo/img/merino-tee.svg")
    live.product(shop, "shell", "Rain shell")
    token = live.order(shop, [("tee", "Merino T-shirt"), ("shell", "Rain shell")], name="Mila Novak")
    url = live.embed(shop, body=f'<div data-reviews-token="{token}" data-reviews-key="{shop.public_key}"></div>')
    page.goto(url)
    ready(page)
    assert page.locator(".heading").inner_text() == "Rate what you bought"
    # Only a full name: the widget's answer holds its first word, never the whole name.
    assert page.locator(".intro").inner_text().startswith("Hi Mila!")
    products = page.locator(".purchase")
    assert products.locator(".purchase-name").all_inner_texts() == ["Merino T-shirt", "Rain shell"]
    tee = products.first
    # Only the stars until the buyer picks some: then the rest of the form, without an e-mail.
    assert tee.locator(".rest").is_hidden()
    tee.locator(".rate label").nth(4).click()
    assert tee.locator(".rest").is_visible()
    assert tee.locator("input[type=email]").count() == 0
    assert tee.get_by_label("Your name").input_value() == "Mila"
    tee.get_by_label("Your review").fill("Soft and warm.")
    photo = tmp_path / "tee.jpg"
    photo.write_bytes(jpeg(640, 480))
    tee.locator("input[type=file]").set_input_files(str(photo))
    tee.locator(".upload img").wait_for()
    tee.get_by_role("button", name="Submit review").click()
    tee.locator(".done").wait_for()
    assert tee.locator(".done p").inner_text() == "Your review is published."
    review = live.stored(shop)[-1]
    assert (review.verified_buyer, review.status, review.source, review.author_name, review.photo_count) == (
        True, "published", "thank_you", "Mila", 1)
    page.reload()
    ready(page)
    assert page.locator(".purchase").first.locator(".reviewed").inner_text() == "Reviewed. Thank you!"
    assert page.locator(".purchase").nth(1).locator("form").count() == 1


def test_keyboard_only_submission(live, page, product):
    shop, pid = product
    page.goto(live.embed(shop, pid))
    ready(page)
    write = page.get_by_role("button", name="Write a review")
    # From the top of the page, Tab reaches "Write a review" after the histogram's bars.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("(document.activeElement.shadowRoot || document).activeElement?.textContent") \
                == "Write a review":
            break
    else:
        pytest.fail("Write a review is not reachable with Tab")
    outline = write.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline == "solid"  # a visible focus ring
    page.keyboard.press("Enter")
    page.locator("form.form").wait_for()  # its module loads when the button is first pressed
    # Focus is now on the stars: arrow keys choose, like any radio group.
    page.keyboard.press("Space")
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("Good value")
    page.keyboard.press("Tab")
    page.keyboard.type("Does what it says.")
    page.keyboard.press("Tab")  # the photo picker
    page.keyboard.press("Tab")
    page.keyboard.type("Kim Lee")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(".done").wait_for()
    review = live.stored(shop)[-1]
    assert (review.rating, review.title, review.body, review.author_name, review.email) == (
        3, "Good value", "Does what it says.", "Kim Lee", "kim@example.com")


def test_server_rendered_form_is_replaced_when_javascript_runs(live, page, browser):
    """The hosted review page's pattern: a working <form> that the widget replaces."""
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    url = live.embed(shop, body=f"""<form class="review-form" method="post" action="/nowhere"
        data-reviews-token="{token}" data-reviews-key="{shop.public_key}">
        <label>Rating <input name="rating-0"></label><button>Send my reviews</button></form>""")
    page.goto(url)
    ready(page)
    assert page.locator("form.review-form").is_hidden()
    assert page.locator(".purchase-name").inner_text() == "Merino T-shirt"
    # Without JavaScript, the page's own form is all there is, and it works as before.
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(url)
        assert plain.locator("form.review-form").is_visible()
        assert plain.get_by_role("button", name="Send my reviews").is_visible()
    finally:
        context.close()


def test_hosted_review_page_runs_the_widget_under_its_own_csp(live, page):
    """The real /review/<token> page: the widget takes the form over, posts from the service's own
    origin, and nothing breaks its CSP."""
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")])
    violations: list = []
    page.expose_function("reportViolation", lambda v: violations.append(v))
    page.add_init_script("document.addEventListener('securitypolicyviolation',"
                         " e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))")
    page.goto(f"{live.origin}/review/{token}")
    ready(page)
    assert page.locator("form.review-form").is_hidden()
    tee = page.locator(".purchase").first
    tee.locator(".rate label").nth(4).click()
    tee.get_by_label("Your review").fill("Soft and warm.")
    tee.get_by_role("button", name="Submit review").click()
    tee.locator(".done").wait_for()
    assert tee.locator(".done p").inner_text() == "Your review is published."
    assert [(r.source, r.rating) for r in live.stored(shop)] == [("thank_you", 5)]
    assert violations == []
