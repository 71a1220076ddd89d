"""The one status transition: its audit event and its aggregate updates share one transaction,
rejection needs a listed reason, removal is final, and the aggregates always equal a recount
(after any sequence of operations, reviewers' edits applied through `apply_revision` among them,
after tampering with `check --fix`, and under concurrency)."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from reviews_service.catalog import privacy
from reviews_service.catalog import service as catalog
from reviews_service.catalog.schemas import OrderIn
from reviews_service.cli import main
from reviews_service.collecting import edits
from reviews_service.collecting import service as reviews
from reviews_service.errors import Conflict, Invalid, NotFound
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.moderation.models import AuditEvent
from reviews_service.ratings import service as ratings
from reviews_service.ratings.models import ProductRating, ShopRating
from reviews_service.reviews.models import REJECT_REASONS, Review, ReviewRevision
from reviews_service.reviews.schemas import ReviewIn
from reviews_service.shops import service as shops
from tests.factories import make_shop, order_payload

PRODUCTS = ["sku-1", "sku-2", "sku-3"]
VISITOR = reviews.Visitor(visitor_hash="v" * 32, ip_hash="i" * 32)
_seq = itertools.count(1)


# --- helpers (inside an app context) ------------------------------------------------------------

def submit(shop, product: str = "sku-1", *, verified: bool, rating: int = 4,
           email: str | None = None) -> Review:
    """A review through the submission service: a verified buyer's (own order) or an anonymous one."""
    n = next(_seq)
    email = email or f"reviewer{n}@example.com"
    if verified:
        order, _ = catalog.ingest_order(shop, OrderIn().load(order_payload(
            f"T-{n}", email=email, items=[(p, p) for p in PRODUCTS])))
        data = {"rating": rating, "token": catalog.widget_token(order)}
    else:
        for product_id in PRODUCTS:
            if catalog.find_product(shop, product_id) is None:
                catalog.upsert_product(shop, product_id, {"name": product_id})
        data = {"rating": rating, "email": email, "display_name": "Reviewer"}
    return reviews.submit_review(shop, product, ReviewIn().load(data), VISITOR)


def counts(model, **key) -> dict[str, int]:
    row = db.session.scalar(select(model).filter_by(**key))
    if row is None:
        return dict.fromkeys(ratings.COUNT_FIELDS, 0)
    return {f: getattr(row, f) for f in ratings.COUNT_FIELDS}


def events(review: Review) -> list[tuple]:
    return [(e.actor, e.action, e.from_status, e.to_status, e.reason, e.note) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.review_id == review.id).order_by(AuditEvent.id))]


@pytest.fixture
def ctx(app, shop):
    """An app context with the shop loaded: the services' world."""
    with app.app_context():
        yield shops.get_shop(shop.id)


# --- the transition -----------------------------------------------------------------------------

def test_a_transition_writes_an_audit_event_with_who_from_to_and_reason(ctx):
    review = submit(ctx, verified=False)

    moderation.transition(review, "rejected", actor="user:7", reason="spam", note="link farm")
    db.session.commit()

    assert events(review) == [
        ("visitor", "created", "pending", "pending", None, ""),
        ("user:7", "status", "pending", "rejected", "spam", "link farm"),
    ]
    assert (review.status, review.reject_reason) == ("rejected", "spam")


def test_the_audit_event_and_the_aggregates_share_the_status_changes_transaction(ctx):
    review = submit(ctx, verified=False, rating=5)
    before = events(review)

    moderation.transition(review, "published", actor="user:7")
    db.session.rollback()

    db.session.expire_all()
    assert review.status == "pending"
    assert events(review) == before
    assert counts(ProductRating, product_id=review.product_id)["count"] == 0
    assert counts(ShopRating, shop_id=ctx.id)["count"] == 0


@pytest.mark.parametrize("verified", [True, False])
def test_publishing_and_unpublishing_adjust_product_and_shop_aggregates(ctx, verified):
    review = submit(ctx, verified=verified, rating=3)
    if review.status != "published":
        moderation.transition(review, "published", actor="user:1")
    db.session.commit()
    published = {"count": 1, "total": 3, "n1": 0, "n2": 0, "n3": 1, "n4": 0, "n5": 0,
                 "verified_count": int(verified)}
    assert counts(ProductRating, product_id=review.product_id) == published
    assert counts(ShopRating, shop_id=ctx.id) == published

    moderation.transition(review, "rejected", actor="user:1", reason="off_topic")
    db.session.commit()

    assert counts(ProductRating, product_id=review.product_id) == dict.fromkeys(ratings.COUNT_FIELDS, 0)
    assert counts(ShopRating, shop_id=ctx.id) == dict.fromkeys(ratings.COUNT_FIELDS, 0)


