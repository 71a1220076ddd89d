"""The `reviews-service` command: set up the database, create moderator accounts, and set up the
demo (creating shops and rotating their keys: tests/shops/test_keys.py). A failure is one clear
line and a non-zero exit."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from reviews_service import create_app
from reviews_service.cli import main
from reviews_service.extensions import db
from reviews_service.outbox.models import WebhookEndpoint
from reviews_service.shops import service as shops
from reviews_service.shops.models import Membership, User

from .conftest import base_config
from .factories import order_payload
from .helpers import one_error_line, row_counts, run
from .outbox.conftest import add_endpoint, worker_process
from .outbox.servers import WebhookReceiver

PASSWORD = "correct horse battery staple"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


# --- init ----------------------------------------------------------------------------------------

def test_init_is_idempotent(runner, app):
    first = run(runner, "init")
    before = row_counts(app)
    second = run(runner, "init")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "up to date" in second.output
    assert row_counts(app) == before


def test_init_creates_the_schema_on_a_fresh_database(tmp_path):
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}"))
    assert run(app.test_cli_runner(), "init").exit_code == 0
    assert app.test_client().get("/readyz").status_code == 200
    assert "shops" in row_counts(app)


# --- create-user ---------------------------------------------------------------------------------

def user(app, email):
    """The account's password hash and its roles by shop id, or None."""
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is None:
            return None
        roles = {m.shop_id: m.role for m in db.session.scalars(
            select(Membership).where(Membership.user_id == found.id))}
        return found.password_hash, roles


def password_is(app, email, password) -> bool:
    with app.app_context():
        return shops.check_password(db.session.scalar(select(User).where(User.email == email)), password)


