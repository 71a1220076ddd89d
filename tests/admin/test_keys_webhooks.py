"""API keys and webhook endpoints: create, rotate, revoke; secrets shown once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from reviews_service.extensions import db
from reviews_service.outbox.models import WebhookEndpoint
from reviews_service.shops.models import ApiKey

_SECRET = re.compile(r'id="new-secret" class="code" value="([^"]+)"')


def _secret(answer) -> str:
    match = _SECRET.search(answer.get_data(as_text=True))
    assert match, "the page shows no new secret"
    return match.group(1)


def _works(client, secret: str) -> bool:
    return client.get("/api/v1/shop", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_keys_page_shows_the_public_key_and_key_prefixes_only(owner, shop):
    html = owner.get(f"{owner.base}/keys").get_data(as_text=True)
    assert shop.public_key in html
    assert shop.secret_key[:12] in html and shop.secret_key not in html


def test_create_key_shows_the_secret_once(client, owner, shop):
    answer = owner.post(f"{owner.base}/keys/create", {"label": "warehouse", "scopes": "all"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    secret = _secret(answer)
    assert secret.startswith("sk_") and _works(client, secret) and _works(client, shop.secret_key)
    again = owner.get(f"{owner.base}/keys").get_data(as_text=True)
    assert secret not in again and "warehouse" in again


def test_a_key_is_created_with_the_scopes_chosen_and_listed_with_them(client, owner, shop):
    answer = owner.post(f"{owner.base}/keys/create", {"label": "help desk", "scopes": ["moderation", "privacy"]})
    secret = _secret(answer)

    row = re.search(r"<td>help desk</td>\s*<td>([^<]*)</td>", owner.get(f"{owner.base}/keys").get_data(as_text=True))
    assert row and row.group(1) == "moderation, privacy"
    assert client.get("/api/v1/moderation/queue", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert not _works(client, secret)  # the shop's settings need `all`


@pytest.mark.parametrize("scopes", [[], ["admin"]])
def test_a_key_needs_known_scopes(app, owner, scopes):
    answer = owner.post(f"{owner.base}/keys/create", {"label": "x", "scopes": scopes})
    assert answer.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(ApiKey).where(ApiKey.label == "x")) is None


def test_the_create_form_offers_every_scope_with_all_chosen(owner):
    html = owner.get(f"{owner.base}/keys").get_data(as_text=True)
    boxes = re.findall(r'<input( checked)? id="scopes-\d" name="scopes" type="checkbox" value="(\w+)"', html)
    assert boxes == [("", "orders"), ("", "moderation"), ("", "privacy"), (" checked", "all")]


def test_rotate_keeps_old_keys_for_a_grace_period(client, owner, shop):
    secret = _secret(owner.post(f"{owner.base}/keys/rotate"))
    assert _works(client, secret) and _works(client, shop.secret_key)


def test_rotate_now_ends_old_keys_at_once(client, owner, shop):
    secret = _secret(owner.post(f"{owner.base}/keys/rotate", {"revoke_now": "y"}))
    assert _works(client, secret) and not _works(client, shop.secret_key)


def test_revoke_one_key(app, client, owner, shop):
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.shop_id == shop.id))
    assert owner.post(f"{owner.base}/keys/{key_id}/revoke").status_code == 302
    assert not _works(client, shop.secret_key)


def test_revoking_another_shops_key_is_404(app, client, owner, other_shop):
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.shop_id == other_shop.id))
    assert owner.post(f"{owner.base}/keys/{key_id}/revoke").status_code == 404
    assert _works(client, other_shop.secret_key)


def test_key_actions_without_csrf_are_400(app, client, owner, shop):
    with app.app_context():
        key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.shop_id == shop.id))
        before = db.session.scalar(select(db.func.count()).select_from(ApiKey))
    for path in ("keys/create", "keys/rotate", f"keys/{key_id}/revoke"):
        assert owner.post(f"{owner.base}/{path}", csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiKey)) == before
    assert _works(client, shop.secret_key)


# --- webhooks ------------------------------------------------------------------------------------

def test_add_an_endpoint_shows_its_secret_once_and_lists_it(app, owner, shop):
    answer = owner.post(f"{owner.base}/webhooks", {"url": "https://hooks.shop-a.example/reviews",
                                                   "events": ["review.published", "review.rejected"],
                                                   "description": "ERP"})
    assert answer.status_code == 201
    secret = _secret(answer)
    assert secret.startswith("whsec_")
    page = owner.get(f"{owner.base}/webhooks").get_data(as_text=True)
    assert "https://hooks.shop-a.example/reviews" in page and "review.published, review.rejected" in page
    assert secret not in page


def test_invalid_endpoints_are_refused(app, owner):
    answer = owner.post(f"{owner.base}/webhooks", {"url": "ftp://hooks.example", "events": ["review.published"]})
    assert answer.status_code == 422 and "http(s) URL" in answer.get_data(as_text=True)
    answer = owner.post(f"{owner.base}/webhooks", {"url": "https://hooks.example"})
    assert answer.status_code == 422 and "Choose at least one event." in answer.get_data(as_text=True)
    answer = owner.post(f"{owner.base}/webhooks", {"url": "https://hooks.example", "events": ["order.eaten"]})
    assert answer.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(WebhookEndpoint)) == 0


@pytest.mark.parametrize("app_config", [{"WEBHOOK_ALLOW_PRIVATE": False}])
@pytest.mark.parametrize("url", ["https://127.0.0.1/hooks", "https://localhost/hooks", "https://[::ffff:10.0.0.7]/",
                                 "https://[64:ff9b::a9fe:a9fe]/", "https://[2002:c0a8:101::1]/"])
def test_a_webhook_into_our_own_network_is_refused_by_the_form(app, owner, url):
    answer = owner.post(f"{owner.base}/webhooks", {"url": url, "events": ["*"]})
    assert answer.status_code == 422
    assert "must point to a public address" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(WebhookEndpoint)) == 0


def test_delete_an_endpoint(app, owner, other_shop):
    owner.post(f"{owner.base}/webhooks", {"url": "https://hooks.example/a", "events": ["*"]})
    with app.app_context():
        public_id = db.session.scalar(select(WebhookEndpoint.public_id))
    assert owner.post(f"{owner.base}/webhooks/{public_id}/delete").status_code == 302
    assert "https://hooks.example/a" not in owner.get(f"{owner.base}/webhooks").get_data(as_text=True)
    assert owner.post(f"{owner.base}/webhooks/{public_id}/delete").status_code == 404


def test_webhook_actions_without_csrf_are_400(app, owner):
    answer = owner.post(f"{owner.base}/webhooks", {"url": "https://hooks.example/a", "events": ["*"]}, csrf=False)
    assert answer.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(WebhookEndpoint)) == 0
