"""Text that no database can store (a lone UTF-16 surrogate, which JSON's `\\ud800` escape allows)
is bad input: a 422 naming the field, on every store, with nothing written."""

from __future__ import annotations

import json

import pytest

from .factories import make_product, order_payload
from .helpers import assert_problem, row_counts

LONE = "\ud800"


def _post_json(client, url, body, headers=None):
    # json.dumps writes the surrogate as the escape "\ud800", as a hostile client would send it.
    return client.open(url, method=body.pop("_method", "POST"), data=json.dumps(body),
                       content_type="application/json", headers=headers or {})


@pytest.fixture
def keys(any_app):
    from .factories import make_shop

    return make_shop(any_app, origins=["https://shop.example"])


@pytest.mark.parametrize("where, field", [
    ("item name", "items.0.name"), ("customer name", "customer.name"), ("order id", "id")])
def test_an_order_with_a_lone_surrogate_is_422_naming_the_field(any_app, keys, where, field):
    body = order_payload()
    if where == "item name":
        body["items"][0]["name"] = f"Shoe {LONE}"
    elif where == "customer name":
        body["customer"]["name"] = f"Ana {LONE}"
    else:
        body["id"] = f"A{LONE}"
    before = row_counts(any_app)
    resp = _post_json(any_app.test_client(), "/api/v1/orders", body, keys.headers)
    assert_problem(resp, 422, field=field)
    assert row_counts(any_app) == before


def test_a_product_with_a_lone_surrogate_is_422(any_app, keys):
    resp = _post_json(any_app.test_client(), "/api/v1/products/p1",
                      {"_method": "PUT", "name": f"Shoe {LONE}"}, keys.headers)
    assert_problem(resp, 422, field="name")


def test_a_review_with_a_lone_surrogate_is_422(any_app, keys):
    make_product(any_app, keys, "p1")
    body = {"rating": 5, "body": f"Great {LONE}", "display_name": "Ana", "email": "ana@example.com"}
    resp = _post_json(any_app.test_client(), f"{keys.public}/products/p1/reviews", body,
                      {"Origin": "https://shop.example"})
    assert_problem(resp, 422, field="body")
