"""Direct reads: the fast path computes the hottest storefront answers (a product's or the shop's
rating, the review lists) without Flask's request handling, and what it answers is exactly what
Flask answers: status, headers in their order and body, for every path and query it takes, and
Flask still answers everything else (each case below is also asked of Flask alone)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from werkzeug.test import Client

from reviews_service.ratings import reads
from tests.helpers import publish, write_review

from . import CONFIG

PLAIN = [  # answered by the fast path itself
    "/products/sku-1/rating", "/products/sku-1/rating?anything=at-all", "/rating",
    "/products/sku-1/reviews", "/products/sku-1/reviews?limit=2", "/products/sku-1/reviews?limit=10&lang_first=vi",
    "/products/sku-1/reviews?lang_first=pt-BR", "/products/sku-1/reviews?lang=en", "/products/sku-1/reviews?sort=lowest",
    "/products/sku-1/reviews?sort=highest&rating=5", "/products/sku-1/reviews?with_photos=true",
    "/products/sku-1/reviews?limit=2&limit=7", "/reviews",
    "/reviews?limit=1", "/products/no-such-product/rating", "/products/sku.2_x~y!/rating",
]
TO_FLASK = [  # answered by Flask: refusals, unknowns, and what the fast path does not parse itself
    "/products/no-such-product/reviews", "/products/sku-1/reviews?limit=0", "/products/sku-1/reviews?limit=x",
    "/products/sku-1/reviews?unknown=1", "/products/sku-1/reviews?sort=nonsense",
    "/products/sku-1/reviews?lang_first=pt%2DBR", "/products/sku-1/reviews?lang_first=pt+BR",
    "/products/sku-1/reviews?limit", "/products/bag%2Fred/rating", "/products/bag/red/rating",
    "/products/sku%C3%BC/rating", "/products/sku-1/rating/", "/products/sku-1/reviews/", "/products//rating",
    "/products/sku%00/rating", "/products/sku-1/reviews?lang_first=",
]


@pytest.fixture(params=[0, 30], ids=["uncached", "cached"])
def app_config(request):
    return {**CONFIG, "RATING_CACHE_TTL": request.param, "RATING_MAX_AGE": 60}


@pytest.fixture
def shop_with_reviews(client, shop):
    publish(client, shop, rating=5, body="Warm and dry.", email="a@example.com")
    publish(client, shop, rating=2, body="Loose sole.", email="b@example.com")
    publish(client, shop, product="bag/red", rating=4)
    publish(client, shop, product="sku.2_x~y!", rating=3)
    publish(client, shop, product="skuü", rating=1)
    write_review(client, shop, rating=4, verified=True, photos=1, lang="vi", body="Rất tốt, cảm ơn.")
    return shop


@pytest.fixture
def flask_only(app):
    """The same app, Flask alone: the fast path bypassed."""
    return Client(app.extensions["reviews.fastpath"].app)


@pytest.fixture
def reached_flask(app) -> list[str]:
    fast = app.extensions["reviews.fastpath"]
    seen: list[str] = []
    inner = fast.app

    def counted(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    fast.app = counted
    return seen


def answer(client, url: str, **headers):
    got = client.get(url, headers=headers)
    return got.status_code, list(got.headers.items()), got.get_data()


@pytest.mark.parametrize("path", PLAIN)
def test_the_fast_path_answers_what_flask_answers_without_flask(client, flask_only, shop_with_reviews,
                                                                reached_flask, path):
    url = shop_with_reviews.public + path
    expected = answer(flask_only, url)
    reached_flask.clear()
    assert answer(client, url) == expected
    assert reached_flask == []
    assert expected[0] == 200


@pytest.mark.parametrize("path", TO_FLASK)
def test_everything_else_is_flasks_answer(client, flask_only, shop_with_reviews, reached_flask, path):
    url = shop_with_reviews.public + path
    expected = answer(flask_only, url)
    reached_flask.clear()
    assert answer(client, url) == expected
    assert len(reached_flask) == 1


def test_slash_and_non_ascii_ids_are_still_read(client, shop_with_reviews):
    for encoded in ("bag%2Fred", "bag/red", "sku%C3%BC"):
        got = client.get(f"{shop_with_reviews.public}/products/{encoded}/rating")
        assert got.status_code == 200 and got.get_json()["count"] == 1, encoded


def test_an_unknown_public_key_is_flasks_404(client, flask_only, shop_with_reviews, reached_flask):
    for key in ("pk_nobody", "pk with space", "pk%00"):
        url = f"/api/v1/public/{key}/products/sku-1/rating"
        expected = answer(flask_only, url)
        assert expected[0] == 404
        assert answer(client, url) == expected


@pytest.mark.parametrize("path", ["/products/sku-1/rating", "/rating", "/products/sku-1/reviews?limit=2"])
def test_if_none_match_gets_flasks_304(client, flask_only, shop_with_reviews, path):
    url = shop_with_reviews.public + path
    etag = flask_only.get(url).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        expected = answer(flask_only, url, **{"If-None-Match": header})
        assert expected[0] == 304 and expected[2] == b""
        got = answer(client, url, **{"If-None-Match": header})
        assert got[0] == 304 and got[2] == b""
        assert got[1] == expected[1]
    assert answer(client, url, **{"If-None-Match": '"other"'})[0] == 200


def test_the_answer_follows_a_change_at_once(client, shop_with_reviews):
    url = f"{shop_with_reviews.public}/products/sku-1/rating"
    before = client.get(url).get_json()
    publish(client, shop_with_reviews, rating=1, email="c@example.com")
    after = client.get(url).get_json()
    assert after["count"] == before["count"] + 1


def test_a_database_fault_is_flasks_problem_answer(client, flask_only, shop_with_reviews, monkeypatch,
                                                   reached_flask):
    def down(*_args):
        raise OperationalError("SELECT", {}, Exception("database is down"))

    monkeypatch.setattr(reads, "_read", down)
    url = f"{shop_with_reviews.public}/products/sku-1/rating"
    expected = answer(flask_only, url)
    assert expected[0] >= 500 and expected[2]
    reached_flask.clear()
    got = answer(client, url)
    assert got == expected
    assert len(reached_flask) == 1
    assert dict(got[1])["Content-Type"] == "application/problem+json"
