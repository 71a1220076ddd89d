"""PUT /api/v1/products/<product_id>: the shop's backend creates and replaces its products."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from ..helpers import assert_problem, row_counts

FULL = {
    "name": "Trail Runner 2",
    "url": "https://shop.example/p/trail-runner-2",
    "image_url": "https://cdn.shop.example/tr2.jpg",
    "gtin": "4006381333931",
    "mpn": "TR2-42",
    "brand": "Demo Outdoor",
    "sku": "TR2-42-BLK",
}


def product_url(product_id: str) -> str:
    return "/api/v1/products/" + quote(product_id, safe="")


def test_first_put_creates_the_product_and_answers_201(client, shop):
    response = client.put(product_url("sku-1"), json=FULL, headers=shop.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == "sku-1"
    assert {k: body[k] for k in FULL} == FULL
    assert body["created_at"].endswith("+00:00")


def test_second_put_updates_the_product_and_answers_200(client, shop):
    client.put(product_url("sku-1"), json=FULL, headers=shop.headers)
    response = client.put(product_url("sku-1"), json={**FULL, "name": "Trail Runner 3"}, headers=shop.headers)
    assert response.status_code == 200
    assert response.get_json()["name"] == "Trail Runner 3"


def test_put_replaces_every_field_and_clears_the_ones_left_out(client, shop):
    client.put(product_url("sku-1"), json=FULL, headers=shop.headers)
    client.put(product_url("sku-1"), json={"name": "Renamed"}, headers=shop.headers)
    body = client.get(product_url("sku-1"), headers=shop.headers).get_json()
    assert body["name"] == "Renamed"
    assert [body[k] for k in ("url", "image_url", "gtin", "mpn", "brand", "sku")] == [None] * 6


def test_update_keeps_created_at_and_moves_updated_at(client, shop):
    first = client.put(product_url("sku-1"), json=FULL, headers=shop.headers).get_json()
    second = client.put(product_url("sku-1"), json={"name": "Renamed"}, headers=shop.headers).get_json()
    assert second["created_at"] == first["created_at"]
    assert second["updated_at"] >= first["updated_at"]


def test_repeated_puts_keep_one_row(app, client, shop):
    client.put(product_url("sku-1"), json=FULL, headers=shop.headers)
    before = row_counts(app)
    for name in ("a", "b", "c"):
        client.put(product_url("sku-1"), json={"name": name}, headers=shop.headers)
    assert row_counts(app) == before


def test_get_answers_the_product(client, shop):
    client.put(product_url("sku-1"), json=FULL, headers=shop.headers)
    response = client.get(product_url("sku-1"), headers=shop.headers)
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in FULL} == FULL


@pytest.mark.parametrize("product_id", [
    "a/b",
    "shoes/men/42",
    "trailing-slash/",
    "Schuh-Größe-42",
    "鞋子",
    "🥾 boots",
    "with space",
    "100%",
    "a?b=c",
    "a#b",
    "a+b",
    "..",
    "a/../b",
    "a//b",
    "%2F",
    "x" * 255,
])
def test_product_id_is_any_url_encoded_string(client, shop, product_id):
    put = client.put(product_url(product_id), json={"name": "Shoes"}, headers=shop.headers)
    assert put.status_code == 201, put.get_data(as_text=True)
    assert put.get_json()["id"] == product_id
    got = client.get(product_url(product_id), headers=shop.headers)
    assert got.status_code == 200
    assert got.get_json()["id"] == product_id


def test_ids_that_differ_only_in_case_are_different_products(client, shop):
    client.put(product_url("SKU-1"), json={"name": "Upper"}, headers=shop.headers)
    client.put(product_url("sku-1"), json={"name": "Lower"}, headers=shop.headers)
    assert client.get(product_url("SKU-1"), headers=shop.headers).get_json()["name"] == "Upper"
    assert client.get(product_url("sku-1"), headers=shop.headers).get_json()["name"] == "Lower"


def test_product_id_over_255_characters_is_422(app, client, shop):
    before = row_counts(app)
    response = client.put(product_url("x" * 256), json={"name": "Shoes"}, headers=shop.headers)
    assert_problem(response, 422, field="product_id")
    assert row_counts(app) == before


def test_unknown_product_is_404(client, shop):
    assert_problem(client.get(product_url("never-sent"), headers=shop.headers), 404)


def test_null_optional_fields_are_accepted(client, shop):
    body = {"name": "Shoes", **{k: None for k in ("url", "image_url", "gtin", "mpn", "brand", "sku")}}
    assert client.put(product_url("sku-1"), json=body, headers=shop.headers).status_code == 201


def test_product_answer_is_documented_with_its_schema(client):
    spec = client.get("/api/openapi.json").get_json()
    put = spec["paths"]["/api/v1/products/{product_id}"]["put"]
    assert {"200", "201"} <= put["responses"].keys()
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProductIn")
