"""When a write fails, the shopper is told why, in their language; what the page can check itself
(an empty form) is checked before anything is sent; the form's module loads only when wanted."""

from __future__ import annotations

import json

import pytest

from .conftest import ready

pytestmark = pytest.mark.browser

PROBLEMS = {
    403: "Origin not allowed.", 409: "Already there.", 422: "Unknown field.", 429: "Slow down.",
}


@pytest.fixture
def reviewed(live):
    shop = live.shop()
    pid = live.product(shop, "lamp", "Desk lamp")
    live.review(shop, pid, 4, title="Bright enough", body="Warm light.")
    return shop, pid


def short(value) -> str:
    """A short test id: the language and the status, not the whole message."""
    return str(value) if len(str(value)) <= 8 else "said"


def fail(page, path: str, status: int | str):
    """Answer every POST to `path` (a glob) with `status` as problem+json, or drop the connection."""
    def handle(route):
        if route.request.method != "POST":
            return route.continue_()
        if status == "network":
            return route.abort("failed")
        return route.fulfill(status=status, content_type="application/problem+json", body=json.dumps(
            {"type": "about:blank", "title": "Refused", "status": status, "detail": PROBLEMS[status]}))
    page.route(path, handle)


def posts(page, suffix: str) -> list:
    seen: list = []
    page.on("request", lambda r: seen.append(r) if r.method == "POST" and r.url.endswith(suffix) else None)
    return seen


def open_form(page):
    page.get_by_role("button", name="Write a review").click()
    form = page.locator("form.form")
    form.wait_for()
    return form


def fill_form(form):
    form.locator(".rate label").nth(4).click()
    form.get_by_label("Your name").fill("Mila Novak")
    form.get_by_label("E-mail address").fill("mila@example.com")


# --- a failed vote, report or review says why ---------------------------------------------------

@pytest.mark.parametrize("lang, status, message", [
    ("en", 403, "This page cannot send reviews, votes or reports. Please contact the shop."),
    ("en", 409, "You have already voted on this review."),
    ("en", 422, "This could not be sent as it is. Please reload the page and try again."),
    ("en", 429, "Too many attempts. Please wait a minute, then try again."),
    ("en", "network", "No connection. Check your internet connection and try again."),
    ("hy", 409, "Դուք արդեն քվեարկել եք այս կարծիքի համար։"),
    ("hy", 429, "Չափազանց շատ փորձեր։ Սպասեք մեկ րոպե և նորից փորձեք։"),
    ("ka", 403, "ამ გვერდიდან შეფასებების, ხმების ან საჩივრების გაგზავნა შეუძლებელია. "
                "გთხოვთ, დაუკავშირდეთ მაღაზიას."),
    ("vi", "network", "Không có kết nối. Vui lòng kiểm tra kết nối Internet rồi thử lại."),
    ("ar", 422, "تعذّر إرسال هذا كما هو. يُرجى إعادة تحميل الصفحة والمحاولة مجددًا."),
], ids=short)
def test_a_failed_vote_says_why_where_it_is_heard(live, page, reviewed, lang, status, message):
    shop, pid = reviewed
    fail(page, "**/reviews/*/votes", status)
    page.goto(live.embed(shop, pid, lang=lang, dir="rtl" if lang == "ar" else "ltr"))
    ready(page)
    first = page.locator(".review").first
    first.locator(".vote[value=up]").click()
    said = first.locator("[role=status].error")
    said.filter(has_text=message).wait_for()
    assert said.is_visible() and said.inner_text() == message
    assert first.locator(".vote[value=up]").get_attribute("aria-pressed") == "false"


def test_a_vote_that_goes_through_after_a_failure_clears_the_message(live, page, reviewed):
    shop, pid = reviewed
    answers = iter(["network"])
    page.route("**/reviews/*/votes", lambda route: route.abort("failed") if next(answers, None)
               else route.continue_())
    page.goto(live.embed(shop, pid))
    ready(page)
    first = page.locator(".review").first
    yes = first.locator(".vote[value=up]")
    yes.click()
    first.locator(".error:text('No connection. Check your internet connection and try again.')").wait_for()
    yes.click()
    first.locator(".vote[value=up][aria-pressed=true]").wait_for()
    assert first.locator("[role=status].error").inner_text() == ""


