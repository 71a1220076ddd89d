"""The moderators' queue: filters and keyset pages, bulk approve and reject (audited, tenant-safe),
removing a photo, redaction that can only remove personal data, reports, the audit trail, and
aggregates that always equal a recount."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reviews_service.cli import main
from reviews_service.errors import Invalid, NotFound
from reviews_service.extensions import db
from reviews_service.moderation import queue
from reviews_service.moderation.models import AuditEvent
from reviews_service.ratings import service as ratings
from reviews_service.reviews import media, queries
from reviews_service.reviews.models import Photo, Report, Review
from reviews_service.shops import service as shops
from tests.factories import make_product
from tests.helpers import write_review

MODERATOR = "user:42"


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


def report(client, shop, public_id: str, n: int = 1) -> None:
    for k in range(n):
        response = client.post(f"{shop.public}/reviews/{public_id}/reports", json={"reason": "abuse"},
                               environ_base={"REMOTE_ADDR": f"203.0.113.{k + 1}", "HTTP_USER_AGENT": "t"})
        assert response.status_code == 202, response.json


def status_of(app, public_id: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Review.status).where(Review.public_id == public_id))


@pytest.fixture
def products(app, shop):
    make_product(app, shop, "sku-1", "Trail shoes")
    make_product(app, shop, "sku-2", "Socks")


@pytest.fixture
def ctx(app, shop, products):
    """An app context with the shop loaded: the services' world."""
    with app.app_context():
        yield shops.get_shop(shop.id)


def ids(reviews) -> list[str]:
    return [r.public_id for r in reviews]


# --- the list ----------------------------------------------------------------------------------------

@pytest.fixture
def mix(app, client, shop, products):
    """Reviews of every kind, named by what makes them different."""
    made = {
        "pending_1": write_review(client, shop, rating=1, body="Broke at once"),
        "pending_5": write_review(client, shop, rating=5, title="Lovely", body="Warm"),
        "pending_sku2": write_review(client, shop, product="sku-2", body="Socks 100% wool_ish"),
        "photos": write_review(client, shop, photos=1),
        "verified": write_review(client, shop, verified=True, rating=3),
        "reported": write_review(client, shop, verified=True, body="Great shoes"),
    }
    report(client, shop, made["reported"], 2)
    return made


def test_the_default_queue_is_pending_oldest_first(ctx, mix):
    reviews, cursor = queue.queue(ctx)
    assert ids(reviews) == [mix[k] for k in ("pending_1", "pending_5", "pending_sku2", "photos")]
    assert cursor is None


@pytest.mark.parametrize(("filters", "expected"), [
    ({"stars": 1}, ["pending_1"]),
    ({"stars": [1, 5]}, ["pending_1", "pending_5"]),
    ({"product_external_id": "sku-2"}, ["pending_sku2"]),
    ({"has_photos": True}, ["photos"]),
    ({"has_photos": False}, ["pending_1", "pending_5", "pending_sku2"]),
    ({"status": "published", "verified": True}, ["reported", "verified"]),
    ({"status": None, "verified": False}, ["photos", "pending_sku2", "pending_5", "pending_1"]),
    ({"search": "WARM"}, ["pending_5", "photos"]),
    ({"search": "lovely"}, ["pending_5"]),
    ({"search": "100%"}, ["pending_sku2"]),
    ({"search": "0%"}, ["pending_sku2"]),
    ({"search": "_ish"}, ["pending_sku2"]),
    ({"search": "%"}, ["pending_sku2"]),
    ({"search": "l_vely"}, []),
    ({"product_external_id": "no-such-product"}, []),
])
def test_filters_narrow_the_queue(ctx, mix, filters, expected):
    reviews, _ = queue.queue(ctx, **filters)
    assert ids(reviews) == [mix[k] for k in expected]


def test_reported_lists_published_reviews_with_open_reports(ctx, mix):
    reviews, _ = queue.queue(ctx, reported=True)
    assert ids(reviews) == [mix["reported"]]
    assert reviews[0].report_count == 2


def test_pages_follow_one_another_without_gaps_or_repeats(app, client, shop, products):
    made = [write_review(client, shop) for _ in range(7)]
    with app.app_context():
        s = shops.get_shop(shop.id)
        seen, cursor = [], None
        while True:
            page, cursor = queue.queue(s, cursor=cursor, limit=3)
            seen += ids(page)
            if cursor is None:
                break
        newest, cursor = queue.queue(s, cursor=None, limit=3, order="newest")
        rest, _ = queue.queue(s, cursor=cursor, limit=10, order="newest")
    assert seen == made
    assert ids(newest) + ids(rest) == made[::-1]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJvIjoibmV3ZXN0IiwiayI6WzEsMl19", "e30"])
