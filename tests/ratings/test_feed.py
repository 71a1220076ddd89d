"""Google's product reviews feed (schema 2.3): structure, ids, collection method, only published.

No copy of the 2.3 XSD's text could be found, so the structure is checked by hand against the
sequences below. They come from the product_reviews.xsd text (version 2.2, as kept in the
hkkrishna20/RatingsSystem repository on GitHub), with what Google's 2.3 sample feed shows
(https://developers.google.cn/product-review-feeds/sample?hl=id, which still carries version 2.3):
<version>2.3</version>, and <asins> after <brands> in <product_ids>. The element order of a
review in that sample is the same as in the 2.2 XSD.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import pytest

from reviews_service.cli import main
from reviews_service.collecting import service as reviews
from reviews_service.ratings import feeds
from reviews_service.shops import service as shops
from tests.factories import jpeg
from tests.helpers import assert_problem, post_order, publish, upload_photo

from . import CONFIG, pending, publish_from_request, put_product, set_status

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
# (element, required) in the order the XSD's xs:sequence gives them.
SEQUENCES = {
    "feed": [("version", True), ("aggregator", False), ("publisher", True), ("reviews", False),
             ("deleted_reviews", False)],
    "aggregator": [("name", True)],
    "publisher": [("name", True), ("favicon", False)],
    "review": [("review_id", False), ("reviewer", True), ("review_timestamp", True), ("title", False),
               ("content", True), ("pros", False), ("cons", False), ("review_url", True),
               ("reviewer_images", False), ("ratings", True), ("products", True), ("is_spam", False),
               ("collection_method", False), ("transaction_id", False)],
    "reviewer": [("name", True), ("reviewer_id", False)],
    "ratings": [("overall", True)],
    "product": [("product_ids", False), ("product_name", False), ("product_url", True)],
    "product_ids": [("gtins", False), ("mpns", False), ("skus", False), ("brands", False),
                    ("asins", False)],
}
REPEATED = {"reviews": "review", "reviewer_images": "reviewer_image", "products": "product",
            "gtins": "gtin", "mpns": "mpn", "skus": "sku", "brands": "brand"}
NON_EMPTY = re.compile(r"\s*\S+[\s\S]*")  # nonEmptyStringType
HTTP_URL = re.compile(r"(https?://)?\S+\.\S+")  # httpUrlType


@pytest.fixture
def app_config():
    return dict(CONFIG)


def check_sequence(element: ET.Element) -> None:
    """Children in the XSD's order, required ones present, none unknown; recursively."""
    if element.tag in SEQUENCES:
        names = [c.tag for c in element]
        order = [name for name, _ in SEQUENCES[element.tag]]
        assert set(names) <= set(order), (element.tag, names)
        assert len(names) == len(set(names)), (element.tag, names)
        assert names == sorted(names, key=order.index), (element.tag, names)
        for name, required in SEQUENCES[element.tag]:
            assert not required or name in names, (element.tag, name)
    elif element.tag in REPEATED:
        assert len(element) >= 1 and {c.tag for c in element} == {REPEATED[element.tag]}, element.tag
    for child in element:
        check_sequence(child)


def check_types(root: ET.Element) -> None:
    for review in root.iter("review"):
        for tag in ("review_id", "title", "content", "reviewer_id", "product_name"):
            for el in review.iter(tag):
                assert NON_EMPTY.fullmatch(el.text or ""), (tag, el.text)
        assert NON_EMPTY.fullmatch(review.find("reviewer/name").text)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", review.findtext("review_timestamp"))
        url = review.find("review_url")
        assert url.get("type") in ("singleton", "group") and HTTP_URL.fullmatch(url.text)
        for tag in ("product_url", "url"):
            for el in review.iter(tag):
                assert HTTP_URL.fullmatch(el.text), el.text
        overall = review.find("ratings/overall")
        assert (overall.get("min"), overall.get("max")) == ("1", "5") and 1 <= int(overall.text) <= 5
        assert review.findtext("is_spam") in (None, "false", "true")
        assert review.findtext("collection_method") in (None, "unsolicited", "post_fulfillment")
        for gtin in review.iter("gtin"):
            assert re.fullmatch(r"[\d -xX]{7,}", gtin.text)
    ids = [r.findtext("review_id") for r in root.iter("review")]
    assert len(ids) == len(set(ids))  # the XSD's uniqueReview constraint


