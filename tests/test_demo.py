"""`reviews-service demo`: what a new user gets from the first command. The keys, the admin and a
way in, a public address that follows --host/--port or REVIEWS_PUBLIC_URL (so that votes and photos
from the demo's own pages are accepted on any port), and the referral program switched on."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from reviews_service import create_app
from reviews_service.cli import main
from reviews_service.shops import service as shops
from reviews_service.widget.demo import seed as demo_seed

from .conftest import base_config
from .factories import jpeg
from .helpers import row_counts

LOGIN_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _quick_seed(monkeypatch):
    """The demo's photos, smaller, and cheaper password hashes: the same code paths, faster."""
    photo = demo_seed.demo_photo
    monkeypatch.setattr(demo_seed, "demo_photo", lambda seed, size=(240, 180): photo(seed, (240, 180)))
    monkeypatch.setattr(shops, "PASSWORD_METHOD", "scrypt:1024:8:1")
    monkeypatch.delenv("REVIEWS_PUBLIC_URL", raising=False)


def demo(runner, *args) -> dict[str, str]:
    """Run `demo --no-run`; answers its printed lines by label ("admin", "referral", ...)."""
    result = runner.invoke(main, ["demo", "--no-run", *args])
    assert result.exit_code == 0, result.output
    printed = {}
    for line in result.output.splitlines():
        label, colon, value = line.strip().partition(":")
        if line.startswith("  ") and colon:
            printed[label] = value.strip()
    return printed


def admin_login(client, admin_line: str):
    """Sign in with the account the `admin:` line names; answers the login's answer."""
    match = re.fullmatch(r"(\S+)/admin/\s+sign in as (\S+) with password (\S+)", admin_line)
    assert match, admin_line
    token = LOGIN_CSRF.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    return client.post("/admin/login", data={"email": match[2], "password": match[3], "csrf_token": token})


def a_review(client, public_key: str) -> str:
    body = client.get(f"/api/v1/public/{public_key}/products/trail-runner-2/reviews?limit=1").get_json()
    return body["reviews"][0]["id"]


# --- the way in ----------------------------------------------------------------------------------

def test_demo_prints_the_admin_url_and_an_owner_account_that_signs_in(runner, client):
    printed = demo(runner)

    assert printed["admin"].startswith("http://127.0.0.1:5000/admin/")
    answer = admin_login(client, printed["admin"])
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"]
    page = client.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert "Demo Outdoor Shop" in page


def test_demo_password_is_random_per_instance_and_kept_for_the_next_run(runner, tmp_path, sqlite_template):
    first = demo(runner)["admin"]
    assert demo(runner)["admin"] == first
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    shutil.copy(sqlite_template, other_folder / "reviews.db")
    other = create_app(base_config(other_folder, DATABASE_URL=f"sqlite:///{other_folder / 'reviews.db'}"))
    second = demo(other.test_cli_runner())["admin"]
    assert second.split()[-1] != first.split()[-1]


def test_demo_gives_a_folder_set_up_without_an_owner_account_one(runner, app, client):
    demo(runner)
    keys = Path(app.instance_path) / "demo_shop.json"
    info = json.loads(keys.read_text())
    del info["owner_email"], info["owner_password"]  # as an older version wrote it
    keys.write_text(json.dumps(info))

    printed = demo(runner)

    assert printed["secret key"] == info["secret_key"]
    answer = admin_login(client, printed["admin"])
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"]


@pytest.mark.parametrize("app_config", [{"ENV": "production"}])
def test_demo_refuses_to_run_in_production(runner, app):
    before = row_counts(app)
    result = runner.invoke(main, ["demo", "--no-run"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: The demo does not run with REVIEWS_ENV=production: use a development instance folder."]
    assert row_counts(app) == before


# --- any port ------------------------------------------------------------------------------------

@pytest.mark.parametrize("origin", ["http://127.0.0.1:5077", "http://localhost:5077"])
def test_demo_on_another_port_takes_votes_and_photos_from_its_own_pages(runner, client, origin):
    printed = demo(runner, "--port", "5077")
    key = printed["public key"]

    assert printed["demo shop"].startswith("http://127.0.0.1:5077/demo ")
    vote = client.post(f"/api/v1/public/{key}/reviews/{a_review(client, key)}/votes", json={"value": "up"},
                       headers={"Origin": origin})
    photo = client.post(f"/api/v1/public/{key}/photos", data={"photo": (io.BytesIO(jpeg(320, 240)), "trail.jpg")},
                        headers={"Origin": origin})
    assert vote.status_code in (200, 201), vote.get_json()
    assert photo.status_code == 201, photo.get_json()
    assert photo.get_json()["url"].startswith("http://127.0.0.1:5077/media/")


def test_demo_moves_an_existing_instance_to_the_new_port(runner, client):
    first = demo(runner)
    moved = demo(runner, "--port", "5077")
    key = moved["public key"]

    assert moved["secret key"] == first["secret key"]
    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {moved['secret key']}"}).get_json()
    assert shop["allowed_origins"] == ["http://127.0.0.1:5077", "http://localhost:5077"]
    product = client.get("/api/v1/products/trail-runner-2",
                         headers={"Authorization": f"Bearer {moved['secret key']}"}).get_json()
    assert product["url"] == "http://127.0.0.1:5077/demo/products/trail-runner-2"
    refused = client.post(f"/api/v1/public/{key}/reviews/{a_review(client, key)}/votes", json={"value": "up"},
                          headers={"Origin": "http://127.0.0.1:5000"})
    assert refused.status_code == 403


def test_demo_takes_its_public_address_from_reviews_public_url(runner, client, monkeypatch):
    monkeypatch.setenv("REVIEWS_PUBLIC_URL", "https://demo.example.net/")
    printed = demo(runner)

    assert printed["admin"].startswith("https://demo.example.net/admin/")
    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {printed['secret key']}"}).get_json()
    assert "https://demo.example.net" in shop["allowed_origins"]
    assert shop["settings"]["referrals"]["share_url_template"] == "https://demo.example.net/demo?ref={code}"


def test_a_loopback_reviews_public_url_gives_the_port_to_listen_on(runner, client, monkeypatch):
    monkeypatch.setenv("REVIEWS_PUBLIC_URL", "http://localhost:5078")
    printed = demo(runner)

    shop = client.get("/api/v1/shop", headers={"Authorization": f"Bearer {printed['secret key']}"}).get_json()
    assert shop["allowed_origins"] == ["http://127.0.0.1:5078", "http://localhost:5078"]


# --- the referral program ------------------------------------------------------------------------

def test_demo_shows_a_referral_link_that_lands_a_friend_with_the_offer(runner, client):
    printed = demo(runner, "--port", "5077")
    link = printed["referral"].split()[0]
    code = link.split("?ref=")[1]
    key = printed["public key"]

    assert link == f"http://127.0.0.1:5077/demo?ref={code}"
    page = client.get("/demo").get_data(as_text=True)
    assert f'href="/demo?ref={code}"' in page and "data-reviews-show-offer" in page
    click = client.post(f"/api/v1/public/{key}/referrals/clicks", json={"code": code},
                        headers={"Origin": "http://127.0.0.1:5077"})
    assert click.status_code == 200, click.get_json()
    assert click.get_json()["valid"] and not click.get_json()["own"]
    assert click.get_json()["offer"]["code"] == demo_seed.FRIEND_CODE