@pytest.mark.parametrize("reason", [None, "", "rude", "SPAM", "spam ", "negative", "rating"])
def test_reject_needs_a_reason_from_the_closed_list(ctx, reason):
    review = submit(ctx, verified=True)
    before = events(review)

    with pytest.raises(Invalid) as refused:
        moderation.transition(review, "rejected", actor="user:1", reason=reason)
    db.session.commit()

    assert "reason" in refused.value.errors
    db.session.expire_all()
    assert review.status == "published"
    assert events(review) == before


@pytest.mark.parametrize("reason", REJECT_REASONS)
def test_each_listed_reason_rejects(ctx, reason):
    review = submit(ctx, verified=True)

    moderation.transition(review, "rejected", actor="user:1", reason=reason)
    db.session.commit()

    assert (review.status, review.reject_reason) == ("rejected", reason)


def test_a_reason_is_kept_only_while_rejected(ctx):
    review = submit(ctx, verified=False)
    moderation.transition(review, "rejected", actor="user:1", reason="spam")

    moderation.transition(review, "published", actor="user:1", reason="spam")
    db.session.commit()

    assert (review.status, review.reject_reason) == ("published", None)
    assert events(review)[-1][4] is None


@pytest.mark.parametrize("to_status", ["pending", "published", "rejected"])
def test_removed_is_final(ctx, to_status):
    review = submit(ctx, verified=True)
    moderation.transition(review, "removed", actor="api")
    db.session.commit()
    before = events(review)

    with pytest.raises(Conflict):
        moderation.transition(review, to_status, actor="user:1", reason="spam")

    assert review.status == "removed"
    assert events(review) == before
    assert counts(ProductRating, product_id=review.product_id)["count"] == 0


@pytest.mark.parametrize("to_status", ["deleted", "approved", "", "PUBLISHED", None])
def test_an_unknown_status_is_invalid(ctx, to_status):
    review = submit(ctx, verified=False)

    with pytest.raises(Invalid):
        moderation.transition(review, to_status, actor="user:1")


def test_moving_to_the_same_status_changes_nothing(ctx):
    review = submit(ctx, verified=True)
    before = (events(review), counts(ProductRating, product_id=review.product_id))

    moderation.transition(review, "published", actor="user:1")
    db.session.commit()

    assert (events(review), counts(ProductRating, product_id=review.product_id)) == before


def test_a_stale_copy_of_a_review_cannot_count_it_twice(app, ctx):
    review = submit(ctx, verified=False, rating=5)
    db.session.commit()
    # Another request (its own app context, so its own session) publishes it meanwhile.
    with app.app_context():
        moderation.transition(db.session.get(Review, review.id), "published", actor="user:2")
        db.session.commit()

    assert review.status == "pending"  # this session's copy is stale
    with pytest.raises(Conflict):
        moderation.transition(review, "published", actor="user:1")

    assert counts(ProductRating, product_id=review.product_id)["count"] == 1
    assert [e[0] for e in events(review) if e[1] == "status"] == ["user:2"]


@pytest.mark.parametrize("refusal", ["conflict", "not allowed", "no reason"])
def test_a_refused_transition_leaves_the_callers_transaction_alone(app, ctx, refusal):
    review = submit(ctx, verified=False, rating=5)
    db.session.commit()
    if refusal == "conflict":
        with app.app_context():  # another request moves it meanwhile
            moderation.transition(db.session.get(Review, review.id), "published", actor="user:2")
            db.session.commit()
    ctx.name = "Renamed by the caller, not yet committed"

    with pytest.raises((Conflict, Invalid)):
        if refusal == "conflict":
            moderation.transition(review, "rejected", actor="user:1", reason="spam")
        elif refusal == "not allowed":
            moderation.transition(review, "sold", actor="user:1")
        else:
            moderation.transition(review, "rejected", actor="user:1")
    db.session.commit()

    with app.app_context():
        assert shops.get_shop(ctx.id).name == "Renamed by the caller, not yet committed"


