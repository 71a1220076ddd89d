"""JSON-LD and the server-rendered HTML fragment: what search engines and script-less readers see."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from reviews_service.ratings.reads import Rating
from reviews_service.ratings.seo import product_jsonld, script_json
from tests.helpers import assert_problem, publish, upload_photo

from . import CONFIG, pending, put_product, reply, set_status

HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> & "quotes"'
ALLOWED_TYPES = {"Product", "Brand", "AggregateRating", "Review", "Person", "Rating"}


@pytest.fixture
def app_config():
    return dict(CONFIG)


def product(**fields):
    base = {"name": "Trail shoes", "url": "https://shop.example/p/1", "image_url": None,
            "gtin": None, "mpn": None, "brand": None, "sku": None}
    return SimpleNamespace(**{**base, **fields})


def view(n: int, **fields) -> dict:
    base = {"id": f"r{n}", "rating": 4, "title": f"Title {n}", "body": f"Body {n}", "author": "Ana P.",
            "published_at": datetime(2026, 11, n % 28 + 1, 12, tzinfo=UTC)}
    return {**base, **fields}


def types_in(data) -> set[str]:
    found = set()
    if isinstance(data, dict):
        if "@type" in data:
            found.add(data["@type"])
        for value in data.values():
            found |= types_in(value)
    elif isinstance(data, list):
        for value in data:
            found |= types_in(value)
    return found


# --- product_jsonld ------------------------------------------------------------------------------

def test_jsonld_is_a_product_with_aggregate_rating_and_reviews():
    rating = Rating(count=3, total=13, n4=2, n5=1, verified_count=3, version=3)
    data = product_jsonld(product(image_url="https://shop.example/i.jpg", sku="S-1", mpn="M-1",
                                  brand="Acme", gtin="4006381333931"),
                          rating, [view(1, rating=5), view(2, title="", body="")])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert (data["name"], data["url"], data["image"], data["sku"], data["mpn"], data["gtin13"]) == (
        "Trail shoes", "https://shop.example/p/1", "https://shop.example/i.jpg", "S-1", "M-1",
        "4006381333931")
    assert data["brand"] == {"@type": "Brand", "name": "Acme"}
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 4.33,
                                       "reviewCount": 3, "bestRating": 5, "worstRating": 1}
    first, second = data["review"]
    assert first == {"@type": "Review", "author": {"@type": "Person", "name": "Ana P."},
                     "datePublished": "2026-11-02", "name": "Title 1", "reviewBody": "Body 1",
                     "reviewRating": {"@type": "Rating", "ratingValue": 5, "bestRating": 5,
                                      "worstRating": 1}}
    assert "name" not in second and "reviewBody" not in second


def test_jsonld_is_none_without_published_reviews():
    assert product_jsonld(product(), Rating(), []) is None


@pytest.mark.parametrize(("gtin", "key"), [("40063813", "gtin8"), ("012345678905", "gtin12"),
                                           ("4006381333931", "gtin13"), ("14006381333938", "gtin14"),
                                           ("1234567", "gtin"), ("ABC-123", "gtin")])
def test_gtin_key_follows_its_length(gtin, key):
    data = product_jsonld(product(gtin=gtin), Rating(count=1, total=5, n5=1), [view(1)])
    assert data[key] == gtin
    assert [k for k in data if k.startswith("gtin")] == [key]


def test_missing_product_fields_are_left_out():
    data = product_jsonld(product(url=None), Rating(count=1, total=5, n5=1), [view(1)])
    assert not {"url", "image", "sku", "mpn", "brand", "gtin"} & data.keys()


def test_at_most_ten_reviews():
    data = product_jsonld(product(), Rating(count=12, total=48, n4=12), [view(n) for n in range(12)])
    assert len(data["review"]) == 10


def test_only_product_types_never_organization_or_local_business():
    data = product_jsonld(product(brand="Acme"), Rating(count=1, total=5, n5=1), [view(1)])
    assert types_in(data) <= ALLOWED_TYPES
    assert not {"Organization", "LocalBusiness"} & types_in(data)


def test_script_json_cannot_end_the_script_element():
    text = str(script_json({"a": HOSTILE, "b": "x\u2028y"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": HOSTILE, "b": "x\u2028y"}


# --- GET .../jsonld ------------------------------------------------------------------------------

def jsonld_url(shop, product_id="sku-1"):
    return f"{shop.public}/products/{product_id}/jsonld"


def test_jsonld_route_answers_ld_json_with_the_latest_reviews(client, shop):
    put_product(client, shop, "sku-1", url="https://shop.example/p/1", gtin="40063813", brand="Acme")
    first = publish(client, shop, rating=5, title="Great", body="Fits well.")
    second = publish(client, shop, rating=3, title="Fine", body="Runs small.")
    pending(client, shop, rating=1, body="Not yet moderated")
    response = client.get(jsonld_url(shop))
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    data = response.get_json(force=True)
    assert data["aggregateRating"]["reviewCount"] == 2
    assert data["aggregateRating"]["ratingValue"] == 4.0
    assert [r["reviewBody"] for r in data["review"]] == [second["body"], first["body"]]
    assert data["gtin8"] == "40063813" and data["brand"]["name"] == "Acme"
    assert date.fromisoformat(data["review"][0]["datePublished"])
    assert "Not yet moderated" not in response.get_data(as_text=True)


def test_jsonld_is_safe_to_inline_in_a_script_element(client, shop):
    put_product(client, shop, "sku-1", name=f"Shoes {HOSTILE}", brand="A&B <b>")
    publish(client, shop, rating=4, title=HOSTILE, body=f"{HOSTILE}\u2028next line", display_name="Ana</script>")

    response = client.get(jsonld_url(shop))

    text = response.get_data(as_text=True)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    data = json.loads(text)
    assert data["name"] == f"Shoes {HOSTILE}" and data["brand"]["name"] == "A&B <b>"
    assert data["review"][0]["name"] == HOSTILE
    assert data["review"][0]["reviewBody"] == f"{HOSTILE}\u2028next line"


def test_jsonld_matches_the_rating_json(client, shop):
    for stars in (5, 4, 4, 2):
        publish(client, shop, rating=stars)
    rating = client.get(f"{shop.public}/products/sku-1/rating").get_json()
    aggregate = client.get(jsonld_url(shop)).get_json(force=True)["aggregateRating"]
    assert (aggregate["ratingValue"], aggregate["reviewCount"]) == (rating["average"], rating["count"])


def test_jsonld_without_reviews_is_204(client, shop):
    put_product(client, shop, "sku-1")
    pending(client, shop, rating=5)
    response = client.get(jsonld_url(shop))
    assert response.status_code == 204
    assert response.data == b""
    assert "ETag" in response.headers and response.headers["Cache-Control"].startswith("public")


def test_jsonld_of_unknown_product_is_404(client, shop):
    assert_problem(client.get(jsonld_url(shop, "never-heard-of")), 404)


def test_jsonld_etag_answers_304_and_changes_with_a_review(client, shop):
    publish(client, shop, rating=5)
    etag = client.get(jsonld_url(shop)).headers["ETag"]
    assert client.get(jsonld_url(shop), headers={"If-None-Match": etag}).status_code == 304
    publish(client, shop, rating=4)
    changed = client.get(jsonld_url(shop), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# --- GET .../reviews.html ------------------------------------------------------------------------

class Page(HTMLParser):
    """Every start tag with its attributes, and the text of each <script> by its type."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes.get("type", "")
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts[self._script] += data
        else:
            self.text.append(data)

    def find(self, tag, cls=None) -> list[dict]:
        return [a for t, a in self.tags if t == tag and (cls is None or cls in (a.get("class") or "").split())]