def test_a_tampered_cursor_is_invalid(ctx, cursor):
    with pytest.raises(Invalid) as error:
        queue.queue(ctx, cursor=cursor)
    assert "cursor" in error.value.errors


def test_the_queue_of_one_shop_never_shows_another(app, client, shop, other_shop, ctx, mix):
    make_product(app, other_shop, "sku-1", "Trail shoes")
    write_review(client, other_shop)
    reviews, _ = queue.queue(ctx, status=None, limit=200)
    assert {r.shop_id for r in reviews} == {shop.id}


# --- bulk decisions ------------------------------------------------------------------------------

def test_bulk_approve_publishes_each_through_an_audited_transition(ctx, mix):
    chosen = [mix["pending_1"], mix["pending_5"]]

    result = queue.approve(ctx, chosen, actor=MODERATOR)

    assert (result.changed, len(result)) == (chosen, 2)
    for public_id in chosen:
        review = db.session.scalar(select(Review).where(Review.public_id == public_id))
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.review_id == review.id)
                                   .order_by(AuditEvent.id.desc())).first()
        assert review.status == "published"
        assert (event.actor, event.action, event.from_status, event.to_status) == (
            MODERATOR, "status", "pending", "published")
        assert event.created_at is not None
    assert ratings.recount() == []


def test_bulk_reject_needs_a_listed_reason(ctx, mix):
    with pytest.raises(Invalid):
        queue.reject(ctx, [mix["pending_1"]], "too_negative", actor=MODERATOR)
    assert db.session.scalar(select(Review.status).where(Review.public_id == mix["pending_1"])) == "pending"


def test_bulk_reject_records_reason_and_note(ctx, mix):
    result = queue.reject(ctx, [mix["reported"], mix["pending_5"]], "abuse", actor=MODERATOR, note="slurs")

    assert sorted(result.changed) == sorted([mix["reported"], mix["pending_5"]])
    review = db.session.scalar(select(Review).where(Review.public_id == mix["reported"]))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.review_id == review.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert (review.status, review.reject_reason) == ("rejected", "abuse")
    assert (event.actor, event.reason, event.note) == (MODERATOR, "abuse", "slurs")
    assert ratings.recount() == []


def test_bulk_actions_never_touch_another_shops_reviews(app, client, shop, other_shop, products):
    make_product(app, other_shop, "sku-1", "Trail shoes")
    mine, theirs = write_review(client, shop), write_review(client, other_shop)
    with app.app_context():
        s = shops.get_shop(shop.id)
        theirs_pk = db.session.scalar(select(Review.id).where(Review.public_id == theirs))
        approved = queue.approve(s, [mine, theirs, theirs_pk, "no-such-id"], actor=MODERATOR)
        rejected = queue.reject(s, [theirs], "spam", actor=MODERATOR)
    assert approved.changed == [mine]
    assert sorted(approved.not_found, key=str) == sorted([theirs, str(theirs_pk), "no-such-id"], key=str)
    assert rejected.changed == [] and rejected.not_found == [theirs]
    assert status_of(app, theirs) == "pending"
    with app.app_context():
        trail = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.shop_id == other_shop.id, AuditEvent.action == "status"))
    assert trail == 0


def test_approving_twice_changes_nothing_the_second_time(ctx, mix):
    queue.approve(ctx, [mix["pending_1"]], actor=MODERATOR)
    again = queue.approve(ctx, [mix["pending_1"]], actor=MODERATOR)
    assert (again.changed, again.unchanged) == ([], [mix["pending_1"]])


def test_a_removed_review_cannot_be_approved(ctx, mix):
    from reviews_service.moderation import service as moderation

    review = db.session.scalar(select(Review).where(Review.public_id == mix["pending_1"]))
    moderation.transition(review, "removed", actor="api")
    db.session.commit()

    result = queue.approve(ctx, [mix["pending_1"]], actor=MODERATOR)

    assert result.changed == [] and result.refused[0][0] == mix["pending_1"]


def test_too_many_at_once_is_invalid(ctx):
    with pytest.raises(Invalid):
        queue.approve(ctx, [f"id-{n}" for n in range(queue.MAX_BULK + 1)], actor=MODERATOR)


# --- photos ----------------------------------------------------------------------------------------