def test_the_decision_of_the_policy_ignores_the_rating(ctx):
    low, high = (submit(ctx, verified=True, rating=r) for r in (1, 5))
    anonymous_low, anonymous_high = (submit(ctx, verified=False, rating=r) for r in (1, 5))

    assert (low.status, high.status) == ("published", "published")
    assert (anonymous_low.status, anonymous_high.status) == ("pending", "pending")


# --- any sequence of operations keeps the aggregates exact (hypothesis) -------------------------

ALLOWED = {"pending": {"published", "rejected", "removed"}, "published": {"pending", "rejected", "removed"},
           "rejected": {"published", "pending", "removed"}, "removed": set()}

operations = st.lists(st.one_of(
    st.tuples(st.just("submit"), st.booleans(), st.integers(1, 5), st.sampled_from(PRODUCTS),
              st.integers(0, 2)),
    st.tuples(st.just("move"), st.integers(0, 30),
              st.sampled_from(["published", "pending", "rejected", "removed"])),
    st.tuples(st.just("erase"), st.integers(0, 30)),
    st.tuples(st.just("revise"), st.integers(0, 30), st.integers(1, 5)),
), max_size=30)


def revise(review: Review, rating: int) -> None:
    """A reviewer's edit of `review` to `rating` stars, applied through `apply_revision`."""
    revision = ReviewRevision(shop_id=review.shop_id, review_id=review.id, previous_rating=review.rating,
                              rating=rating, title="", body="Changed.", status="pending")
    db.session.add(revision)
    db.session.flush()
    moderation.apply_revision(review, revision, actor="reviewer")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_aggregates_equal_a_recount_after_any_sequence_of_operations(app, ops):
    """The model below says what each review's status must be; the aggregates must then hold
    exactly the published ones, and agree with `recount`."""
    keys = make_shop(app, f"Shop {next(_seq)}")
    with app.app_context():
        shop = shops.get_shop(keys.id)
        model: list[dict] = []  # per review: public id, product, rating, verified, email, status
        for op in ops:
            if op[0] == "submit":
                _, verified, rating, product, person = op
                email = f"person{person}@example.com"
                duplicate = not verified and any(
                    m["email"] == email and m["product"] == product and not m["verified"] for m in model)
                try:
                    review = submit(shop, product, verified=verified, rating=rating, email=email)
                except Conflict:
                    assert duplicate
                    continue
                assert not duplicate
                model.append({"id": review.public_id, "product": product, "rating": rating,
                              "verified": verified, "email": email,
                              "status": "published" if verified else "pending"})
            elif model and op[0] == "move":
                target, to_status = model[op[1] % len(model)], op[2]
                review = db.session.scalar(select(Review).where(Review.public_id == target["id"]))
                try:
                    moderation.transition(review, to_status, actor="test", reason="spam")
                    db.session.commit()
                except Conflict:
                    db.session.rollback()
                    assert to_status not in ALLOWED[target["status"]] | {target["status"]}
                    continue
                target["status"] = to_status
            elif model and op[0] == "revise":
                target, rating = model[op[1] % len(model)], op[2]
                review = db.session.scalar(select(Review).where(Review.public_id == target["id"]))
                try:
                    revise(review, rating)
                    db.session.commit()
                except Conflict:
                    db.session.rollback()
                    assert target["status"] in ("rejected", "removed")
                    continue
                assert target["status"] in ("published", "pending")
                target["rating"] = rating
            elif model and op[0] == "erase":
                target = model[op[1] % len(model)]
                if target["email"] is None:
                    continue
                email = target["email"]
                privacy.erase(shop, email)
                for m in model:
                    if m["email"] == email:
                        m["status"], m["email"] = "removed", None

        assert ratings.recount() == []
        stored = {r.public_id: r.status
                  for r in db.session.scalars(select(Review).where(Review.shop_id == shop.id))}
        assert stored == {m["id"]: m["status"] for m in model}
        published = [m for m in model if m["status"] == "published"]
        for product in PRODUCTS:
            p = catalog.find_product(shop, product)
            mine = [m for m in published if m["product"] == product]
            if p is not None:
                assert counts(ProductRating, product_id=p.id) == _tally(mine), product
        assert counts(ShopRating, shop_id=shop.id) == _tally(published)


