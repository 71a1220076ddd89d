"""Submitting a review through the public API: strict input, tokens that make a verified buyer,
one review per product and order (or e-mail), server-owned fields, photos, and no half writes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from reviews_service.extensions import db
from reviews_service.moderation.models import AuditEvent
from reviews_service.ratings.models import ProductRating
from reviews_service.reviews.models import Photo, Review
from tests.factories import make_product, make_shop
from tests.helpers import assert_problem, post_order, server_review, set_settings, submit, upload

ANON = {"rating": 4, "title": "Good", "body": "Comfortable from day one.",
        "display_name": "Ana Petrosyan", "email": "ana@example.com"}


@pytest.fixture
def app_config():
    # Many writes from one test client: the rate limit has its own tests.
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture(autouse=True)
def products(app, shop):
    return [make_product(app, shop, "sku-1", "Trail shoes"), make_product(app, shop, "sku-2", "Socks")]


def tokens(client, shop, *, fulfilled: bool = True, **kw) -> dict[str, str]:
    """Both kinds of token for one fulfilled order: the thank-you page's and the e-mail's."""
    order = post_order(client, shop, fulfilled=fulfilled, **kw)
    request = order["review_request"]
    return {"widget": order["widget_token"], "order_id": order["id"],
            "request": request["url"].rsplit("/review/", 1)[1] if request else None}


def counts(app) -> dict[str, int]:
    """What a submission could write, counted."""
    with app.app_context():
        count = lambda q: db.session.scalar(select(func.count()).select_from(q))  # noqa: E731
        return {
            "reviews": count(Review),
            "audit": count(AuditEvent),
            "attached_photos": count(select(Photo).where(Photo.review_id.is_not(None)).subquery()),
            "rating_rows": count(ProductRating),
        }


# --- what a review must carry -------------------------------------------------------------------

@pytest.mark.parametrize("email", ["missing", None, ""])
def test_anonymous_review_needs_an_email_address(client, shop, email):
    body = {k: v for k, v in ANON.items() if k != "email"}
    if email != "missing":
        body["email"] = email

    assert_problem(submit(client, shop, **body), 422, field="email", shopper=True)


@pytest.mark.parametrize("email", ["not-an-email", "ana@", "@example.com", "a" * 250 + "@example.com"])
def test_malformed_email_is_422(client, shop, email):
    assert_problem(submit(client, shop, **{**ANON, "email": email}), 422, field="email")


@pytest.mark.parametrize("rating", ["5", 5.0, 4.5, True, False, 0, 6, -1, None, [], {}, "five"],
                         ids=repr)
def test_rating_must_be_an_integer_from_1_to_5(client, shop, rating):
    assert_problem(submit(client, shop, **{**ANON, "rating": rating}), 422, field="rating")


def test_missing_rating_is_422(client, shop):
    body = {k: v for k, v in ANON.items() if k != "rating"}

    assert_problem(submit(client, shop, **body), 422, field="rating")


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_every_star_rating_is_accepted(client, shop, rating):
    response = submit(client, shop, **{**ANON, "rating": rating})

    assert response.status_code == 201, response.json
    assert response.json["rating"] == rating


@pytest.mark.parametrize(("field", "limit"), [("title", 150), ("body", 5000), ("display_name", 100)])
def test_text_over_its_limit_is_422(client, shop, field, limit):
    assert_problem(submit(client, shop, **{**ANON, field: "x" * (limit + 1)}), 422, field=field)


@pytest.mark.parametrize(("field", "limit"), [("title", 150), ("body", 5000)])
def test_text_at_its_limit_is_accepted(client, shop, field, limit):
    response = submit(client, shop, **{**ANON, field: "é" * limit})

    assert response.status_code == 201, response.json
    assert response.json[field] == "é" * limit


@pytest.mark.parametrize("body", ["", "   "])
def test_rating_only_review_is_allowed_by_default(client, shop, body):
    response = submit(client, shop, **{**ANON, "body": body})

    assert response.status_code == 201, response.json
    assert response.json["body"] == ""


@pytest.mark.parametrize("body", ["", "  \n "])
def test_rating_only_review_is_refused_when_the_shop_turns_it_off(client, shop, body):
    set_settings(client, shop, allow_rating_only=False)

    assert_problem(submit(client, shop, **{**ANON, "body": body}), 422, field="body", shopper=True)


def test_anonymous_review_needs_a_display_name(client, shop):
    assert_problem(submit(client, shop, **{**ANON, "display_name": "  "}), 422, field="display_name", shopper=True)


@pytest.mark.parametrize("product", ["no-such-sku", "sku-1%2F..", "SKU-1"])
def test_unknown_product_is_404(client, shop, product):
    assert_problem(submit(client, shop, product, **ANON), 404)


def test_another_shops_product_is_404(client, shop, other_shop):
    make_product(client.application, other_shop, "only-in-b", "Hat")

    assert_problem(submit(client, shop, "only-in-b", **ANON), 404)


# --- tokens: verified buyers --------------------------------------------------------------------

def test_widget_token_makes_a_verified_published_thank_you_review_linked_to_the_order(client, shop):
    t = tokens(client, shop, fulfilled=False)

    response = submit(client, shop, rating=5, body="Fits well", token=t["widget"])

    assert response.status_code == 201, response.json
    review = response.json
    assert (review["verified_buyer"], review["source"], review["status"]) == (True, "thank_you", "published")
    assert review["labels"] == ["verified_buyer"]
    stored = server_review(client, shop, review["id"])
    assert stored["order_id"] == t["order_id"]
    assert stored["email"] == "buyer@example.com"
    assert stored["author_name"] == "Ana Buyer"


def test_review_request_token_makes_a_verified_review_with_source_request(client, shop):
    t = tokens(client, shop)

    response = submit(client, shop, rating=3, token=t["request"])

    assert response.status_code == 201, response.json
    assert (response.json["verified_buyer"], response.json["source"]) == (True, "request")
    assert server_review(client, shop, response.json["id"])["order_id"] == t["order_id"]


@pytest.mark.parametrize("kind", ["widget", "request"])
def test_token_for_a_product_not_in_the_order_is_refused(app, client, shop, kind):
    t = tokens(client, shop, items=[("sku-1", "Trail shoes")])
    before = counts(app)

    response = submit(client, shop, "sku-2", rating=5, token=t[kind])

    assert_problem(response, 404, field="product_id", shopper=True)
    assert counts(app) == before


def test_display_name_given_with_a_token_replaces_the_customers_name(client, shop):
    t = tokens(client, shop)

    response = submit(client, shop, rating=5, token=t["widget"], display_name="Ana from Yerevan")

    assert response.json["author"] == "Ana Y."


@pytest.mark.parametrize(("first", "second"), [("widget", "widget"), ("widget", "request"),
                                               ("request", "widget")])
def test_second_review_for_the_same_product_and_order_is_409(client, shop, first, second):
    t = tokens(client, shop)
    assert submit(client, shop, rating=5, token=t[first]).status_code == 201

    assert_problem(submit(client, shop, rating=1, token=t[second]), 409)


def test_the_same_order_may_review_each_of_its_products(client, shop):
    t = tokens(client, shop, items=[("sku-1", "Trail shoes"), ("sku-2", "Socks")])

    statuses = [submit(client, shop, p, rating=4, token=t["widget"]).status_code for p in ("sku-1", "sku-2")]

    assert statuses == [201, 201]


@pytest.mark.parametrize("again", ["ana@example.com", "ANA@example.com", "Ana@Example.COM"])
def test_second_review_for_the_same_product_and_email_without_order_is_409(client, shop, again):
    assert submit(client, shop, **ANON).status_code == 201

    assert_problem(submit(client, shop, **{**ANON, "email": again, "rating": 1}), 409)


def test_the_same_email_may_review_another_product(client, shop):
    assert submit(client, shop, "sku-1", **ANON).status_code == 201

    assert submit(client, shop, "sku-2", **ANON).status_code == 201


def test_anonymous_email_is_stored_lower_case(client, shop):
    response = submit(client, shop, **{**ANON, "email": "Ana.P@Example.COM"})

    assert server_review(client, shop, response.json["id"])["email"] == "ana.p@example.com"


# --- labels and status --------------------------------------------------------------------------

@pytest.mark.parametrize(("email", "staff"), [
    ("anna@shop-a.example", True),
    ("Anna@SHOP-A.example", True),
    ("anna@eu.shop-a.example", True),
    ("anna@notshop-a.example", False),
    ("anna@shop-a.example.evil.test", False),
    ("shop-a.example@gmail.example", False),
])
def test_staff_email_domains_mark_the_review_as_staff(client, shop, email, staff):
    set_settings(client, shop, staff_email_domains=["shop-a.example"])

    response = submit(client, shop, **{**ANON, "email": email})

    assert response.status_code == 201, response.json
    assert response.json["staff"] is staff
    assert ("staff" in response.json["labels"]) is staff


def test_staff_domain_applies_to_a_verified_buyer_too(client, shop):
    set_settings(client, shop, staff_email_domains=["shop-a.example"])
    t = tokens(client, shop, email="tester@shop-a.example")

    response = submit(client, shop, rating=5, token=t["widget"])

    assert response.json["labels"] == ["verified_buyer", "staff"]


@pytest.mark.parametrize(("field", "value"), [
    ("status", "published"), ("verified_buyer", True), ("verified_buyer", False), ("source", "import"),
    ("helpful", {"up": 99, "down": 0}), ("helpful_up", 99), ("staff", False), ("incentivized", False),
    ("report_count", 0), ("published_at", "2020-01-01T00:00:00+00:00"), ("order_id", "ORDER-1"),
    ("id", "chosen-id"), ("labels", ["verified_buyer"]), ("moderation_rule", "none"),
])
def test_server_owned_fields_sent_by_a_client_are_422(app, client, shop, field, value):
    before = counts(app)

    response = submit(client, shop, **{**ANON, field: value})

    assert_problem(response, 422, field=field)
    assert counts(app) == before


def test_server_owned_fields_are_refused_with_a_token_too(client, shop):
    t = tokens(client, shop)

    assert_problem(submit(client, shop, rating=5, token=t["widget"], verified_buyer=True), 422,
                   field="verified_buyer")


def test_verified_review_is_pending_when_the_shop_does_not_auto_publish(client, shop):
    set_settings(client, shop, auto_publish_verified=False)
    t = tokens(client, shop)

    response = submit(client, shop, rating=5, token=t["widget"])

    assert (response.json["status"], response.json["verified_buyer"]) == ("pending", True)
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"] == []


@pytest.mark.parametrize("rating", [1, 5])
def test_unverified_review_is_pending_whatever_its_rating(client, shop, rating):
    response = submit(client, shop, **{**ANON, "rating": rating})

    assert response.json["status"] == "pending"
    assert response.json["verified_buyer"] is False
    assert response.json["source"] == "widget"
    assert response.json["labels"] == []
    assert server_review(client, shop, response.json["id"])["status"] == "pending"
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"] == []


# --- photos -------------------------------------------------------------------------------------

def test_up_to_five_photos_attach_in_the_order_given(client, shop):
    ids = [upload(client, shop) for _ in range(5)]

    response = submit(client, shop, **ANON, photo_ids=list(reversed(ids)))

    assert response.status_code == 201, response.json
    assert [p["id"] for p in response.json["photos"]] == list(reversed(ids))
    assert all(p["url"] and p["width"] and p["thumb_url"] for p in response.json["photos"])


def test_a_sixth_photo_is_422(app, client, shop):
    ids = [upload(client, shop) for _ in range(6)]
    before = counts(app)

    assert_problem(submit(client, shop, **ANON, photo_ids=ids), 422, field="photo_ids")
    assert counts(app) == before


@pytest.mark.parametrize("hostile", ["unknown", "other-shop", "twice-in-list", "empty", "too-long"])
def test_a_bad_photo_id_is_422(app, client, shop, other_shop, hostile):
    own = upload(client, shop)
    bad = {
        "unknown": [own, "no-such-photo-id"],
        "other-shop": [own, upload(client, other_shop)],
        "twice-in-list": [own, own],
        "empty": [own, ""],
        "too-long": [own, "x" * 41],
    }[hostile]
    before = counts(app)

    response = submit(client, shop, **ANON, photo_ids=bad)
    if hostile in ("empty", "too-long"):
        # The schema refuses the list's item: its error and the detail name it by its index.
        assert_problem(response, 422, field="photo_ids.1")
    else:
        assert_problem(response, 422, field="photo_ids", shopper=True)
    assert counts(app) == before


def test_a_photo_cannot_be_attached_to_two_reviews(client, shop):
    photo = upload(client, shop)
    assert submit(client, shop, "sku-1", **ANON, photo_ids=[photo]).status_code == 201

    response = submit(client, shop, "sku-2", **ANON, photo_ids=[photo])

    assert_problem(response, 422, field="photo_ids", shopper=True)


# --- a refused request writes nothing -----------------------------------------------------------

REFUSALS = {
    "duplicate-email": (409, lambda ctx: {**ANON}),
    "duplicate-order": (409, lambda ctx: {"rating": 2, "token": ctx["tokens"]["request"]}),
    "bad-token": (403, lambda ctx: {"rating": 2, "token": ctx["tokens"]["widget"] + "x"}),
    "used-photo": (422, lambda ctx: {**ANON, "email": "new@example.com", "photo_ids": [ctx["used"]]}),
    "unknown-photo": (422, lambda ctx: {**ANON, "email": "new@example.com",
                                        "photo_ids": [ctx["fresh"], "nope"]}),
    "server-field": (422, lambda ctx: {**ANON, "email": "new@example.com", "status": "published"}),
    "no-email": (422, lambda ctx: {"rating": 3, "display_name": "Ana", "photo_ids": [ctx["fresh"]]}),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_submission_writes_nothing(app, client, shop, case):
    used, fresh = upload(client, shop), upload(client, shop)
    ctx = {"tokens": tokens(client, shop), "used": used, "fresh": fresh}
    assert submit(client, shop, **ANON, photo_ids=[used]).status_code == 201
    assert submit(client, shop, rating=5, token=ctx["tokens"]["widget"]).status_code == 201
    before = counts(app)
    status, make_body = REFUSALS[case]

    response = submit(client, shop, **make_body(ctx))

    assert_problem(response, status)
    assert counts(app) == before
    # The fresh photo can still be attached: the refused request did not claim it.
    assert submit(client, shop, "sku-2", **ANON, photo_ids=[fresh]).status_code == 201


def test_malformed_json_is_a_problem_not_a_500(client, shop):
    response = client.post(f"{shop.public}/products/sku-1/reviews", data="{rating: 5",
                           content_type="application/json")

    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [[], "review", 5, None], ids=repr)
def test_a_json_body_that_is_not_an_object_is_a_problem(client, shop, body):
    response = client.post(f"{shop.public}/products/sku-1/reviews", json=body)

    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"


# --- concurrent submissions on PostgreSQL -------------------------------------------------------

def _race(app, n: int, send) -> list:
    """`send(client, i)` from `n` threads at once, each with its own client; answers the responses."""
    barrier = threading.Barrier(n)
    answers = []

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=300)  # a guard against a hang, not a time limit
        answers.append(send(client, i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def pg_shop(pg_app):
    shop = make_shop(pg_app, "Shop A")
    make_product(pg_app, shop, "sku-1", "Trail shoes")
    return shop


@pytest.mark.postgres
def test_concurrent_submissions_attach_a_photo_to_one_review_only(pg_app, pg_shop):
    photo = upload(pg_app.test_client(), pg_shop)

    answers = _race(pg_app, 12, lambda client, i: submit(client, pg_shop, **{
        **ANON, "email": f"writer{i}@example.com", "photo_ids": [photo]}))

    assert sorted(a.status_code for a in answers) == [201] + [422] * 11
    [winner] = [a.json for a in answers if a.status_code == 201]
    assert [p["id"] for p in winner["photos"]] == [photo]
    assert counts(pg_app)["reviews"] == 1


@pytest.mark.postgres
def test_concurrent_duplicate_submissions_store_one_review(pg_app, pg_shop):
    answers = _race(pg_app, 12, lambda client, i: submit(client, pg_shop, **ANON))

    assert sorted(a.status_code for a in answers) == [201] + [409] * 11
    assert all(a.mimetype == "application/problem+json" for a in answers if a.status_code == 409)
    assert counts(pg_app)["reviews"] == 1
