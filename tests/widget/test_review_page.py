"""The hosted review page, `/review/<token>`, driven as a browser with JavaScript off would drive it:
GET the form, read the CSRF token out of the HTML, POST multipart, follow the 303."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from reviews_service import clock, i18n, tokens
from reviews_service.widget import pages

from ..factories import jpeg, make_order, make_product, make_shop
from ..helpers import row_counts

# --- helpers -------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def iter(self, tag: str | None = None):
        for child in self.children:
            if tag is None or child.tag == tag:
                yield child
            yield from child.iter(tag)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def link_for(client, shop, order_id: str) -> str:
    """The review request's link, as the shop's backend reads it (and the e-mail will carry it)."""
    order = client.get(f"/api/v1/orders/{order_id}", headers=shop.headers).get_json()
    return order["review_request"]["url"].removeprefix("http://reviews.test")


def widget_link(client, shop, order_id: str) -> str:
    order = client.get(f"/api/v1/orders/{order_id}", headers=shop.headers).get_json()
    return f"/review/{order['widget_token']}"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form(page_html: str, **fields) -> dict:
    """The fields a browser would send: the CSRF token, the prefilled name, plus `fields`."""
    name = re.search(r'name="display_name" value="([^"]*)"', page_html).group(1)
    return {"csrf_token": csrf_of(page_html), "display_name": name, **fields}


def post(client, url: str, data: dict, **kw):
    return client.post(url, data=data, content_type="multipart/form-data", **kw)


def reviews(client, shop) -> list[dict]:
    return client.get("/api/v1/reviews", headers=shop.headers).get_json()["reviews"]


def customer(locale="en", name="Ana Buyer") -> dict:
    return {"email": "buyer@example.com", "name": name, "locale": locale}


@pytest.fixture
def order_id(app, shop):
    return make_order(app, shop, fulfilled=True,
                      items=[("sku-1", "Trail shoes"), ("sku-2", "Wool socks")])


@pytest.fixture
def url(client, shop, order_id):
    return link_for(client, shop, order_id)


# --- the form ------------------------------------------------------------------------------------

def test_page_lists_the_orders_products_with_a_form_for_each(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "Trail shoes" in html and "Wool socks" in html
    assert 'name="rating-0"' in html and 'name="rating-1"' in html
    assert 'value="Ana"' in html  # the display name, prefilled with the first name
    assert '<html lang="en" dir="ltr">' in html


def test_product_image_is_shown_when_it_is_https(app, client, shop):
    make_product(app, shop, "sku-img", "Lamp", image_url="https://cdn.example/lamp.jpg")
    make_product(app, shop, "sku-http", "Chair", image_url="http://cdn.example/chair.jpg")
    oid = make_order(app, shop, fulfilled=True, items=[("sku-img", "Lamp"), ("sku-http", "Chair")])
    html = client.get(link_for(client, shop, oid)).get_data(as_text=True)
    assert 'src="https://cdn.example/lamp.jpg"' in html
    assert "http://cdn.example/chair.jpg" not in html  # the CSP would block it: no broken image


def test_page_speaks_the_customers_language(app, client, shop):
    oid = make_order(app, shop, fulfilled=True, customer=customer("hy-AM", "Անի Պետրոսյան"))
    html = client.get(link_for(client, shop, oid)).get_data(as_text=True)
    assert '<html lang="hy" dir="ltr">' in html
    assert "Ձեր գնահատականը" in html and "Ուղարկել կարծիքները" in html
    assert "Բարև ձեզ, Անի։" in html


@pytest.mark.parametrize("lang, expected", [
    ("lo", "ຄະແນນຂອງທ່ານ"), ("ka", "თქვენი შეფასება"), ("vi", "Số sao của bạn"), ("hy", "4 աստղ"),
    ("ka-GE", "5 ვარსკვლავი"), ("vi_VN", "Gửi đánh giá"), ("de", "Ihre Bewertung"), ("es", "Valora tu pedido"),
    ("fr-CA", "Envoyer mes avis"), ("it", "La tua recensione"), ("ja", "星4つ"), ("ar", "قيّم طلبك"),
])
def test_lang_parameter_chooses_the_language(client, url, lang, expected):
    html = client.get(f"{url}?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang[:2]}"' in html
    assert expected in html


def test_unsupported_customer_locale_falls_back_to_the_shops_language(app, client):
    shop = make_shop(app, "Shop K", default_locale="ka")
    oid = make_order(app, shop, fulfilled=True, customer=customer("ko"))
    html = client.get(link_for(client, shop, oid) + "?lang=xx").get_data(as_text=True)
    assert '<html lang="ka"' in html


def test_every_field_has_a_label_and_stars_are_a_radio_group_with_a_legend(client, url):
    root = parse(client.get(url).get_data(as_text=True))
    controls = [n for n in root.iter() if n.tag in ("input", "textarea", "select")
                and n.attrs.get("type") != "hidden"]
    ids = {n.attrs["id"] for n in controls}
    label_targets = [n.attrs.get("for") for n in root.iter("label")]
    assert set(label_targets) == ids  # every control labelled, every label pointing at one
    assert len(label_targets) == len(ids)
    radios = [n for n in controls if n.attrs.get("type") == "radio"]
    assert len(radios) == 10
    for radio in radios:
        group = next(a for a in radio.ancestors() if a.tag == "fieldset")
        legend = next(group.iter("legend"))
        assert legend.all_text().strip() == "Your rating"
        assert radio.attrs["name"] == group.attrs["id"]
    labels = {n.attrs["for"]: n.all_text().strip() for n in root.iter("label")}
    assert [labels[f"rating-0-{s}"] for s in range(1, 6)] == \
        ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
    photo = next(n for n in controls if n.attrs.get("type") == "file")
    assert photo.attrs["accept"] == "image/jpeg,image/png,image/webp"


def test_html_in_names_is_escaped(app, client, shop):
    oid = make_order(app, shop, fulfilled=True, items=[("sku-x", "<script>alert(1)</script>")],
                     customer=customer(name='"><img src=x onerror=alert(1)> B'))
    html = client.get(link_for(client, shop, oid)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_page_sends_headers_that_keep_the_token_private(client, url):
    r = client.get(url)
    assert r.headers["Content-Security-Policy"] == pages.CSP
    assert "default-src 'none'" in pages.CSP and "frame-ancestors 'none'" in pages.CSP
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    html = r.get_data(as_text=True)
    assert "style=" not in html
    # One script only: the widget, from our own origin, which enhances the form when JS is on.
    assert html.count("<script") == 1 and '<script src="/widget/v1/' in html


def test_stylesheet_is_served_by_the_blueprint(client):
    r = client.get("/assets/pages/page.css")
    assert r.status_code == 200
    assert r.mimetype == "text/css"
    assert ".stars" in r.get_data(as_text=True)


# --- the JavaScript-off flow ---------------------------------------------------------------------

def test_review_with_photo_is_stored_and_the_thank_you_says_published(client, shop, url):
    html = client.get(url).get_data(as_text=True)
    data = form(html, **{"rating-0": "5", "title-0": "Light and comfy",
                         "body-0": "Ran 40 km in them.\r\nNo blisters.",
                         "photos-0": (io.BytesIO(jpeg(64, 48)), "shoes.jpg", "image/jpeg")})
    r = post(client, url, data)
    assert r.status_code == 303, r.get_data(as_text=True)
    assert "done=1" in r.headers["Location"] and "published=sku-1" in r.headers["Location"]
    done = client.get(r.headers["Location"])
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "Thank you for your review!" in text and "Trail shoes: published." in text
    assert "Review the other products of your order" in text  # Wool socks is still open
    assert done.headers["Cache-Control"] == "no-store"

    [review] = reviews(client, shop)
    assert review["product_id"] == "sku-1" and review["rating"] == 5
    assert review["verified_buyer"] is True and review["source"] == "request"
    assert review["title"] == "Light and comfy" and review["body"] == "Ran 40 km in them.\nNo blisters."
    assert review["author_name"] == "Ana" and review["status"] == "published"
    assert len(review["photos"]) == 1 and review["photos"][0]["url"]


def test_several_products_in_one_post(client, shop, url):
    html = client.get(url).get_data(as_text=True)
    r = post(client, url, form(html, **{"rating-0": "4", "rating-1": "2", "body-1": "Itchy."}))
    assert r.status_code == 303
    assert {(x["product_id"], x["rating"]) for x in reviews(client, shop)} == {("sku-1", 4), ("sku-2", 2)}
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "You can close this page now." in done


def test_thank_you_says_when_a_review_waits_for_moderation(app, client):
    shop = make_shop(app, "Careful shop", auto_publish_verified=False)
    oid = make_order(app, shop, fulfilled=True)
    url = link_for(client, shop, oid)
    r = post(client, url, form(client.get(url).get_data(as_text=True), **{"rating-0": "3"}))
    assert "pending=sku-1" in r.headers["Location"]
    done = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Trail shoes: waiting for moderation" in done


def test_chosen_language_survives_the_post_and_the_redirect(client, shop, url):
    html = client.get(f"{url}?lang=vi").get_data(as_text=True)
    r = post(client, f"{url}?lang=vi", form(html, **{"rating-0": "5"}))
    assert "lang=vi" in r.headers["Location"]
    assert "Cảm ơn bạn đã đánh giá!" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert reviews(client, shop)[0]["locale"] == "vi"


def test_widget_token_opens_the_same_page(client, shop, order_id):
    url = widget_link(client, shop, order_id)
    html = client.get(url).get_data(as_text=True)
    assert post(client, url, form(html, **{"rating-1": "5"})).status_code == 303
    [review] = reviews(client, shop)
    assert review["source"] == "thank_you" and review["verified_buyer"] is True


def test_reviewed_products_show_as_such(client, shop, url):
    post(client, url, form(client.get(url).get_data(as_text=True), **{"rating-0": "5"}))
    root = parse(client.get(url).get_data(as_text=True))
    reviewed = [s for s in root.iter("section") if "is-reviewed" in s.attrs.get("class", "")]
    assert [s.attrs["data-product"] for s in reviewed] == ["sku-1"]
    assert "already reviewed" in reviewed[0].all_text()
    assert not any(n.attrs.get("name") == "rating-0" for n in root.iter("input"))
    assert any(n.attrs.get("name") == "rating-1" for n in root.iter("input"))


def test_when_everything_is_reviewed_there_is_no_form(client, url):
    html = client.get(url).get_data(as_text=True)
    post(client, url, form(html, **{"rating-0": "5", "rating-1": "4"}))
    again = client.get(url).get_data(as_text=True)
    assert "You have reviewed every product of this order" in again
    assert "<form" not in again


def test_form_works_over_https_without_a_referer(app, shop, url):
    # The page sends no Referer (the token is in the URL), so the CSRF check must not need one.
    client = app.test_client()
    base = "https://reviews.test"
    html = client.get(url, base_url=base).get_data(as_text=True)
    r = post(client, url, form(html, **{"rating-0": "5"}), base_url=base)
    assert r.status_code == 303


# --- refusals with the input kept ----------------------------------------------------------------

def test_post_without_csrf_token_is_400_keeps_the_text_and_stores_nothing(app, client, url):
    html = client.get(url).get_data(as_text=True)
    before = row_counts(app)
    data = form(html, **{"rating-0": "4", "body-0": "Keep me"})
    del data["csrf_token"]
    r = post(client, url, data)
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "The form has expired" in text and ">Keep me</textarea>" in text
    assert 'id="rating-0-4" name="rating-0" value="4" checked' in text
    assert row_counts(app) == before


def test_post_with_someone_elses_csrf_token_is_400(app, client, url):
    html = client.get(url).get_data(as_text=True)
    stranger = app.test_client()  # another browser: another session
    before = row_counts(app)
    assert post(stranger, url, form(html, **{"rating-0": "4"})).status_code == 400
    assert row_counts(app) == before


def test_too_long_title_is_422_next_to_the_field_and_stores_nothing(app, client, shop, url):
    html = client.get(url).get_data(as_text=True)
    before = row_counts(app)
    r = post(client, url, form(html, **{"rating-0": "4", "title-0": "x" * 200, "body-0": "Kept text"}))
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    root = parse(text)
    title = next(n for n in root.iter("input") if n.attrs.get("id") == "title-0")
    assert title.attrs["aria-invalid"] == "true"
    assert title.attrs["aria-describedby"] == "title-0-error"
    message = next(n for n in root.iter("p") if n.attrs.get("id") == "title-0-error")
    assert "at most 150 characters (you used 200)" in message.all_text()
    assert message.parent is title.parent  # in the title's own field, not somewhere else
    assert title.attrs["value"] == "x" * 200 and ">Kept text</textarea>" in text
    assert '<a href="#title-0">' in text  # the summary links to the field
    assert text.count("<title>Error: ") == 1
    assert row_counts(app) == before
    assert reviews(client, shop) == []


@pytest.mark.parametrize("fields, field_id, message", [
    ({"title-0": "Great"}, "rating-0", "Choose a star rating"),
    ({}, "rating-0", "Choose a star rating for at least one product"),
    ({"rating-0": "6"}, "rating-0", "Choose a star rating"),
    ({"rating-0": "5", "display_name": "  "}, "display-name", "Enter the name to show"),
    ({"rating-0": "5", "body-0": "b" * 5001}, "body-0", "at most 5,000 characters (you used 5,001)"),
])
def test_invalid_input_is_422_with_the_message_at_its_field(client, shop, url, fields, field_id, message):
    html = client.get(url).get_data(as_text=True)
    r = post(client, url, form(html, **fields))
    assert r.status_code == 422
    root = parse(r.get_data(as_text=True))
    error = next(n for n in root.iter("p") if n.attrs.get("id") == f"{field_id}-error")
    assert message in error.all_text()
    described = [n for n in root.iter() if field_id + "-error" in n.attrs.get("aria-describedby", "")]
    assert described
    assert reviews(client, shop) == []


def test_body_is_required_when_the_shop_wants_text(app, client):
    shop = make_shop(app, "Wordy shop", allow_rating_only=False)
    url = link_for(client, shop, make_order(app, shop, fulfilled=True))
    html = client.get(url).get_data(as_text=True)
    labels = {n.attrs["for"]: n.all_text() for n in parse(html).iter("label")}
    assert "optional" not in labels["body-0"] and "optional" in labels["title-0"]
    r = post(client, url, form(html, **{"rating-0": "5"}))
    assert r.status_code == 422
    assert "Write a few words about the product." in r.get_data(as_text=True)


def test_a_file_that_is_not_a_photo_is_422_at_the_photo_field(client, shop, url):
    html = client.get(url).get_data(as_text=True)
    data = form(html, **{"rating-0": "5", "photos-0": (io.BytesIO(b"<svg onload=alert(1)>"), "x.jpg")})
    r = post(client, url, data)
    assert r.status_code == 422
    assert "“x.jpg” is not a JPEG, PNG or WebP photo." in r.get_data(as_text=True)
    assert reviews(client, shop) == []


def test_uploaded_photos_survive_a_failed_post(client, shop, url):
    html = client.get(url).get_data(as_text=True)
    data = form(html, **{"rating-0": "5", "title-0": "t" * 151,
                         "photos-0": (io.BytesIO(jpeg(64, 48)), "a.jpg", "image/jpeg")})
    r = post(client, url, data)
    assert r.status_code == 422
    again = r.get_data(as_text=True)
    photo_id = re.search(r'name="photo-ids-0" value="([^"]+)" checked', again).group(1)
    r = post(client, url, form(again, **{"rating-0": "5", "title-0": "Fine", "photo-ids-0": photo_id}))
    assert r.status_code == 303
    assert [p["id"] for p in reviews(client, shop)[0]["photos"]] == [photo_id]


def test_a_photo_over_10_mb_is_422_even_though_the_post_is_over_the_apis_body_limit(client, shop, url):
    # Without JavaScript nothing shrinks photos first: the page accepts more than the API's 11 MB.
    html = client.get(url).get_data(as_text=True)
    big = io.BytesIO(b"\xff" * (12 * 1024 * 1024))
    r = post(client, url, form(html, **{"rating-0": "5", "photos-0": (big, "huge.jpg", "image/jpeg")}))
    assert r.status_code == 422
    assert "“huge.jpg” is larger than 10 MB." in r.get_data(as_text=True)


def test_posting_when_everything_is_reviewed_goes_back_to_the_page(client, url):
    html = client.get(url).get_data(as_text=True)
    post(client, url, form(html, **{"rating-0": "5", "rating-1": "5"}))
    r = post(client, url, form(html, **{"rating-0": "1"}))
    assert r.status_code == 303 and "done" not in r.headers["Location"]


def test_more_than_five_photos_is_422(client, shop, url):
    html = client.get(url).get_data(as_text=True)
    files = [(io.BytesIO(jpeg(64, 48)), f"{n}.jpg", "image/jpeg") for n in range(6)]
    r = post(client, url, form(html, **{"rating-0": "5", "photos-0": files}))
    assert r.status_code == 422
    assert "Choose at most 5 photos." in r.get_data(as_text=True)


# --- pages instead of the form -------------------------------------------------------------------

def test_expired_link_is_410(client, url):
    clock.travel(timedelta(days=181))
    for r in (client.get(url), post(client, url, {"rating-0": "5"})):
        assert r.status_code == 410
        text = r.get_data(as_text=True)
        assert "This link has expired" in text and "<form" not in text
        assert r.headers["Referrer-Policy"] == "no-referrer"


def test_expired_page_speaks_the_customers_language(app, client, shop):
    """The expired link is still authentic: it names the customer, whose language wins over the
    browser's."""
    oid = make_order(app, shop, fulfilled=True, customer=customer("hy-AM", "Անի Պետրոսյան"))
    link = link_for(client, shop, oid)
    clock.travel(timedelta(days=181))
    r = client.get(link, headers={"Accept-Language": "ka"})
    assert r.status_code == 410
    assert '<html lang="hy" dir="ltr">' in r.get_data(as_text=True)
    assert i18n.translate("hy", "error.expired.title") in r.get_data(as_text=True)


