"""Races on the real PostgreSQL server: requests released at once by a barrier, each with its own
test client (and so its own connection). Redemptions never overdraw, a key redeems once, a refund
reported many times at once reverses once, and workers running together release each hold once;
the summary row always equals the sum of the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reviews_service.extensions import db
from reviews_service.loyalty import tasks
from reviews_service.loyalty.models import Entry, Member
from reviews_service.referrals.models import Coupon
from tests.factories import make_shop
from tests.referrals.test_races_pg import all_at_once

from .conftest import load_codes, order, set_program, travel

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_shop(pg_app):
    shop = make_shop(pg_app, "Shop A", origins=["https://shop-a.example"])
    set_program(pg_app.test_client(), shop)
    return shop


def summary_equals_ledger(app, customer: int) -> tuple[int, int]:
    """The member's spendable and pending points, checked against a recount of their ledger."""
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.customer_id == customer))
        spendable, pending = db.session.execute(select(
            func.coalesce(func.sum(Entry.spendable_change), 0), func.coalesce(func.sum(Entry.pending_change), 0))
            .where(Entry.member_id == member.id)).one()
        assert (member.spendable, member.pending) == (spendable, pending)
        db.session.remove()
        return member.spendable, member.pending


def test_twenty_redemptions_at_once_never_overdraw(pg_app, pg_shop):
    client = pg_app.test_client()
    load_codes(client, pg_shop, "five-off", [f"FIVE-{n}" for n in range(20)])
    customer = order(client, pg_shop, "10.00")["customer_id"]
    client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", json={"points": 550, "reason": "stock"},
                headers=pg_shop.headers)

    answers = all_at_once(20, lambda i: pg_app.test_client().post(
        f"/api/v1/loyalty/customers/{customer}/redemptions", json={"reward": "five-off"},
        headers={**pg_shop.headers, "Idempotency-Key": f"redeem-{i}"}))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 5 + [409] * 15, [a.json for a in answers if a.status_code not in (201, 409)]
    codes = {a.json["code"] for a in answers if a.status_code == 201}
    assert len(codes) == 5
    assert summary_equals_ledger(pg_app, customer) == (50, 10)
    with pg_app.app_context():
        claimed = db.session.scalar(select(func.count()).select_from(Coupon).where(Coupon.claimed_at.is_not(None)))
        assert claimed == 5


def test_twenty_retries_of_one_redemption_spend_once(pg_app, pg_shop):
    client = pg_app.test_client()
    load_codes(client, pg_shop, "five-off", [f"FIVE-{n}" for n in range(5)])
    customer = order(client, pg_shop, "10.00")["customer_id"]
    client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", json={"points": 1000, "reason": "stock"},
                headers=pg_shop.headers)

    answers = all_at_once(20, lambda i: pg_app.test_client().post(
        f"/api/v1/loyalty/customers/{customer}/redemptions", json={"reward": "five-off"},
        headers={**pg_shop.headers, "Idempotency-Key": "the-same-click"}))

    done = [a for a in answers if a.status_code == 201]
    assert done and all(a.status_code in (201, 409) for a in answers)
    assert len({a.json["id"] for a in done}) == 1
    assert summary_equals_ledger(pg_app, customer) == (900, 10)


def test_a_refund_reported_many_times_at_once_reverses_once(pg_app, pg_shop):
    client = pg_app.test_client()
    placed = order(client, pg_shop, "80.00")

    answers = all_at_once(10, lambda i: pg_app.test_client().post(
        f"/api/v1/orders/{placed['id']}/events", json={"type": "refunded"}, headers=pg_shop.headers))

    assert {a.status_code for a in answers} == {200}
    assert summary_equals_ledger(pg_app, placed["customer_id"]) == (0, 0)
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.kind == "reverse")) == 1


def test_workers_running_together_release_each_hold_once(pg_app, pg_shop):
    client = pg_app.test_client()
    customers = [order(client, pg_shop, "20.00", email=f"buyer{n}@example.com")["customer_id"] for n in range(10)]
    travel(15)

    def round_(_i):
        with pg_app.app_context():
            return tasks.run_round()

    all_at_once(4, round_)

    for customer in customers:
        assert summary_equals_ledger(pg_app, customer) == (20, 0)
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.kind == "hold_release")) == 10
