"""Scoped keys: a key may do orders, moderation, privacy, or all of it (the keys made before scopes
are `all`). The operator lists, creates and revokes keys with their scopes (`reviews-service keys`);
a key outside its scopes gets a 403 naming the scope it lacks; the OpenAPI document says which scope
each operation needs, and the check does what the document says."""

from __future__ import annotations

import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from reviews_service import create_app
from reviews_service.extensions import db
from tests.conftest import base_config
from tests.factories import order_payload
from tests.helpers import assert_problem, one_error_line, run

BEFORE_SCOPES = "0c5e8a4b7d21"


def keys_of(runner, shop) -> list[dict]:
    result = run(runner, "keys", "list", shop.slug, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def new_key(runner, shop, *scopes: str) -> dict:
    result = run(runner, "keys", "create", shop.slug, *[a for s in scopes for a in ("--scope", s)], "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def bearer(key: dict) -> dict:
    return {"Authorization": f"Bearer {key['secret_key']}"}


# --- the operator's commands ---------------------------------------------------------------------

def test_a_shops_first_key_has_every_scope(runner, shop):
    assert [k["scopes"] for k in keys_of(runner, shop)] == [["all"]]


def test_keys_are_created_with_the_chosen_scopes_and_listed_with_them(runner, shop):
    made = new_key(runner, shop, "moderation", "privacy")
    listed = run(runner, "keys", "list", shop.slug)

    assert made["scopes"] == ["moderation", "privacy"]
    assert keys_of(runner, shop)[-1]["scopes"] == ["moderation", "privacy"]
    assert keys_of(runner, shop)[-1]["prefix"] == made["secret_key"][:12]
    assert "moderation,privacy" in listed.output and made["secret_key"] not in listed.output


def test_all_beside_another_scope_is_all(runner, shop):
    assert new_key(runner, shop, "all", "orders")["scopes"] == ["all"]


def test_an_unknown_scope_is_refused_and_makes_no_key(runner, shop):
    result = run(runner, "keys", "create", shop.slug, "--scope", "admin")

    assert result.exit_code != 0 and "admin" in result.output
    assert len(keys_of(runner, shop)) == 1


def test_keys_of_an_unknown_shop_fail_with_one_line(runner):
    assert "no-such-shop" in one_error_line(run(runner, "keys", "list", "no-such-shop"))


def test_a_revoked_key_is_refused_at_once(runner, client, shop):
    key = new_key(runner, shop, "orders")

    result = run(runner, "keys", "revoke", shop.slug, key["secret_key"][:12])

    assert result.exit_code == 0, result.output
    assert_problem(client.get("/api/v1/reviews", headers=bearer(key)), 401)
    assert "no active key" in one_error_line(run(runner, "keys", "revoke", shop.slug, key["secret_key"][:12]))


# --- what each scope may do ----------------------------------------------------------------------

def test_an_orders_key_sends_orders_and_reads_reviews_but_not_settings_or_privacy(runner, client, shop):
    key = bearer(new_key(runner, shop, "orders"))

    assert client.post("/api/v1/orders", json=order_payload("O-1"), headers=key).status_code == 201
    assert client.get("/api/v1/reviews", headers=key).status_code == 200
    assert "all" in assert_problem(client.patch("/api/v1/shop", json={"name": "X"}, headers=key), 403,
                                   field="scope")["detail"]
    assert "privacy" in assert_problem(client.post("/api/v1/customers/erase", json={"email": "buyer@example.com"},
                                                   headers=key), 403, field="scope")["detail"]


def test_a_privacy_key_exports_and_erases_but_sends_no_orders(runner, client, shop):
    client.post("/api/v1/orders", json=order_payload("O-1", email="ana@example.com"), headers=shop.headers)
    key = bearer(new_key(runner, shop, "privacy"))

    assert client.get("/api/v1/customers/export?email=ana@example.com", headers=key).status_code == 200
    assert "orders" in assert_problem(client.post("/api/v1/orders", json=order_payload("O-2"), headers=key),
                                      403, field="scope")["detail"]
    assert client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=key).status_code == 200


def test_a_refused_scope_writes_nothing(runner, client, shop):
    key = bearer(new_key(runner, shop, "moderation"))

    assert_problem(client.post("/api/v1/orders", json=order_payload("O-9"), headers=key), 403, field="scope")
    assert_problem(client.get("/api/v1/orders/O-9", headers=shop.headers), 404)


# --- the document and the check agree ------------------------------------------------------------

def _server_operations(spec: dict):
    for path, item in spec["paths"].items():
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/public/"):
            for method, op in item.items():
                if method in ("get", "put", "post", "patch", "delete"):
                    yield method, path, op


def test_every_server_operation_documents_its_scopes(client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {(m, p): op["x-scopes"] for m, p, op in _server_operations(spec)}

    assert all("all" in scopes and op_security(spec, m, p) == [{"secretKey": [s]} for s in scopes]
               for (m, p), scopes in documented.items())
    assert documented[("get", "/api/v1/moderation/queue")] == ["moderation", "all"]
    assert documented[("post", "/api/v1/customers/erase")] == ["privacy", "all"]
    assert documented[("get", "/api/v1/reviews")] == ["orders", "moderation", "all"]
    assert documented[("patch", "/api/v1/shop")] == ["all"]
    assert "Scope: `privacy` or `all`." in spec["paths"]["/api/v1/customers/export"]["get"]["description"]


def op_security(spec, method, path):
    return spec["paths"][path][method]["security"]


@pytest.mark.parametrize("scope", ["orders", "moderation", "privacy"])
def test_a_key_is_refused_exactly_where_the_document_says(runner, client, shop, scope):
    spec = client.get("/api/openapi.json").get_json()
    key = bearer(new_key(runner, shop, scope))
    for method, path, op in _server_operations(spec):
        url = path.replace("{", "").replace("}", "")  # an id of nothing: the scope is checked first
        answer = client.open(url, method=method.upper(), headers=key)
        assert (answer.status_code == 403) == (scope not in op["x-scopes"]), (method, path, answer.json)


# --- the migration -------------------------------------------------------------------------------

def test_keys_made_before_scopes_have_every_scope(tmp_path, runner):
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        upgrade(revision=BEFORE_SCOPES)
        db.session.execute(text("INSERT INTO shops (id, slug, name, public_key, allowed_origins, settings, "
                                "created_at) VALUES (1, 'old', 'Old', 'pk_old', '[]', '{}', '2026-01-01')"))
        db.session.execute(text("INSERT INTO api_keys (shop_id, prefix, key_hash, label, created_at) "
                                "VALUES (1, 'sk_oldoldold', 'x', 'before', '2026-01-01')"))
        db.session.commit()
        upgrade()
        scopes = db.session.execute(text("SELECT scopes FROM api_keys")).scalars().all()
        db.engine.dispose()

    assert scopes == ["all"]
