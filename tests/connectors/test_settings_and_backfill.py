"""A connection's settings through the server API and the CLI: the secret write-only and
encrypted, re-encrypted when REVIEWS_SECRET_KEY rotates; past orders imported from the platforms'
exports, never older than the cut-off, consent as exported."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviews_service import create_app
from reviews_service.connectors.models import Connection
from reviews_service.extensions import db
from tests.helpers import assert_problem, run

from .conftest import FIXTURES, SECRET, SHOPIFY_DOMAIN, WOO_DOMAIN, connect, fixture, order_of, shopify

SHOES, SOCKS = "788032119674292922", "788032119674292999"
ORDER_ID = "820982911946154508"


def test_the_secret_is_write_only_and_stored_encrypted(app, client, shop):
    made = connect(client, shop, "shopify", SHOPIFY_DOMAIN)
    assert made["secret_set"] is True and "secret" not in made
    assert made["webhook_url"] == f"http://reviews.test/connect/shopify/{shop.slug}/webhooks" or \
        made["webhook_url"].endswith(f"/connect/shopify/{shop.slug}/webhooks")
    assert "orders/create" in made["topics"] and "customers/redact" in made["app_only_topics"]
    listed = client.get("/api/v1/connections", headers=shop.headers)
    assert SECRET not in listed.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(Connection.secret_encrypted))
        assert SECRET not in stored and stored.startswith("gAAAA")  # a Fernet token


@pytest.mark.parametrize(("platform", "body", "field"), [
    ("shopify", {"domain": "peak-outfitters.com", "secret": "s"}, "domain"),
    ("shopify", {"domain": SHOPIFY_DOMAIN}, "secret"),
    ("woocommerce", {"domain": "not a host", "secret": "s"}, "domain"),
    ("shopify", {"domain": SHOPIFY_DOMAIN, "secret": ""}, "secret"),
])
def test_bad_settings_are_422_naming_the_field(client, shop, platform, body, field):
    assert_problem(client.put(f"/api/v1/connections/{platform}", json=body, headers=shop.headers), 422, field=field)


def test_an_unknown_platform_is_404(client, shop):
    assert_problem(client.put("/api/v1/connections/magento", json={"domain": "x.example", "secret": "s"},
                              headers=shop.headers), 404)


def test_a_secret_stored_under_the_previous_key_is_read_and_reencrypted(app, client, shop, tmp_path):
    connect(client, shop, "shopify", SHOPIFY_DOMAIN)
    old_key = app.config["SECRET_KEY"]
    with app.app_context():
        before = db.session.scalar(select(Connection.secret_encrypted))
    rotated = create_app({**app.config, "SECRET_KEY": "rotated-" + "k" * 40, "SECRET_KEY_PREVIOUS": old_key})
    hook = shopify(rotated.test_client(), shop, "products/create", fixture("shopify/products_create.json"))
    assert hook.json["status"] == "applied"
    with rotated.app_context():
        after = db.session.scalar(select(Connection.secret_encrypted))
    assert after != before
    without_old = create_app({**app.config, "SECRET_KEY": "rotated-" + "k" * 40, "SECRET_KEY_PREVIOUS": ""})
    again = shopify(without_old.test_client(), shop, "products/update", fixture("shopify/products_create.json"))
    assert again.json["status"] == "applied"


def test_the_cli_connects_without_printing_the_secret(runner, shop):
    result = run(runner, "connect", "shopify", shop.slug, "--domain", SHOPIFY_DOMAIN, "--secret-stdin",
                 input=SECRET + "\n")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert "webhook secret set" in result.output and f"/connect/shopify/{shop.slug}/webhooks" in result.output
    checked = run(runner, "connect", "shopify", shop.slug)
    assert checked.exit_code == 0 and SHOPIFY_DOMAIN in checked.output


def test_the_cli_refuses_a_shop_without_a_connection_in_one_line(runner, shop):
    result = run(runner, "connect", "woocommerce", shop.slug)
    assert result.exit_code != 0 and "no woocommerce connection" in result.output
    assert "Traceback" not in result.output


def test_a_shopify_csv_backfill_imports_only_recent_orders_with_their_consent(runner, client, shop):
    run(runner, "connect", "shopify", shop.slug, "--domain", SHOPIFY_DOMAIN, "--secret-stdin", input=SECRET)
    result = run(runner, "connect", "shopify", shop.slug, "--products", str(FIXTURES / "shopify/products.json"),
                 "--import", str(FIXTURES / "shopify/orders_export.csv"))
    assert result.exit_code == 0, result.output
    assert "Stored 2 products from the listing." in result.output
    assert "Imported 2 orders" in result.output and "left out 1 placed more than 30 days ago" in result.output
    carla = order_of(client, shop, "820982911946154600")
    assert carla["status"] == "fulfilled" and carla["customer"]["accepts_marketing"] is True
    assert [i["product_id"] for i in carla["items"]] == [SHOES, SOCKS]
    assert carla["review_request"]["status"] == "scheduled"
    dan = order_of(client, shop, "820982911946154599")
    assert dan["customer"]["accepts_marketing"] is False and dan["review_request"] is None
    assert client.get("/api/v1/orders/820982911946154598", headers=shop.headers).status_code == 404
    again = run(runner, "connect", "shopify", shop.slug, "--import", str(FIXTURES / "shopify/orders_export.csv"))
    assert "Imported 0 orders (2 already stored)" in again.output


def test_a_backfilled_orders_products_are_the_ones_later_webhooks_update(runner, client, shop):
    """The CSV names SKUs; the webhooks and the storefront name product ids. A backfilled line is
    keyed by its product's id, so the next products/update changes the product the order holds,
    and a later order of the same product by webhook is about the same product."""
    run(runner, "connect", "shopify", shop.slug, "--domain", SHOPIFY_DOMAIN, "--secret-stdin", input=SECRET)
    run(runner, "connect", "shopify", shop.slug, "--products", str(FIXTURES / "shopify/products.json"),
        "--import", str(FIXTURES / "shopify/orders_export.csv"))
    product = fixture("shopify/products_create.json")
    product["title"] = "Trail shoes, 2027 edition"
    assert shopify(client, shop, "products/update", product).json["status"] == "applied"
    renamed = client.get(f"/api/v1/products/{SHOES}", headers=shop.headers).json
    assert renamed["name"] == "Trail shoes, 2027 edition"
    assert [i["product_id"] for i in order_of(client, shop, "820982911946154600")["items"]] == [SHOES, SOCKS]
    assert shopify(client, shop, "orders/create", fixture("shopify/orders_create.json")).json["status"] == "applied"
    assert [i["product_id"] for i in order_of(client, shop, ORDER_ID)["items"]] == [SHOES]
    for sku in ("TRAIL-42", "SOCK-1"):  # no product was made of a SKU
        assert client.get(f"/api/v1/products/{sku}", headers=shop.headers).status_code == 404


def test_without_the_listing_lines_find_the_products_webhooks_sent_and_the_others_are_said(runner, client, shop):
    run(runner, "connect", "shopify", shop.slug, "--domain", SHOPIFY_DOMAIN, "--secret-stdin", input=SECRET)
    shopify(client, shop, "products/create", fixture("shopify/products_create.json"))  # SKU TRAIL-42
    result = run(runner, "connect", "shopify", shop.slug, "--import", str(FIXTURES / "shopify/orders_export.csv"))
    assert result.exit_code == 0, result.output
    assert "Imported 2 orders" in result.output
    assert "#1004: line 'Wool socks' (SKU SOCK-1) left out: no product with this SKU or title is known" in result.output
    assert [i["product_id"] for i in order_of(client, shop, "820982911946154600")["items"]] == [SHOES]
    assert client.get("/api/v1/products/SOCK-1", headers=shop.headers).status_code == 404


def test_a_product_listing_that_is_no_listing_is_one_line(runner, shop, tmp_path):
    run(runner, "connect", "shopify", shop.slug, "--domain", SHOPIFY_DOMAIN, "--secret-stdin", input=SECRET)
    bad = tmp_path / "products.json"
    bad.write_text('{"items": []}')
    result = run(runner, "connect", "shopify", shop.slug, "--products", str(bad))
    assert result.exit_code != 0 and "Not a Shopify product listing" in result.output
    assert "Traceback" not in result.output


def test_a_woocommerce_json_backfill_respects_the_cut_off(runner, client, shop):
    run(runner, "connect", "woocommerce", shop.slug, "--domain", WOO_DOMAIN, "--secret-stdin", input=SECRET)
    result = run(runner, "connect", "woocommerce", shop.slug, "--since-days", "30",
                 "--import", str(FIXTURES / "woocommerce/orders_listing.json"))
    assert "Imported 1 orders" in result.output and "left out 1" in result.output, result.output
    assert order_of(client, shop, "741")["status"] == "fulfilled"
    assert client.get("/api/v1/orders/702", headers=shop.headers).status_code == 404


def test_a_file_that_is_no_export_is_one_line(runner, shop, tmp_path):
    run(runner, "connect", "shopify", shop.slug, "--domain", SHOPIFY_DOMAIN, "--secret-stdin", input=SECRET)
    bad = tmp_path / "orders.csv"
    bad.write_text("a,b\n1,2\n")
    result = run(runner, "connect", "shopify", shop.slug, "--import", str(bad))
    assert result.exit_code != 0 and "Not a Shopify orders export" in result.output