def test_removing_a_photo_deletes_file_and_row_and_keeps_the_review(app, client, shop, products):
    public_id = write_review(client, shop, verified=True, photos=2)
    with app.app_context():
        s = shops.get_shop(shop.id)
        review = queries.get_review(s, public_id)
        photo = review.photos[0]
        names, photo_id = (photo.display_name, photo.thumb_name), photo.public_id

        review = queue.remove_photo(s, public_id, photo_id, actor=MODERATOR)

        assert (review.status, review.photo_count) == ("published", 1)
        assert db.session.scalar(select(Photo).where(Photo.public_id == photo_id)) is None
        assert not any(media.storage().exists(n) for n in names)
        assert queue.audit_log(s, public_id)[-1].action == "photo_removed"
        with pytest.raises(NotFound):
            queue.remove_photo(s, public_id, photo_id, actor=MODERATOR)
    listed = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]
    assert len(listed["photos"]) == 1 and listed["photos"][0]["id"] != photo_id


def test_a_photo_of_another_shops_review_is_not_found(app, client, shop, other_shop, products):
    make_product(app, other_shop, "sku-1", "Trail shoes")
    theirs = write_review(client, other_shop, photos=1)
    with app.app_context():
        photo_id = db.session.scalar(select(Photo.public_id).where(Photo.review_id.is_not(None)))
        with pytest.raises(NotFound):
            queue.remove_photo(shops.get_shop(shop.id), theirs, photo_id, actor=MODERATOR)
        assert db.session.scalar(select(Photo.id).where(Photo.public_id == photo_id)) is not None


# --- redaction -----------------------------------------------------------------------------------

BODY = "Great boots. Call me on 0612345678 or write to Ana Petrosyan, 12 Rue Haute, Lyon. Warm!"


@pytest.mark.parametrize(("old", "new", "spans"), [
    (BODY, BODY.replace("0612345678", "[redacted]"), 1),
    (BODY, BODY.replace("0612345678", "[redacted]").replace("Ana Petrosyan, 12 Rue Haute, Lyon", "[redacted]"), 2),
    ("0612345678 is my number", "[redacted] is my number", 1),
    ("my number: 0612345678", "my number: [redacted]", 1),
    ("a [redacted] b 0612", "a [redacted] b [redacted]", 2),
    ("same", "same", 0),
])
def test_a_redaction_only_replaces_spans(old, new, spans):
    assert queue.check_redaction(old, new) == spans


@pytest.mark.parametrize("new", [
    BODY.replace("Great", "Awful"),  # an edit, not a redaction
    BODY.replace("0612345678", "[redacted]").replace("Warm!", "Cold!"),
    BODY.replace("0612345678", "[redacted]") + " extra",
    BODY.replace("Great boots.", "[redacted]").replace("0612345678", "0000000000"),
    "[redacted]" + BODY,  # nothing removed behind the marker
    BODY.replace("0612345678", "[REDACTED]"),
    BODY.replace("0612345678", "").replace("  ", " "),  # removed without saying so
    "[redacted]",  # the whole text
])
def test_anything_but_removing_spans_is_refused(new):
    with pytest.raises(Invalid):
        queue.check_redaction(BODY, new)


def test_a_redaction_cannot_remove_an_opinion():
    opinion = "Honestly the worst purchase I made this year: " + "the soles peeled off, " * 8 + "avoid."
    with pytest.raises(Invalid) as error:
        queue.check_redaction(opinion, opinion[:46] + "[redacted]" + "avoid.")
    assert "never the reviewer's opinion" in error.value.detail


def test_redaction_marks_the_review_and_audits_lengths_not_data(app, client, shop, products):
    public_id = write_review(client, shop, verified=True, title="Call 0612345678", body=BODY)
    new_body = BODY.replace("0612345678", "[redacted]")
    with app.app_context():
        s = shops.get_shop(shop.id)
        held = queries.get_review(s, public_id)
        assert (held.status, held.moderation_rule) == ("pending", "phones")  # the number held it
        review = queue.redact(s, public_id, actor=MODERATOR, title="Call [redacted]", body=new_body)
        assert (review.title, review.body, review.redacted, review.status) == (
            "Call [redacted]", new_body, True, "pending")
        event = queue.audit_log(s, public_id)[-1]
        actor, action, note = event.actor, event.action, event.note
        queue.approve(s, [public_id], actor=MODERATOR)
    assert (actor, action) == (MODERATOR, "redacted")
    assert "0612345678" not in note and str(len(BODY)) in note
    listed = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]
    assert (listed["body"], listed["redacted"]) == (new_body, True)


