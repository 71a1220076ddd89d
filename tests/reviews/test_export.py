"""The export of everything: every review with its reply, photos, votes and labels, as JSON or as
CSV whose cells cannot start a formula, through the API and the command (the import:
tests/collecting/test_import.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from reviews_service.cli import main
from reviews_service.collecting import importing
from reviews_service.extensions import db
from reviews_service.moderation import queue, replies
from reviews_service.reviews import exporting
from reviews_service.reviews.models import Reply, Review
from reviews_service.shops import service as shops
from tests.collecting import make_sample_products, sample
from tests.factories import make_product, order_payload
from tests.helpers import upload


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def products(app, shop):
    make_sample_products(app, shop)


@pytest.fixture
def ctx(app, shop, products):
    with app.app_context():
        yield shops.get_shop(shop.id)


@pytest.fixture
def everything(app, client, shop, products):
    """One review in each status, one with a photo, a reply, votes and a formula-looking title."""
    order = client.post("/api/v1/orders", json=order_payload(
        "EX-1", email="ana@example.com", items=[("7012345678", "Trail shoes")]), headers=shop.headers).json
    photo = upload(client, shop)
    published = client.post(f"{shop.public}/products/7012345678/reviews", json={
        "rating": 2, "title": "=HYPERLINK(\"x\")", "body": "Soles wore fast.", "token": order["widget_token"],
        "photo_ids": [photo]}).json["id"]
    pending = client.post(f"{shop.public}/products/7012345679/reviews", json={
        "rating": 5, "body": "Warm", "email": "ben@example.com", "display_name": "Ben"}).json["id"]
    rejected = client.post(f"{shop.public}/products/7012345680/reviews", json={
        "rating": 1, "body": "Meh", "email": "cy@example.com", "display_name": "Cy"}).json["id"]
    client.post(f"{shop.public}/reviews/{published}/votes", json={"value": "up"})
    with app.app_context():
        s = shops.get_shop(shop.id)
        queue.reject(s, [rejected], "off_topic", actor="user:1")
        replies.set_reply(s, published, "Sorry, Ana: a new pair is on its way.", user_id=None)
    return {"published": published, "pending": pending, "rejected": rejected}


def test_the_json_export_holds_every_review_with_all_it_has(ctx, everything):
    records = json.loads("".join(exporting.export_reviews(ctx, "json")))

    by_id = {r["id"]: r for r in records}
    assert set(by_id) == set(everything.values())
    published = by_id[everything["published"]]
    assert (published["status"], published["rating"], published["product_id"]) == ("published", 2, "7012345678")
    assert published["reply"]["body"] == "Sorry, Ana: a new pair is on its way."
    assert published["helpful"] == {"up": 1, "down": 0}
    assert published["labels"] == ["verified_buyer"] and published["order_id"] == "EX-1"
    assert len(published["photos"]) == 1 and published["photos"][0]["url"].endswith(".jpg")
    assert published["moderation_rule"] == "auto_publish_verified"
    rejected = by_id[everything["rejected"]]
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "off_topic")
    assert by_id[everything["pending"]]["status"] == "pending"


def test_the_csv_export_has_one_row_per_review_and_defuses_formulas(ctx, everything):
    text = "".join(exporting.export_reviews(ctx, "csv"))

    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3 and list(rows[0]) == list(exporting.EXPORT_COLUMNS)
    published = next(r for r in rows if r["id"] == everything["published"])
    assert published["title"] == "'=HYPERLINK(\"x\")"
    assert (published["helpful_up"], published["labels"], published["verified_buyer"]) == ("1", "verified_buyer", "true")
    assert published["reply"].startswith("Sorry, Ana") and published["photo_urls"].endswith(".jpg")


def test_the_csv_export_defuses_formulas_in_every_text_the_shop_or_a_reviewer_wrote(client, shop):
    """Product ids and names, order ids, names and e-mail addresses come from the shop's backend or
    a reviewer: none of them may start a formula in the spreadsheet that opens the export."""
    product = "-2+3"
    put = client.put(f"/api/v1/products/{product}", headers=shop.headers,
                     json={"name": "=HYPERLINK(\"https://evil.example\",\"open\")", "brand": "@SUM(1)"})
    assert put.status_code in (200, 201), put.json
    order = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        "+ORDER-1", email="ana@example.com", items=[(product, "=cmd|' /C calc'!A0")])).json
    review = client.post(f"{shop.public}/products/{product}/reviews", json={
        "rating": 4, "body": "Fine.", "display_name": "@Ana", "token": order["widget_token"]})
    assert review.status_code == 201, review.json

    as_csv = client.get("/api/v1/reviews/export", headers=shop.headers)
    row = next(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["product_id"] == "'-2+3"
    assert row["product_name"].startswith("'=")
    assert row["order_id"] == "'+ORDER-1"
    assert row["author_name"] == "'@Ana"
    assert row["id"] == review.json["id"]  # the service's own ids and dates are left as they are
    assert row["created_at"][:1].isdigit()


def test_imported_reviews_export_with_their_label(ctx):
    importing.import_csv(ctx, sample("okendo"), actor="cli")
    records = json.loads("".join(exporting.export_reviews(ctx, "json")))
    assert all(r["labels"] == ["imported"] and r["source"] == "import" for r in records)


def test_an_empty_shop_exports_an_empty_list(ctx):
    assert json.loads("".join(exporting.export_reviews(ctx, "json"))) == []
    assert "".join(exporting.export_reviews(ctx, "csv")).count("\n") == 1


def test_the_export_api_needs_the_secret_key_and_shows_only_the_shop(app, client, shop, other_shop, everything):
    make_product(app, other_shop, "7012345678", "Theirs")
    theirs = client.post(f"{other_shop.public}/products/7012345678/reviews", json={
        "rating": 4, "body": "Theirs", "email": "x@example.com", "display_name": "X"}).json["id"]

    assert client.get("/api/v1/reviews/export").status_code == 401
    as_json = client.get("/api/v1/reviews/export?format=json", headers=shop.headers)
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert {r["id"] for r in as_json.json} == set(everything.values())  # reads the stream to its end
    as_csv = client.get("/api/v1/reviews/export", headers=shop.headers)
    assert as_csv.mimetype == "text/csv" and theirs not in as_csv.get_data(as_text=True)
    assert "attachment" in as_csv.headers["Content-Disposition"]
    assert client.get("/api/v1/reviews/export?format=xml", headers=shop.headers).status_code == 422


def test_the_export_command_writes_a_file(runner, shop, everything, tmp_path):
    target = tmp_path / "out.json"
    result = runner.invoke(main, ["export", shop.slug, "--format", "json", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(target.read_text())) == 3
    on_stdout = runner.invoke(main, ["export", shop.slug])
    assert on_stdout.output.count(everything["pending"]) == 1


def test_export_then_counts_match_the_database(app, ctx, everything):
    records = json.loads("".join(exporting.export_reviews(ctx, "json")))
    assert len(records) == db.session.scalar(select(func.count()).select_from(Review)
                                             .where(Review.shop_id == ctx.id))
    assert sum(1 for r in records if r["reply"]) == db.session.scalar(select(func.count()).select_from(Reply))
