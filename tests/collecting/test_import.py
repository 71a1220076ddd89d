"""Import from the CSV exports of Judge.me, Yotpo, Okendo and Shopify Product Reviews: formats found
from the header, products matched by id, handle or SKU, imports labelled and never verified, rows
refused with a reason but never for their stars, statuses from the rules, aggregates exact (the
export: tests/reviews/test_export.py)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from reviews_service.cli import main
from reviews_service.collecting import importing
from reviews_service.errors import Invalid
from reviews_service.extensions import db
from reviews_service.moderation.models import AuditEvent
from reviews_service.ratings import service as ratings
from reviews_service.reviews import exporting
from reviews_service.reviews.models import Review
from reviews_service.shops import service as shops
from tests.factories import make_product

from . import DATA, FORMATS, make_sample_products, sample


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


def file_stars(fmt: str) -> Counter:
    """The star column of a sample file, counted straight from the CSV."""
    rows = list(csv.DictReader(io.StringIO(sample(fmt))))
    column = {"yotpo": "review_score"}.get(fmt, "rating")
    return Counter(row[column] for row in rows)


def imported(shop_id: int) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.shop_id == shop_id, Review.source == "import")
                                   .order_by(Review.id)))


# --- the four formats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_each_platforms_export_is_recognised_and_stored_whole(ctx, fmt):
    report = importing.import_csv(ctx, sample(fmt), actor="user:1")

    assert report.format == fmt
    assert (report.refused, report.stored) == ([], report.rows_read)
    assert report.received_histogram == report.stored_histogram
    assert report.stored_histogram == {star: file_stars(fmt).get(star, 0) for star in "12345"}
    assert report.stored_histogram["1"] >= 1 and report.stored_histogram["2"] >= 1
    assert report.statuses == {"published": report.stored}
    rows = imported(ctx.id)
    assert len(rows) == report.stored
    assert all(r.source == "import" and r.verified_buyer is False for r in rows)
    assert all(r.moderation_rule == "auto_publish_imported" for r in rows)
    assert ratings.recount() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_explicit_format_gives_the_same_result(ctx, fmt):
    report = importing.import_csv(ctx, sample(fmt), fmt=fmt, actor="cli")
    assert (report.format, report.stored) == (fmt, sum(file_stars(fmt).values()))


def test_products_are_matched_by_id_handle_url_and_sku(ctx):
    for fmt in FORMATS:
        importing.import_csv(ctx, sample(fmt), actor="cli")
    by_author = {r.author_name: r for r in imported(ctx.id)}

    def external(author: str) -> str:
        from reviews_service.catalog.models import Product

        return db.session.get(Product, by_author[author].product_id).external_id

    assert external("Camille Rousseau") == "7012345678"  # Judge.me: product_id
    assert external("Jonas") == "7012345679"  # Judge.me: product_handle only
    assert external("Tom B.") == "7012345678"  # Yotpo: the handle at the end of product_url
    assert external("Zoé Martin") == "7012345679"  # Okendo: a Shopify gid
    assert external("Hana K.") == "7012345680"  # Okendo: SKU
    assert external("Ewan McLeod") == "7012345680"  # a URL with a trailing slash


def test_dates_text_and_replies_come_from_the_file(ctx):
    importing.import_csv(ctx, sample("judgeme"), actor="cli")
    review = db.session.scalar(select(Review).where(Review.author_name == "Marc Durand"))
    keeps = db.session.scalar(select(Review).where(Review.author_name == "Ewan McLeod"))

    assert review.created_at == review.published_at == datetime(2024, 3, 5, 18, 40, tzinfo=UTC)
    assert review.email == "marc@example.fr" and review.title == "Fell apart"
    assert review.reply.body == "Sorry Marc, we sent a replacement pair."
    assert review.reply.created_at == datetime(2024, 3, 6, 9, 15, tzinfo=UTC)
    assert keeps.body == "Survived a week of Scottish rain.\nPacks small, too."


def test_a_reply_the_old_platform_kept_private_is_not_imported(ctx):
    importing.import_csv(ctx, sample("yotpo"), actor="cli")
    public = db.session.scalar(select(Review).where(Review.author_name == "Lucía G."))
    private = db.session.scalar(select(Review).where(Review.author_name == "Tom B."))
    assert public.reply.body == "Gracias Lucía!" and private.reply is None


def test_an_imported_reply_sends_no_email(ctx):
    from reviews_service.outbox.models import OutboxMessage

    importing.import_csv(ctx, sample("shopify"), actor="cli")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.topic == "reply")) == 0


def test_the_source_platforms_hidden_state_does_not_decide(ctx):
    """Judge.me can auto-publish by minimum rating, so its "hidden" may be a star filter: the rules
    decide here, and the old state is only noted in the audit log."""
    report = importing.import_csv(ctx, sample("shopify"), actor="cli")
    spam_there = db.session.scalar(select(Review).where(Review.author_name == "Kim"))
    unpublished_there = db.session.scalar(select(Review).where(Review.author_name == "Rob"))

    assert report.statuses == {"published": 6}
    assert spam_there.status == unpublished_there.status == "published"
    note = db.session.scalar(select(AuditEvent.note).where(AuditEvent.review_id == unpublished_there.id,
                                                           AuditEvent.action == "imported"))
    assert note == "Shopify Product Reviews row 3, state there: unpublished"


def test_imported_reviews_meet_the_rules(ctx):
    text = ("rating,title,body,author,email,product_handle,state,created_at\n"
            "5,Nice,Write to me at ana@example.com,Ana,ana@example.com,trail-shoes,published,2024-01-01\n"
            "1,Bad,Utter shit,Ben,ben@example.com,trail-shoes,published,2024-01-02\n"
            "3,Ok,Fine,Cy,cy@example.com,trail-shoes,published,2024-01-03\n")
    shops.update_shop(ctx, {"settings": {"rule_profanity_action": "reject"}})

    report = importing.import_csv(ctx, text, actor="cli")

    decided = {r.author_name: (r.status, r.moderation_rule) for r in imported(ctx.id)}
    assert decided == {"Ana": ("pending", "emails"), "Ben": ("rejected", "profanity"),
                       "Cy": ("published", "auto_publish_imported")}
    assert report.statuses == {"pending": 1, "rejected": 1, "published": 1}
    assert report.received_histogram == report.stored_histogram  # held or rejected, but stored


def test_imports_can_wait_for_a_moderator(ctx):
    shops.update_shop(ctx, {"settings": {"auto_publish_imported": False}})
    report = importing.import_csv(ctx, sample("okendo"), actor="cli")
    assert report.statuses == {"pending": report.stored}


def test_title_case_headers_of_a_re_saved_file_still_match(ctx):
    text = ("Review Title;Review Content;Review Score;Date;Product ID;Display Name;Email\n"
            "Great;\"Soaks in fast; no stickiness\";5;2024-08-01;7012345679;Sarah Kim;sarah@example.com\n")
    report = importing.import_csv(ctx, text, actor="cli")
    assert (report.format, report.stored) == ("yotpo", 1)
    assert imported(ctx.id)[0].body == "Soaks in fast; no stickiness"


def test_a_byte_order_mark_and_bytes_are_fine(ctx):
    report = importing.import_csv(ctx, "\ufeff".encode() + sample("okendo").encode(), actor="cli")
    assert report.format == "okendo" and report.refused == []


# --- refused rows ----------------------------------------------------------------------------------

REFUSING = """product_handle,state,rating,title,author,email,location,body,reply,created_at,replied_at
trail-shoes,published,5,Fine,A,a@example.com,,Good one,,2024-01-01T00:00:00Z,
no-such-shoe,published,4,Fine,B,b@example.com,,Good,,2024-01-01T00:00:00Z,
trail-shoes,published,,Fine,C,c@example.com,,No stars,,2024-01-01T00:00:00Z,
trail-shoes,published,0,Fine,D,d@example.com,,Zero,,2024-01-01T00:00:00Z,
trail-shoes,published,6,Fine,E,e@example.com,,Six,,2024-01-01T00:00:00Z,
trail-shoes,published,4.5,Fine,F,f@example.com,,Half,,2024-01-01T00:00:00Z,
trail-shoes,published,five,Fine,G,g@example.com,,Word,,2024-01-01T00:00:00Z,
trail-shoes,published,1,Fine,H,h@example.com,,Bad date,,yesterday,
trail-shoes,published,1,Fine,I,i@example.com,,Future,,2999-01-01,
trail-shoes,published,2,Fine,J,j@example.com,,No date,,,
trail-shoes,published,2,Fine,K,k@example.com,,Ambiguous,,03/04/2024,
trail-shoes,published,3,{long_title},L,l@example.com,,Long title,,2024-01-01,
trail-shoes,published,1,Fine,A,a@example.com,,Same person twice,,2024-01-02,
trail-shoes,published,2,Fine,N,n@example.com,,"nul \x00 here",,2024-01-01,
merino-socks,published,1,Fine,O,o@example.com,,Good socks,,2024-01-01,
"""


def test_each_refused_row_says_why_and_the_rest_is_stored(ctx):
    text = REFUSING.replace("{long_title}", "x" * 151)
    report = importing.import_csv(ctx, text, actor="cli")

    reasons = dict(report.refused)
    assert (report.rows_read, report.stored) == (15, 2)
    assert reasons == {
        3: "unknown product (handle 'no-such-shoe')",
        4: "missing rating",
        5: "rating out of range (1 to 5): '0'",
        6: "rating out of range (1 to 5): '6'",
        7: "rating is not a whole number: '4.5'",
        8: "rating is not a number: 'five'",
        9: "bad date: 'yesterday'",
        10: "date in the future: '2999-01-01'",
        11: "missing date",
        12: "ambiguous date (day and month could be either): '03/04/2024'",
        13: "title too long (151 characters, at most 150)",
        14: reasons[14],
        15: "contains a NUL character",
    }
    assert reasons[14].startswith("duplicate: this product already has a review from this e-mail address")
    # Rows refused for what they are count in the received histogram; nothing is refused for its stars.
    assert report.received_histogram == {"1": 4, "2": 3, "3": 1, "4": 1, "5": 1}
    assert report.stored_histogram == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 1}


def test_importing_the_same_file_twice_stores_nothing_the_second_time(ctx):
    first = importing.import_csv(ctx, sample("judgeme"), actor="cli")
    second = importing.import_csv(ctx, sample("judgeme"), actor="cli")

    assert second.stored == 0 and len(second.refused) == first.stored
    assert all(why.startswith("duplicate") for _, why in second.refused)
    assert len(imported(ctx.id)) == first.stored


def test_a_review_without_text_is_refused_where_the_shop_wants_words(ctx):
    shops.update_shop(ctx, {"settings": {"allow_rating_only": False}})
    text = "name,body,rating,title,dateCreated,handle\nAna,,5,,2024-01-01,trail-shoes\n"
    report = importing.import_csv(ctx, text, actor="cli")
    assert report.refused == [(2, "no text, and the shop does not take reviews without text")]


@pytest.mark.parametrize(("text", "fmt", "field"), [
    ("", None, "file"),
    ("email,first_name\na@b.c,Ana\n", None, "file"),
    ("rating,title,body\n5,a,b\n", None, "file"),
    ("rating,title,body,author,product_handle,created_at\n", "judgeme", "file"),
    ("rating\n5\n", "amazon", "format"),
])
def test_a_file_that_is_no_known_export_is_invalid(ctx, text, fmt, field):
    with pytest.raises(Invalid) as error:
        importing.import_csv(ctx, text, fmt=fmt, actor="cli")
    assert field in error.value.errors
    assert imported(ctx.id) == []


def test_a_file_that_is_not_utf8_is_invalid(ctx):
    with pytest.raises(Invalid) as error:
        importing.import_csv(ctx, sample("okendo").encode("utf-16"), actor="cli")
    assert "UTF-8" in error.value.detail


def test_an_import_reaches_only_its_own_shops_products(app, ctx, other_shop):
    make_product(app, other_shop, "only-b", "B's product", url="https://b.example/products/only-b")
    text = "name,body,rating,title,dateCreated,handle,productId\nAna,Hi,5,,2024-01-01,only-b,only-b\n"
    report = importing.import_csv(ctx, text, actor="cli")
    assert report.stored == 0 and report.refused[0][1].startswith("unknown product")


# --- the command -----------------------------------------------------------------------------------

def test_the_import_command_prints_the_report(runner, shop, products):
    result = runner.invoke(main, ["import", shop.slug, str(DATA / "judgeme.csv")])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "judgeme: read 7 rows, stored 7, refused 0."
    assert lines[2].split() == ["received", "2", "1", "1", "1", "2"]
    assert lines[3].split() == ["stored", "2", "1", "1", "1", "2"]


def test_the_import_command_speaks_json(runner, shop, products):
    result = runner.invoke(main, ["import", shop.slug, str(DATA / "yotpo.csv"), "--format", "yotpo", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["format"], report["stored"], report["refused"]) == ("yotpo", 6, [])
    assert report["received_histogram"] == report["stored_histogram"]


def test_the_import_command_fails_in_one_line(runner, shop, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("email,first_name\n")
    result = runner.invoke(main, ["import", shop.slug, str(bad)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_aggregates_equal_a_recount_after_imports(runner, shop, products):
    for fmt in FORMATS:
        assert runner.invoke(main, ["import", shop.slug, str(DATA / f"{fmt}.csv")]).exit_code == 0
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output


@pytest.mark.postgres
def test_imports_and_exports_on_postgresql(pg_app):
    from tests.factories import make_shop

    shop = make_shop(pg_app, "PG shop")
    make_product(pg_app, shop, "7012345678", "Trail shoes", url="https://shop.example/products/trail-shoes")
    make_product(pg_app, shop, "7012345679", "Merino socks", url="https://shop.example/products/merino-socks",
                 sku="MS-01")
    make_product(pg_app, shop, "7012345680", "Rain shell", url="https://shop.example/products/rain-shell",
                 sku="RS-9")
    with pg_app.app_context():
        s = shops.get_shop(shop.id)
        reports = [importing.import_csv(s, sample(fmt), actor="cli") for fmt in FORMATS]
        assert all(r.refused == [] and r.received_histogram == r.stored_histogram for r in reports)
        again = importing.import_csv(s, sample("judgeme"), actor="cli")
        assert again.stored == 0
        assert ratings.recount() == []
        records = json.loads("".join(exporting.export_reviews(s, "json")))
        assert len(records) == sum(r.stored for r in reports)
