"""The Connections page: an owner connects Shopify or WooCommerce, copies the URL and topics,
replaces the write-only secret, sends a test delivery through the receiver and sees the deliveries;
a moderator only reads; a customer is erased where Shopify would have asked an app to."""

from __future__ import annotations

import html
import re

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from reviews_service.connectors.models import Connection
from reviews_service.extensions import db
from tests.connectors.conftest import SECRET, SHOPIFY_DOMAIN, WOO_DOMAIN, fixture, shopify, woocommerce
from tests.helpers import row_counts

from .conftest import admin_for

DOMAINS = {"shopify": SHOPIFY_DOMAIN, "woocommerce": WOO_DOMAIN}


def page(admin) -> str:
    answer = admin.get(f"{admin.base}/connections")
    assert answer.status_code == 200
    return html.unescape(answer.get_data(as_text=True))


def save(admin, platform: str, domain: str = "", secret: str = "", **kw):
    return admin.post(f"{admin.base}/connections/{platform}",
                      {f"{platform}-domain": domain, f"{platform}-secret": secret,
                       f"{platform}-csrf_token": admin.token()}, csrf=False, **kw)


def delivery_rows(text: str, platform: str) -> list[list[str]]:
    table = re.search(rf'<table data-deliveries="{platform}">(.*?)</table>', text, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows]


def test_an_owner_connects_shopify_and_sees_what_to_register(app, owner, client):
    assert "Not connected." in page(owner)
    answer = save(owner, "shopify", SHOPIFY_DOMAIN, SECRET)
    assert answer.status_code == 302
    text = page(owner)
    assert "Shopify is connected. Register the webhooks below on your store." in text
    assert f"Connected to {SHOPIFY_DOMAIN}." in text and "The webhook secret is set; it is never shown." in text
    assert SECRET not in text
    url = f"/connect/shopify/{owner.shop.slug}/webhooks"
    assert re.search(rf'id="shopify-url" class="code" value="https?://[^"]+{url}" readonly', text)
    assert 'data-copy="shopify-url"' in text
    topics = re.findall(r'id="shopify-topic-\d+" class="code" value="([^"]+)"', text)
    assert topics == ["orders/create", "orders/paid", "orders/fulfilled", "fulfillments/update",
                      "refunds/create", "orders/cancelled", "products/create", "products/update"]
    assert all(f'data-copy="shopify-topic-{i}"' in text for i in range(1, len(topics) + 1))
    note = re.search(r"<p [^>]*data-app-only>(.*?)</p>", text, re.S).group(1)
    assert "customers/redact" in note and "only to apps" in note and "POST /api/v1/customers/erase" in note
    # The secret saved in the form is the one deliveries are verified with.
    assert shopify(client, owner.shop, "products/create", fixture("shopify/products_create.json")).status_code == 200
    assert shopify(client, owner.shop, "orders/create", fixture("shopify/orders_create.json"),
                   secret="not the secret").status_code == 401
    rows = delivery_rows(page(owner), "shopify")
    assert [(r[1], r[2], r[3]) for r in rows] == [("products/create", "applied", "product created")]


def test_the_secret_is_write_only_an_empty_field_keeps_it_and_a_new_one_replaces_it(app, owner, client):
    save(owner, "woocommerce", WOO_DOMAIN, SECRET)
    text = page(owner)
    assert SECRET not in text
    assert re.search(r'<input[^>]*id="woocommerce-secret"[^>]*type="password"', text) and \
        not re.search(r'id="woocommerce-secret"[^>]*value="[^"]', text)
    assert save(owner, "woocommerce", WOO_DOMAIN, "").status_code == 302
    product = fixture("woocommerce/product_created.json")
    assert woocommerce(client, owner.shop, "product.created", product).json["status"] == "applied"
    assert save(owner, "woocommerce", "", "a brand new secret").status_code == 302
    assert woocommerce(client, owner.shop, "product.updated", product).status_code == 401
    assert woocommerce(client, owner.shop, "product.updated", product,
                       secret="a brand new secret").json["status"] == "applied"


@pytest.mark.parametrize(("platform", "domain", "secret", "field", "message"), [
    ("shopify", "peak-outfitters.com", SECRET, "domain", "myshopify.com"),
    ("shopify", SHOPIFY_DOMAIN, "", "secret", "needs its store domain and webhook secret"),
    ("woocommerce", "not a host", SECRET, "domain", "host name"),
])
def test_a_bad_setting_is_shown_on_its_field_and_nothing_is_stored(app, owner, platform, domain, secret,
                                                                   field, message):
    before = row_counts(app)
    answer = save(owner, platform, domain, secret)
    assert answer.status_code == 422
    text = html.unescape(answer.get_data(as_text=True))
    block = re.search(rf'<div class="field\s+has-error">\s*<label for="{platform}-{field}".*?</div>', text, re.S)
    assert block and message in block.group(0)
    assert row_counts(app) == before