def html_url(shop, product_id="sku-1"):
    return f"{shop.public}/products/{product_id}/reviews.html"


def fragment(client, shop, product_id="sku-1", **kw):
    response = client.get(html_url(shop, product_id), **kw)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response


def test_fragment_has_summary_histogram_and_reviews(client, shop):
    for stars in (5, 5, 4, 1):
        publish(client, shop, rating=stars, title=f"{stars} stars", body=f"I give it {stars}.")
    page = Page(fragment(client, shop).get_data(as_text=True))
    text = " ".join(" ".join(page.text).split())
    assert "Rated 3.8 out of 5 Based on 4 reviews" in text
    meters = page.find("meter")
    assert [(m["value"], m["max"]) for m in meters] == [("2", "4"), ("1", "4"), ("0", "4"), ("0", "4"),
                                                        ("1", "4")]
    assert [th for t, th in page.tags if t == "th"] and page.find("table", "rv-histogram")
    reviews = page.find("li", "rv-review")
    assert [r["data-rating"] for r in reviews] == ["1", "4", "5", "5"]  # newest first
    assert "Rated 1 out of 5" in text and "★☆☆☆☆" in text
    assert "I give it 1." in text and "Ana B." in text and "Verified buyer" in text


def test_fragment_root_carries_the_widgets_contract(client, shop):
    made = [publish(client, shop, rating=4) for _ in range(11)]
    page = Page(fragment(client, shop).get_data(as_text=True))
    root = page.find("section", "rv-reviews")[0]
    assert root["data-reviews-product"] == "sku-1"
    assert root["data-reviews-key"] == shop.public_key
    assert root["data-reviews-version"] == "11"
    assert root["data-reviews-next-cursor"]
    assert len(page.find("li", "rv-review")) == 10
    state = json.loads(page.scripts["application/json"])
    assert state["next_cursor"] == root["data-reviews-next-cursor"]
    assert [r["id"] for r in state["reviews"]] == [r["id"] for r in reversed(made)][:10]
    assert state["rating"]["count"] == 11
    # The cursor continues where the fragment stopped, through the public list in the fragment's
    # language first (its lang), as the widget that takes it over asks for it.
    rest = client.get(f"{shop.public}/products/sku-1/reviews",
                      query_string={"cursor": state["next_cursor"], "lang_first": root["lang"]})
    assert [r["id"] for r in rest.get_json()["reviews"]] == [made[0]["id"]]


