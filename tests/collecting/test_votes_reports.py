"""Helpful votes and abuse reports: once per visitor, only on published reviews; and the rate
limits on every public write, per shop and visitor, with the visitor's IP from trusted proxies only."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from reviews_service import clock
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews.models import REPORT_REASONS, Review
from reviews_service.shops import service as shops
from tests import photo_corpus as corpus
from tests.factories import make_product
from tests.helpers import assert_problem, publish

ANA = {"REMOTE_ADDR": "198.51.100.10", "HTTP_USER_AGENT": "Firefox/140"}
BEN = {"REMOTE_ADDR": "198.51.100.20", "HTTP_USER_AGENT": "Firefox/140"}


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def review(client, shop) -> str:
    return publish(client, shop, rating=4)["id"]


def vote(client, shop, review_id: str, value="up", visitor=ANA, **kw):
    return client.post(f"{shop.public}/reviews/{review_id}/votes", json={"value": value},
                       environ_base=visitor, **kw)


def report(client, shop, review_id: str, reason="spam", note="", visitor=ANA, **kw):
    return client.post(f"{shop.public}/reviews/{review_id}/reports", json={"reason": reason, "note": note},
                       environ_base=visitor, **kw)


def helpful(client, shop, review_id: str) -> dict:
    """The counts as the public list shows them."""
    reviews = client.get(f"{shop.public}/reviews").json["reviews"]
    return next(r["helpful"] for r in reviews if r["id"] == review_id)


def report_count(client, shop, review_id: str) -> int:
    return client.get(f"/api/v1/reviews/{review_id}", headers=shop.headers).json["report_count"]


# --- votes --------------------------------------------------------------------------------------

def test_a_vote_counts_once_per_visitor(client, shop, review):
    answers = [vote(client, shop, review) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[-1].json == {"id": review, "your_vote": "up", "helpful": {"up": 1, "down": 0}}
    assert helpful(client, shop, review) == {"up": 1, "down": 0}


def test_a_visitor_on_another_network_counts_separately(client, shop, review):
    vote(client, shop, review, "up", ANA)
    vote(client, shop, review, "down", {"REMOTE_ADDR": "198.51.100.11", "HTTP_USER_AGENT": "Firefox/140"})

    assert helpful(client, shop, review) == {"up": 1, "down": 1}


@pytest.mark.parametrize(("first", "then", "counts"), [
    ("up", "down", {"up": 0, "down": 1}),
    ("down", "up", {"up": 1, "down": 0}),
])
def test_changing_a_vote_moves_the_counts(client, shop, review, first, then, counts):
    vote(client, shop, review, first)
    vote(client, shop, review, "up", BEN)

    answer = vote(client, shop, review, then)

    assert answer.json["your_vote"] == then
    expected = {k: v + (1 if k == "up" else 0) for k, v in counts.items()}
    assert answer.json["helpful"] == expected
    assert helpful(client, shop, review) == expected


def test_repeating_a_changed_vote_does_nothing(client, shop, review):
    for value in ("up", "down", "down", "down"):
        vote(client, shop, review, value)

    assert helpful(client, shop, review) == {"up": 0, "down": 1}


@pytest.mark.parametrize("value", ["UP", "helpful", "", 1, -1, True, None, ["up"]], ids=repr)
def test_a_vote_must_be_up_or_down(client, shop, review, value):
    assert_problem(vote(client, shop, review, value), 422, field="value")
    assert helpful(client, shop, review) == {"up": 0, "down": 0}


def test_votes_sort_the_helpful_list(client, shop):
    make_product(client.application, shop)
    first, second = publish(client, shop, rating=4)["id"], publish(client, shop, rating=4)["id"]
    vote(client, shop, first, "up", ANA)
    for visitor in (ANA, BEN):
        vote(client, shop, second, "up", visitor)

    ordered = client.get(f"{shop.public}/products/sku-1/reviews?sort=helpful").json["reviews"]

    assert [r["id"] for r in ordered] == [second, first]


# --- only published reviews ---------------------------------------------------------------------

@pytest.fixture
def targets(app, client, shop, other_shop) -> dict[str, str]:
    """Review ids that no vote or report may reach from `shop`'s public API."""
    found = {"unknown": "no-such-review", "other-shop": publish(client, other_shop, rating=4)["id"]}
    make_product(app, shop)
    pending = client.post(f"{shop.public}/products/sku-1/reviews",
                          json={"rating": 3, "email": "p@example.com", "display_name": "Pat"})
    found["pending"] = pending.json["id"]
    for status in ("rejected", "removed"):
        found[status] = publish(client, shop, rating=4)["id"]
        with app.app_context():
            row = db.session.scalar(select(Review).where(Review.public_id == found[status]))
            moderation.transition(row, status, actor="test", reason="spam")
            db.session.commit()
    return found


