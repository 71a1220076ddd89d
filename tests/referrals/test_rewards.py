"""The program's rules after the hold: the minimum order total, the cap per referrer, rewards from
the pool or by webhook, an empty pool, and the owner's decisions on flagged referrals."""

from __future__ import annotations

import pytest

from reviews_service.referrals import fraud
from tests.helpers import assert_problem
from tests.outbox.conftest import add_endpoint, outbox, run_worker

from .conftest import after_hold, browser, code_of, load_coupons, order, referral_of, set_program


def ana_and_code(client, shop) -> str:
    return code_of(client, shop, order(client, shop, "ana@example.com"))


@pytest.mark.parametrize(("total", "status", "reason"), [
    ("49.99", "rejected", "below_minimum"),
    ("50.00", "pending", None),
])
def test_minimum_order_total(client, program, total, status, reason):
    set_program(client, program, min_order_total="50")
    code = ana_and_code(client, program)

    friend = order(client, program, "bob@example.com", "Bob Friend", code=code, total=total)

    referral = referral_of(client, program, friend["id"])
    assert (referral["status"], referral["reason"]) == (status, reason)


def test_cap_per_referrer_in_30_days(app, client, program):
    set_program(client, program, max_rewards_per_30_days=2)
    code = ana_and_code(client, program)
    friends = [order(client, program, f"friend{n}@example.com", f"Friend {n}", code=code) for n in range(3)]
    load_coupons(client, program, "R-1", "R-2", "R-3", "R-4")
    after_hold()

    run_worker(app)

    outcomes = [referral_of(client, program, f["id"]) for f in friends]
    assert [(r["status"], r["reason"]) for r in outcomes] == [
        ("approved", None), ("approved", None), ("rejected", "cap_reached")]
    assert [r["reward"]["code"] if r["reward"] else None for r in outcomes] == ["R-1", "R-2", None]

    # 30 days on, the cap has room again.
    late = order(client, program, "late@example.com", "Late Friend", code=code)
    after_hold()
    run_worker(app)
    assert referral_of(client, program, late["id"])["reward"]["code"] == "R-3"


def test_no_cap_when_null(app, client, program):
    set_program(client, program, max_rewards_per_30_days=None)
    code = ana_and_code(client, program)
    friends = [order(client, program, f"friend{n}@example.com", f"Friend {n}", code=code) for n in range(12)]
    load_coupons(client, program, *[f"R-{n}" for n in range(12)])
    after_hold()

    run_worker(app)

    assert {referral_of(client, program, f["id"])["status"] for f in friends} == {"approved"}


def test_empty_pool_flags_the_referral_and_tells_the_shop(app, client, program, receiver):
    receiver.secret = add_endpoint(client, program, receiver.url, ["*"])["secret"]
    code = ana_and_code(client, program)
    friend = order(client, program, "bob@example.com", "Bob Friend", code=code)
    after_hold()

    run_worker(app)

    referral = referral_of(client, program, friend["id"])
    assert (referral["status"], referral["reason"], referral["reward"]) == ("flagged", "pool_empty", None)
    flagged = [d.body for d in receiver.deliveries if d.body["type"] == "referral.flagged"]
    assert len(flagged) == 1 and flagged[0]["data"]["referral"]["reason"] == "pool_empty"
    assert all(d.valid for d in receiver.deliveries)

    # The owner cannot approve it into nothing; once codes are loaded, the next round rewards it.
    answer = client.post(f"/api/v1/referrals/{referral['id']}/approve", json={}, headers=program.headers)
    assert_problem(answer, 409)
    run_worker(app)
    assert len([d for d in receiver.deliveries if d.body["type"] == "referral.flagged"]) == 1
    load_coupons(client, program, "REWARD-1")
    run_worker(app)
    referral = referral_of(client, program, friend["id"])
    assert (referral["status"], referral["reward"]["code"]) == ("approved", "REWARD-1")
    assert [d.body["type"] for d in receiver.deliveries][-2:] == ["referral.approved", "referral.reward_earned"]