def test_fragment_state_is_the_public_lists_first_page(client, shop):
    publish(client, shop, rating=4, title="Nice", body="Good grip.")
    page = Page(fragment(client, shop).get_data(as_text=True))
    state = json.loads(page.scripts["application/json"])
    listed = client.get(f"{shop.public}/products/sku-1/reviews").get_json()
    assert state["reviews"] == listed["reviews"]
    assert state["next_cursor"] is None


def test_fragment_escapes_everything_and_runs_nothing(client, shop):
    publish(client, shop, rating=2, title=HOSTILE[:150], body=HOSTILE, display_name="<b>Eve</b> \"x\"")
    html = fragment(client, shop).get_data(as_text=True)
    page = Page(html)
    assert [a.get("type") for t, a in page.tags if t == "script"] == ["application/ld+json",
                                                                     "application/json"]
    assert not [t for t, _ in page.tags if t in ("img", "b", "iframe", "object", "embed")]
    for _tag, attributes in page.tags:
        assert not any(name.startswith("on") for name in attributes), attributes
        assert "style" not in attributes, attributes
    # The data blocks hold the hostile text as data, and it cannot close them.
    ld = json.loads(page.scripts["application/ld+json"])
    assert ld["review"][0]["reviewBody"] == HOSTILE
    assert json.loads(page.scripts["application/json"])["reviews"][0]["body"] == HOSTILE
    for block in page.scripts.values():
        assert "<" not in block and ">" not in block
    assert HOSTILE in " ".join(page.text)


def test_fragment_has_no_inline_style_anywhere(client, shop):
    photo = upload_photo(client, shop)
    publish(client, shop, rating=5, photo_ids=[photo["id"]])
    html = fragment(client, shop).get_data(as_text=True)
    assert "style=" not in html and "<style" not in html


def test_fragment_photos_are_lazy_thumbnails_with_size_and_alt(client, shop):
    photo = upload_photo(client, shop)
    publish(client, shop, rating=5, photo_ids=[photo["id"]])
    page = Page(fragment(client, shop).get_data(as_text=True))
    (img,) = page.find("img")
    assert img["src"] == photo["thumb_url"]
    assert (img["width"], img["height"]) == (str(photo["thumb_width"]), str(photo["thumb_height"]))
    assert img["loading"] == "lazy" and img["alt"]
    assert page.find("a", "rv-photo-link")[0]["href"] == photo["url"]