def _tally(reviews_: list[dict]) -> dict[str, int]:
    stars = Counter(m["rating"] for m in reviews_)
    return {"count": len(reviews_), "total": sum(m["rating"] for m in reviews_),
            **{f"n{n}": stars[n] for n in range(1, 6)},
            "verified_count": sum(m["verified"] for m in reviews_)}


# --- reviews-service check ----------------------------------------------------------------------

@pytest.fixture
def published(ctx):
    """Three published reviews on two products, and one pending."""
    made = [submit(ctx, p, verified=True, rating=r) for p, r in (("sku-1", 5), ("sku-1", 3), ("sku-2", 4))]
    submit(ctx, "sku-2", verified=False, rating=1)
    db.session.commit()
    return made


TAMPERING = {
    "product-star": "UPDATE product_ratings SET n5 = n5 + 1, count = count + 1, total = total + 5",
    "product-verified": "UPDATE product_ratings SET verified_count = verified_count + 1",
    "product-moved-star": "UPDATE product_ratings SET n5 = n5 - 1, n1 = n1 + 1, total = total - 4 "
                          "WHERE n5 > 0",
    "product-row-lost": "DELETE FROM product_ratings",
    "shop-total": "UPDATE shop_ratings SET total = total + 2",
    "shop-row-lost": "DELETE FROM shop_ratings",
}


def test_check_reports_that_the_aggregates_match(runner, published):
    result = runner.invoke(main, ["check"])

    assert result.exit_code == 0, result.output
    assert "Rating aggregates match a full recount." in result.output


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_check_reports_a_tampered_aggregate_and_exits_1(app, runner, published, tampering):
    db.session.execute(text(TAMPERING[tampering]))
    db.session.commit()

    result = runner.invoke(main, ["check"])

    assert result.exit_code == 1, result.output
    assert "differs:" in result.output
    assert "match" not in result.output


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_check_fix_repairs_a_tampered_aggregate(app, runner, published, tampering):
    db.session.execute(text(TAMPERING[tampering]))
    db.session.commit()

    fixed = runner.invoke(main, ["check", "--fix"])
    again = runner.invoke(main, ["check"])

    assert fixed.exit_code == 0, fixed.output
    assert "fixed:" in fixed.output
    assert again.exit_code == 0 and "match" in again.output, again.output
    with app.app_context():
        assert ratings.recount() == []


def test_check_fix_restores_the_exact_counts(app, runner, published):
    db.session.execute(text(TAMPERING["product-row-lost"]))
    db.session.commit()

    runner.invoke(main, ["check", "--fix"])

    with app.app_context():
        product = catalog.find_product(shops.get_shop(published[0].shop_id), "sku-1")
        assert counts(ProductRating, product_id=product.id) == {
            "count": 2, "total": 8, "n1": 0, "n2": 0, "n3": 1, "n4": 0, "n5": 1, "verified_count": 2}


# --- concurrent transitions on PostgreSQL -------------------------------------------------------

THREADS = 20
STEPS = 8


@pytest.mark.postgres
def test_concurrent_transitions_keep_aggregates_exact_and_audited(pg_app):
    keys = make_shop(pg_app, "Busy shop")
    with pg_app.app_context():
        shop = shops.get_shop(keys.id)
        ids = [submit(shop, PRODUCTS[n % 3], verified=n % 2 == 0, rating=n % 5 + 1).id for n in range(6)]
        db.session.commit()
        audited_before = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                           .where(AuditEvent.action == "status"))
    barrier = threading.Barrier(THREADS)
    done: list[int] = []
    failures: list[BaseException] = []

    def worker(n: int) -> None:
        rng = random.Random(n)
        # Half the threads fight over the first review; the rest spread over all of them.
        choices = ids[:1] if n % 2 == 0 else ids
        succeeded = 0
        try:
            with pg_app.app_context():
                barrier.wait(timeout=300)  # a guard against a hang, not a time limit
                for _ in range(STEPS):
                    review = db.session.get(Review, rng.choice(choices))
                    db.session.refresh(review)
                    to_status = rng.choice(sorted({"published", "pending", "rejected"} - {review.status}))
                    try:
                        moderation.transition(review, to_status, actor=f"thread:{n}", reason="spam")
                        db.session.commit()
                        succeeded += 1
                    except Conflict:
                        db.session.rollback()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below, with the thread's number
            failures.append(exc)
        done.append(succeeded)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(done) == THREADS
    with pg_app.app_context():
        assert ratings.recount() == []
        audited = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "status"))
        assert audited - audited_before == sum(done)
        # Each review's audit trail is one unbroken chain ending at its status.
        for review_id in ids:
            review = db.session.get(Review, review_id)
            trail = [(e.from_status, e.to_status) for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.review_id == review_id, AuditEvent.action == "status")
                .order_by(AuditEvent.id))]
            for (_, to_status), (from_status, _) in itertools.pairwise(trail):
                assert to_status == from_status
            assert (trail[-1][1] if trail else "pending") == review.status
        assert sum(done) > THREADS  # the threads did overlap and still got work done