def test_expired_page_speaks_the_browsers_language_when_the_customers_is_not_offered(app, client, shop):
    oid = make_order(app, shop, fulfilled=True, customer=customer("ko", "Ana Buyer"))
    link = link_for(client, shop, oid)
    clock.travel(timedelta(days=181))
    r = client.get(link, headers={"Accept-Language": "ko;q=0.9, ka;q=0.8"})
    assert "ამ ბმულს ვადა გაუვიდა" in r.get_data(as_text=True)


def _foreign_token(app, shop, other_shop, client, order_id):
    """A well-signed review-request token of the other shop that names this shop's request."""
    with app.test_request_context():
        from reviews_service.extensions import db
        from reviews_service.reviews.models import ReviewRequest

        request_id = db.session.query(ReviewRequest.id).scalar()
        return tokens.sign(tokens.REVIEW_REQUEST_TOKEN, other_shop.id, request=request_id,
                         expires_at=datetime.now(UTC) + timedelta(days=1))


@pytest.mark.parametrize("make_token", [
    lambda url, **_: "not-a-token",
    lambda url, **_: url.rsplit("/", 1)[1][:-3] + "abc",  # signature tampered with
    lambda url, **_: url.rsplit("/", 1)[1] + "/extra",
    lambda url, app, **_: _sign(app, tokens.UNSUBSCRIBE_TOKEN, 1),  # a token for another purpose
    lambda url, app, **_: _sign(app, tokens.REVIEW_REQUEST_TOKEN, 999),  # a shop that does not exist
    lambda url, app, shop, other_shop, client, order_id: _foreign_token(app, shop, other_shop, client,
                                                                          order_id),
])
def test_unknown_garbled_or_other_shops_token_is_404(app, client, shop, other_shop, order_id, url,
                                                     make_token):
    token = make_token(url, app=app, shop=shop, other_shop=other_shop, client=client, order_id=order_id)
    for r in (client.get(f"/review/{token}"), post(client, f"/review/{token}", {"rating-0": "5"})):
        assert r.status_code == 404
        assert r.mimetype == "text/html"
        assert "This link does not work" in r.get_data(as_text=True)
    assert reviews(client, shop) == []