@pytest.mark.parametrize("platform", ["shopify", "woocommerce"])
def test_a_test_delivery_runs_a_signed_sample_through_the_receiver(app, owner, client, platform):
    save(owner, platform, DOMAINS[platform], SECRET)
    answer = owner.post(f"{owner.base}/connections/{platform}/test")
    assert answer.status_code == 200
    text = html.unescape(answer.get_data(as_text=True))
    result = re.search(r"<div [^>]*data-test-result>(.*?)</div>", text, re.S).group(1)
    assert "Test delivery: applied" in result and "product created" in result
    product = client.get("/api/v1/products/reviews-connection-test", headers=owner.shop.headers)
    assert product.status_code == 200 and product.json["name"] == "Connection test (sample product)"
    again = html.unescape(owner.post(f"{owner.base}/connections/{platform}/test").get_data(as_text=True))
    assert "product updated" in re.search(r"data-test-result>(.*?)</div>", again, re.S).group(1)
    rows = delivery_rows(again, platform)
    topic = "products/update" if platform == "shopify" else "product.updated"
    assert [(r[1], r[2]) for r in rows] == [(topic, "applied"), (topic, "applied")]


def test_a_test_delivery_with_an_unreadable_secret_fails_and_says_why(app, owner):
    """A secret stored under a REVIEWS_SECRET_KEY no longer configured: the test says so."""
    save(owner, "shopify", SHOPIFY_DOMAIN, SECRET)
    with app.app_context():
        connection = db.session.scalar(select(Connection))
        connection.secret_encrypted = Fernet(Fernet.generate_key()).encrypt(SECRET.encode()).decode()
        db.session.commit()
    text = html.unescape(owner.post(f"{owner.base}/connections/shopify/test").get_data(as_text=True))
    result = re.search(r"data-test-result>(.*?)</div>", text, re.S)
    assert result and "Test delivery: failed" in result.group(1) and "REVIEWS_SECRET_KEY" in result.group(1)


def test_a_moderator_reads_the_page_but_changes_nothing(app, shop, owner):
    save(owner, "shopify", SHOPIFY_DOMAIN, SECRET)
    moderator = admin_for(app, shop, "moderator")
    text = page(moderator)
    assert f"Connected to {SHOPIFY_DOMAIN}." in text and "Only the shop's owners may change a connection." in text
    assert "Send a test delivery" not in text and 'name="shopify-secret"' not in text
    assert f'href="{moderator.base}/connections"' in text  # in the navigation
    before = row_counts(app)
    assert save(moderator, "shopify", "other.myshopify.com", "x").status_code == 403
    assert moderator.post(f"{moderator.base}/connections/shopify/test").status_code == 403
    assert moderator.post(f"{moderator.base}/connections/shopify/delete").status_code == 403
    assert moderator.post(f"{moderator.base}/connections/erase", {"email": "a@example.com"}).status_code == 403
    assert row_counts(app) == before


def test_a_form_without_its_csrf_token_changes_nothing(app, owner):
    before = row_counts(app)
    answer = owner.client.post(f"{owner.base}/connections/shopify",
                               data={"shopify-domain": SHOPIFY_DOMAIN, "shopify-secret": SECRET})
    assert answer.status_code == 400
    assert owner.client.post(f"{owner.base}/connections/shopify/test").status_code == 400
    assert row_counts(app) == before


def test_disconnecting_refuses_the_deliveries(app, owner, client):
    save(owner, "shopify", SHOPIFY_DOMAIN, SECRET)
    assert owner.post(f"{owner.base}/connections/shopify/delete").status_code == 302
    assert "Not connected." in page(owner)
    assert shopify(client, owner.shop, "products/create", fixture("shopify/products_create.json")).status_code == 404


def test_an_owner_erases_a_customer_shopify_would_have_asked_an_app_to(app, owner, client):
    save(owner, "shopify", SHOPIFY_DOMAIN, SECRET)
    shopify(client, owner.shop, "orders/create", fixture("shopify/orders_create.json"))
    export = client.get("/api/v1/customers/export", query_string={"email": "bob.friend@example.com"},
                        headers=owner.shop.headers)
    assert export.status_code == 200
    answer = owner.post(f"{owner.base}/connections/erase", {"email": "bob.friend@example.com"})
    assert answer.status_code == 302
    assert "The customer is erased everywhere in this shop." in page(owner)
    gone = client.get("/api/v1/customers/export", query_string={"email": "bob.friend@example.com"},
                      headers=owner.shop.headers)
    assert gone.status_code == 404
    unknown = owner.post(f"{owner.base}/connections/erase", {"email": "nobody@example.com"})
    assert unknown.status_code == 422


@pytest.mark.parametrize(("lang", "heading", "note"), [
    ("hy", "Միացումներ", "Գրանցեք այս վեբհուկները ձեր խանութում"),
    ("ka", "კავშირები", "დაარეგისტრირეთ ეს ვებჰუკები თქვენს მაღაზიაში"),
    ("lo", "ການເຊື່ອມຕໍ່", "ລົງທະບຽນເວັບຮຸກເຫຼົ່ານີ້ໃນຮ້ານຂອງທ່ານ"),
    ("vi", "Kết nối", "Đăng ký các lời gọi tự động này trên cửa hàng của bạn"),
])
def test_the_page_speaks_the_admins_language(app, owner, lang, heading, note):
    save(owner, "shopify", SHOPIFY_DOMAIN, SECRET)
    text = html.unescape(owner.get(f"{owner.base}/connections", headers={"Accept-Language": lang})
                         .get_data(as_text=True))
    assert f"<h1>{heading}</h1>" in text and note in text
    for english in ("Register these webhooks on your store", "Send a test delivery", "Last deliveries",
                    "Erase a customer", "only to apps"):
        assert english not in text, english
