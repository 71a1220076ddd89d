"""The customer's name as an order sends it: the full name, or its given and family names (also
spelled first_name and last_name), each answered back and forgotten with the customer."""

from __future__ import annotations

import pytest

from tests.factories import order_payload
from tests.helpers import assert_problem

ORDERS = "/api/v1/orders"


def post(client, shop, order_id: str | None = None, **customer):
    body = order_payload(order_id)
    body["customer"] = {"email": "lan@example.com", "locale": "vi", **customer}
    return client.post(ORDERS, json=body, headers=shop.headers)


@pytest.mark.parametrize("parts", [{"given_name": "Lan", "family_name": "Nguyễn"},
                                   {"first_name": "Lan", "last_name": "Nguyễn"}],
                         ids=["given-family", "first-last"])
def test_an_order_keeps_the_given_and_family_names_beside_the_full_name(client, shop, parts):
    response = post(client, shop, name="Nguyễn Thị Lan", **parts)

    assert response.status_code == 201, response.json
    assert response.json["customer"] == {"email": "lan@example.com", "name": "Nguyễn Thị Lan",
                                         "given_name": "Lan", "family_name": "Nguyễn", "locale": "vi",
                                         "accepts_marketing": False}


@pytest.mark.parametrize(("locale", "full"), [("vi", "Nguyễn Lan"), ("hy", "Ani Hakobyan"),
                                              ("en", "Lan Nguyễn")])
def test_without_a_full_name_it_is_the_parts_in_the_languages_order(client, shop, locale, full):
    given, family = ("Ani", "Hakobyan") if locale == "hy" else ("Lan", "Nguyễn")
    response = post(client, shop, given_name=given, family_name=family, locale=locale)

    assert response.status_code == 201, response.json
    assert response.json["customer"]["name"] == full


def test_a_name_and_its_alias_that_disagree_are_422(client, shop):
    response = post(client, shop, given_name="Lan", first_name="Mai")

    assert_problem(response, 422, field="customer.first_name")


def test_a_name_part_longer_than_100_characters_is_422(client, shop):
    assert_problem(post(client, shop, family_name="N" * 101), 422, field="customer.family_name")


def test_a_later_order_with_only_a_full_name_drops_the_old_parts(client, shop):
    post(client, shop, name="Nguyễn Thị Lan", given_name="Lan", family_name="Nguyễn")

    answer = post(client, shop, name="Trần Thị Mai").json["customer"]

    assert (answer["name"], answer["given_name"], answer["family_name"]) == ("Trần Thị Mai", "", "")


def test_erasure_blanks_the_name_parts_and_export_shows_them(client, shop):
    post(client, shop, "ORDER-LAN", name="Nguyễn Thị Lan", given_name="Lan", family_name="Nguyễn")
    exported = client.get("/api/v1/customers/export", query_string={"email": "lan@example.com"},
                          headers=shop.headers).json
    assert (exported["customer"]["given_name"], exported["customer"]["family_name"]) == ("Lan", "Nguyễn")

    erased = client.post("/api/v1/customers/erase", json={"email": "lan@example.com"}, headers=shop.headers)
    assert erased.status_code == 200, erased.json

    customer = client.get(f"{ORDERS}/ORDER-LAN", headers=shop.headers).json["customer"]
    assert customer["given_name"] == customer["family_name"] == customer["name"] == ""


def test_the_openapi_document_describes_the_name_fields(client):
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    customer_in = next(s for name, s in schemas.items() if name.startswith("CustomerIn"))["properties"]

    for field in ("given_name", "family_name", "first_name", "last_name"):
        assert customer_in[field]["type"] == "string" and customer_in[field]["description"]
    assert customer_in["given_name"]["maxLength"] == 100
