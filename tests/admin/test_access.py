"""Who may open what: roles within a shop, the boundary between shops, and the security headers."""

from __future__ import annotations

import pytest

from tests.factories import make_review

from .conftest import admin_for, review_row, sign_in

OWNER_PAGES = ["settings", "keys", "webhooks", "outbox", "transfer", "export.csv", "export.json", "loyalty",
               "loyalty/settings"]
OWNER_ACTIONS = ["settings", "settings/rerun-rules", "keys/create", "keys/rotate", "keys/1/revoke", "webhooks",
                 "webhooks/we_x/delete", "outbox/1/retry", "transfer", "loyalty/settings",
                 "loyalty/customers/1/adjustments"]
SHARED_PAGES = ["queue", "dashboard"]


@pytest.mark.parametrize("page", OWNER_PAGES)
def test_moderators_cannot_open_owner_pages(admin, page):
    assert admin.get(f"{admin.base}/{page}").status_code == 403


@pytest.mark.parametrize("action", OWNER_ACTIONS)
def test_moderators_cannot_post_owner_actions(app, admin, shop, action):
    assert admin.post(f"{admin.base}/{action}", {"label": "x", "url": "https://x.example", "events": "*"}).status_code == 403


def test_moderators_see_only_the_queue_and_dashboard_in_the_navigation(admin):
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert f'href="{admin.base}/dashboard"' in html
    assert f'href="{admin.base}/settings"' not in html and f'href="{admin.base}/keys"' not in html


@pytest.mark.parametrize("page", SHARED_PAGES + OWNER_PAGES)
def test_owners_open_every_page(owner, page):
    assert owner.get(f"{owner.base}/{page}").status_code == 200


@pytest.mark.parametrize("role", ["moderator", "owner"])
@pytest.mark.parametrize("page", SHARED_PAGES + OWNER_PAGES)
def test_another_shops_pages_are_404(app, shop, other_shop, role, page):
    me = admin_for(app, shop, role)
    assert me.get(f"/admin/shops/{other_shop.slug}/{page}").status_code == 404
    assert me.get(f"/admin/shops/no-such-shop/{page}").status_code == 404


def test_another_shops_review_is_404_and_untouched(app, admin, shop, other_shop):
    theirs = make_review(app, other_shop)
    assert admin.get(f"{admin.base}/reviews/{theirs}").status_code == 404
    for action, data in (("approve", {}), ("reject", {"reason": "spam"}), ("redact", {"body": "[redacted]"}),
                         ("reply", {"body": "hi"}), ("reply/delete", {}), ("reports/resolve", {})):
        assert admin.post(f"{admin.base}/reviews/{theirs}/{action}", data).status_code == 404, action
        assert admin.post(f"/admin/shops/{other_shop.slug}/reviews/{theirs}/{action}", data).status_code == 404
    admin.post(f"{admin.base}/queue/bulk", {"ids": [theirs], "action": "approve"})
    assert review_row(app, theirs).status == "pending"
    assert "1 review not found in this shop." in admin.get(f"{admin.base}/queue").get_data(as_text=True)


def test_the_queue_never_lists_another_shops_reviews(app, admin, shop, other_shop):
    mine, theirs = make_review(app, shop), make_review(app, other_shop)
    html = admin.get(f"{admin.base}/queue?status=").get_data(as_text=True)
    assert mine in html and theirs not in html


def test_a_user_of_several_shops_chooses_one(app, shop, other_shop):
    me = admin_for(app, shop, "moderator")
    from reviews_service.shops import service as shops

    with app.app_context():
        shops.create_user(me.email, "", shop=shops.get_shop(other_shop.id), role="owner")
    home = me.get("/admin/")
    assert home.headers["Location"] == "/admin/shops"
    html = me.get("/admin/shops").get_data(as_text=True)
    assert "Shop A" in html and "Shop B" in html and "owner" in html and "moderator" in html
    queue = me.get(f"/admin/shops/{other_shop.slug}/queue").get_data(as_text=True)
    assert 'class="switcher"' in queue and f"/admin/shops/{shop.slug}/queue" in queue
    assert me.get(f"/admin/shops/{other_shop.slug}/settings").status_code == 200
    assert me.get(f"/admin/shops/{shop.slug}/settings").status_code == 403


def test_a_user_without_shops_is_told_so(app, client):
    from tests.factories import make_user

    email = make_user(app)
    sign_in(client, email)
    assert client.get("/admin/").headers["Location"] == "/admin/shops"
    assert "does not belong to any shop" in client.get("/admin/shops").get_data(as_text=True)


# --- headers and cookies -------------------------------------------------------------------------

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http://reviews.test; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


@pytest.mark.parametrize("path", ["/admin/login", "{base}/queue", "{base}/settings", "{base}/dashboard",
                                  "/admin/account", "{base}/reviews/nope"])
def test_admin_pages_send_the_security_headers(owner, path):
    answer = owner.get(path.format(base=owner.base))
    headers = answer.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(app, owner, shop):
    make_review(app, shop, photos=1)
    for path in ("queue", "dashboard", "settings", "keys", "webhooks", "outbox", "transfer"):
        html = owner.get(f"{owner.base}/{path}").get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html, path
        assert " onclick=" not in html and "javascript:" not in html, path


def test_static_files_are_served_with_a_content_hash(owner):
    html = owner.get(f"{owner.base}/queue").get_data(as_text=True)
    import re

    for name in ("admin.css", "admin.js"):
        url = re.search(rf'"(/admin/static/{name}\?v=[0-9a-f]+)"', html).group(1)
        answer = owner.get(url)
        assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]


def test_session_cookie_is_httponly_and_lax(app, client, shop):
    from tests.factories import make_user

    cookie = sign_in(client, make_user(app, shop=shop)).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_in_production(tmp_path, sqlite_template):
    import shutil

    from reviews_service import create_app

    from ..conftest import base_config

    shutil.copy(sqlite_template, tmp_path / "prod.db")
    app = create_app(base_config(tmp_path, ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}",
                                 PUBLIC_URL="https://reviews.example"))
    cookie = app.test_client().get("/admin/login", base_url="https://reviews.example").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
