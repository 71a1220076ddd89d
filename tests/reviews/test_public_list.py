"""The public list: published reviews only, every sort in the right order, filters, keyset pages
with no duplicate and no gap, the public view of a review, and no personal data in any answer."""

from __future__ import annotations

import base64
import io
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from reviews_service import clock, create_app
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews.models import Reply, Review
from tests import photo_corpus as corpus
from tests.conftest import base_config, truncate_all
from tests.factories import make_product, make_shop, order_payload
from tests.helpers import assert_problem, publish, upload

SORTS = ["newest", "oldest", "highest", "lowest", "helpful", "photos_first"]
# Three reviews share each timestamp, and several of them share a rating too, so that every sort
# must break ties with the id, and a cursor must carry all of its key.
RATINGS = [5, 5, 3, 4, 4, 1, 2, 2, 5, 3, 3, 3, 1, 5, 4, 4, 2, 5, 1, 1, 3, 4, 5, 2, 2]
WITH_PHOTO = {1, 4, 10, 11, 17, 23}
BASE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
HIGH_LIMIT = {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def app_config():
    return dict(HIGH_LIMIT)


# --- helpers ------------------------------------------------------------------------------------

def listing(client, shop, path: str = "products/sku-1/reviews", **query) -> dict:
    response = client.get(f"{shop.public}/{path}", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def ids(page: dict) -> list[str]:
    return [r["id"] for r in page["reviews"]]


def walk(client, shop, limit: int, **query) -> tuple[list[str], int]:
    """Every page of a list, following next_cursor; answers the ids and the number of pages."""
    seen, cursor, pages = [], None, 0
    while True:
        page = listing(client, shop, limit=limit, **query, **({"cursor": cursor} if cursor else {}))
        pages += 1
        assert len(page["reviews"]) <= limit
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages <= 100, "the cursor does not advance"


def frozen(monkeypatch, at: datetime) -> None:
    """Stop the clock at `at`: reviews published now share one timestamp to the microsecond."""
    monkeypatch.setattr(clock, "now", lambda: at)


# --- one catalogue for the read-only tests, built once per database -----------------------------

@dataclass(frozen=True)
class Made:
    id: str
    seq: int  # order of insertion, which is the order of the internal ids
    rating: int
    at: datetime
    photos: int
    up: int


@dataclass
class Catalogue:
    client: object
    shop: object
    reviews: list[Made]

    def expected(self, sort: str, rating: int | None = None, with_photos: bool = False) -> list[str]:
        rows = [r for r in self.reviews
                if (rating is None or r.rating == rating) and (not with_photos or r.photos)]
        key = {
            "newest": lambda r: (r.at, r.seq),
            "oldest": lambda r: (r.at, r.seq),
            "highest": lambda r: (r.rating, r.at, r.seq),
            # Fewest stars first; among equal ratings the newest first, like every other sort.
            "lowest": lambda r: (-r.rating, r.at, r.seq),
            "helpful": lambda r: (r.up, r.at, r.seq),
            "photos_first": lambda r: (bool(r.photos), r.at, r.seq),
        }[sort]
        return [r.id for r in sorted(rows, key=key, reverse=sort != "oldest")]


def _build(app) -> Catalogue:
    client = app.test_client()
    shop = make_shop(app, "Catalogue shop", origins=["https://shop-a.example"])
    made = []
    with pytest.MonkeyPatch.context() as patch:
        for seq, rating in enumerate(RATINGS):
            at = BASE + timedelta(hours=seq // 3)
            frozen(patch, at)
            photos = [upload(client, shop)] if seq in WITH_PHOTO else []
            review = publish(client, shop, rating=rating, photo_ids=photos, email=f"b{seq}@example.com")
            assert datetime.fromisoformat(review["published_at"]) == at
            up = seq % 4 if seq % 2 == 0 else 0
            for voter in range(up):
                vote = client.post(f"{shop.public}/reviews/{review['id']}/votes", json={"value": "up"},
                                   environ_base={"REMOTE_ADDR": f"198.51.100.{voter + 1}"})
                assert vote.status_code == 200, vote.json
            made.append(Made(review["id"], seq, rating, at, len(photos), up))
    # Noise that no list may show: a pending review and a rejected one.
    client.post(f"{shop.public}/products/sku-1/reviews",
                json={"rating": 5, "email": "pending@example.com", "display_name": "Pat"})
    rejected = publish(client, shop, rating=5, email="rejected@example.com")
    with app.app_context():
        review = db.session.scalar(select(Review).where(Review.public_id == rejected["id"]))
        moderation.transition(review, "rejected", actor="test", reason="spam")
        db.session.commit()
    return Catalogue(client, shop, made)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def catalogue(request, tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("catalogue")
    if request.param == "sqlite":
        path = folder / "reviews.db"
        shutil.copy(sqlite_template, path)
        app = create_app(base_config(folder, DATABASE_URL=f"sqlite:///{path}", **HIGH_LIMIT))
    else:
        app = create_app(base_config(folder, DATABASE_URL=request.getfixturevalue("pg_url"), **HIGH_LIMIT))
        truncate_all(app)
    yield _build(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- sorts, filters, pages ----------------------------------------------------------------------

@pytest.mark.parametrize("sort", SORTS)
def test_each_sort_gives_its_order(catalogue, sort):
    page = listing(catalogue.client, catalogue.shop, sort=sort, limit=50)

    assert ids(page) == catalogue.expected(sort)
    assert page["next_cursor"] is None


def test_newest_is_the_default_sort(catalogue):
    assert ids(listing(catalogue.client, catalogue.shop, limit=50)) == catalogue.expected("newest")


def test_the_default_page_has_ten_reviews(catalogue):
    page = listing(catalogue.client, catalogue.shop)

    assert ids(page) == catalogue.expected("newest")[:10]
    assert page["next_cursor"]


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_star_filter_lists_only_that_rating(catalogue, rating):
    page = listing(catalogue.client, catalogue.shop, rating=rating, limit=50)

    assert ids(page) == catalogue.expected("newest", rating=rating)
    assert {r["rating"] for r in page["reviews"]} == {rating}


def test_with_photos_filter_lists_only_reviews_with_photos(catalogue):
    page = listing(catalogue.client, catalogue.shop, with_photos="true", limit=50)

    assert ids(page) == catalogue.expected("newest", with_photos=True)
    assert all(r["photos"] for r in page["reviews"])


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("filters", [{}, {"rating": 5}, {"rating": 3, "with_photos": True}],
                         ids=["all", "five-stars", "three-stars-with-photos"])
def test_keyset_pages_walk_every_review_once_in_order(catalogue, sort, filters):
    expected = catalogue.expected(sort, **filters)
    query = {**filters, **({"with_photos": "true"} if filters.get("with_photos") else {})}

    for limit in (1, 4, 7, len(expected), 50):
        seen, pages = walk(catalogue.client, catalogue.shop, limit, sort=sort, **query)
        assert seen == expected, f"limit {limit}"
        assert pages == max(1, -(-len(expected) // limit)), f"limit {limit}"


def test_a_cursor_of_one_sort_is_refused_by_another(catalogue):
    cursor = listing(catalogue.client, catalogue.shop, sort="newest", limit=3)["next_cursor"]

    response = catalogue.client.get(f"{catalogue.shop.public}/products/sku-1/reviews",
                                    query_string={"sort": "highest", "cursor": cursor})

    assert_problem(response, 422, field="cursor")


# --- bad queries --------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [51, 1000, 0, -1, "ten", ""])
def test_limit_outside_1_to_50_is_422(catalogue, limit):
    response = catalogue.client.get(f"{catalogue.shop.public}/products/sku-1/reviews?limit={limit}")

    assert_problem(response, 422, field="limit")


@pytest.mark.parametrize(("name", "value"), [("sort", "random"), ("sort", "rating"), ("rating", 6),
                                             ("rating", 0), ("with_photos", "maybe")])
def test_bad_query_parameter_is_422_naming_it(catalogue, name, value):
    response = catalogue.client.get(f"{catalogue.shop.public}/products/sku-1/reviews",
                                    query_string={name: value})

    assert_problem(response, 422, field=name)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(sort: str, key) -> str:
    return _b64(json.dumps({"s": sort, "k": key}).encode())


AT = "2026-10-01T08:00:00+00:00"
HOSTILE_CURSORS = {
    "not-base64": ("newest", "%%%not*base64%%%"),
    "not-json": ("newest", _b64(b"\xff\xfe not json")),
    "json-list": ("newest", _b64(b"[1, 2]")),
    "json-number": ("newest", _b64(b"42")),
    "no-key": ("newest", _b64(b'{"s": "newest"}')),
    "short-key": ("newest", _cursor("newest", [AT])),
    "long-key": ("newest", _cursor("newest", [AT, 1, 2])),
    "number-for-time": ("newest", _cursor("newest", [123, 1])),
    "naive-time": ("newest", _cursor("newest", ["2026-10-01T08:00:00", 1])),
    "null-time": ("newest", _cursor("newest", [None, 1])),
    "list-for-time": ("oldest", _cursor("oldest", [[AT], 1])),
    "time-overflows-utc": ("newest", _cursor("newest", ["9999-12-31T23:00:00-14:00", 1])),
    "string-for-id": ("newest", _cursor("newest", [AT, "1 OR 1=1"])),
    "float-id": ("newest", _cursor("newest", [AT, 1.5])),
    "bool-id": ("newest", _cursor("newest", [AT, True])),
    "huge-id": ("newest", _cursor("newest", [AT, 10**30])),
    "bigint-id": ("newest", _cursor("newest", [AT, 2**40])),
    "time-for-rating": ("highest", _cursor("highest", [AT, AT, 1])),
    "huge-rating": ("lowest", _cursor("lowest", [-(2**40), AT, 1])),
    "string-for-count": ("helpful", _cursor("helpful", ["many", AT, 1])),
    "huge-count": ("helpful", _cursor("helpful", [2**62, AT, 1])),
    "other-sort-inside": ("photos_first", _cursor("newest", [AT, 1])),
}


@pytest.mark.parametrize("case", list(HOSTILE_CURSORS))
def test_a_tampered_cursor_is_422_naming_cursor(catalogue, case):
    sort, cursor = HOSTILE_CURSORS[case]

    response = catalogue.client.get(f"{catalogue.shop.public}/products/sku-1/reviews",
                                    query_string={"sort": sort, "cursor": cursor})

    assert_problem(response, 422, field="cursor")


def test_a_tampered_sync_cursor_of_the_server_api_is_422(catalogue):
    for cursor in (_cursor("sync", [1, 1]), _cursor("sync", ["2026-10-01T08:00:00", 1]), "x"):
        response = catalogue.client.get("/api/v1/reviews", query_string={"cursor": cursor},
                                        headers=catalogue.shop.headers)
        assert_problem(response, 422, field="cursor")


# --- what the list shows ------------------------------------------------------------------------

def test_only_published_reviews_are_listed(app, client, shop):
    published = publish(client, shop, rating=4)
    client.post(f"{shop.public}/products/sku-1/reviews",
                json={"rating": 5, "email": "p@example.com", "display_name": "Pat"})
    for status in ("rejected", "removed", "pending"):
        review = publish(client, shop, rating=5, email=f"{status}@example.com")
        with app.app_context():
            row = db.session.scalar(select(Review).where(Review.public_id == review["id"]))
            moderation.transition(row, status, actor="test", reason="spam")
            db.session.commit()

    assert ids(listing(client, shop)) == [published["id"]]
    assert ids(listing(client, shop, "reviews")) == [published["id"]]


def test_a_review_published_again_keeps_its_first_publication_date(app, client, shop):
    review = publish(client, shop)
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == review["id"]))
        moderation.transition(row, "pending", actor="test")
        db.session.commit()
        clock.travel(timedelta(days=3))
        moderation.transition(row, "published", actor="test")
        db.session.commit()

    assert listing(client, shop)["reviews"][0]["published_at"] == review["published_at"]


@pytest.mark.parametrize(("name", "shown"), [
    ("Ana Petrosyan", "Ana P."),
    ("  Ana   Maria  petrosyan ", "Ana P."),
    ("Ana", "Ana"),
    ("Ánna Ōtsuka", "Ánna Ō."),
    ("Աննա Պետրոսյան", "Աննա Պ."),
])
def test_display_name_shows_first_name_and_initial(client, shop, name, shown):
    publish(client, shop, display_name=name)

    assert listing(client, shop)["reviews"][0]["author"] == shown


def test_a_review_shows_what_a_shopper_needs_and_nothing_else(client, shop):
    photo = upload(client, shop)
    publish(client, shop, rating=4, title="Light", body="Good grip.", display_name="Ana Petrosyan",
            photo_ids=[photo])

    review = listing(client, shop)["reviews"][0]

    assert set(review) == {"id", "rating", "title", "body", "author", "locale", "lang", "published_at", "edited_at", "source",
                           "verified_buyer", "incentivized", "staff", "redacted", "labels", "helpful",
                           "photos", "reply"}
    assert (review["rating"], review["title"], review["body"]) == (4, "Light", "Good grip.")
    assert review["helpful"] == {"up": 0, "down": 0}
    [shown] = review["photos"]
    assert shown["id"] == photo
    assert shown["url"].startswith("http://reviews.test/media/") and shown["thumb_url"] != shown["url"]
    assert shown["width"] == 300 and shown["height"] == 200
    assert shown["thumb_width"] <= 400 and shown["thumb_height"] <= 400


@pytest.mark.parametrize("text", [
    'quote " backslash \\ slash /', "line\u2028paragraph\u2029", "tab\tnew\nline\r", "\x01\x1f\x7f\x85",
    "Աննա 日本 😀 \ufeff\u00a0", "<script>&'</script>", "\U0010ffff",
], ids=["quotes", "js-separators", "whitespace", "control", "scripts", "markup", "last-code-point"])
def test_the_list_is_compact_utf8_json_as_the_standard_library_writes_it(client, shop, text):
    publish(client, shop, title=text, body=f"Good. {text}", display_name=f"Ana {text}")

    response = client.get(f"{shop.public}/products/sku-1/reviews")

    as_stdlib = json.dumps(response.json, separators=(",", ":"), ensure_ascii=False).encode()
    assert response.data == as_stdlib


def test_each_review_lists_its_own_photos_in_their_order(client, shop):
    made = []
    for n, count in enumerate([2, 0, 3, 1]):
        photos = [upload(client, shop) for _ in range(count)]
        made.append((publish(client, shop, email=f"b{n}@example.com", photo_ids=photos)["id"], photos))

    shown = {r["id"]: [p["id"] for p in r["photos"]] for r in listing(client, shop)["reviews"]}

    assert shown == dict(made)


@pytest.mark.parametrize(("staff_email", "labels"), [
    ("buyer@example.com", ["verified_buyer"]),
    ("buyer@shop-a.example", ["verified_buyer", "staff"]),
])
def test_labels_say_verified_buyer_and_staff(client, shop, staff_email, labels):
    client.patch("/api/v1/shop", json={"settings": {"staff_email_domains": ["shop-a.example"]}},
                 headers=shop.headers)
    publish(client, shop, email=staff_email)

    review = listing(client, shop)["reviews"][0]

    assert review["labels"] == labels
    assert review["verified_buyer"] is True and review["incentivized"] is False
    assert review["staff"] is ("staff" in labels)


def test_an_unverified_review_published_by_a_moderator_has_no_labels(app, client, shop):
    make_product(app, shop)
    posted = client.post(f"{shop.public}/products/sku-1/reviews",
                         json={"rating": 2, "email": "anon@example.com", "display_name": "Anon"}).json
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == posted["id"]))
        moderation.transition(row, "published", actor="user:1")
        db.session.commit()

    review = listing(client, shop)["reviews"][0]

    assert (review["labels"], review["verified_buyer"], review["source"]) == ([], False, "widget")


def test_the_merchants_reply_is_shown(app, client, shop):
    review = publish(client, shop)
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == review["id"]))
        db.session.add(Reply(review_id=row.id, body="Thank you, Ana!"))
        db.session.commit()

    assert listing(client, shop)["reviews"][0]["reply"]["body"] == "Thank you, Ana!"


def test_the_shop_wide_list_holds_every_product_of_this_shop_only(client, shop, other_shop):
    shoes = publish(client, shop, "sku-1")
    clock.travel(timedelta(minutes=1))
    socks = publish(client, shop, "sku-2")
    publish(client, other_shop, "sku-1")

    assert ids(listing(client, shop, "reviews")) == [socks["id"], shoes["id"]]
    assert ids(listing(client, shop, "products/sku-2/reviews")) == [socks["id"]]


def test_an_unknown_product_lists_404(client, shop):
    assert_problem(client.get(f"{shop.public}/products/nope/reviews"), 404)


def test_an_unknown_public_key_is_404(client):
    assert_problem(client.get("/api/v1/public/pk_nope/reviews"), 404)


# --- no personal data in any public answer ------------------------------------------------------

PII_EMAILS = ["zed.marker.one@leak-check.example", "anon.marker.two@leak-check.example"]
PII_IP = "203.0.113.197"
PII_ORDER = "PII-ORDER-7Q3XK"


def test_no_public_answer_holds_an_email_ip_or_order_id(app, client, shop):
    visitor = {"environ_base": {"REMOTE_ADDR": PII_IP, "HTTP_USER_AGENT": "leak-check"}}
    answers = []
    order = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        PII_ORDER, email=PII_EMAILS[0], items=[("sku-1", "Trail shoes"), ("sku-2", "Socks")])).json
    fulfilled = client.post(f"/api/v1/orders/{PII_ORDER}/events", json={"type": "fulfilled"},
                            headers=shop.headers).json
    request_token = fulfilled["review_request"]["url"].rsplit("/review/", 1)[1]
    photo = client.post(f"{shop.public}/photos", content_type="multipart/form-data",
                        data={"photo": (io.BytesIO(corpus.small_jpeg()), "p.jpg")}, **visitor)
    answers.append(photo)
    verified = client.post(f"{shop.public}/products/sku-1/reviews", **visitor, json={
        "rating": 5, "body": "Great", "token": order["widget_token"], "photo_ids": [photo.json["id"]]})
    answers.append(verified)
    anonymous = client.post(f"{shop.public}/products/sku-2/reviews", **visitor, json={
        "rating": 3, "body": "Fine", "email": PII_EMAILS[1], "display_name": "Zed"})
    answers.append(anonymous)
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == anonymous.json["id"]))
        moderation.transition(row, "published", actor="test")
        db.session.commit()
    review_id = verified.json["id"]
    answers.append(client.post(f"{shop.public}/reviews/{review_id}/votes", json={"value": "up"}, **visitor))
    answers.append(client.post(f"{shop.public}/reviews/{review_id}/reports", json={
        "reason": "other", "note": "just checking"}, **visitor))

    values = {"public_key": shop.public_key, "product_id": ["sku-1", "sku-2"],
              "token": [request_token, order["widget_token"]], "review_id": review_id}
    queries = [{}, {"with_photos": "true"}, {"rating": 5}, {"ids": "sku-1,sku-2"},
               *({"sort": s} for s in SORTS)]
    rules = [r for r in app.url_map.iter_rules()
             if r.rule.startswith("/api/v1/public/") and "GET" in r.methods]
    assert rules
    urls = app.url_map.bind("reviews.test")
    for rule in rules:
        # A new public route with a new path parameter fails here until the scan covers it.
        assert set(rule.arguments) <= set(values), f"fill in {rule.arguments - set(values)}"
        for filled in _fillings(rule.arguments, values):
            path = urls.build(rule.endpoint, filled, method="GET")
            for query in queries:
                response = client.get(path, query_string=query, **visitor)
                assert response.status_code < 500, (path, query, response.json)
                answers.append(response)

    assert any(a.status_code == 200 and a.json.get("reviews") for a in answers)
    for response in answers:
        text = response.get_data(as_text=True) + str(response.headers)
        for secret in [*PII_EMAILS, PII_IP, PII_ORDER, "buyer@example.com", "Ana Buyer"]:
            assert secret.lower() not in text.lower(), (response.request.path, secret)


def _fillings(arguments, values):
    """Every combination of the candidate values of a rule's path parameters."""
    fillings = [{}]
    for name in sorted(arguments):
        options = values[name] if isinstance(values[name], list) else [values[name]]
        fillings = [{**f, name: option} for f in fillings for option in options]
    return fillings