def test_a_refused_redaction_writes_nothing(app, client, shop, products):
    public_id = write_review(client, shop, body=BODY)
    with app.app_context():
        s = shops.get_shop(shop.id)
        before = len(queue.audit_log(s, public_id))
        with pytest.raises(Invalid) as error:
            queue.redact(s, public_id, actor=MODERATOR, body=BODY.replace("Great", "Poor"))
        assert "body" in error.value.errors
        review = queries.get_review(s, public_id)
        assert (review.body, review.redacted, len(queue.audit_log(s, public_id))) == (BODY, False, before)


def test_another_shops_review_cannot_be_redacted(app, client, shop, other_shop, products):
    make_product(app, other_shop, "sku-1", "Trail shoes")
    theirs = write_review(client, other_shop, body=BODY)
    with app.app_context(), pytest.raises(NotFound):
        queue.redact(shops.get_shop(shop.id), theirs, actor=MODERATOR,
                     body=BODY.replace("0612345678", "[redacted]"))


# --- reports and the trail ---------------------------------------------------------------------------

def test_resolving_reports_takes_the_review_off_the_reported_list(ctx, mix):
    assert queue.resolve_reports(ctx, mix["reported"], actor=MODERATOR) == 2

    assert queue.queue(ctx, reported=True)[0] == []
    review = queries.get_review(ctx, mix["reported"])
    assert (review.status, review.report_count) == ("published", 0)
    assert db.session.scalar(select(func.count()).select_from(Report).where(
        Report.review_id == review.id, Report.resolved_at.is_(None))) == 0
    assert queue.audit_log(ctx, mix["reported"])[-1].action == "reports_resolved"


def test_the_audit_log_tells_the_whole_story_in_order(ctx, mix):
    public_id = mix["pending_1"]
    queue.approve(ctx, [public_id], actor=MODERATOR)
    queue.reject(ctx, [public_id], "off_topic", actor="user:7")

    trail = [(e.actor, e.action, e.from_status, e.to_status) for e in queue.audit_log(ctx, public_id)]

    assert trail == [("visitor", "created", "pending", "pending"),
                     (MODERATOR, "status", "pending", "published"),
                     ("user:7", "status", "published", "rejected")]


def test_the_audit_log_of_another_shops_review_is_not_found(app, client, shop, other_shop, products):
    make_product(app, other_shop, "sku-1", "Trail shoes")
    theirs = write_review(client, other_shop)
    with app.app_context(), pytest.raises(NotFound):
        queue.audit_log(shops.get_shop(shop.id), theirs)


def test_aggregates_equal_a_recount_after_all_of_it(app, client, runner, shop, products):
    made = [write_review(client, shop, rating=r, verified=r % 2 == 0, photos=int(r == 3)) for r in (1, 2, 3, 4, 5)]
    with app.app_context():
        s = shops.get_shop(shop.id)
        queue.approve(s, made, actor=MODERATOR)
        queue.reject(s, made[:2], "spam", actor=MODERATOR)
        photo = queries.get_review(s, made[2]).photos[0].public_id
        queue.remove_photo(s, made[2], photo, actor=MODERATOR)
        queue.hold(s, made[3:], actor=MODERATOR)
        queue.approve(s, made[3:4], actor=MODERATOR)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert client.get(f"{shop.public}/products/sku-1/rating").json["count"] == 2


@pytest.mark.postgres
def test_the_queue_and_bulk_decisions_on_postgresql(pg_app):
    """Search (ILIKE with escaped wildcards), typed cursors, bulk decisions and a recount, on the
    database production runs."""
    from tests.factories import make_shop

    shop = make_shop(pg_app, "PG shop")
    other = make_shop(pg_app, "PG other")
    make_product(pg_app, shop, "sku-1", "Trail shoes")
    make_product(pg_app, shop, "sku-2", "Socks")
    make_product(pg_app, other, "sku-1", "Trail shoes")
    client = pg_app.test_client()
    made = [write_review(client, shop, rating=r, body=f"Wool_{r} 100% WARM") for r in (1, 2, 3, 4, 5)]
    theirs = write_review(client, other)
    with pg_app.app_context():
        s = shops.get_shop(shop.id)
        first, cursor = queue.queue(s, search="_3 100%", limit=1)
        assert ids(first) == [made[2]] and cursor is None
        page, cursor = queue.queue(s, stars=[1, 5], limit=1)
        rest, _ = queue.queue(s, stars=[1, 5], cursor=cursor, limit=5)
        assert ids(page) + ids(rest) == [made[0], made[4]]
        result = queue.approve(s, made + [theirs], actor=MODERATOR)
        assert result.changed == made and result.not_found == [theirs]
        queue.reject(s, made[:1], "spam", actor=MODERATOR)
        assert ratings.recount() == []
        assert db.session.scalar(select(Review.status).where(Review.public_id == theirs)) == "pending"
