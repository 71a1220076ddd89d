"""The shop's download of its private feedback (GET /api/v1/feedback/export and the admin's import &
export page): every message as CSV or JSON, in a file of its own beside the reviews' export, never
in that one and never public; cells guarded against spreadsheet formulas; a moderation key's
download holds no e-mail address."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reviews_service.feedback.exporting import COLUMNS
from tests.admin.conftest import admin_for
from tests.helpers import assert_problem, post_order, run, submit

ALONE = "The parcel came two days late, the boots are fine."
WITH_REVIEW = "=HYPERLINK(\"https://evil.example\",\"Could you exchange them?\")"


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def messages(client, shop) -> dict:
    """A review sent with a private message, and a message sent alone; answers the review's id."""
    order = post_order(client, shop, "FX-1", email="ana@example.com", items=[("sku-1", "Trail shoes")])
    review = submit(client, shop, rating=2, body="Too narrow.", display_name="Ana P.",
                    token=order["widget_token"], private_message=WITH_REVIEW)
    assert review.status_code == 201, review.json
    alone = post_order(client, shop, "FX-2", email="ben@example.com", items=[("sku-2", "Socks")])
    sent = client.post(f"{shop.public}/feedback", json={"token": alone["widget_token"],
                                                        "message": ALONE + " Write to ben@example.com"})
    assert sent.status_code == 201, sent.json
    return {"review_id": review.json["id"]}


def download(client, shop, fmt: str, headers=None):
    return client.get("/api/v1/feedback/export", query_string={"format": fmt}, headers=headers or shop.headers)


def test_the_json_download_holds_every_message_with_what_it_is_about(client, shop, messages):
    answer = download(client, shop, "json")

    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"] and "private-feedback-" in answer.headers[
        "Content-Disposition"]
    first, second = json.loads(answer.get_data(as_text=True))
    assert (first["message"], first["review_id"], first["order_id"], first["product_id"], first["email"]) == (
        WITH_REVIEW, messages["review_id"], "FX-1", "sku-1", "ana@example.com")
    assert (second["review_id"], second["order_id"], second["email"]) == (None, "FX-2", "ben@example.com")
    assert second["message"].startswith(ALONE)
    assert first["thread_status"] == "open" and first["thread_id"]


def test_the_csv_download_has_a_row_per_message_and_runs_no_formula(client, shop, messages):
    answer = download(client, shop, "csv")

    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["order_id"] for r in rows] == ["FX-1", "FX-2"]
    assert rows[0]["message"] == "'" + WITH_REVIEW
    assert rows[1]["review_id"] == ""


def test_the_reviews_export_and_the_public_lists_never_hold_a_private_message(client, shop, messages):
    reviews = client.get("/api/v1/reviews/export?format=json", headers=shop.headers).get_data(as_text=True)
    public = client.get(f"{shop.public}/reviews").get_data(as_text=True)

    for text in (reviews, public):
        assert "HYPERLINK" not in text and ALONE not in text
    assert messages["review_id"] in reviews


def test_a_moderation_keys_download_holds_no_email_address(client, shop, runner, messages):
    key = json.loads(run(runner, "keys", "create", shop.slug, "--scope", "moderation", "--json").output)
    headers = {"Authorization": f"Bearer {key['secret_key']}"}

    for fmt in ("json", "csv"):
        text = download(client, shop, fmt, headers).get_data(as_text=True)
        assert "@example.com" not in text and ALONE in text


def test_an_unknown_format_is_422_naming_it(client, shop):
    assert_problem(download(client, shop, "xml"), 422, field="format")


def test_a_shop_without_private_feedback_downloads_an_empty_file(client, shop):
    assert json.loads(download(client, shop, "json").get_data(as_text=True)) == []
    assert download(client, shop, "csv").get_data(as_text=True).count("\n") == 1


def test_the_owner_downloads_it_from_the_import_and_export_page(app, shop, messages):
    owner = admin_for(app, shop, "owner")
    page = owner.get(f"{owner.base}/transfer").get_data(as_text=True)
    assert "Export private feedback" in page and f"{owner.base}/private-feedback.csv" in page

    records = json.loads(owner.get(f"{owner.base}/private-feedback.json").get_data(as_text=True))
    csv_answer = owner.get(f"{owner.base}/private-feedback.csv")

    assert [r["order_id"] for r in records] == ["FX-1", "FX-2"]
    assert csv_answer.status_code == 200 and "attachment" in csv_answer.headers["Content-Disposition"]
    assert owner.get(f"{owner.base}/private-feedback.xml").status_code == 404


def test_a_moderator_who_is_not_the_owner_cannot_download_it(app, shop, messages):
    moderator = admin_for(app, shop, "moderator")

    assert moderator.get(f"{moderator.base}/private-feedback.json").status_code == 403