@pytest.mark.parametrize("target", ["unknown", "other-shop", "pending", "rejected", "removed"])
@pytest.mark.parametrize("write", [vote, report], ids=["vote", "report"])
def test_votes_and_reports_on_a_review_not_published_here_are_404(app, client, shop, targets,
                                                                   write, target):
    response = write(client, shop, targets[target])

    assert_problem(response, 404)
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == targets[target]))
        assert row is None or (row.helpful_up, row.report_count) == (0, 0)


# --- reports ------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", REPORT_REASONS)
def test_every_listed_reason_is_accepted(client, shop, review, reason):
    response = report(client, shop, review, reason, note="Looks copied from another site.")

    assert response.status_code == 202, response.json
    assert response.json == {"status": "received"}
    assert report_count(client, shop, review) == 1


@pytest.mark.parametrize("reason", ["hate", "", "SPAM", "spam ", None, 3, ["spam"]], ids=repr)
def test_a_reason_outside_the_list_is_422(client, shop, review, reason):
    assert_problem(report(client, shop, review, reason), 422, field="reason")
    assert report_count(client, shop, review) == 0


def test_a_note_over_1000_characters_is_422(client, shop, review):
    assert_problem(report(client, shop, review, note="x" * 1001), 422, field="note")


def test_a_report_counts_once_per_visitor(client, shop, review):
    for reason in ("spam", "abuse", "spam"):
        assert report(client, shop, review, reason).status_code == 202

    report(client, shop, review, "fake", visitor=BEN)

    assert report_count(client, shop, review) == 2


VISITOR_ID = "ana-widget-visitor-id-1"


def test_a_report_counts_once_per_visitor_id(client, shop, review):
    for visitor in (ANA, BEN, {**ANA, "HTTP_USER_AGENT": "Other/1"}):
        body = {"reason": "spam", "visitor_id": VISITOR_ID}
        answer = client.post(f"{shop.public}/reviews/{review}/reports", json=body, environ_base=visitor)
        assert answer.status_code == 202

    assert report_count(client, shop, review) == 1


def test_a_report_keeps_the_review_published(client, shop, review):
    report(client, shop, review, "abuse")

    assert [r["id"] for r in client.get(f"{shop.public}/reviews").json["reviews"]] == [review]


# --- rate limits --------------------------------------------------------------------------------

LIMITED = {"PUBLIC_WRITE_LIMIT": "3 per minute"}


def _submission(client, shop, n, visitor):
    return client.post(f"{shop.public}/products/sku-1/reviews", environ_base=visitor, json={
        "rating": 4, "email": f"writer{n}@example.com", "display_name": "Writer"})


def _photo(client, shop, n, visitor):
    return client.post(f"{shop.public}/photos", content_type="multipart/form-data", environ_base=visitor,
                       data={"photo": (io.BytesIO(corpus.small_jpeg()), "p.jpg")})


WRITES = {
    "vote": (lambda client, shop, n, visitor, review: vote(client, shop, review, "up" if n % 2 else "down",
                                                           visitor), 200),
    "report": (lambda client, shop, n, visitor, review: report(client, shop, review, visitor=visitor), 202),
    "submission": (lambda client, shop, n, visitor, review: _submission(client, shop, n, visitor), 201),
    "photo": (lambda client, shop, n, visitor, review: _photo(client, shop, n, visitor), 201),
}


