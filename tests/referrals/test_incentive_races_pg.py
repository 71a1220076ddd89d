"""Review incentives under concurrency, on the real PostgreSQL server: moderators deciding one
pending review at once issue one incentive and claim one code; workers and code loads issuing
the waiting rewards at once give each row one code, each code to one row."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from reviews_service.referrals import coupons, incentives
from reviews_service.referrals.models import Coupon, ReviewIncentive
from reviews_service.shops import service as shops
from tests.factories import make_shop
from tests.helpers import post_order, set_settings, submit
from tests.outbox.conftest import add_endpoint

from .conftest import load_coupons
from .test_races_pg import all_at_once

pytestmark = pytest.mark.postgres

OFFERS = {"enabled": True, "source": "pool",
          "for_review": {"offered": True, "kind": "percent", "value": "10"}}


@pytest.fixture
def pg_client(pg_app):
    return pg_app.test_client()


@pytest.fixture
def pg_shop(pg_app):
    return make_shop(pg_app, "Shop A", origins=["https://shop-a.example"])


@pytest.fixture
def offering(pg_client, pg_shop, receiver):  # noqa: F811
    add_endpoint(pg_client, pg_shop, receiver.url, ["review.incentive_earned"])
    set_settings(pg_client, pg_shop, incentives=OFFERS)
    return pg_shop


def review(client, shop, email: str, rating: int = 5) -> dict:
    order = post_order(client, shop, items=[("sku-1", "Trail shoes")], email=email)
    answer = submit(client, shop, rating=rating, token=order["widget_token"], body="Warm and dry.")
    assert answer.status_code == 201, answer.json
    return answer.json


def claimed(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(Coupon.code, Coupon.claimed_by).where(
            Coupon.claimed_at.is_not(None)).order_by(Coupon.id))]


def topics(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("decisions", [["approve"] * 20, ["approve", "reject"] * 10])
def test_moderators_deciding_one_pending_review_at_once_issue_one_incentive(pg_app, pg_client, offering,
                                                                            decisions):
    set_settings(pg_client, offering, auto_publish_verified=False)
    load_coupons(pg_client, offering, *[f"RV-{n}" for n in range(5)], kind="review_incentive")
    held = review(pg_client, offering, "ana@example.com", rating=1)
    assert held["status"] == "pending"

    answers = all_at_once(len(decisions), lambda i: pg_app.test_client().post(
        f"/api/v1/reviews/{held['id']}/decision", headers=offering.headers,
        json={"decision": decisions[i], "reason": "off_topic" if decisions[i] == "reject" else None}))

    assert all(a.status_code in (200, 409) for a in answers), [a.json for a in answers]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewIncentive)) == 1
        [row] = db.session.scalars(select(ReviewIncentive))
        assert (row.status, row.code) == ("issued", "RV-0")
    assert [code for code, _ in claimed(pg_app)] == ["RV-0"]
    assert topics(pg_app).count("review.incentive_earned") == 1
    assert topics(pg_app).count("review_incentive") == 1


def test_workers_and_loads_issuing_waiting_rewards_at_once_give_one_code_each(pg_app, pg_client, offering,
                                                                            caplog):
    waiting = [review(pg_client, offering, f"buyer{n}@example.com")["id"] for n in range(12)]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReviewIncentive).where(
            ReviewIncentive.status == "waiting")) == 12
        coupons.load(shops.get_shop(offering.id), "review_incentive", [f"RV-{n:02}" for n in range(8)])

    def work(i):
        if i == 0:  # a load of the last codes, beside the workers
            return load_coupons(pg_client, offering, *[f"RV-{n:02}" for n in range(8, 12)],
                                kind="review_incentive")["waiting_issued"]
        with pg_app.app_context():
            return incentives.issue_due()

    with caplog.at_level(logging.ERROR):
        issued = all_at_once(6, work)
    with pg_app.app_context():  # whatever the load met still locked, the next round takes
        issued.append(incentives.issue_due())

    assert sum(issued) == 12 and not [r for r in caplog.records if r.levelno >= logging.ERROR]
    got = claimed(pg_app)
    assert len(got) == 12 and len({code for code, _ in got}) == 12
    with pg_app.app_context():
        rows = [tuple(row) for row in db.session.execute(select(ReviewIncentive.status, ReviewIncentive.code)
                                                         .order_by(ReviewIncentive.id))]
    assert [status for status, _ in rows] == ["issued"] * 12
    assert sorted(code for _, code in rows) == [f"RV-{n:02}" for n in range(12)]
    assert topics(pg_app).count("review.incentive_earned") == 12
    assert topics(pg_app).count("review_incentive") == 12
    assert len(waiting) == 12