def test_create_user_reads_the_password_from_stdin(runner, app, shop):
    result = run(runner, "create-user", "Mod@Example.com", "--shop", shop.slug, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert user(app, "mod@example.com")[1] == {shop.id: "moderator"}
    assert password_is(app, "mod@example.com", PASSWORD)


def test_password_is_hashed_with_strong_scrypt(runner, app, shop):
    run(runner, "create-user", "mod@example.com", "--shop", shop.slug, input=PASSWORD + "\n")
    password_hash, _ = user(app, "mod@example.com")
    method, n, _r, _p = password_hash.split("$")[0].split(":")
    assert method == "scrypt" and int(n) >= 2**17
    assert PASSWORD not in password_hash


def test_create_user_as_owner(runner, app, shop):
    run(runner, "create-user", "owner@example.com", "--shop", shop.slug, "--role", "owner", input=PASSWORD + "\n")
    assert user(app, "owner@example.com")[1] == {shop.id: "owner"}


def test_short_password_is_refused_with_one_line(runner, app, shop):
    result = run(runner, "create-user", "mod@example.com", "--shop", shop.slug, input="short\n")
    assert "10 characters" in one_error_line(result)
    assert user(app, "mod@example.com") is None


def test_empty_stdin_is_refused(runner, app, shop):
    result = run(runner, "create-user", "mod@example.com", "--shop", shop.slug, input="")
    one_error_line(result)
    assert user(app, "mod@example.com") is None


@pytest.mark.parametrize("args", [
    ["mod@example.com", PASSWORD],
    ["mod@example.com", "--password", PASSWORD],
    ["mod@example.com", f"--password={PASSWORD}"],
])
def test_password_is_never_taken_as_an_argument(runner, app, args):
    result = run(runner, "create-user", *args, input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert user(app, "mod@example.com") is None


def test_create_user_for_unknown_shop_fails_with_one_line(runner, app):
    result = run(runner, "create-user", "mod@example.com", "--shop", "nope", input=PASSWORD + "\n")
    assert "nope" in one_error_line(result)
    assert user(app, "mod@example.com") is None


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.com"])
def test_create_user_with_bad_email_fails_with_one_line(runner, shop, email):
    line = one_error_line(run(runner, "create-user", email, "--shop", shop.slug, input=PASSWORD + "\n"))
    assert "e-mail" in line


def test_create_user_without_a_shop_is_refused_before_asking_for_a_password(runner, app):
    result = run(runner, "create-user", "mod@example.com", input=PASSWORD + "\n")
    line = one_error_line(result)
    assert "--shop" in line and "create-shop" in line
    assert user(app, "mod@example.com") is None


def test_same_user_and_role_twice_fails_with_one_line(runner, shop):
    args = ("create-user", "mod@example.com", "--shop", shop.slug)
    assert run(runner, *args, input=PASSWORD + "\n").exit_code == 0
    assert "already" in one_error_line(run(runner, *args, input=PASSWORD + "\n"))


def test_existing_user_is_added_to_another_shop(runner, app, shop, other_shop):
    run(runner, "create-user", "mod@example.com", "--shop", shop.slug, input=PASSWORD + "\n")
    result = run(runner, "create-user", "mod@example.com", "--shop", other_shop.slug, input="\n")
    assert result.exit_code == 0, result.output
    assert user(app, "mod@example.com")[1] == {shop.id: "moderator", other_shop.id: "moderator"}


# --- demo ----------------------------------------------------------------------------------------

def demo_keys(output: str) -> tuple[str, str]:
    keys = dict(line.strip().split(": ", 1) for line in output.splitlines() if line.strip().startswith(("public key:", "secret key:")))
    return keys["public key"], keys["secret key"]


def test_demo_sets_up_a_demo_shop_and_prints_its_keys(runner, client):
    result = run(runner, "demo", "--no-run")
    assert result.exit_code == 0, result.output
    public, secret = demo_keys(result.output)
    assert public.startswith("pk_") and secret.startswith("sk_")
    response = client.get("/api/v1/shop", headers=bearer(secret))
    assert response.status_code == 200
    assert response.get_json()["public_key"] == public
    assert client.get("/api/v1/products/trail-runner-2", headers=bearer(secret)).status_code == 200
    assert client.get("/api/v1/orders/DEMO-1001", headers=bearer(secret)).get_json()["status"] == "fulfilled"


def test_demo_twice_prints_the_same_keys_and_one_shop(runner, app):
    first = run(runner, "demo", "--no-run")
    before = row_counts(app)
    second = run(runner, "demo", "--no-run")
    assert second.exit_code == 0
    assert demo_keys(first.output) == demo_keys(second.output)
    assert row_counts(app) == before


# --- configuration errors ------------------------------------------------------------------------

def test_bad_configuration_is_one_line_not_a_traceback(tmp_path):
    """Without a test app, the command builds its own from the environment, as in production."""
    env = {"REVIEWS_ENV": "production", "REVIEWS_SECRET_KEY": "", "REVIEWS_INSTANCE_PATH": str(tmp_path)}
    result = CliRunner().invoke(main, ["init"], env=env)
    assert result.exit_code == 1
    assert "REVIEWS_SECRET_KEY" in one_error_line(result)


# --- the help page -------------------------------------------------------------------------------

def help_page(env: dict | None = None) -> str:
    result = CliRunner().invoke(main, ["--help"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_help_shows_the_service_commands_first_and_hides_flasks_internals():
    page = help_page()
    listed = re.findall(r"^  ([a-z][a-z-]*)\s{2,}", page, re.MULTILINE)
    assert listed[:4] == ["demo", "init", "create-shop", "create-user"]
    assert listed[-1] == "db"  # for developers (`db migrate`), last
    for internal in ("shell", "routes", "limiter", "openapi", "--env-file", "--app"):
        assert internal not in page


def test_every_service_command_is_on_the_help_page():
    listed = set(re.findall(r"^  ([a-z][a-z-]*)\s{2,}", help_page(), re.MULTILINE))
    ours = {name for name, command in main.commands.items() if command.callback.__module__ == main.callback.__module__}
    assert ours | {"run", "db"} <= listed


def test_help_shows_even_when_the_configuration_is_broken(tmp_path):
    page = help_page({"REVIEWS_ENV": "production", "REVIEWS_SECRET_KEY": "", "REVIEWS_INSTANCE_PATH": str(tmp_path)})
    assert "Traceback" not in page and "worker" in page


@pytest.mark.parametrize("args", [["routes"], ["db", "--help"]])
def test_commands_left_off_the_help_page_still_run(runner, args):
    result = run(runner, *args)
    assert result.exit_code == 0, result.output


# --- what the command prints ---------------------------------------------------------------------

HOSTILE = "Trail\x1b]0;owned\x07 shoes\x1b[2J\x9b31m\u202eevil\r"


@pytest.mark.parametrize("app_config", [{"SMTP_URL": ""}])
def test_worker_print_shows_control_characters_in_user_text_escaped(runner, client, shop):
    client.patch("/api/v1/shop", json={"settings": {"review_request_delay_days": 0}}, headers=shop.headers)
    order = order_payload(items=[("sku-1", HOSTILE)], customer={"email": "ana@example.com", "name": HOSTILE,
                                                                 "locale": "en"})
    assert client.post("/api/v1/orders", json=order, headers=shop.headers).status_code == 201
    event = {"type": "fulfilled", "occurred_at": "2026-11-02T08:00:00Z"}
    assert client.post(f"/api/v1/orders/{order['id']}/events", json=event, headers=shop.headers).status_code < 300

    result = runner.invoke(main, ["worker", "--once", "--print"])

    assert result.exit_code == 0, result.output
    assert "To: " in result.output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.output), repr(result.output)
    assert "Trail\\x1b]0;owned\\x07 shoes\\x1b[2J\\x9b31m\\u202eevil" in result.output


def test_import_report_shows_control_characters_from_the_file_escaped(runner, shop, tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("title,body,rating,review_date,reviewer_name,reviewer_email,product_id\n"
                    f"Hi,Nice,5,2026-01-02,Ana,ana@example.com,{HOSTILE.replace(chr(13), '')}\n", encoding="utf-8")

    result = run(runner, "import", shop.slug, str(path), "--format", "judgeme")

    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output


def test_worker_log_lines_show_control_characters_in_a_shops_webhook_url_escaped(app, client, shop, tmp_path):
    receiver = WebhookReceiver()  # no secret: it answers 400, and the worker logs the failure
    receiver.start()
    try:
        created = add_endpoint(client, shop, receiver.url + "/evil", ["order.processed"])
        # An endpoint stored before URLs with control characters were refused at creation.
        with app.app_context():
            endpoint = db.session.scalar(select(WebhookEndpoint).filter_by(public_id=created["id"]))
            endpoint.url = receiver.url + "/\u202eevil\x1b]0;owned\x07"
            db.session.commit()
        assert client.post("/api/v1/orders", json=order_payload(), headers=shop.headers).status_code == 201
        worker = worker_process(app.config["DATABASE_URL"], tmp_path / "worker", "--once")
        _, stderr = worker.communicate(timeout=60)
    finally:
        receiver.stop()

    assert "answered 400" in stderr, stderr
    assert "\x1b" not in stderr and "\u202e" not in stderr
    assert "/\\u202eevil\\x1b]0;owned\\x07 answered 400" in stderr
