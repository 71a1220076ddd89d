"""The shop's keys: `create-shop` prints a public and a secret key (the secret shown once, stored
only as a hash); `rotate-key` issues a new secret while the old one works for the grace period, or
ends it at once; and the server API's authentication of the secret key: a missing, malformed,
forged, public, revoked or unstorable key is 401 with a challenge, and writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from reviews_service import clock
from reviews_service.shops import service as shops

from ..factories import ShopKeys, order_payload
from ..helpers import assert_problem, one_error_line, row_counts, run

ORDERS = "/api/v1/orders"


def create_shop(runner, name="Shop A", *extra) -> dict:
    result = run(runner, "create-shop", name, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def secret_works(client, secret: str) -> bool:
    status = client.get("/api/v1/shop", headers=bearer(secret)).status_code
    assert status in (200, 401)
    return status == 200


# --- create-shop ---------------------------------------------------------------------------------

def test_create_shop_prints_both_keys(runner):
    result = run(runner, "create-shop", "Shop A")
    assert result.exit_code == 0
    assert "pk_" in result.output and "sk_" in result.output
    assert "only" in result.output  # the secret is shown once


def test_create_shop_json_is_valid_and_its_secret_key_works(runner, client):
    created = create_shop(runner, "Shop A", "--origin", "https://Shop-A.example:443/")
    assert created["public_key"].startswith("pk_")
    assert created["secret_key"].startswith("sk_")
    response = client.get("/api/v1/shop", headers=bearer(created["secret_key"]))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["public_key"]) == ("Shop A", created["public_key"])
    assert body["allowed_origins"] == ["https://shop-a.example"]


def test_secret_key_is_stored_only_as_a_hash(runner, app):
    created = create_shop(runner)
    with app.app_context():
        keys = shops.active_keys(shops.get_shop(created["slug"]))
        assert [k.key_hash for k in keys] != [created["secret_key"]]
        assert all(created["secret_key"] not in repr(vars(k)) for k in keys)


def test_two_shops_with_one_name_get_different_slugs(runner):
    assert create_shop(runner, "Shop A")["slug"] != create_shop(runner, "Shop A")["slug"]


@pytest.mark.parametrize(("args", "says"), [
    (["", "--json"], "name"),
    (["x" * 201], "name"),
    (["Shop", "--origin", "ftp://shop.example"], "origin"),
    (["Shop", "--origin", "https://shop.example/path"], "origin"),
    (["Shop", "--origin", "not a url"], "origin"),
])
def test_create_shop_with_bad_input_fails_with_one_line(runner, app, args, says):
    before = row_counts(app)
    line = one_error_line(run(runner, "create-shop", *args))
    assert says in line
    assert row_counts(app) == before


# --- rotate-key ----------------------------------------------------------------------------------

def test_rotate_key_issues_a_new_working_key(runner, client, shop):
    result = run(runner, "rotate-key", shop.slug, "--json")
    assert result.exit_code == 0, result.output
    new = json.loads(result.output)["secret_key"]
    assert new.startswith("sk_") and new != shop.secret_key
    assert secret_works(client, new)


def test_old_key_keeps_working_during_the_rotation(runner, client, shop):
    run(runner, "rotate-key", shop.slug)
    assert secret_works(client, shop.secret_key)


def test_old_key_stops_working_when_the_rotation_ends(runner, client, shop):
    run(runner, "rotate-key", shop.slug)
    clock.travel(timedelta(hours=25))
    assert not secret_works(client, shop.secret_key)


def test_revoke_now_ends_the_old_key_at_once(runner, client, shop):
    result = run(runner, "rotate-key", shop.slug, "--revoke-now", "--json")
    new = json.loads(result.output)["secret_key"]
    assert not secret_works(client, shop.secret_key)
    assert secret_works(client, new)


@pytest.mark.parametrize("ref", ["id", "slug", "public_key"])
def test_rotate_key_finds_the_shop_by_id_slug_or_public_key(runner, client, shop, ref):
    result = run(runner, "rotate-key", str(getattr(shop, ref)), "--json")
    assert result.exit_code == 0, result.output
    assert secret_works(client, json.loads(result.output)["secret_key"])


@pytest.mark.parametrize("ref", ["no-such-shop", "999", "pk_nope"])
def test_rotate_key_for_unknown_shop_fails_with_one_line(runner, ref):
    result = run(runner, "rotate-key", ref)
    assert result.exit_code == 1
    assert ref in one_error_line(result)


def test_rotation_leaves_other_shops_keys_alone(runner, client, shop, other_shop: ShopKeys):
    run(runner, "rotate-key", shop.slug, "--revoke-now")
    assert secret_works(client, other_shop.secret_key)


# --- 401 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [
    None,
    "",
    "Bearer",
    "Bearer    ",
    "Basic c2tfeDp5",
    "Token sk_abcdefghijklmnopqrstuvwxyz",
    "Bearer sk_wrong",
    "Bearer pk_abcdefghijklmnopqrstuvwx",
    "Bearer sk_" + "a" * 500,
    "Bearer sk_abc\x01def",
])
def test_missing_or_malformed_key_is_401_with_a_challenge(client, shop, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/api/v1/shop", headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_key_with_right_prefix_and_wrong_rest_is_401(client, shop):
    forged = shop.secret_key[:12] + "x" * (len(shop.secret_key) - 12)
    response = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401)


def test_public_key_is_not_a_secret_key(client, shop):
    response = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {shop.public_key}"})
    assert_problem(response, 401)


def test_revoked_key_is_401(client, runner, shop):
    result = run(runner, "rotate-key", shop.slug, "--revoke-now")
    assert result.exit_code == 0, result.output
    response = client.get("/api/v1/shop", headers=shop.headers)
    assert "revoked" in assert_problem(response, 401)["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_unauthenticated_write_writes_nothing(app, client, shop):
    before = row_counts(app)
    response = client.post(ORDERS, json=order_payload(), headers={"Authorization": "Bearer sk_nope"})
    assert_problem(response, 401)
    assert row_counts(app) == before


@pytest.mark.parametrize("authorization", ["Bearer sk_\x00" + "a" * 39, "Bearer " + "sk_" + "é" * 40])
def test_unstorable_secret_key_is_401_on_every_database(each_db_app, authorization):
    response = each_db_app.test_client().get("/api/v1/shop", headers={"Authorization": authorization})
    assert_problem(response, 401)