@pytest.mark.parametrize("lang, status, message", [
    ("en", 409, "You have already reported this review."),
    ("en", 403, "This page cannot send reviews, votes or reports. Please contact the shop."),
    ("en", "network", "No connection. Check your internet connection and try again."),
    ("lo", 409, "ທ່ານໄດ້ລາຍງານຄຳເຫັນນີ້ແລ້ວ."),
], ids=short)
def test_a_failed_report_says_why(live, page, reviewed, lang, status, message):
    shop, pid = reviewed
    fail(page, "**/reviews/*/reports", status)
    page.goto(live.embed(shop, pid, lang=lang))
    ready(page)
    first = page.locator(".review").first
    first.locator(".review-actions .link").click()
    first.locator("form.report button[type=submit]").click()
    error = first.locator("form.report .error")
    error.filter(has_text=message).wait_for()
    assert error.get_attribute("role") in ("status", "alert")  # a live region: it is heard
    assert first.locator("form.report").is_visible()  # the report can be sent again


@pytest.mark.parametrize("lang, status, message", [
    ("en", 403, "This page cannot send reviews, votes or reports. Please contact the shop."),
    ("en", 409, "You have already reviewed this product."),
    ("en", 422, "This could not be sent as it is. Please reload the page and try again."),
    ("en", 429, "Too many attempts. Please wait a minute, then try again."),
    ("en", "network", "No connection. Check your internet connection and try again."),
    ("vi", 429, "Bạn đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."),
    ("ka", "network", "კავშირი არ არის. შეამოწმეთ ინტერნეტკავშირი და ხელახლა სცადეთ."),
], ids=short)
def test_a_failed_submission_says_why_and_keeps_what_was_written(live, page, reviewed, lang, status, message):
    shop, pid = reviewed
    fail(page, f"**/products/{pid}/reviews", status)
    page.goto(live.embed(shop, pid, lang=lang))
    ready(page)
    page.locator(".cta .button.primary").click()
    form = page.locator("form.form")
    form.wait_for()
    form.locator(".rate label").nth(4).click()
    form.locator("input[name=display_name]").fill("Mila Novak")
    form.locator("input[name=email]").fill("mila@example.com")
    form.locator("button[type=submit]").click()
    error = form.locator(".form-error[role=alert]")
    error.filter(has_text=message).wait_for()
    assert form.locator("input[name=display_name]").input_value() == "Mila Novak"
    assert form.locator("button[type=submit]").is_enabled()
    assert live.stored(shop)[1:] == []


def test_server_field_errors_are_shown_next_to_their_fields(live, page, reviewed):
    shop, pid = reviewed
    page.route(f"**/products/{pid}/reviews", lambda route: route.fulfill(
        status=422, content_type="application/problem+json", body=json.dumps({
            "status": 422, "title": "Invalid", "errors": {"title": ["Too long."], "photo_ids": ["Taken."]}}))
        if route.request.method == "POST" else route.continue_())
    page.goto(live.embed(shop, pid))
    ready(page)
    form = open_form(page)
    fill_form(form)
    form.get_by_label("Title").fill("Bright")
    form.get_by_role("button", name="Submit review").click()
    page.locator(".form-error:text('Please check the marked fields.')").wait_for()
    title = form.get_by_label("Title")
    assert title.get_attribute("aria-invalid") == "true"
    error_id = title.get_attribute("aria-describedby").split()[-1]
    assert form.locator(f"#{error_id}").inner_text() == "Please check the title."
    assert form.locator(".error:visible").all_inner_texts() == [
        "Please check the title.",
        "A photo could not be used. Choose a JPEG, PNG or WebP photo of at most 10 MB."]
    assert page.evaluate("document.querySelector('[data-reviews-product]').shadowRoot.activeElement.name") \
        == "title"


# --- what the page checks itself ----------------------------------------------------------------

def test_an_empty_form_is_explained_without_a_request(live, page, reviewed):
    shop, pid = reviewed
    sent = posts(page, f"/products/{pid}/reviews")
    page.goto(live.embed(shop, pid))
    ready(page)
    form = open_form(page)
    form.get_by_role("button", name="Submit review").click()
    page.locator(".form-error:text('Please check the marked fields.')").wait_for()
    assert form.locator(".error:visible").all_inner_texts() == [
        "Choose a star rating.", "Enter the name to show with your review.", "Enter a valid e-mail address."]
    assert form.locator("fieldset").get_attribute("aria-invalid") == "true"
    assert form.get_by_label("Your name").get_attribute("aria-invalid") == "true"
    # Focus goes to the first thing to fix: the stars.
    assert page.evaluate("document.querySelector('[data-reviews-product]').shadowRoot.activeElement"
                         ".type") == "radio"
    form.get_by_label("E-mail address").fill("not-an-address")
    form.get_by_role("button", name="Submit review").click()
    assert form.get_by_label("E-mail address").get_attribute("aria-invalid") == "true"
    assert sent == [] and live.stored(shop)[1:] == []


