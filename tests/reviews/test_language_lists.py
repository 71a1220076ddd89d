"""The public list in the reader's language: `lang` keeps only the reviews written in it,
`lang_first` puts them first and the rest after, each part in the chosen sort, with keyset pages
that cross from one part to the other without a gap or a repeat; both are part of the cached
answer's key, and each is read from an index (the plan on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from reviews_service.extensions import db
from tests.conftest import _make_sqlite_app
from tests.factories import make_shop
from tests.helpers import assert_problem, publish

HIGH_LIMIT = {"PUBLIC_WRITE_LIMIT": "10000 per minute"}
HY = "Կոշիկները շատ հարմար են, ամբողջ օրը քայլեցի և ոտքերս չհոգնեցին։"
EN = "Comfortable shoes, I walked all day and my feet never got tired."
VI = "Đôi giày rất thoải mái, tôi đi bộ cả ngày mà chân không hề mỏi."
# Oldest first: the languages interleaved, the ratings mixed, so that no sort groups them by chance.
WRITTEN = [("en", 5), ("hy", 3), ("en", 4), ("vi", 2), ("hy", 5), ("en", 1), ("hy", 4), (None, 5),
           ("en", 3), ("hy", 2)]
# Each text its own, so that the duplicate rule holds none back.
TEXTS = {
    "en": [EN, "The soles grip well on wet rocks and the laces stay tied.",
           "They run a little small, so order half a size up.", "Good value for the money, and they look nice."],
    "hy": [HY, "Ներբանները լավ են բռնում թաց քարերի վրա, իսկ քուղերը չեն արձակվում։",
           "Մի փոքր փոքր են, ավելի լավ է կես չափս մեծ պատվիրել։", "Գինը արժանի է, և տեսքն էլ գեղեցիկ է։"],
    "vi": [VI], None: ["Super!"],
}


@pytest.fixture
def app_config():
    return dict(HIGH_LIMIT)


@pytest.fixture
def written(each_db_app):
    """Ten published reviews of sku-1 in hy, en, vi and one of no known language; answers the
    client, the shop and [(public id, lang, rating)] oldest first."""
    app = each_db_app
    client = app.test_client()
    shop = make_shop(app)
    out, texts = [], {lang: iter(t) for lang, t in TEXTS.items()}
    for n, (lang, rating) in enumerate(WRITTEN):
        review = publish(client, shop, rating=rating, body=next(texts[lang]), email=f"r{n}@example.com")
        assert review["lang"] == lang
        out.append((review["id"], lang, rating))
    return client, shop, out


def listing(client, shop, **query) -> dict:
    response = client.get(f"{shop.public}/products/sku-1/reviews", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def walk(client, shop, limit: int, **query) -> list[dict]:
    seen, cursor = [], None
    while True:
        page = listing(client, shop, limit=limit, **query, **({"cursor": cursor} if cursor else {}))
        assert len(page["reviews"]) <= limit
        seen += page["reviews"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def in_sort(rows, sort: str) -> list[str]:
    """The public ids of (id, lang, rating) rows, written oldest first, in `sort`."""
    indexed = list(enumerate(rows))
    keys = {"newest": lambda x: -x[0], "oldest": lambda x: x[0],
            "highest": lambda x: (-x[1][2], -x[0]), "lowest": lambda x: (x[1][2], -x[0])}[sort]
    return [row[0] for _, row in sorted(indexed, key=keys)]


def test_lang_keeps_only_the_reviews_written_in_it(written):
    client, shop, rows = written
    for lang in ("hy", "en", "vi"):
        shown = walk(client, shop, 2, lang=lang)
        assert [r["id"] for r in shown] == in_sort([r for r in rows if r[1] == lang], "newest")
        assert {r["lang"] for r in shown} == {lang}
    assert listing(client, shop, lang="hy-AM")["reviews"] == listing(client, shop, lang="hy")["reviews"]
    assert listing(client, shop, lang="ja")["reviews"] == []


@pytest.mark.parametrize("sort", ["newest", "oldest", "highest", "lowest"])
@pytest.mark.parametrize("limit", [1, 2, 3, 4, 10])
def test_lang_first_shows_the_readers_language_first_then_the_rest_across_pages(written, sort, limit):
    client, shop, rows = written
    shown = walk(client, shop, limit, lang_first="hy", sort=sort)
    mine = in_sort([r for r in rows if r[1] == "hy"], sort)
    rest = in_sort([r for r in rows if r[1] != "hy"], sort)
    # Four Armenian reviews: with limit 2 or 4 a page ends exactly where they do.
    assert [r["id"] for r in shown] == mine + rest


def test_lang_first_in_a_language_nobody_wrote_in_is_the_plain_list(written):
    client, shop, _ = written
    assert [r["id"] for r in walk(client, shop, 3, lang_first="ja")] == [
        r["id"] for r in walk(client, shop, 3)]


def test_lang_first_with_the_star_filter_keeps_both(written):
    client, shop, rows = written
    shown = walk(client, shop, 1, lang_first="hy", rating=5)
    assert [r["id"] for r in shown] == (in_sort([r for r in rows if r[1] == "hy" and r[2] == 5], "newest")
                                        + in_sort([r for r in rows if r[1] != "hy" and r[2] == 5], "newest"))


@pytest.mark.parametrize(("name", "value"), [("lang", "armenian"), ("lang", "1"), ("lang_first", "hy AM"),
                                             ("lang_first", "")])
def test_a_lang_that_is_no_language_tag_is_422_naming_it(written, name, value):
    client, shop, _ = written
    response = client.get(f"{shop.public}/products/sku-1/reviews", query_string={name: value})
    assert_problem(response, 422, field=name)


def test_a_cursor_of_another_language_or_list_is_422(written):
    client, shop, _ = written
    hy_cursor = listing(client, shop, limit=1, lang_first="hy")["next_cursor"]
    plain = listing(client, shop, limit=1)["next_cursor"]
    for query in ({"lang_first": "en", "cursor": hy_cursor}, {"lang_first": "hy", "cursor": plain},
                  {"cursor": hy_cursor}):
        response = client.get(f"{shop.public}/products/sku-1/reviews", query_string=query)
        assert_problem(response, 422, field="cursor")


@pytest.fixture
def cached_app(tmp_path, sqlite_template):
    return _make_sqlite_app(tmp_path, sqlite_template, RATING_CACHE_TTL=300, RATING_MAX_AGE=300,
                            **HIGH_LIMIT)


def test_each_language_has_its_own_cached_answer(cached_app):
    client, shop = cached_app.test_client(), make_shop(cached_app)
    publish(client, shop, body=HY, email="hy@example.com")
    publish(client, shop, body=EN, email="en@example.com")
    for query in ({"lang": "hy"}, {"lang": "en"}, {"lang_first": "hy"}, {"lang_first": "en"}, {}):
        listing(client, shop, **query)  # each answer is now kept
    assert [r["lang"] for r in listing(client, shop, lang="hy")["reviews"]] == ["hy"]
    assert [r["lang"] for r in listing(client, shop, lang="en")["reviews"]] == ["en"]
    assert [r["lang"] for r in listing(client, shop, lang_first="hy")["reviews"]] == ["hy", "en"]
    assert [r["lang"] for r in listing(client, shop, lang_first="en")["reviews"]] == ["en", "hy"]
    assert [r["lang"] for r in listing(client, shop)["reviews"]] == ["en", "hy"]
    etags = {client.get(f"{shop.public}/products/sku-1/reviews", query_string=q).headers["ETag"]
             for q in ({"lang": "hy"}, {"lang": "en"}, {"lang_first": "hy"}, {"lang_first": "en"})}
    assert len(etags) == 4


@pytest.mark.postgres
@pytest.mark.parametrize(("query", "sort_free"), [({"lang": "hy"}, True), ({"lang_first": "hy"}, False)])
def test_postgresql_reads_a_language_from_its_index(pg_app, query, sort_free):
    """Planned as on a large table (no sequential scan): the language's reviews come from
    ix_reviews_public_lang in index order, with no sort; the rest of lang_first from the list's
    own index."""
    client, shop = pg_app.test_client(), make_shop(pg_app)
    for n, text in enumerate((HY, EN, TEXTS["hy"][1], VI)):
        publish(client, shop, body=text, email=f"p{n}@example.com")
    plans = explained(pg_app, client, f"{shop.public}/products/sku-1/reviews", {"limit": 3, **query})
    plan = "\n".join(plans)
    assert "ix_reviews_public_lang" in plan, plan
    assert "Seq Scan on reviews" not in plan and "Sort Key" not in plan, plan
    if not sort_free:
        assert "ix_reviews_public_list" in plan, plan


def explained(app, client, url: str, query: dict) -> list[str]:
    """The PostgreSQL plans of the statements on reviews that one GET ran, with sequential scans
    off so that the plan is the one a large table gets."""
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "FROM reviews" in statement and not statement.lstrip().startswith("EXPLAIN"):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get(url, query_string=query).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert statements
    plans = []
    with app.app_context(), engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            plans.append("\n".join(r[0] for r in rows))
    return plans