def test_webhook_rewards_leave_the_coupon_to_the_shop(app, client, program, receiver):
    set_program(client, program, referrer_reward={"source": "webhook"})
    receiver.secret = add_endpoint(client, program, receiver.url, ["referral.reward_earned"])["secret"]
    code = ana_and_code(client, program)
    friend = order(client, program, "bob@example.com", "Bob Friend", code=code)
    after_hold()

    run_worker(app)

    [delivery] = receiver.deliveries
    assert delivery.valid
    assert delivery.body["data"]["reward"] == {"source": "webhook", "code": None,
                                               "description": "€10 off your next order", "kind": "amount",
                                               "value": "10.00", "currency": "EUR",
                                               "created_at": delivery.body["data"]["reward"]["created_at"]}
    assert delivery.body["data"]["referral"]["referrer"]["email"] == "ana@example.com"
    assert referral_of(client, program, friend["id"])["status"] == "approved"
    assert outbox(app, kind="email") == []  # the shop sends its own coupon


def flagged_referral(client, shop) -> dict:
    """A referral flagged at once: the code was clicked from many networks (leaked)."""
    code = ana_and_code(client, shop)
    for n in range(fraud.LEAK_NETWORKS):
        browser(client, shop, ip=f"203.0.113.{n + 1}").click(code)
    friend = order(client, shop, "bob@example.com", "Bob Friend", code=code)
    referral = referral_of(client, shop, friend["id"])
    assert (referral["status"], referral["reason"]) == ("flagged", "leaked_code")
    return referral


def test_owner_approval_during_the_hold_clears_the_flag_until_the_hold_ends(app, client, program):
    referral = flagged_referral(client, program)
    load_coupons(client, program, "REWARD-1")

    answer = client.post(f"/api/v1/referrals/{referral['id']}/approve", json={"note": "a known blogger"},
                         headers=program.headers)

    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["owner_cleared"], answer.json["note"]) == (
        "pending", True, "a known blogger")
    after_hold()
    run_worker(app)
    settled = referral_of(client, program, referral["order"]["id"])
    assert (settled["status"], settled["reward"]["code"]) == ("approved", "REWARD-1")


def test_owner_approval_after_the_hold_rewards_at_once(app, client, program):
    referral = flagged_referral(client, program)
    load_coupons(client, program, "REWARD-1")
    after_hold()
    run_worker(app)  # still flagged: the policy does not override the signal
    assert referral_of(client, program, referral["order"]["id"])["status"] == "flagged"

    answer = client.post(f"/api/v1/referrals/{referral['id']}/approve", json={}, headers=program.headers)

    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["decided_by"]) == ("approved", "owner")
    assert answer.json["reward"]["code"] == "REWARD-1"
    again = client.post(f"/api/v1/referrals/{referral['id']}/approve", json={}, headers=program.headers)
    assert again.status_code == 200 and again.json["reward"]["code"] == "REWARD-1"


def test_owner_rejects_with_a_reason(client, program):
    referral = flagged_referral(client, program)

    answer = client.post(f"/api/v1/referrals/{referral['id']}/reject",
                         json={"reason": "posted on a coupon site"}, headers=program.headers)

    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["reason"], answer.json["note"], answer.json["decided_by"]) == (
        "rejected", "owner", "posted on a coupon site", "owner")
    assert_problem(client.post(f"/api/v1/referrals/{referral['id']}/approve", json={},
                               headers=program.headers), 409)


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x", "extra": 1}])
def test_rejection_needs_a_reason(client, program, body):
    referral = flagged_referral(client, program)

    answer = client.post(f"/api/v1/referrals/{referral['id']}/reject", json=body, headers=program.headers)

    assert_problem(answer, 422)


def test_only_flagged_referrals_wait_for_an_owner(client, program):
    code = ana_and_code(client, program)
    friend = order(client, program, "bob@example.com", "Bob Friend", code=code)
    referral = referral_of(client, program, friend["id"])

    answer = client.post(f"/api/v1/referrals/{referral['id']}/approve", json={}, headers=program.headers)

    assert_problem(answer, 409)


def test_rewards_do_not_depend_on_reviews(app, client, program):
    """A friend's one-star review changes nothing: the reward follows the order alone."""
    code = ana_and_code(client, program)
    friend = order(client, program, "bob@example.com", "Bob Friend", code=code)
    review = client.post(f"{program.public}/products/sku-1/reviews", json={
        "token": friend["widget_token"], "rating": 1, "body": "Did not fit."})
    assert review.status_code == 201, review.json
    load_coupons(client, program, "REWARD-1")
    after_hold()

    run_worker(app)

    assert referral_of(client, program, friend["id"])["reward"]["code"] == "REWARD-1"