def test_a_text_is_asked_for_before_sending_where_the_shop_wants_one(live, page):
    shop = live.shop(allow_rating_only=False)
    pid = live.product(shop, "lamp", "Desk lamp")
    sent = posts(page, f"/products/{pid}/reviews")
    page.goto(live.embed(shop, pid))
    ready(page)
    form = open_form(page)
    fill_form(form)
    form.get_by_role("button", name="Submit review").click()
    page.locator(".error:text('Write a few words about the product.')").wait_for()
    assert form.locator(".error:visible").count() == 1 and sent == []
    form.get_by_label("Your review").fill("Warm light, sturdy base.")
    form.get_by_role("button", name="Submit review").click()
    page.locator(".done").wait_for()
    assert len(sent) == 1 and live.stored(shop)[0].body == "Warm light, sturdy base."


def test_choosing_a_star_clears_the_rating_error_at_once(live, page, reviewed):
    shop, pid = reviewed
    page.goto(live.embed(shop, pid))
    ready(page)
    form = open_form(page)
    form.get_by_role("button", name="Submit review").click()
    rating_error = form.locator("fieldset .error")
    rating_error.wait_for()
    assert rating_error.inner_text() == "Choose a star rating."
    form.locator(".rate label").nth(2).click()
    assert rating_error.is_hidden()
    assert form.locator("fieldset").get_attribute("aria-invalid") is None
    # The other fields' errors stay until they are fixed.
    assert form.locator(".error:visible").count() == 2


def test_the_thank_you_panel_checks_before_sending_too(live, page):
    shop = live.shop()
    live.product(shop, "tee", "Merino T-shirt")
    token = live.order(shop, [("tee", "Merino T-shirt")], name="")
    sent = posts(page, "/products/tee/reviews")
    page.goto(live.embed(shop, body=f'<div data-reviews-token="{token}" data-reviews-key="{shop.public_key}">'
                                    "</div>"))
    ready(page)
    tee = page.locator(".purchase").first
    tee.locator(".rate label").nth(3).click()
    tee.get_by_role("button", name="Submit review").click()
    tee.locator(".error:text('Enter the name to show with your review.')").wait_for()
    assert sent == []
    tee.get_by_label("Your name").fill("Mila")
    tee.get_by_role("button", name="Submit review").click()
    tee.locator(".done").wait_for()
    assert len(sent) == 1


# --- the form's module --------------------------------------------------------------------------

def test_the_form_module_loads_only_when_a_form_is_wanted(live, page, reviewed):
    shop, pid = reviewed
    loaded: list[str] = []
    page.on("response", lambda r: loaded.append(r.url.rsplit("/", 1)[-1]) if "/widget/v1/" in r.url else None)
    page.goto(live.embed(shop, pid))
    ready(page)
    page.locator(".review").first.wait_for()
    assert "form.js" not in loaded
    form = open_form(page)
    assert loaded.count("form.js") == 1
    # Focus is in the form, on the stars, as soon as it is there.
    assert page.evaluate("document.querySelector('[data-reviews-product]').shadowRoot.activeElement"
                         ".type") == "radio"
    page.get_by_role("button", name="Write a review").click()  # closes it
    assert form.count() == 0
    open_form(page)
    assert loaded.count("form.js") == 1  # fetched once per page


def test_a_form_module_that_cannot_load_says_so_and_can_be_tried_again(live, page, reviewed):
    shop, pid = reviewed
    attempts = iter(["fail"])
    page.route("**/form.js", lambda route: route.abort("failed") if next(attempts, None) else route.continue_())
    page.goto(live.embed(shop, pid))
    ready(page)
    write = page.get_by_role("button", name="Write a review")
    write.click()
    page.locator(".error:text('No connection. Check your internet connection and try again.')").wait_for()
    write.click()  # closes
    open_form(page)
