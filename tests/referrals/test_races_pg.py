"""Races on the real PostgreSQL server: threads released at once by a barrier, each with its own
test client or app context (and so its own connection)."""

from __future__ import annotations

import logging
import secrets
import threading

import pytest
from sqlalchemy import func, select

from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from reviews_service.referrals import clicks, codes, tasks
from reviews_service.referrals.models import Coupon, Referral, ReferralCode, Reward
from tests.factories import make_shop
from tests.outbox.conftest import add_endpoint

from .conftest import after_hold, browser, load_coupons, order, referral_of, set_program

pytestmark = pytest.mark.postgres


def all_at_once(n: int, work) -> list:
    """Run `work(i)` in `n` threads released together; answers the results in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.fixture
def pg_shop(pg_app):
    return make_shop(pg_app, "Shop A", origins=["https://shop-a.example"])


@pytest.fixture
def pg_client(pg_app):
    return pg_app.test_client()


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def panels_at_once(app, shop, tokens: list[str]) -> list:
    return all_at_once(len(tokens), lambda i: browser(app.test_client(), shop).panel(tokens[i]))


def test_fifty_customers_get_fifty_distinct_codes_at_once(pg_app, pg_client, pg_shop):
    # Ordered before the program was on: nobody has a code yet.
    tokens = [order(pg_client, pg_shop, f"ana{n}@example.com", "Ana")["widget_token"] for n in range(50)]
    set_program(pg_client, pg_shop)

    answers = panels_at_once(pg_app, pg_shop, tokens)

    assert [a.status_code for a in answers] == [200] * 50, [a.json for a in answers if a.status_code != 200]
    assert len({a.json["code"] for a in answers}) == 50
    assert count(pg_app, ReferralCode) == 50


def test_colliding_random_parts_are_drawn_again(pg_app, pg_client, pg_shop, monkeypatch):
    """With only 200 possible codes for fifty Anas, creations collide; each retries until it finds
    a free one, and the unique key keeps every code single."""
    parts = [codes.new_code("Ana").split("-")[1] for _ in range(200)]
    drawn = []
    monkeypatch.setattr(codes, "new_code", lambda name: drawn.append(1) or f"ANA-{secrets.choice(parts)}")
    tokens = [order(pg_client, pg_shop, f"ana{n}@example.com", "Ana")["widget_token"] for n in range(50)]
    set_program(pg_client, pg_shop)

    answers = panels_at_once(pg_app, pg_shop, tokens)

    assert [a.status_code for a in answers] == [200] * 50
    assert len({a.json["code"] for a in answers}) == 50
    assert len(drawn) > 50  # some had to draw again
    assert count(pg_app, ReferralCode) == 50


def test_fifty_concurrent_asks_for_one_customer_make_one_code(pg_app, pg_client, pg_shop):
    token = order(pg_client, pg_shop, "ana@example.com", "Ana")["widget_token"]
    set_program(pg_client, pg_shop)

    answers = panels_at_once(pg_app, pg_shop, [token] * 50)

    assert [a.status_code for a in answers] == [200] * 50
    assert len({a.json["code"] for a in answers}) == 1
    assert count(pg_app, ReferralCode) == 1


def test_twenty_friends_of_one_network_at_once_get_only_the_days_share_of_pool_codes(pg_app, pg_client, pg_shop):
    set_program(pg_client, pg_shop, friend_offer={"code_mode": "pool"})
    load_coupons(pg_client, pg_shop, *(f"WELCOME-{n}" for n in range(40)), kind="friend_offer")
    code = browser(pg_client, pg_shop).panel(order(pg_client, pg_shop, "ana@example.com")["widget_token"]).json["code"]
    office = [browser(pg_app.test_client(), pg_shop, ip="192.0.2.50") for _ in range(20)]

    answers = all_at_once(20, lambda i: office[i].click(code))

    assert [a.status_code for a in answers] == [200] * 20
    handed = [a.json["offer"]["code"] for a in answers if a.json["offer"]["code"]]
    assert len(handed) == len(set(handed)) == clicks.FRIEND_CODES_PER_NETWORK_PER_DAY
    assert count(pg_app, Coupon, Coupon.claimed_at.is_not(None)) == clicks.FRIEND_CODES_PER_NETWORK_PER_DAY


def test_one_visitor_clicking_twenty_times_at_once_gets_one_pool_code(pg_app, pg_client, pg_shop):
    set_program(pg_client, pg_shop, friend_offer={"code_mode": "pool"})
    load_coupons(pg_client, pg_shop, *(f"WELCOME-{n}" for n in range(40)), kind="friend_offer")
    code = browser(pg_client, pg_shop).panel(order(pg_client, pg_shop, "ana@example.com")["widget_token"]).json["code"]
    bob = browser(pg_client, pg_shop)

    answers = all_at_once(20, lambda i: _as(bob, pg_app.test_client()).click(code))

    assert {a.json["offer"]["code"] for a in answers} == {"WELCOME-0"}
    assert count(pg_app, Coupon, Coupon.claimed_at.is_not(None)) == 1


def _as(visitor, client):
    """The same browser (address, user agent, visitor id) on its own connection."""
    twin = browser(client, visitor.shop, ip=visitor.ip, agent=visitor.agent)
    twin.visitor_id = visitor.visitor_id
    return twin


def referral_past_hold(client, shop) -> dict:
    set_program(client, shop)
    a = order(client, shop, "ana@example.com")
    code = browser(client, shop).panel(a["widget_token"]).json["code"]
    friend = order(client, shop, "bob@example.com", "Bob Friend", code=code)
    after_hold()
    return referral_of(client, shop, friend["id"])


def assert_one_reward(app, referral_id: str) -> None:
    with app.app_context():
        referral = db.session.scalar(select(Referral).where(Referral.public_id == referral_id))
        assert referral.status == "approved"
        assert db.session.scalar(select(func.count()).select_from(Reward)) == 1
        assert db.session.scalar(select(func.count()).select_from(Coupon).where(Coupon.claimed_at.is_not(None))) == 1
        topics = list(db.session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)))
        assert topics.count("referral.approved") == 1 and topics.count("referral.reward_earned") == 1
        assert topics.count("referral_reward") == 1


def test_twenty_concurrent_owner_approvals_issue_one_reward(pg_app, pg_client, pg_shop, receiver):
    add_endpoint(pg_client, pg_shop, receiver.url, ["referral.approved", "referral.reward_earned"])
    referral = referral_past_hold(pg_client, pg_shop)
    with pg_app.app_context():
        tasks.process_due()  # the pool is empty: flagged
    assert referral_of(pg_client, pg_shop, referral["order"]["id"])["reason"] == "pool_empty"
    load_coupons(pg_client, pg_shop, *[f"R-{n}" for n in range(5)])

    answers = all_at_once(20, lambda i: pg_app.test_client().post(
        f"/api/v1/referrals/{referral['id']}/approve", json={}, headers=pg_shop.headers))

    assert [a.status_code for a in answers] == [200] * 20, [a.json for a in answers if a.status_code != 200]
    assert {a.json["reward"]["code"] for a in answers} == {"R-0"}
    assert_one_reward(pg_app, referral["id"])


def test_twenty_workers_settling_one_referral_issue_one_reward(pg_app, pg_client, pg_shop, receiver, caplog):
    add_endpoint(pg_client, pg_shop, receiver.url, ["referral.approved", "referral.reward_earned"])
    referral = referral_past_hold(pg_client, pg_shop)
    load_coupons(pg_client, pg_shop, *[f"R-{n}" for n in range(5)])

    def settle(_):
        with pg_app.app_context():
            return tasks.process_due()

    with caplog.at_level(logging.ERROR):
        changed = all_at_once(20, settle)

    assert sum(changed) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert_one_reward(pg_app, referral["id"])