def get_feed(client, shop) -> ET.Element:
    response = client.get("/api/v1/feeds/google-product-reviews.xml", headers=shop.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    check_sequence(root)
    check_types(root)
    return root


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {r.findtext("review_id"): r for r in root.iter("review")}


# --- structure -----------------------------------------------------------------------------------

def test_feed_head_names_schema_version_aggregator_and_publisher(client, shop):
    publish(client, shop, rating=5)
    root = get_feed(client, shop)
    assert root.tag == "feed"
    assert root.get(f"{XSI}noNamespaceSchemaLocation") == \
        "http://www.google.com/shopping/reviews/schema/product/2.3/product_reviews.xsd"
    assert root.findtext("version") == "2.3"
    assert root.findtext("aggregator/name") == feeds.AGGREGATOR
    assert root.findtext("publisher/name") == "Shop A"


def test_feed_review_follows_the_xsd_order(client, shop):
    put_product(client, shop, "sku-1", url="https://shop.example/p/1", gtin="4006381333931",
                mpn="TR-1", sku="SKU-1", brand="Acme")
    photo = upload_photo(client, shop)
    made = publish(client, shop, rating=4, title="Grippy", body="Good on wet rock.",
                   photo_ids=[photo["id"]])
    review = by_id(get_feed(client, shop))[made["id"]]
    assert [c.tag for c in review] == [
        "review_id", "reviewer", "review_timestamp", "title", "content", "review_url",
        "reviewer_images", "ratings", "products", "is_spam", "collection_method"]
    assert review.findtext("title") == "Grippy"
    assert review.findtext("content") == "Good on wet rock."
    assert review.findtext("ratings/overall") == "4"
    assert review.findtext("is_spam") == "false"
    assert review.find("reviewer/name").text == "Ana B."
    assert review.findtext("reviewer/reviewer_id")
    assert review.find("review_url").text == f"https://shop.example/p/1#review-{made['id']}"


def test_empty_shop_has_a_valid_feed_without_reviews(client, shop):
    root = get_feed(client, shop)
    assert [c.tag for c in root] == ["version", "aggregator", "publisher"]


def test_product_ids_names_and_urls(client, shop):
    put_product(client, shop, "sku-1", name="Trail shoes", url="https://shop.example/p/1",
                gtin="4006381333931", mpn="TR-1", sku="SKU-1", brand="Acme")
    made = publish(client, shop, rating=5)
    product = by_id(get_feed(client, shop))[made["id"]].find("products/product")
    assert [c.tag for c in product.find("product_ids")] == ["gtins", "mpns", "skus", "brands"]
    assert product.findtext("product_ids/gtins/gtin") == "4006381333931"
    assert product.findtext("product_ids/mpns/mpn") == "TR-1"
    assert product.findtext("product_ids/skus/sku") == "SKU-1"
    assert product.findtext("product_ids/brands/brand") == "Acme"
    assert product.findtext("product_name") == "Trail shoes"
    assert product.findtext("product_url") == "https://shop.example/p/1"


def test_product_without_ids_or_url_links_our_reviews_page(client, shop):
    made = publish(client, shop, "shoes/red 42", rating=5, name="Red shoes")
    review = by_id(get_feed(client, shop))[made["id"]]
    product = review.find("products/product")
    assert product.find("product_ids") is None
    expected = f"http://reviews.test{shop.public}/products/shoes%2Fred%2042/reviews.html"
    assert product.findtext("product_url") == expected
    assert review.findtext("review_url") == f"{expected}#review-{made['id']}"


def test_reviewer_images_link_each_photo(client, shop):
    photos = [upload_photo(client, shop), upload_photo(client, shop, jpeg(300, 400))]
    made = publish(client, shop, rating=5, photo_ids=[p["id"] for p in photos])
    review = by_id(get_feed(client, shop))[made["id"]]
    assert [u.text for u in review.findall("reviewer_images/reviewer_image/url")] == \
        [p["url"] for p in photos]


def test_review_without_photos_has_no_reviewer_images(client, shop):
    made = publish(client, shop, rating=5)
    assert by_id(get_feed(client, shop))[made["id"]].find("reviewer_images") is None


# --- collection method ---------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "method"), [
    ("request", "post_fulfillment"), ("thank_you", "post_fulfillment"),
    ("widget", "unsolicited"), ("import", "unsolicited"), ("api", "unsolicited")])
def test_collection_method_of_each_source(source, method):
    assert feeds.collection_method(source) == method


def test_collection_method_in_the_feed(client, shop, app):
    thank_you = publish(client, shop, "a", rating=5, name="A")
    request = publish_from_request(client, shop, "b", rating=4)
    walk_in = pending(client, shop, "a", rating=3)
    set_status(app, walk_in["id"], "published")
    reviews_ = by_id(get_feed(client, shop))
    assert reviews_[thank_you["id"]].findtext("collection_method") == "post_fulfillment"
    assert reviews_[request["id"]].findtext("collection_method") == "post_fulfillment"
    assert reviews_[walk_in["id"]].findtext("collection_method") == "unsolicited"
    assert reviews_[walk_in["id"]].find("reviewer/reviewer_id") is None


# --- only published, every one -------------------------------------------------------------------

def test_only_published_reviews_are_in_the_feed(client, shop, app):
    kept = publish(client, shop, rating=5)
    rejected = publish(client, shop, rating=1)
    removed = publish(client, shop, rating=2)
    waiting = pending(client, shop, rating=3)
    assert set(by_id(get_feed(client, shop))) == {kept["id"], rejected["id"], removed["id"]}
    set_status(app, rejected["id"], "rejected", reason="spam")
    set_status(app, removed["id"], "removed")
    assert set(by_id(get_feed(client, shop))) == {kept["id"]}
    assert waiting["id"] not in by_id(get_feed(client, shop))


