"""The shopper's loyalty panel through the public API: view only with an order's widget token,
view and redeem with a customer token sent in the body; never cached; bad input named."""

from __future__ import annotations

import pytest

from tests.helpers import assert_problem

from .conftest import load_codes, order

ORIGIN = {"Origin": "https://shop-a.example"}


def customer_token(client, shop, customer_id: int) -> str:
    answer = client.post("/api/v1/loyalty/customer-tokens", json={"customer_id": customer_id}, headers=shop.headers)
    assert answer.status_code == 201, answer.json
    return answer.json["token"]


def adjust(client, shop, customer_id: int, points: int) -> None:
    answer = client.post(f"/api/v1/loyalty/customers/{customer_id}/adjustments", headers=shop.headers,
                         json={"points": points, "reason": "internal note: goodwill"})
    assert answer.status_code == 201, answer.json


def me(client, shop, token: str, **query):
    return client.get(f"{shop.public}/loyalty/me", query_string={"token": token, **query})


def account(client, shop, token: str, **body):
    return client.post(f"{shop.public}/loyalty/account", json={"token": token, **body}, headers=ORIGIN)


def test_the_widget_token_shows_the_panel_view_only(client, program):
    placed = order(client, program, "120.00")
    answer = me(client, program, placed["widget_token"], lang="hy")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    panel = answer.json
    assert panel["enabled"] and not panel["can_redeem"] and panel["lang"] == "hy"
    assert (panel["spendable"], panel["pending"]) == (0, 120)
    assert panel["tier"]["name"] == "Բրոնզ" and panel["progress"]["next_tier"]["name"] == "Արծաթ"
    assert panel["progress"]["missing"] == "130"
    assert [(w["kind"], w["points"]) for w in panel["ways_to_earn"]] == [
        ("spend", "1"), ("review", "50"), ("review_with_photos", "80")]
    assert panel["ways_to_earn"][0]["per"] == "1\u00a0€"  # hy writes the sign after the amount
    assert [(r["id"], r["points"], r["affordable"]) for r in panel["rewards"]] == [
        ("five-off", 100, False), ("shipping", 60, False)]
    assert [(h["label"], h["points"], h["pending"]) for h in panel["history"]] == [("order", 120, True)]
    assert panel["redeemed"] == []


def test_the_customer_token_shows_what_can_be_redeemed_and_redeems_from_the_pool(client, program):
    customer = order(client, program, "10.00")["customer_id"]
    adjust(client, program, customer, 130)
    load_codes(client, program, codes=["FIVE-ONLY"])
    token = customer_token(client, program, customer)
    panel = account(client, program, token).json
    assert panel["can_redeem"] and panel["spendable"] == 130
    assert {r["id"]: r["affordable"] for r in panel["rewards"]} == {"five-off": True, "shipping": True}
    assert "internal note" not in str(panel)  # the shop's reasons are for its staff

    answer = client.post(f"{program.public}/loyalty/redemptions", json={"token": token, "reward": "five-off"},
                         headers=ORIGIN)
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    assert answer.json["redemption"]["code"] == "FIVE-ONLY"
    after = answer.json["panel"]
    assert after["spendable"] == 30 and after["redeemed"][0]["code"] == "FIVE-ONLY"
    assert after["redeemed"][0]["description"] == "€5 off your next order"
    assert after["history"][0] == {**after["history"][0], "label": "redeem", "points": -100}
    assert {r["id"]: r["affordable"] for r in after["rewards"]} == {"five-off": False, "shipping": False}
    again = client.post(f"{program.public}/loyalty/redemptions", json={"token": token, "reward": "five-off"},
                        headers=ORIGIN)
    assert_problem(again, 409, field="reward", shopper=True)


def test_the_widget_token_cannot_redeem_and_the_customer_token_is_not_taken_from_a_url(client, program):
    placed = order(client, program, "500.00")
    widget_token = placed["widget_token"]
    customer_token_ = customer_token(client, program, placed["customer_id"])
    for answer in (client.post(f"{program.public}/loyalty/redemptions", headers=ORIGIN,
                               json={"token": widget_token, "reward": "five-off"}),
                   account(client, program, widget_token),
                   me(client, program, customer_token_)):
        assert_problem(answer, 403, field="token", shopper=True)


def test_the_panel_says_only_that_the_programme_is_off(client, shop):
    placed = order(client, shop, "10.00")
    assert me(client, shop, placed["widget_token"]).json == {"enabled": False, "can_redeem": False, "lang": "en"}
    token = customer_token(client, shop, placed["customer_id"])
    assert account(client, shop, token).json["enabled"] is False
    answer = client.post(f"{shop.public}/loyalty/redemptions", json={"token": token, "reward": "five-off"},
                         headers=ORIGIN)
    assert_problem(answer, 409)


def test_writes_come_only_from_the_shops_origins(client, program):
    token = customer_token(client, program, order(client, program, "10.00")["customer_id"])
    for path, body in (("account", {"token": token}), ("redemptions", {"token": token, "reward": "five-off"})):
        answer = client.post(f"{program.public}/loyalty/{path}", json=body, headers={"Origin": "https://evil.example"})
        assert_problem(answer, 403)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("account", {}, "token"), ("account", {"token": ""}, "token"), ("account", {"token": 5}, "token"),
    ("account", {"token": "x", "lang": "x" * 40}, "lang"), ("account", {"token": "x", "email": "a@b.c"}, "email"),
    ("redemptions", {"token": "x"}, "reward"), ("redemptions", {"token": "x", "reward": ""}, "reward"),
    ("redemptions", {"token": "x", "reward": ["five-off"]}, "reward"),
])
def test_bad_input_is_4xx_naming_the_field(client, program, path, body, field):
    answer = client.post(f"{program.public}/loyalty/{path}", json=body, headers=ORIGIN)
    assert_problem(answer, 422, field=field)


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 2001])
def test_a_bad_widget_token_is_named(client, program, token):
    answer = me(client, program, token)
    assert answer.status_code in (403, 422)
    assert_problem(answer, answer.status_code, field="token", shopper=True)


def test_an_unknown_reward_is_404(client, program):
    customer = order(client, program, "10.00")["customer_id"]
    token = customer_token(client, program, customer)
    answer = client.post(f"{program.public}/loyalty/redemptions", json={"token": token, "reward": "nope"},
                         headers=ORIGIN)
    assert_problem(answer, 404)