def _sign(app, purpose, shop_id):
    with app.test_request_context():
        return tokens.sign(purpose, shop_id, request=1, expires_at=datetime.now(UTC) + timedelta(days=1))


@pytest.mark.parametrize("event", ["refunded", "cancelled"])
def test_refunded_or_cancelled_order_is_403(client, shop, order_id, url, event):
    r = client.post(f"/api/v1/orders/{order_id}/events", json={"type": event}, headers=shop.headers)
    assert r.status_code == 200
    for link in (url, widget_link(client, shop, order_id)):
        for r in (client.get(link), post(client, link, {"rating-0": "5"})):
            assert r.status_code == 403
            assert "This order can no longer be reviewed" in r.get_data(as_text=True)
    assert reviews(client, shop) == []


def test_refused_widget_token_page_speaks_the_customers_language(app, client, shop):
    oid = make_order(app, shop, fulfilled=True, customer=customer("vi"))
    client.post(f"/api/v1/orders/{oid}/events", json={"type": "refunded"}, headers=shop.headers)
    r = client.get(widget_link(client, shop, oid))
    assert r.status_code == 403
    assert "Không thể đánh giá đơn hàng này nữa" in r.get_data(as_text=True)


def test_refusal_pages_follow_the_lang_parameter(client):
    r = client.get("/review/garbage?lang=lo")
    assert r.status_code == 404
    assert '<html lang="lo"' in r.get_data(as_text=True)
    assert "ລິ້ງນີ້ໃຊ້ບໍ່ໄດ້" in r.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PUBLIC_WRITE_LIMIT": "1 per minute"}])