def test_fragment_shows_the_merchants_reply(client, shop, app):
    review = publish(client, shop, rating=3)
    reply(app, review["id"], "Thanks, <we> will improve & fix it.")
    page = Page(fragment(client, shop).get_data(as_text=True))
    text = " ".join(page.text)
    assert "Response from Shop A" in text
    assert "Thanks, <we> will improve & fix it." in text


def test_fragment_without_reviews_says_so_and_has_no_jsonld(client, shop):
    put_product(client, shop, "sku-1")
    page = Page(fragment(client, shop).get_data(as_text=True))
    assert "No reviews yet. Be the first to share your experience." in " ".join(page.text)
    assert list(page.scripts) == ["application/json"]


def test_fragment_links_the_review_policy(client, shop):
    client.patch("/api/v1/shop", json={"settings": {"review_policy_url": "https://shop.example/policy"}},
                 headers=shop.headers)
    publish(client, shop, rating=5)
    page = Page(fragment(client, shop).get_data(as_text=True))
    assert page.find("a", "rv-policy-link")[0]["href"] == "https://shop.example/policy"


def test_fragment_of_unknown_product_is_404(client, shop):
    assert_problem(client.get(html_url(shop, "never-heard-of")), 404)


def test_rejected_review_leaves_the_fragment(client, shop, app):
    kept = publish(client, shop, rating=5, body="Keep me.")
    gone = publish(client, shop, rating=1, body="Spam spam.")
    set_status(app, gone["id"], "rejected", reason="spam")
    html = fragment(client, shop).get_data(as_text=True)
    assert "Keep me." in html and "Spam spam." not in html
    assert kept["id"] in html and gone["id"] not in html


def test_fragment_etag_answers_304(client, shop):
    publish(client, shop, rating=5)
    first = fragment(client, shop)
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(html_url(shop), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


CACHED = {**CONFIG, "RATING_CACHE_TTL": 60, "RATING_MAX_AGE": 60}


@pytest.mark.parametrize("app_config", [CACHED])
def test_cached_fragment_shows_a_new_reply_at_once(client, shop, app):
    review = publish(client, shop, rating=3)
    before = fragment(client, shop)
    assert fragment(client, shop).headers["ETag"] == before.headers["ETag"]  # served from the cache
    reply(app, review["id"], "We are sorry to hear that.")
    after = fragment(client, shop, headers={"If-None-Match": before.headers["ETag"]})
    assert "We are sorry to hear that." in after.get_data(as_text=True)
    reply(app, review["id"], "Edited: a replacement is on its way.")
    assert "a replacement is on its way" in fragment(client, shop).get_data(as_text=True)


@pytest.mark.parametrize("app_config", [CACHED])
def test_cached_fragment_and_jsonld_show_a_new_review_at_once(client, shop):
    publish(client, shop, rating=5, body="First one.")
    assert "First one." in fragment(client, shop).get_data(as_text=True)
    assert client.get(jsonld_url(shop)).get_json(force=True)["aggregateRating"]["reviewCount"] == 1
    publish(client, shop, rating=4, body="Second one.")
    assert "Second one." in fragment(client, shop).get_data(as_text=True)
    assert client.get(jsonld_url(shop)).get_json(force=True)["aggregateRating"]["reviewCount"] == 2


@pytest.mark.parametrize("app_config", [CACHED])
def test_cached_fragment_shows_an_edited_product_at_once(client, shop):
    put_product(client, shop, "sku-1", name="Old name")
    publish(client, shop, rating=5)
    assert client.get(jsonld_url(shop)).get_json(force=True)["name"] == "Old name"
    put_product(client, shop, "sku-1", name="New name")
    assert client.get(jsonld_url(shop)).get_json(force=True)["name"] == "New name"


@pytest.mark.parametrize("suffix", ["badge.svg", "jsonld", "reviews.html"])
def test_product_id_with_a_nul_character_is_404(client, shop, suffix):
    # PostgreSQL cannot even compare such an id: it must be refused before any query.
    assert_problem(client.get(f"{shop.public}/products/a%00b/{suffix}"), 404)
