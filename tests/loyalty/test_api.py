"""The loyalty server API: customers by the service's id (an e-mail only in a lookup's body), the
ledger's pages, adjustments with their reason, the events a shop reports, the customer token,
the rewards and their pools, and what each refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviews_service import clock, tokens
from reviews_service.loyalty import service
from reviews_service.shops import service as shops
from tests.helpers import assert_problem
from tests.referrals import conftest as referrals

from .conftest import ledger, load_codes, order, outbox, redeem, set_program, standing, travel, worker


def adjust(client, shop, customer: int, points: int, reason: str = "Goodwill"):
    return client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", headers=shop.headers,
                       json={"points": points, "reason": reason})


def report(client, shop, customer: int, **body):
    return client.post(f"/api/v1/loyalty/customers/{customer}/events", json=body, headers=shop.headers)


def test_the_order_answers_its_customer_id_and_a_lookup_by_email_finds_the_same(client, program):
    placed = order(client, program, "42.00", email="Ana@Example.com")
    found = client.post("/api/v1/loyalty/customers/lookup", json={"email": "ana@example.com"},
                        headers=program.headers)
    assert found.status_code == 200 and found.json["customer_id"] == placed["customer_id"]
    assert found.json["pending"] == 42


@pytest.mark.parametrize("customer_id", ["999999", "abc", "0", "-1", "99999999999999999999", "１２"])
def test_an_unknown_customer_is_404(client, program, customer_id):
    assert_problem(client.get(f"/api/v1/loyalty/customers/{customer_id}", headers=program.headers), 404)


def test_the_ledger_comes_newest_first_in_cursor_pages(client, program):
    customer = order(client, program, "10.00")["customer_id"]
    for n in range(4):
        assert adjust(client, program, customer, n + 1, f"step {n}").status_code == 201
    page = client.get(f"/api/v1/loyalty/customers/{customer}/ledger?limit=2", headers=program.headers).json
    assert [e["reason"] for e in page["entries"]] == ["step 3", "step 2"]
    rest = client.get(f"/api/v1/loyalty/customers/{customer}/ledger", headers=program.headers,
                      query_string={"limit": 10, "cursor": page["next_cursor"]}).json
    assert [e["reason"] for e in rest["entries"]] == ["step 1", "step 0", "order " + rest["entries"][-1]["reference"]]
    assert rest["next_cursor"] is None
    bad = client.get(f"/api/v1/loyalty/customers/{customer}/ledger?cursor=nonsense", headers=program.headers)
    assert_problem(bad, 422, field="cursor")


@pytest.mark.parametrize(("body", "field"), [
    ({"points": 5}, "reason"), ({"points": 5, "reason": ""}, "reason"), ({"points": 0, "reason": "x"}, "points"),
    ({"points": "5", "reason": "x"}, "points"), ({"points": 10**9, "reason": "x"}, "points"),
])
def test_an_adjustment_needs_points_and_a_reason(client, program, body, field):
    customer = order(client, program, "10.00")["customer_id"]
    answer = client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", json=body, headers=program.headers)
    assert_problem(answer, 422, field=field)


def test_an_adjustment_is_kept_with_its_reason_and_who_made_it(client, program):
    customer = order(client, program, "10.00")["customer_id"]
    answer = adjust(client, program, customer, 25, "Parcel arrived late")
    assert answer.status_code == 201
    assert {k: answer.json[k] for k in ("kind", "points", "source", "reason", "actor", "spendable_after")} == {
        "kind": "adjust", "points": 25, "source": "admin", "reason": "Parcel arrived late", "actor": "api",
        "spendable_after": 25}
    assert_problem(adjust(client, program, customer, -26), 409, field="points")


def test_account_created_earns_once(client, shop):
    set_program(client, shop, for_account_created=30)
    customer = order(client, shop, "10.00")["customer_id"]
    first = report(client, shop, customer, type="account_created")
    again = report(client, shop, customer, type="account_created")
    assert (first.json["granted"], again.json["granted"], again.json["spendable"]) == (30, 0, 30)


def test_a_birthday_is_kept_as_month_and_day_and_earns_on_that_day_each_year(app, client, runner, shop):
    set_program(client, shop, for_birthday=40)
    customer = order(client, shop, "10.00")["customer_id"]
    with app.app_context():
        today = service.local_today(shops.get_shop(shop.id))
    tomorrow_month, tomorrow_day = (today.month, today.day + 1) if today.day < 28 else (today.month % 12 + 1, 1)
    answer = report(client, shop, customer, type="birthday", month=tomorrow_month, day=tomorrow_day)
    assert (answer.json["granted"], answer.json["birthday"]) == (0, {"month": tomorrow_month, "day": tomorrow_day})

    worker(runner)
    assert standing(client, shop, customer)["spendable"] == 0
    travel(1)
    worker(runner)
    worker(runner)  # a second round the same day: once a year
    assert [(e["kind"], e["points"], e["reference"]) for e in ledger(client, shop, customer)
            if e["source"] == "event"] == [("earn", 40, "birthday")]


def test_a_birthday_reported_on_the_day_earns_at_once(app, client, shop):
    set_program(client, shop, for_birthday=40)
    customer = order(client, shop, "10.00")["customer_id"]
    with app.app_context():
        today = service.local_today(shops.get_shop(shop.id))
    answer = report(client, shop, customer, type="birthday", month=today.month, day=today.day)
    assert answer.json["granted"] == 40


@pytest.mark.parametrize(("body", "field"), [
    ({"type": "birthday", "month": 2, "day": 30}, "day"), ({"type": "birthday", "month": 13, "day": 1}, "month"),
    ({"type": "birthday", "day": 1}, "month"), ({"type": "birthday", "month": 4, "day": 31}, "day"),
    ({"type": "birthday", "month": 1, "day": 1, "year": 1990}, "year"),
    ({"type": "account_created", "month": 1}, "month"), ({"type": "anniversary"}, "type"),
])
def test_what_an_event_cannot_be_is_422(client, program, body, field):
    customer = order(client, program, "10.00")["customer_id"]
    assert_problem(report(client, program, customer, **body), 422, field=field)


def test_the_29th_of_february_is_a_birthday(client, program):
    customer = order(client, program, "10.00")["customer_id"]
    answer = report(client, program, customer, type="birthday", month=2, day=29)
    assert answer.status_code == 200 and answer.json["birthday"] == {"month": 2, "day": 29}


def test_while_the_programme_is_off_events_and_redemptions_are_409(client, shop):
    customer = order(client, shop, "10.00")["customer_id"]
    assert_problem(report(client, shop, customer, type="account_created"), 409)
    assert_problem(redeem(client, shop, customer, "five-off"), 409)


def test_the_customer_token_lasts_an_hour_and_names_its_customer_in_its_shop(app, client, program, other_shop):
    customer = order(client, program, "10.00")["customer_id"]
    answer = client.post("/api/v1/loyalty/customer-tokens", json={"customer_id": customer}, headers=program.headers)
    assert answer.status_code == 201 and answer.json["customer_id"] == customer
    token = answer.json["token"]
    with app.app_context():
        assert service.customer_for_token(shops.get_shop(program.id), token).id == customer
        with pytest.raises(tokens.TokenError):
            tokens.unsign(tokens.LOYALTY_CUSTOMER_TOKEN, token, shop_id=other_shop.id)
        with pytest.raises(tokens.TokenError):
            tokens.unsign(tokens.WIDGET_TOKEN, token, shop_id=program.id)
    clock.travel(timedelta(minutes=61))
    with app.app_context(), pytest.raises(Exception, match="expired"):
        service.customer_for_token(shops.get_shop(program.id), token)


def test_the_rewards_with_what_each_pool_holds(client, program):
    load_codes(client, program, "five-off", ["A-1", "A-2", "A-1"])
    answer = client.get("/api/v1/loyalty/rewards?lang=fr", headers=program.headers).json["rewards"]
    assert [(r["id"], r["points"], r["available"], r["description"]) for r in answer] == [
        ("five-off", 100, 2, "5\u00a0€ de réduction sur votre prochaine commande"),
        ("shipping", 60, None, "Livraison gratuite sur votre prochaine commande")]
    assert_problem(client.post("/api/v1/loyalty/rewards/nope/coupons", json={"codes": ["X"]},
                               headers=program.headers), 404)


def test_a_redemption_needs_a_known_reward_enough_points_and_a_code_left(client, program):
    customer = order(client, program, "150.00")["customer_id"]
    assert_problem(redeem(client, program, customer, "nope"), 404)
    assert_problem(redeem(client, program, customer, "five-off"), 409, field="reward")  # all of it held
    adjust(client, program, customer, 200)
    empty = redeem(client, program, customer, "five-off")
    assert_problem(empty, 409, field="reward") and "No codes" in empty.json["detail"]
    assert standing(client, program, customer)["spendable"] == 200  # nothing was spent


def test_a_webhook_reward_is_redeemed_without_a_code_for_the_shop_to_make(app, client, program):
    from .conftest import add_endpoint

    add_endpoint(client, program, "https://shop-a.example/hooks", ["loyalty.reward_redeemed"])
    customer = order(client, program, "10.00")["customer_id"]
    adjust(client, program, customer, 60)
    answer = redeem(client, program, customer, "shipping")
    assert (answer.status_code, answer.json["code"], answer.json["source"]) == (201, None, "webhook")
    [sent] = outbox(app, topic="loyalty.reward_redeemed")
    assert sent.payload["data"]["redemption"]["id"] == answer.json["id"]
    assert sent.payload["data"]["balance"] == {"spendable": 0, "pending": 10, "tier": "bronze", "flagged": False}


def test_an_approved_referral_earns_the_referrer_points(app, client, shop):
    set_program(client, shop, for_referral=75)
    referrals.set_program(client, shop, referrer_reward={"kind": "amount", "value": "5", "currency": "EUR",
                                                        "source": "webhook"})
    ana = referrals.order(client, shop, "ana@example.com")
    code = referrals.code_of(client, shop, ana)
    referrals.order(client, shop, "bob@example.com", "Bob Friend", code=code)
    referrals.after_hold()
    worker(app.test_cli_runner())
    assert [(e["source"], e["points"]) for e in ledger(client, shop, ana["customer_id"])
            if e["source"] == "referral"] == [("referral", 75)]


def test_the_tier_follows_the_rolling_year(client, runner, shop):
    set_program(client, shop, hold_days=0, expiry_months=None)
    customer = order(client, shop, "300.00")["customer_id"]
    assert standing(client, shop, customer)["tier"]["id"] == "silver"
    travel(366)
    worker(runner)
    now = standing(client, shop, customer)
    assert (now["tier"]["id"], now["progress"]["value"], now["spendable"]) == ("bronze", "0", 300)


def test_points_about_to_expire_are_shown_as_expiring_soon(client, runner, shop):
    set_program(client, shop, hold_days=0, expiry_months=2)
    customer = order(client, shop, "30.00")["customer_id"]
    assert standing(client, shop, customer)["expiring"]["soon"] is False
    travel(40)
    now = standing(client, shop, customer)["expiring"]
    assert (now["points"], now["soon"]) == (30, True)
    worker(runner)  # the reminder: from now on the member has 30 days' notice
    at = standing(client, shop, customer)["expiring"]["at"]
    travel(29)
    worker(runner)
    assert standing(client, shop, customer)["spendable"] == 30
    assert standing(client, shop, customer)["expiring"]["at"] == at
    travel(2)
    worker(runner)
    assert standing(client, shop, customer)["spendable"] == 0


def test_new_tiers_reach_every_member_at_the_workers_next_round(client, runner, shop):
    set_program(client, shop, hold_days=0)
    customer = order(client, shop, "120.00")["customer_id"]
    assert standing(client, shop, customer)["tier"]["id"] == "bronze"
    set_program(client, shop, hold_days=0, tiers=[{"id": "friend", "name": "Friend", "threshold": 100}])
    worker(runner)
    assert standing(client, shop, customer)["tier"]["id"] == "friend"
