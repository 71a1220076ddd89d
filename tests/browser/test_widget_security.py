"""A shop with a strict Content-Security-Policy, and hostile text everywhere the widget shows text."""

from __future__ import annotations

import pytest
import requests

from reviews_service.catalog import service as catalog
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews.models import Reply, Review
from reviews_service.shops import service as shops

from .conftest import jpeg, ready

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


def strict_csp(live) -> dict:
    return {"Content-Security-Policy": (
        f"default-src 'self'; script-src 'self' {live.origin}; style-src 'self'; "
        f"connect-src {live.origin}; img-src {live.origin}; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'none'")}


def test_strict_csp_host_page_has_no_violations(live, page, tmp_path):
    shop = live.shop()
    pid = live.product(shop, "shell", "Rain shell")
    live.review(shop, pid, 5, title="With a photo", photos=2, reply="Thanks!")
    token = live.order(shop, [(pid, "Rain shell")])
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(900, 600))
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(live.embed(shop, body=f"""
        <div data-reviews-product="{pid}" data-reviews-key="{shop.public_key}" data-reviews-theme="auto"></div>
        <div data-reviews-token="{token}" data-reviews-key="{shop.public_key}"></div>""",
                         headers=strict_csp(live)))
    ready(page, 2)
    # Styled: the adopted stylesheet applies even though the page allows no inline style.
    button = page.get_by_role("button", name="Write a review")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(29, 78, 216)"
    # Everything that loads or draws something: the lightbox, the form, a photo upload, a submit.
    page.get_by_role("button", name="Open photo 1 of 2").click()
    page.keyboard.press("Escape")
    button.click()
    form = page.locator("[data-reviews-product] form.form")
    form.locator(".rate label").nth(4).click()
    form.locator("input[type=file]").set_input_files(str(photo))
    form.locator(".upload img").wait_for()
    form.get_by_label("Your name").fill("Mila")
    form.get_by_label("E-mail address").fill("mila@example.com")
    form.get_by_role("button", name="Submit review").click()
    page.locator("[data-reviews-product] .done").wait_for()
    assert page.evaluate("window.__violations") == []
    assert page.evaluate("document.querySelectorAll('style, [style]').length") == 0


# --- XSS --------------------------------------------------------------------------------------

PAYLOADS = [
    '<img src=x onerror="window.__xss=1;document.title=\'pwned\'">',
    "<img/src=x/onerror=window.__xss=2>",
    "<script>window.__xss=3</script>",
    '"><svg onload="window.__xss=4">',
    "<svg/onload=window.__xss=5>",
    "javascript:window.__xss=6",
    "</script><script>window.__xss=7</script>",
    '<iframe srcdoc="<script>parent.__xss=8</script>"></iframe>',
    "<details open ontoggle=window.__xss=9>",
    "' onmouseover='window.__xss=10' x='",
    "{{constructor.constructor('window.__xss=11')()}}",
    '<a href="javascript:window.__xss=12">click</a>',
    "<style>*{display:none}</style>",
    "\u202e<b>reversed</b>&lt;&amp;",
]
JS_URL = "javascript:window.__xss=13"


@pytest.fixture
def hostile(live):
    """Every payload as a display name, a title, a body, a reply, a product and a shop name."""
    shop = live.shop()
    pid = live.product(shop, "p", PAYLOADS[0], url=JS_URL, image_url=JS_URL)
    api = f"{live.origin}/api/v1/public/{shop.public_key}"
    for n, payload in enumerate(PAYLOADS):
        token = live.order(shop, [(pid, payload)], name=f"Buyer {n}")
        answer = requests.post(f"{api}/products/{pid}/reviews", timeout=10, json={
            "rating": 1 + n % 5, "title": payload[:150], "body": f"{payload}\n{payload}",
            "display_name": payload, "token": token})
        assert answer.status_code == 201, answer.text
    with live.ctx():
        s = shops.get_shop(shop.id)
        s.name = PAYLOADS[3]
        # Hostile product links and pictures can only come from the shop's backend, and only
        # through the service (the API refuses them): the widget must still never use them.
        catalog.upsert_product(s, pid, {"name": PAYLOADS[0], "url": JS_URL, "image_url": JS_URL})
        for n, review in enumerate(db.session.scalars(db.select(Review).where(Review.shop_id == shop.id))):
            # Moderation rules may hold or reject a payload: a moderator publishes it anyway, since
            # what matters here is what the widget does with it.
            if review.status != "published":
                moderation.transition(review, "published", actor="moderator")
            db.session.add(Reply(review_id=review.id, body=PAYLOADS[n % len(PAYLOADS)]))
        db.session.commit()
    token = live.order(shop, [(pid, PAYLOADS[0])], name=PAYLOADS[4])
    return shop, pid, token


def test_no_payload_runs_anywhere_the_widget_shows_text(live, page, hostile):
    shop, pid, token = hostile
    page.goto(live.embed(shop, body=f"""
        <div data-reviews-product="{pid}" data-reviews-key="{shop.public_key}"></div>
        <div data-reviews-token="{token}" data-reviews-key="{shop.public_key}"></div>"""))
    ready(page, 2)
    page.get_by_role("button", name="Show more reviews").click()
    page.wait_for_function("document.querySelector('[data-reviews-product]').shadowRoot"
                           f".querySelectorAll('.review').length === {len(PAYLOADS)}")
    # Open every label and hover every review, for payloads that wait for an event.
    for summary in page.locator("summary").all():
        summary.click()
    for review in page.locator(".review").all():
        review.hover()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.title() == "Host page"
    # The text is all there, as text.
    text = page.evaluate("""() => [...document.querySelectorAll('[data-reviews-product],[data-reviews-token]')]
        .map(e => e.shadowRoot.textContent).join('\\n')""")
    for payload in PAYLOADS:
        assert payload[:150] in text
    # And no element came from it: only what the widget itself makes.
    made = page.evaluate("""() => [...document.querySelectorAll('[data-reviews-product],[data-reviews-token]')]
        .flatMap(e => [...e.shadowRoot.querySelectorAll('script, iframe, style, [onerror], [onload], [ontoggle],'
          + '[onmouseover], a[href^="javascript"], img[src^="javascript"], img[src="x"], b')]).length""")
    assert made == 0
    assert page.locator(".purchase-name a").count() == 0  # the javascript: link is not a link
    assert page.locator(".purchase-head img").count() == 0
    assert page.locator(".reply-by").first.inner_text() == f"Response from {PAYLOADS[3]}"