def test_too_many_posts_get_a_429_page(client, url):
    html = client.get(url).get_data(as_text=True)
    assert post(client, url, form(html, **{"title-0": "no rating"})).status_code == 422
    r = post(client, url, form(html, **{"rating-0": "5"}))
    assert r.status_code == 429
    assert r.mimetype == "text/html"
    assert "Too many attempts" in r.get_data(as_text=True)
    assert int(r.headers["Retry-After"]) > 0


def test_too_large_a_post_gets_a_413_page(client, url, monkeypatch):
    monkeypatch.setattr(pages, "MAX_FORM_BYTES", 10_000)
    html = client.get(url).get_data(as_text=True)
    r = post(client, url, form(html, **{"rating-0": "5", "photos-0": (io.BytesIO(b"x" * 20_000), "a.jpg")}))
    assert r.status_code == 413
    assert "The photos are too large" in r.get_data(as_text=True)


def test_an_unexpected_error_is_a_page_not_a_traceback(client, url, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(pages.review_requests, "describe", boom)
    r = client.get(url)
    assert r.status_code == 500
    assert r.mimetype == "text/html"
    assert "Something went wrong" in r.get_data(as_text=True)


# --- the strings ---------------------------------------------------------------------------------

# The catalogs themselves (every key in every language, placeholders, fuzzy, stale .mo files) are
# tested in tests/test_i18n.py.

def test_languages_required_by_the_issue_are_supported():
    assert {"en", "hy", "ka", "lo", "vi", "ar", "de", "es", "fr", "it", "ja"} <= set(i18n.SUPPORTED)


@pytest.mark.parametrize("candidates, expected", [
    (("hy",), "hy"), (("hy-AM",), "hy"), (("KA_ge",), "ka"), ((None, "", "vi"), "vi"),
    (("ko", "lo"), "lo"), (("ko",), "en"), (("../../etc/passwd", "ka"), "ka"), ((), "en"),
    (("fr-CA", "lo"), "fr"), (("ja_JP",), "ja"), (("AR",), "ar"),
])
def test_negotiate_takes_the_first_supported_candidate(candidates, expected):
    assert i18n.negotiate(*candidates) == expected


def test_missing_keys_fall_back_to_english_and_text_direction_follows_the_script():
    assert i18n.strings("hy")["review_page.star_4"] == "4 աստղ"
    assert i18n.strings("xx")["review_page.star_4"] == "4 stars"
    assert i18n.translate("ka", "no.such.key") == "no.such.key"
    assert i18n.translate("vi", "review_page.greeting", name="An") == "Xin chào An!"
    assert i18n.direction("ar") == "rtl" and i18n.direction("he-IL") == "rtl"
    assert i18n.direction("hy") == "ltr"