@pytest.mark.postgres
def test_concurrent_erasure_and_publication_keep_aggregates_exact(pg_app):
    keys = make_shop(pg_app, "Busy shop")
    with pg_app.app_context():
        shop = shops.get_shop(keys.id)
        made = [submit(shop, PRODUCTS[n % 3], verified=False, rating=5, email=f"p{n}@example.com")
                for n in range(10)]
        db.session.commit()
        ids = [(r.id, r.email) for r in made]
    barrier = threading.Barrier(len(ids) * 2)
    failures: list[BaseException] = []

    def publish(review_id: int, _email: str) -> None:
        with pg_app.app_context():
            barrier.wait(timeout=300)  # a guard against a hang, not a time limit
            try:
                moderation.transition(db.session.get(Review, review_id), "published", actor="user:1")
                db.session.commit()
            except Conflict:
                db.session.rollback()
            except BaseException as exc:  # noqa: BLE001
                failures.append(exc)

    def erase(_review_id: int, email: str) -> None:
        with pg_app.app_context():
            barrier.wait(timeout=300)  # a guard against a hang, not a time limit
            try:
                privacy.erase(shops.get_shop(keys.id), email)
            except (Conflict, NotFound):
                db.session.rollback()
            except BaseException as exc:  # noqa: BLE001
                failures.append(exc)

    threads = [threading.Thread(target=f, args=pair) for pair in ids for f in (publish, erase)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with pg_app.app_context():
        assert ratings.recount() == []
        statuses = set(db.session.scalars(select(Review.status).where(Review.shop_id == keys.id)))
        assert statuses <= {"removed", "published"}


@pytest.mark.postgres
def test_concurrent_edits_and_transitions_keep_aggregates_exact(pg_app):
    """Reviewers editing (some edits applied at once, some held) while moderators move the same
    reviews: every applied edit and every transition counts once, or is refused as a conflict."""
    keys = make_shop(pg_app, "Busy shop")
    with pg_app.app_context():
        shop = shops.get_shop(keys.id)
        made = [submit(shop, PRODUCTS[n % 3], verified=True, rating=n % 5 + 1) for n in range(3)]
        db.session.commit()
        targets = [(r.id, edits.token_for(r)) for r in made]
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    applied: list[int] = []

    def worker(n: int) -> None:
        rng = random.Random(n)
        try:
            with pg_app.app_context():
                barrier.wait(timeout=300)  # a guard against a hang, not a time limit
                me = shops.get_shop(keys.id)
                for step in range(STEPS):
                    review_id, token = rng.choice(targets)
                    try:
                        if n % 4:  # three threads in four edit; the fourth moderates
                            body = f"Edit {n} {step}" + (" www.example.com" if rng.random() < 0.3 else "")
                            edited = edits.edit(me, token, {"rating": rng.randint(1, 5), "body": body})
                            applied.append(edited.revision.status == "applied")
                        else:
                            review = db.session.get(Review, review_id)
                            db.session.refresh(review)
                            # Rejected now and then: an edit of a rejected review is refused.
                            choices = {"published", "pending"} | ({"rejected"} if rng.random() < 0.2 else set())
                            to_status = rng.choice(sorted(choices - {review.status}))
                            moderation.transition(review, to_status, actor=f"thread:{n}", reason="spam")
                            db.session.commit()
                    except Conflict:
                        db.session.rollback()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert any(applied)  # edits did get through while the statuses moved
    with pg_app.app_context():
        assert ratings.recount() == []
        pending = db.session.scalars(select(ReviewRevision.review_id).where(ReviewRevision.status == "pending")).all()
        assert len(pending) == len(set(pending))  # at most one edit waits per review