@pytest.mark.parametrize("app_config", [LIMITED])
@pytest.mark.parametrize("write", list(WRITES))
def test_the_fourth_write_in_a_minute_is_429_with_retry_after(app, client, shop, review, write):
    make_product(app, shop)
    send, ok = WRITES[write]

    statuses = [send(client, shop, n, ANA, review).status_code for n in range(3)]
    refused = send(client, shop, 3, ANA, review)

    assert statuses == [ok] * 3
    assert_problem(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("app_config", [LIMITED])
def test_a_refused_submission_writes_nothing(app, client, shop, review):
    make_product(app, shop)
    for n in range(3):
        _submission(client, shop, n, ANA)

    refused = _submission(client, shop, 3, ANA)

    assert refused.status_code == 429
    with app.app_context():
        emails = set(db.session.scalars(select(Review.email)))
    assert "writer3@example.com" not in emails


@pytest.mark.parametrize("app_config", [LIMITED])
@pytest.mark.parametrize("write", list(WRITES))
def test_the_limit_is_per_visitor_ip(app, client, shop, review, write):
    make_product(app, shop)
    send, ok = WRITES[write]
    for n in range(4):
        send(client, shop, n, ANA, review)

    assert send(client, shop, 10, BEN, review).status_code == ok


@pytest.mark.parametrize("app_config", [LIMITED])
def test_the_limit_is_per_shop(app, client, shop, other_shop, review):
    other_review = publish(client, other_shop, rating=4)["id"]
    for _ in range(4):
        vote(client, shop, review)

    assert vote(client, other_shop, other_review).status_code == 200


# --- bearers on public writes (issue 12, item 1) -------------------------------------------------

BEARERS = ["made-up key", "junk", "another shop's key", "revoked key"]


def bearers(kind: str, app, shop, other_shop):
    """Bearer values of one kind, one per call: made-up ones are new on every request."""
    if kind == "made-up key":
        return lambda: "sk_" + secrets.token_hex(20)  # well-formed: looked up, and unknown
    if kind == "junk":
        return lambda: secrets.token_urlsafe(24)
    if kind == "revoked key":
        with app.app_context():
            shops.rotate_key(shops.get_shop(shop.id), revoke_now=True)
        return lambda: shop.secret_key
    return lambda: other_shop.secret_key


@pytest.mark.parametrize("app_config", [LIMITED])
@pytest.mark.parametrize("bearer", BEARERS)
@pytest.mark.parametrize("write", list(WRITES))
def test_a_bearer_that_does_not_authenticate_here_is_limited_like_none(app, client, shop, other_shop,
                                                                       review, write, bearer):
    """Writes with such a bearer, mixed with writes without one, share the visitor's one budget."""
    make_product(app, shop)
    send, ok = WRITES[write]
    token = bearers(bearer, app, shop, other_shop)

    statuses = [send(client, shop, n, {**ANA, "HTTP_AUTHORIZATION": f"Bearer {token()}"} if n % 2 else ANA,
                     review).status_code for n in range(5)]

    assert statuses == [ok] * 3 + [429] * 2


@pytest.mark.parametrize("app_config", [LIMITED])
def test_the_shops_own_key_has_a_budget_of_its_own(app, client, shop, review):
    for n in range(3):
        vote(client, shop, review, "up" if n % 2 else "down")
    assert_problem(vote(client, shop, review), 429)

    with_key = vote(client, shop, review, "up", {**ANA, "HTTP_AUTHORIZATION": shop.headers["Authorization"]})

    assert with_key.status_code == 200


@pytest.mark.parametrize("app_config", [LIMITED])
def test_a_rotated_key_has_its_budget_only_within_its_grace(app, client, shop, review):
    old = {**ANA, "HTTP_AUTHORIZATION": shop.headers["Authorization"]}
    with app.app_context():
        shops.rotate_key(shops.get_shop(shop.id))
    for n in range(3):
        vote(client, shop, review, "up" if n % 2 else "down")

    in_grace = vote(client, shop, review, "up", old)
    clock.travel(timedelta(hours=25))
    after_grace = vote(client, shop, review, "up", old)

    assert in_grace.status_code == 200
    assert_problem(after_grace, 429)


# --- the visitor's IP and proxies ---------------------------------------------------------------

def _via_proxy(forwarded_for: str) -> dict:
    return {"REMOTE_ADDR": "10.0.0.2", "HTTP_USER_AGENT": "Firefox/140",
            "HTTP_X_FORWARDED_FOR": forwarded_for}


@pytest.mark.parametrize(("app_config", "visitors"), [
    ({"PUBLIC_WRITE_LIMIT": "1000 per minute", "TRUSTED_PROXIES": 1}, 2),
    ({"PUBLIC_WRITE_LIMIT": "1000 per minute", "TRUSTED_PROXIES": 0}, 1),
], ids=["trusted-proxy", "no-trusted-proxy"])
def test_x_forwarded_for_names_the_visitor_only_behind_a_trusted_proxy(client, shop, review, visitors):
    vote(client, shop, review, visitor=_via_proxy("203.0.113.1"))
    vote(client, shop, review, visitor=_via_proxy("203.0.113.2"))

    assert helpful(client, shop, review)["up"] == visitors


@pytest.mark.parametrize("app_config", [{"PUBLIC_WRITE_LIMIT": "1000 per minute", "TRUSTED_PROXIES": 1}])
def test_a_trusted_proxy_adds_only_the_last_address(client, shop, review):
    # The client may send its own X-Forwarded-For; the proxy appends the address it saw.
    vote(client, shop, review, visitor=_via_proxy("1.1.1.1, 203.0.113.1"))
    vote(client, shop, review, visitor=_via_proxy("2.2.2.2, 203.0.113.1"))

    assert helpful(client, shop, review)["up"] == 1


@pytest.mark.parametrize("app_config", [{**LIMITED, "TRUSTED_PROXIES": 0}])
def test_a_forged_x_forwarded_for_does_not_escape_the_limit(client, shop, review):
    statuses = [vote(client, shop, review, visitor=_via_proxy(f"203.0.113.{n}")).status_code
                for n in range(4)]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize("app_config", [{**LIMITED, "TRUSTED_PROXIES": 1}])
def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(client, shop, review):
    statuses = [vote(client, shop, review, visitor=_via_proxy(f"203.0.113.{n}")).status_code
                for n in range(4)]

    assert statuses == [200, 200, 200, 200]