def test_erased_reviewer_leaves_the_feed(client, shop):
    made = publish(client, shop, rating=5)
    erased = client.post("/api/v1/customers/erase", json={"email": "buyer@example.com"},
                         headers=shop.headers)
    assert erased.status_code == 200, erased.get_data(as_text=True)
    assert made["id"] not in by_id(get_feed(client, shop))


def test_feed_holds_only_the_keys_shop(client, shop, other_shop):
    mine = publish(client, shop, rating=5)
    theirs = publish(client, other_shop, rating=1)
    assert set(by_id(get_feed(client, shop))) == {mine["id"]}
    assert set(by_id(get_feed(client, other_shop))) == {theirs["id"]}


def test_feed_needs_the_secret_key(client, shop):
    assert_problem(client.get("/api/v1/feeds/google-product-reviews.xml"), 401)
    assert_problem(client.get("/api/v1/feeds/google-product-reviews.xml",
                              headers={"Authorization": f"Bearer {shop.public_key}"}), 401)


def test_stars_only_review_is_left_out_and_a_title_stands_in_for_the_text(client, shop):
    stars_only = publish(client, shop, "a", rating=5, name="A", body="")
    title_only = publish(client, shop, "b", rating=4, name="B", body="", title="Just great")
    reviews_ = by_id(get_feed(client, shop))
    assert stars_only["id"] not in reviews_
    assert reviews_[title_only["id"]].findtext("content") == "Just great"
    assert reviews_[title_only["id"]].find("title") is None


@pytest.mark.parametrize("text", [
    "<![CDATA[x]]> ]]> </content><content>", "a & b < c > d \"e\" 'f'", "bell\x07 and \x1b escape",
    "emoji 🥾 and RTL \u202e text", "line\r\nbreaks\tand tabs"])
def test_hostile_text_stays_text(client, shop, text):
    made = publish(client, shop, rating=3, body=text, title=text[:150])
    content = by_id(get_feed(client, shop))[made["id"]].findtext("content")
    # An XML parser reads a line break as \n, whichever way it was written.
    assert content == feeds.clean(text).replace("\r\n", "\n")


def test_feed_is_produced_in_keyset_batches(client, shop, app):
    made = [publish(client, shop, rating=1 + n % 5) for n in range(5)]
    with app.app_context():
        owner = shops.get_shop(shop.id)
        batches = [[r.public_id for r, _ in rows] for rows in feeds.published_batches(owner, size=2)]
        data = b"".join(feeds.feed_chunks(owner, batch=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [i for b in batches for i in b] == [m["id"] for m in made]
    assert list(by_id(ET.fromstring(data))) == [m["id"] for m in made]


def test_build_feed_equals_the_route(client, shop, app):
    publish(client, shop, rating=4)
    with app.app_context():
        built = feeds.build_feed(shops.get_shop(shop.id))
    served = client.get("/api/v1/feeds/google-product-reviews.xml", headers=shop.headers).data
    assert built == served


def test_imported_review_is_unsolicited(client, shop, app):
    post_order(client, shop)
    with app.app_context():
        owner = shops.get_shop(shop.id)
        review = reviews.submit_review(owner, "sku-1", {"rating": 4, "body": "Imported.",
                                                        "email": "old@example.com",
                                                        "display_name": "Old Customer"},
                                       reviews.Visitor("v", "i"), source="import")
        public_id = review.public_id
    set_status(app, public_id, "published")
    assert by_id(get_feed(client, shop))[public_id].findtext("collection_method") == "unsolicited"


# --- the CLI -------------------------------------------------------------------------------------

def test_feed_command_writes_the_file_atomically_and_prints_the_count(client, shop, runner, tmp_path):
    publish(client, shop, "a", rating=5, name="A")
    publish(client, shop, "b", rating=4, name="B")
    target = tmp_path / "out" / "feed.xml"
    target.parent.mkdir()
    target.write_text("old feed")
    result = runner.invoke(main, ["feed", shop.slug, "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 reviews" in result.output
    root = ET.fromstring(target.read_bytes())
    check_sequence(root)
    assert len(list(root.iter("review"))) == 2
    assert os.listdir(target.parent) == ["feed.xml"]  # no temporary file left behind
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_feed_command_for_unknown_shop_fails_in_one_line(runner, tmp_path, app):
    target = tmp_path / "feed.xml"
    result = runner.invoke(main, ["feed", "no-such-shop", "--output", str(target)])
    assert result.exit_code == 1
    assert "No shop 'no-such-shop'" in result.output
    assert not target.exists()


def test_feed_command_leaves_the_old_file_when_it_fails(client, shop, runner, tmp_path, monkeypatch):
    publish(client, shop, rating=5)
    target = tmp_path / "out" / "feed.xml"
    target.parent.mkdir()
    target.write_text("old feed")

    def broken(*_args, **_kwargs):
        yield b"<feed>"
        raise RuntimeError("database went away")

    monkeypatch.setattr(feeds, "feed_chunks", broken)
    result = runner.invoke(main, ["feed", shop.slug, "--output", str(target)])
    assert result.exit_code != 0
    assert target.read_text() == "old feed"
    assert os.listdir(target.parent) == ["feed.xml"]
