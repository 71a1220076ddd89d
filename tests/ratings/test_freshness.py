"""A review that leaves the public (erased, rejected, sent back by the rules) leaves every cached
storefront answer of the process that made the change at once; other processes keep theirs until
their cache TTL ends, the bound the README gives."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from reviews_service import create_app, events
from reviews_service.extensions import db
from reviews_service.web import caching
from tests.conftest import base_config
from tests.helpers import post_order, publish, submit

from . import CONFIG

TTL = 60
CACHED = {**CONFIG, "RATING_CACHE_TTL": TTL, "RATING_MAX_AGE": TTL}
PATHS = ["/products/sku-1/rating", "/ratings?ids=sku-1,sku-2", "/rating", "/products/sku-1/reviews",
         "/products/sku-1/reviews?sort=lowest&limit=5", "/products/sku-1/badge.svg",
         "/products/sku-1/reviews.html", "/products/sku-1/jsonld"]


@pytest.fixture
def app_config():
    return dict(CACHED)


def review_by(client, shop, email: str, rating: int, body: str) -> None:
    """A verified buyer's review (published at once) from the customer with this address."""
    order = post_order(client, shop, email=email)
    response = submit(client, shop, "sku-1", rating=rating, body=body, token=order["widget_token"])
    assert response.status_code == 201 and response.get_json()["status"] == "published"


def two_reviews(client, shop) -> None:
    """A 5-star review from the person to be erased, a 1-star one from someone else."""
    review_by(client, shop, "ana@example.com", 5, "Loved them.")
    review_by(client, shop, "ben@example.com", 1, "Fell apart.")


def kept(client, shop, path: str):
    """Read `path` twice: the second answer is the one the caches keep."""
    first = client.get(shop.public + path)
    assert first.status_code == 200, first.get_data(as_text=True)
    again = client.get(shop.public + path)
    assert again.data == first.data
    return again


@pytest.mark.parametrize("path", PATHS)
def test_an_erasure_through_the_server_api_is_seen_at_once(client, shop, frozen, path):
    two_reviews(client, shop)
    before = kept(client, shop, path)

    erased = client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=shop.headers)
    assert erased.status_code == 200 and erased.get_json()["reviews_removed"] == 1

    after = client.get(shop.public + path)  # the same moment: no clock has moved
    assert after.status_code == 200
    assert after.data != before.data and after.headers["ETag"] != before.headers["ETag"]
    assert "Loved them." not in after.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/products/sku-1/rating", "/rating", "/products/sku-1/reviews"])
def test_a_rejection_by_the_rules_after_a_settings_change_is_seen_at_once(client, shop, frozen, path):
    review_by(client, shop, "ana@example.com", 5, "Loved them.")
    review_by(client, shop, "ben@example.com", 4, "Fine.")
    before = kept(client, shop, path)

    # The shop blocks an address: the rules run again and reject that published review.
    changed = client.patch("/api/v1/shop", json={"settings": {"blocklist_emails": ["ana@example.com"]}},
                           headers=shop.headers)
    assert changed.status_code == 200, changed.get_json()

    after = client.get(shop.public + path).get_json()
    if "reviews" in after:
        assert [r["body"] for r in after["reviews"]] == ["Fine."]
    else:
        assert after["count"] == 1 and before.get_json()["count"] == 2


def test_the_answers_are_fetched_again_only_after_a_change(client, shop, frozen, calls):
    """Nothing is dropped without a change: the fast path keeps answering before Flask."""
    two_reviews(client, shop)
    kept(client, shop, "/products/sku-1/rating")
    calls.clear()
    client.get(f"{shop.public}/products/sku-1/rating")
    assert calls == []
    client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=shop.headers)
    client.get(f"{shop.public}/products/sku-1/rating")
    assert [c for c in calls if "/rating" in c] == [f"{shop.public}/products/sku-1/rating?"]


def test_another_shops_answers_stay_cached(client, shop, other_shop, frozen, calls):
    publish(client, other_shop, rating=3)
    two_reviews(client, shop)
    kept(client, other_shop, "/products/sku-1/rating")
    calls.clear()

    client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=shop.headers)

    assert client.get(f"{other_shop.public}/products/sku-1/rating").get_json()["count"] == 1
    assert calls[-1].startswith("/api/v1/customers/erase")  # answered by the fast path


def test_a_change_that_is_rolled_back_drops_nothing(app, client, shop, frozen, calls):
    two_reviews(client, shop)
    kept(client, shop, "/products/sku-1/rating")
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a transaction is under way
        events.published_reviews_changed.send(shop.id, product_id=1)  # a change is announced in it...
        db.session.rollback()  # ...that does not happen
        db.session.commit()
    calls.clear()
    assert client.get(f"{shop.public}/products/sku-1/rating").get_json()["count"] == 2
    assert calls == []  # still the kept answer


def test_another_process_sees_the_change_within_its_own_ttl(app, client, shop, frozen, tmp_path):
    """A second web process (its own caches, the same database) keeps its answer until its TTL."""
    two_reviews(client, shop)
    other = create_app(base_config(tmp_path / "other", DATABASE_URL=app.config["DATABASE_URL"], **CACHED))
    elsewhere = other.test_client()
    url = f"{shop.public}/products/sku-1/rating"
    assert elsewhere.get(url).get_json()["count"] == 2

    client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=shop.headers)

    assert client.get(url).get_json()["count"] == 1  # this process: at once
    frozen.travel(TTL - 1)
    assert elsewhere.get(url).get_json()["count"] == 2  # that one: until its TTL ends
    frozen.travel(1)
    assert elsewhere.get(url).get_json()["count"] == 1


def test_an_answer_computed_across_a_drop_is_not_kept():
    """A read that began before a change committed may hold the old state: it is served once, and
    not kept, so the next read computes again."""
    cache = caching.TTLCache()

    def stale_while_dropped():
        cache.drop_shop(7)  # the change commits while this read is running
        return "before the change"

    value, expires, _computed = cache.get_or_compute(("product", 7, "sku-1"), 60, stale_while_dropped)
    assert (value, expires) == ("before the change", None)
    assert cache.get_or_compute(("product", 7, "sku-1"), 60, lambda: "after")[0] == "after"
