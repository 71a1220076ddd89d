"""The programme's settings through PATCH /api/v1/shop: off by default, keys left out take their
defaults, and what does not make sense is a 422 naming the field."""

from __future__ import annotations

import pytest

from tests.helpers import assert_problem

from .conftest import PROGRAM, order, set_program, standing


def test_the_programme_is_off_by_default_and_earns_nothing(client, shop):
    settings = client.get("/api/v1/shop", headers=shop.headers).json["settings"]["loyalty"]
    assert settings["enabled"] is False and settings["tiers"] == [] and settings["hold_days"] is None
    customer = order(client, shop, "80.00")["customer_id"]
    assert standing(client, shop, customer) | {"progress": None} == {
        "customer_id": customer, "enabled": False, "spendable": 0, "pending": 0, "flagged": False,
        "point_value": "0.01", "currency": "EUR", "spendable_value": "0.00", "tier": None, "progress": None,
        "expiring": None, "birthday": None}


def test_keys_left_out_take_their_defaults(client, shop):
    stored = set_program(client, shop, tiers=[], rewards=[]) | {}
    answer = client.patch("/api/v1/shop", json={"settings": {"loyalty": {"enabled": True}}}, headers=shop.headers)
    loyalty = answer.json["settings"]["loyalty"]
    assert loyalty["enabled"] is True and loyalty["for_review"] == 0 and loyalty["rounding"] == "down"
    assert stored["for_review"] == 50  # the PATCH before set it; this one replaced the object whole


def test_multipliers_and_point_values_are_kept_as_decimal_strings(client, shop):
    loyalty = set_program(client, shop, point_value=0.005, tiers=[
        {"id": "vip", "name": "VIP", "threshold": 100, "multiplier": 1.25}])
    assert (loyalty["point_value"], loyalty["tiers"][0]["multiplier"], loyalty["tiers"][0]["perks"]) == \
        ("0.005", "1.25", "")


TIER = {"id": "silver", "name": "Silver", "threshold": 100}
REWARD = {"id": "five", "points": 100, "kind": "amount", "value": "5.00", "currency": "EUR"}


@pytest.mark.parametrize(("change", "field"), [
    ({"enabled": "yes"}, "settings.loyalty.enabled"),
    ({"currency": "ABC"}, "settings.loyalty.currency"),
    ({"currency": "eur"}, "settings.loyalty.currency"),
    ({"point_value": 0}, "settings.loyalty.point_value"),
    ({"point_value": True}, "settings.loyalty.point_value"),
    ({"points_per_unit": "-1"}, "settings.loyalty.points_per_unit"),
    ({"rounding": "banker"}, "settings.loyalty.rounding"),
    ({"for_review": -5}, "settings.loyalty.for_review"),
    ({"for_birthday": 2.5}, "settings.loyalty.for_birthday"),
    ({"hold_days": 400}, "settings.loyalty.hold_days"),
    ({"expiry_months": 0}, "settings.loyalty.expiry_months"),
    ({"tier_basis": "visits"}, "settings.loyalty.tier_basis"),
    ({"tiers": [TIER, {**TIER, "id": "gold", "threshold": 50}]}, "settings.loyalty.tiers"),
    ({"tiers": [TIER, TIER | {"threshold": 200}]}, "settings.loyalty.tiers"),
    ({"tiers": [{**TIER, "id": "Silver Tier"}]}, "settings.loyalty.tiers.0.id"),
    ({"tiers": [{**TIER, "name": ""}]}, "settings.loyalty.tiers.0.name"),
    ({"tiers": [{**TIER, "name": {"xx": "Silver"}}]}, "settings.loyalty.tiers.0.name.xx"),
    ({"tiers": [{**TIER, "multiplier": "0.5"}]}, "settings.loyalty.tiers.0.multiplier"),
    ({"tiers": [{**TIER, "colour": "grey"}]}, "settings.loyalty.tiers.0.colour"),
    ({"rewards": [{**REWARD, "points": 0}]}, "settings.loyalty.rewards.0.points"),
    ({"rewards": [{**REWARD, "currency": None}]}, "settings.loyalty.rewards.0.currency"),
    ({"rewards": [{**REWARD, "kind": "percent", "value": "150", "currency": None}]}, "settings.loyalty.rewards.0.value"),
    ({"rewards": [{**REWARD, "kind": "product", "value": None, "currency": None}]},
     "settings.loyalty.rewards.0.product_id"),
    ({"rewards": [{**REWARD, "product_id": "sku-1"}]}, "settings.loyalty.rewards.0.product_id"),
    ({"rewards": [{**REWARD, "source": "email"}]}, "settings.loyalty.rewards.0.source"),
    ({"rewards": [REWARD, REWARD]}, "settings.loyalty.rewards"),
    ({"bonus": 5}, "settings.loyalty.bonus"),
])
def test_what_makes_no_sense_is_a_422_naming_the_field(client, shop, change, field):
    answer = client.patch("/api/v1/shop", json={"settings": {"loyalty": {**PROGRAM, **change}}},
                          headers=shop.headers)
    assert_problem(answer, 422, field=field)
    assert client.get("/api/v1/shop", headers=shop.headers).json["settings"]["loyalty"]["enabled"] is False


def test_a_product_reward_names_the_product_and_takes_no_value(client, shop):
    loyalty = set_program(client, shop, rewards=[{"id": "mug", "points": 300, "kind": "product", "product_id": "mug-1"}])
    assert loyalty["rewards"][0] | {} == {"id": "mug", "points": 300, "kind": "product", "value": None,
                                          "currency": None, "product_id": "mug-1", "description": "",
                                          "source": "pool"}


def test_the_admins_generated_settings_form_leaves_the_programme_to_its_own_page(app, client, shop):
    from reviews_service.admin import settings_form

    with app.test_request_context():
        _, described = settings_form.build()
    assert "loyalty" not in {f.key for f in described}
