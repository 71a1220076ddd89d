"""Sign-in, sign-out, password change, and the login throttle."""

from __future__ import annotations

import pytest

from reviews_service.admin.sign_in import LOGIN_FAILED
from tests.factories import PASSWORD, make_user

from .conftest import Admin, admin_for, csrf_token, sign_in


@pytest.fixture
def app_config():
    return {"ADMIN_LOGIN_ACCOUNT_LIMIT": "3 per 15 minutes", "ADMIN_LOGIN_IP_LIMIT": "6 per 15 minutes"}


def test_login_page_has_a_csrf_token_and_labelled_fields(client):
    answer = client.get("/admin/login")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert csrf_token(html)
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'autocomplete="current-password"' in html


def test_login_without_csrf_token_is_400(app, client, shop):
    email = make_user(app, shop=shop)
    answer = client.post("/admin/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 400
    assert "/admin/shops/" not in (answer.headers.get("Location") or "")


def test_login_with_a_forged_csrf_token_is_400(app, client, shop):
    email = make_user(app, shop=shop)
    client.get("/admin/login")
    answer = client.post("/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 400


def test_login_signs_in_and_opens_the_only_shops_queue(app, client, shop):
    email = make_user(app, shop=shop)
    answer = sign_in(client, email)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    home = client.get("/admin/")
    assert home.status_code == 302 and home.headers["Location"] == f"/admin/shops/{shop.slug}/queue"


def test_login_is_case_insensitive_in_the_email_address(app, client, shop):
    email = make_user(app, "Mixed.Case@Example.com", shop=shop)
    assert sign_in(client, email.upper()).status_code == 302


@pytest.mark.parametrize("who", ["wrong password", "unknown account"])
def test_failed_login_says_the_same_for_unknown_user_and_wrong_password(app, client, shop, who):
    email = make_user(app, shop=shop)
    answer = sign_in(client, email if who == "wrong password" else "nobody@example.com", "wrong password!")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert LOGIN_FAILED in html
    assert client.get("/admin/").status_code == 302  # still signed out: back to the login page
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")


def test_login_follows_a_next_inside_the_admin_only(app, client, shop):
    email = make_user(app, shop=shop)
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    answer = client.post(f"/admin/login?next=/admin/shops/{shop.slug}/dashboard", data=data)
    assert answer.headers["Location"] == f"/admin/shops/{shop.slug}/dashboard"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin", "/\\evil.example",
                                    "/admin\\..\\evil", "javascript:alert(1)"])
def test_login_ignores_a_next_that_leaves_the_admin(app, client, shop, target):
    email = make_user(app, shop=shop)
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    answer = client.post("/admin/login", query_string={"next": target},
                         data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["/admin/\r\nSet-Cookie: planted=1", "/admin/\nx", "/admin/\rx",
                                    "/admin/\tx", "/admin/\x00x", "/admin/\x85x"])
