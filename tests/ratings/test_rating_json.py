"""Rating JSON for storefronts: one product, many products, the whole shop; caching and exactness."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from reviews_service.catalog.models import Product
from reviews_service.extensions import db
from reviews_service.ratings import service as ratings
from reviews_service.ratings.reads import Rating
from reviews_service.reviews.models import Review
from tests.helpers import assert_problem, publish

from . import CONFIG, pending, set_status, unannounced


@pytest.fixture
def app_config():
    return dict(CONFIG)


def rating_of(client, shop, product_id="sku-1", **kw):
    response = client.get(f"{shop.public}/products/{product_id}/rating", **kw)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- the numbers -----------------------------------------------------------------------------------

def test_product_rating_has_average_count_histogram_and_verified_count(client, shop):
    for stars in (5, 4, 4):
        publish(client, shop, rating=stars)
    assert rating_of(client, shop) == {
        "product_id": "sku-1", "average": 4.33, "count": 3,
        "histogram": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}, "verified_count": 3,
    }


@pytest.mark.parametrize(("total", "count", "average"), [
    (33, 8, 4.13),     # 4.125: half up, not half even
    (107, 40, 2.68),   # 2.675: a float would round it to 2.67
    (13, 3, 4.33),
    (25, 6, 4.17),
    (5, 1, 5.0),
    (0, 0, 0.0),
])
def test_average_has_two_decimals_rounded_half_up(total, count, average):
    assert Rating(count=count, total=total).average == average


def test_average_over_http_rounds_half_up(client, shop):
    for stars in (5, 5, 5, 5, 5, 4, 2, 2):  # 33 / 8 = 4.125
        publish(client, shop, rating=stars)
    assert rating_of(client, shop)["average"] == 4.13


def test_pending_review_does_not_count(client, shop):
    publish(client, shop, rating=5)
    pending(client, shop, rating=1)
    body = rating_of(client, shop)
    assert (body["count"], body["average"], body["histogram"]["1"]) == (1, 5.0, 0)


def test_rejected_review_stops_counting(client, shop, app):
    kept = publish(client, shop, rating=5)
    gone = publish(client, shop, rating=1)
    set_status(app, gone["id"], "rejected", reason="spam")
    body = rating_of(client, shop)
    assert (body["count"], body["average"], body["verified_count"]) == (1, 5.0, 1)
    assert kept["id"] != gone["id"]


def test_product_without_reviews_answers_zero(client, shop):
    assert rating_of(client, shop, "never-sold") == {
        "product_id": "never-sold", "average": 0.0, "count": 0,
        "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}, "verified_count": 0,
    }


@pytest.mark.parametrize("path", ["/products/sku-1/rating", "/ratings?ids=sku-1", "/rating"])
def test_unknown_public_key_is_404(client, path):
    assert_problem(client.get(f"/api/v1/public/pk_unknownunknownunknown{path}"), 404)


def test_other_shops_reviews_are_not_counted(client, shop, other_shop):
    publish(client, other_shop, rating=1)
    assert rating_of(client, shop)["count"] == 0


def test_product_numbers_equal_a_recount(client, shop, app):
    made = [publish(client, shop, rating=stars) for stars in (1, 2, 3, 3, 5, 5, 5)]
    publish(client, shop, "sku-2", rating=4, name="Socks")
    pending(client, shop, rating=2)
    set_status(app, made[0]["id"], "rejected", reason="spam")
    set_status(app, made[4]["id"], "removed")
    with app.app_context():
        assert ratings.recount() == []
        product = db.session.scalar(select(Product.id).where(Product.shop_id == shop.id,
                                                              Product.external_id == "sku-1"))
        stars = Counter(db.session.scalars(select(Review.rating).where(
            Review.product_id == product, Review.status == "published")))
    body = rating_of(client, shop)
    assert body["histogram"] == {str(n): stars.get(n, 0) for n in range(1, 6)}
    assert body["count"] == sum(stars.values()) == 5
    assert body["verified_count"] == 5
    assert body["average"] == round(sum(n * k for n, k in stars.items()) / body["count"], 2)


# --- many products, the shop ---------------------------------------------------------------------

def test_bulk_ratings_answer_in_the_asked_order_with_unknown_ids_at_zero(client, shop):
    publish(client, shop, "a", rating=5, name="A")
    publish(client, shop, "b", rating=2, name="B")
    response = client.get(f"{shop.public}/ratings?ids=b,nope,a")
    assert response.status_code == 200
    rows = response.get_json()["ratings"]
    assert [(r["product_id"], r["count"], r["average"]) for r in rows] == [
        ("b", 1, 2.0), ("nope", 0, 0.0), ("a", 1, 5.0)]


def test_bulk_ratings_list_a_repeated_id_once(client, shop):
    rows = client.get(f"{shop.public}/ratings?ids=a,b,a").get_json()["ratings"]
    assert [r["product_id"] for r in rows] == ["a", "b"]


def test_bulk_ratings_accept_100_ids(client, shop):
    ids = ",".join(f"p{n}" for n in range(100))
    assert len(client.get(f"{shop.public}/ratings?ids={ids}").get_json()["ratings"]) == 100


def test_bulk_ratings_refuse_more_than_100_ids(client, shop):
    ids = ",".join(f"p{n}" for n in range(101))
    body = assert_problem(client.get(f"{shop.public}/ratings?ids={ids}"), 422, field="ids")
    assert "101" in body["detail"]


@pytest.mark.parametrize("ids", ["", ",,,", " , "])
def test_bulk_ratings_refuse_a_list_without_ids(client, shop, ids):
    body = assert_problem(client.get(f"{shop.public}/ratings", query_string={"ids": ids}), 422)
    assert "ids" in body["errors"]


def test_bulk_ratings_need_ids(client, shop):
    assert_problem(client.get(f"{shop.public}/ratings"), 422, field="ids")


def test_shop_rating_covers_every_product(client, shop):
    publish(client, shop, "a", rating=5, name="A")
    publish(client, shop, "b", rating=2, name="B")
    publish(client, shop, "b", rating=4, name="B")
    response = client.get(f"{shop.public}/rating")
    assert response.status_code == 200
    assert response.get_json() == {"average": 3.67, "count": 3, "verified_count": 3,
                                   "histogram": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}}


# --- caching ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/products/sku-1/rating", "/ratings?ids=sku-1,sku-2", "/rating"])
def test_same_etag_answers_304_and_a_published_review_changes_it(client, shop, path):
    publish(client, shop, rating=4)
    first = client.get(shop.public + path)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(shop.public + path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    publish(client, shop, rating=2)
    changed = client.get(shop.public + path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_pending_review_keeps_the_etag(client, shop):
    publish(client, shop, rating=4)
    etag = client.get(f"{shop.public}/products/sku-1/rating").headers["ETag"]
    pending(client, shop, rating=1)
    assert client.get(f"{shop.public}/products/sku-1/rating",
                      headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("app_config", [{"RATING_MAX_AGE": 30, "RATING_S_MAXAGE": 120,
                                         "RATING_STALE_WHILE_REVALIDATE": 45}])
@pytest.mark.parametrize("path", ["/products/sku-1/rating", "/ratings?ids=a", "/rating"])
def test_cache_control_follows_config(client, shop, path):
    response = client.get(shop.public + path)
    assert response.headers["Cache-Control"] == \
        "public, max-age=30, s-maxage=120, stale-while-revalidate=45"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("app_config", [
    {**CONFIG, "RATING_CACHE_TTL": 5, "RATING_MAX_AGE": 5},
    # A longer in-process TTL is capped at the max-age a browser or CDN may keep anyway.
    {**CONFIG, "RATING_CACHE_TTL": 60, "RATING_MAX_AGE": 5},
])
def test_in_process_cache_never_serves_a_value_older_than_max_age(client, shop, frozen):
    publish(client, shop, rating=5)
    assert rating_of(client, shop)["count"] == 1
    with unannounced():  # as another process's change without Redis: only the TTL ends the answer
        publish(client, shop, rating=1)
    frozen.travel(4.9)
    assert rating_of(client, shop)["count"] == 1  # cached, and younger than the max-age
    frozen.travel(0.2)
    assert rating_of(client, shop)["count"] == 2


@pytest.mark.parametrize("app_config", [{**CONFIG, "RATING_CACHE_TTL": 5, "RATING_MAX_AGE": 5}])
def test_cached_answer_keeps_its_etag_until_it_expires(client, shop, frozen):
    publish(client, shop, rating=5)
    etag = client.get(f"{shop.public}/products/sku-1/rating").headers["ETag"]
    with unannounced():
        publish(client, shop, rating=3)
    assert client.get(f"{shop.public}/products/sku-1/rating",
                      headers={"If-None-Match": etag}).status_code == 304
    frozen.travel(5.01)
    fresh = client.get(f"{shop.public}/products/sku-1/rating", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.get_json()["count"] == 2


@pytest.mark.parametrize("app_config", [{**CONFIG, "RATING_CACHE_TTL": 0, "RATING_MAX_AGE": 60}])
def test_cache_ttl_zero_reads_the_aggregate_every_time(client, shop, frozen):
    publish(client, shop, rating=5)
    assert rating_of(client, shop)["count"] == 1
    publish(client, shop, rating=4)
    assert rating_of(client, shop)["count"] == 2