def test_login_ignores_a_next_with_control_characters(app, client, shop, target):
    email = make_user(app, shop=shop)
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    answer = client.post("/admin/login", query_string={"next": target},
                         data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/admin/"
    assert "planted" not in answer.headers.get("Set-Cookie", "")


def test_pages_need_a_session(client, shop):
    answer = client.get(f"/admin/shops/{shop.slug}/queue")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login?next=")


def test_login_starts_a_fresh_session(app, client, shop):
    email = make_user(app, shop=shop)
    client.get("/admin/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before sign-in"
        before = sess.get("csrf_token")
    sign_in(client, email)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != before
        assert sess.get("_user_id")


# --- throttling ----------------------------------------------------------------------------------

def _fail(client, email: str, times: int, ip: str = "203.0.113.7"):
    for _ in range(times):
        answer = sign_in(client, email, "not the password", environ_base={"REMOTE_ADDR": ip})
        assert answer.status_code == 200


@pytest.mark.parametrize("known", [True, False], ids=["known account", "unknown account"])
def test_failed_logins_are_throttled_per_account(app, client, shop, known):
    email = make_user(app, shop=shop) if known else "nobody@example.com"
    _fail(client, email, 3)
    answer = sign_in(client, email, PASSWORD, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.get_data(as_text=True)
    assert int(answer.headers["Retry-After"]) > 0
    # From another address too: the account is what is protected.
    assert sign_in(client, email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 429


def test_the_account_throttle_holds_even_for_the_right_password(app, client, shop):
    email = make_user(app, shop=shop)
    _fail(client, email, 3)
    sign_in(client, email, PASSWORD, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")


def test_an_account_throttle_leaves_other_accounts_alone(app, client, shop):
    attacked = make_user(app, shop=shop)
    other = make_user(app, shop=shop)
    _fail(client, attacked, 3)
    assert sign_in(app.test_client(), other, environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 302


def test_failed_logins_are_throttled_per_ip_address(app, client, shop):
    victim = make_user(app, shop=shop)
    for n in range(6):  # six accounts, one failure each (under the account limit), all from one address
        _fail(client, f"guess{n}@example.com", 1)
    answer = sign_in(client, victim, PASSWORD, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert answer.status_code == 429
    assert sign_in(app.test_client(), victim, environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 302


def test_a_successful_login_clears_the_accounts_failures(app, client, shop):
    email = make_user(app, shop=shop)
    _fail(client, email, 2)
    assert sign_in(app.test_client(), email, environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 302
    _fail(client, email, 2)
    assert sign_in(app.test_client(), email, environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 302


# --- sign-out and password change ----------------------------------------------------------------

def _stolen_cookie(admin: Admin) -> str:
    return admin.client.get_cookie("session").value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_logout_needs_post_and_csrf(owner):
    assert owner.get("/admin/logout").status_code == 405
    assert owner.post("/admin/logout", csrf=False).status_code == 400
    assert owner.get(f"{owner.base}/queue").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(app, owner):
    cookie = _stolen_cookie(owner)
    answer = owner.post("/admin/logout")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/login"
    assert owner.get(f"{owner.base}/queue").status_code == 302
    assert _replay(app, cookie).get(f"{owner.base}/queue").status_code == 302


def test_logout_ends_the_accounts_other_sessions(app, shop):
    first = admin_for(app, shop, "moderator")
    second = Admin(app.test_client(), first.email, shop)
    sign_in(second.client, first.email)
    first.post("/admin/logout")
    assert second.get(f"{second.base}/queue").status_code == 302


def test_password_change_ends_other_sessions_and_keeps_this_one(app, shop):
    me = admin_for(app, shop, "owner")
    elsewhere = app.test_client()
    sign_in(elsewhere, me.email)
    stolen = _stolen_cookie(me)
    answer = me.post("/admin/account", {"current_password": PASSWORD, "new_password": "a new long password",
                                        "confirm": "a new long password"})
    assert answer.status_code == 302
    assert me.get(f"{me.base}/queue").status_code == 200
    assert elsewhere.get(f"/admin/shops/{shop.slug}/queue").status_code == 302
    assert _replay(app, stolen).get(f"/admin/shops/{shop.slug}/queue").status_code == 302
    assert sign_in(app.test_client(), me.email, PASSWORD).status_code == 200  # the old one fails
    assert sign_in(app.test_client(), me.email, "a new long password").status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"current_password": "wrong password", "new_password": "a new long password",
      "confirm": "a new long password"}, "This is not your current password."),
    ({"current_password": PASSWORD, "new_password": "a new long password", "confirm": "another"},
     "The two passwords differ."),
    ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"}, "at least 10 characters"),
])
def test_password_change_refusals(admin, data, message):
    answer = admin.post("/admin/account", data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert admin.get(f"{admin.base}/queue").status_code == 200


def test_password_change_without_csrf_is_400(admin):
    answer = admin.post("/admin/account", {"current_password": PASSWORD, "new_password": "a new long password",
                                           "confirm": "a new long password"}, csrf=False)
    assert answer.status_code == 400


# --- the current-password check on the account page ----------------------------------------------

def _wrong_current_password(admin: Admin, **kw):
    return admin.post("/admin/account", {"current_password": "not the password", "new_password": "a new long password",
                                         "confirm": "a new long password"}, **kw)


def test_wrong_current_passwords_are_throttled_like_the_login(app, admin):
    for _ in range(3):
        assert _wrong_current_password(admin).status_code == 422
    answer = admin.post("/admin/account", {"current_password": PASSWORD, "new_password": "a new long password",
                                           "confirm": "a new long password"})
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.get_data(as_text=True)
    assert int(answer.headers["Retry-After"]) > 0
    # The right password was refused too: nothing changed, and the login waits as well.
    assert sign_in(app.test_client(), admin.email, "a new long password",
                   environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 429


def test_account_page_guesses_count_against_the_login(app, admin):
    """One counter per account: guesses on either page add up, so neither gives extra tries."""
    for _ in range(3):
        assert _wrong_current_password(admin).status_code == 422
    answer = sign_in(app.test_client(), admin.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert answer.status_code == 429


def test_a_right_current_password_clears_the_failures(app, admin):
    for _ in range(2):
        _wrong_current_password(admin)
    answer = admin.post("/admin/account", {"current_password": PASSWORD, "new_password": "a new long password",
                                           "confirm": "a new long password"})
    assert answer.status_code == 302
    for _ in range(2):
        assert _wrong_current_password(admin).status_code == 422
