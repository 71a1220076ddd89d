"""The loyalty programme in the admin: its members, one customer's ledger, points adjusted by hand
with a reason, and the programme's numbers, all read through the pages as an owner reads them."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_shop
from tests.loyalty.conftest import PROGRAM, ledger, load_codes, order, redeem, set_program

from .conftest import admin_for


def _customer_of(client, shop, email: str, total: str) -> int:
    return order(client, shop, total, email=email)["customer_id"]


@pytest.fixture
def members(app, client, shop):
    """Before the programme: carl orders twice, dave and erin once (customers who are not members).
    Then, with it on (a point is worth 0.05 EUR): ana orders 120 and 80, bob 300 (silver)."""
    for email, total in (("carl@example.com", "10.00"), ("carl@example.com", "12.00"),
                         ("dave@example.com", "10.00"), ("erin@example.com", "10.00")):
        order(client, shop, total, email=email)
    set_program(client, shop)
    ana = _customer_of(client, shop, "ana@example.com", "120.00")
    _customer_of(client, shop, "ana@example.com", "80.00")
    bob = _customer_of(client, shop, "bob@example.com", "300.00")
    return {"ana": ana, "bob": bob}


@pytest.fixture
def owner(app, shop):
    return admin_for(app, shop, "owner")


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _tile(html: str, tile_id: str) -> str:
    return re.search(rf'<li id="{tile_id}"><span class="tile-value">([^<]*)</span>', html).group(1)


def test_members_are_listed_with_balance_held_points_and_tier(owner, members):
    html = owner.get(f"{owner.base}/loyalty").get_data(as_text=True)
    assert _row(html, f"member-{members['ana']}") == "Ana Buyer ana@example.com 0 200 Bronze"
    assert _row(html, f"member-{members['bob']}") == "Ana Buyer bob@example.com 0 300 Silver"
    assert "carl@example.com" not in html  # a customer, not a member


def test_the_members_come_a_page_at_a_time_newest_first(client, shop, owner):
    set_program(client, shop)
    ids = [_customer_of(client, shop, f"m{n}@example.com", "10.00") for n in range(27)]
    first = owner.get(f"{owner.base}/loyalty").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'<tr id="member-(\d+)">', first)]
    assert shown == ids[::-1][:25]
    older = re.search(r'href="([^"]+cursor=[^"]+)">Older members<', first).group(1).replace("&amp;", "&")
    second = owner.get(older).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<tr id="member-(\d+)">', second)] == ids[1::-1]
    assert "Older members" not in second


def test_members_are_found_by_a_part_of_their_email(owner, members):
    html = owner.get(f"{owner.base}/loyalty", query_string={"email": "BOB@"}).get_data(as_text=True)
    assert f"member-{members['bob']}" in html and f"member-{members['ana']}" not in html
    html = owner.get(f"{owner.base}/loyalty", query_string={"email": "%"}).get_data(as_text=True)
    assert "No member’s e-mail address contains this." in html


def test_a_tampered_cursor_is_a_422_page_not_a_500(owner, members):
    assert owner.get(f"{owner.base}/loyalty", query_string={"cursor": "nonsense"}).status_code == 422


def test_a_customers_ledger_shows_every_entry_with_reason_source_and_date(owner, members):
    html = owner.get(f"{owner.base}/loyalty/customers/{members['ana']}").get_data(as_text=True)
    rows = re.findall(r'<tr id="entry-\d+">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    newest = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0]))
    assert "earned" in newest and "+80" in newest and "order" in newest and "2026" in newest
    assert _tile(html, "standing-pending") == "200" and _tile(html, "standing-tier") == "Bronze"


def test_an_adjustment_with_a_reason_lands_in_the_ledger_with_who_made_it(client, shop, owner, members):
    answer = owner.post(f"{owner.base}/loyalty/customers/{members['ana']}/adjustments",
                        {"points": "150", "reason": "Parcel arrived late"}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "150 points added." in html
    assert "Parcel arrived late" in html and _tile(html, "standing-spendable") == "150"
    entry = ledger(client, shop, members["ana"])[-1]
    assert (entry["kind"], entry["points"], entry["source"], entry["reason"], entry["actor"]) == (
        "adjust", 150, "admin", "Parcel arrived late", owner.actor)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"points": "150", "reason": "  "}, "reason", "Say why the points change."),
    ({"points": "150"}, "reason", "Say why the points change."),
    ({"points": "0", "reason": "x"}, "points", "Enter a number of points other than 0."),
    ({"points": "lots", "reason": "x"}, "points", "Not a valid integer value."),
    ({"points": "-5", "reason": "x"}, "points", "The member has 0 spendable points; an adjustment may not take "
                                                "the balance below zero."),
])
def test_an_adjustment_that_cannot_be_made_says_why_next_to_the_field(client, shop, owner, members, data, field,
                                                                       message):
    answer = owner.post(f"{owner.base}/loyalty/customers/{members['ana']}/adjustments", data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    block = re.search(rf'<div class="field\s+has-error">\s*<label for="{field}".*?</div>', html, re.S)
    assert block and message in block.group(0), html
    assert len(ledger(client, shop, members["ana"])) == 2


def test_an_adjustment_without_the_forms_token_is_refused(client, shop, owner, members):
    answer = owner.post(f"{owner.base}/loyalty/customers/{members['ana']}/adjustments",
                        {"points": "5", "reason": "x"}, csrf=False)
    assert answer.status_code == 400 and len(ledger(client, shop, members["ana"])) == 2


def test_the_numbers_add_up_the_ledger_and_show_the_liability_in_the_shops_currency(client, shop, owner, members):
    owner.post(f"{owner.base}/loyalty/customers/{members['ana']}/adjustments", {"points": "150", "reason": "Late"})
    load_codes(client, shop)
    assert redeem(client, shop, members["ana"]).status_code == 201
    html = owner.get(f"{owner.base}/loyalty").get_data(as_text=True)
    # Issued 120 + 80 + 300 earned and 150 by hand; 100 redeemed; 550 outstanding (50 spendable, 500 held).
    assert [_tile(html, f"loyalty-{name}") for name in ("members", "issued", "redeemed", "expired", "outstanding")] \
        == ["2", "650", "100", "0", "550"]
    assert _tile(html, "loyalty-liability") == "€27.50"  # 550 × 0.05 EUR
    assert "One point is worth €0.05." in html
    assert html.count('<svg class="chart"') == 3
    # Members per tier (a chart and its table), and repeat purchases: members 1 of 2, others 1 of 3.
    assert '<th scope="row">Bronze</th><td>1</td>' in html and '<th scope="row">Silver</th><td>1</td>' in html
    assert '<th scope="row">Gold</th><td>0</td>' in html
    assert '<th scope="row">Members</th><td>50%</td>' in html
    assert '<th scope="row">Other customers</th><td>33%</td>' in html


def test_the_liability_follows_the_admins_language(app, client, shop, members):
    armenian = admin_for(app, shop, "owner")
    armenian.post("/admin/account/language", {"language": "hy"})
    html = armenian.get(f"{armenian.base}/loyalty").get_data(as_text=True)
    assert _tile(html, "loyalty-liability") == "25,00\xa0€"  # 500 held × 0.05 EUR, CLDR's Armenian pattern


def test_the_tab_shows_while_the_programme_is_on_or_has_members(app, client, shop, owner):
    tab = f'href="{owner.base}/loyalty"'
    assert tab not in owner.get(f"{owner.base}/queue").get_data(as_text=True)
    set_program(client, shop)
    assert tab in owner.get(f"{owner.base}/queue").get_data(as_text=True)
    order(client, shop, "10.00", email="fay@example.com")
    set_program(client, shop, enabled=False)
    html = owner.get(f"{owner.base}/queue").get_data(as_text=True)
    assert tab in html
    assert "The programme is off" in owner.get(f"{owner.base}/loyalty").get_data(as_text=True)


def test_moderators_cannot_open_the_programme(app, shop, members):
    moderator = admin_for(app, shop, "moderator")
    assert moderator.get(f"{moderator.base}/loyalty").status_code == 403
    assert moderator.get(f"{moderator.base}/loyalty/customers/{members['ana']}").status_code == 403
    assert moderator.post(f"{moderator.base}/loyalty/customers/{members['ana']}/adjustments",
                          {"points": "5", "reason": "x"}).status_code == 403
    assert f'href="{moderator.base}/loyalty"' not in moderator.get(f"{moderator.base}/queue").get_data(as_text=True)


def test_another_shops_customer_is_404_and_untouched(app, client, shop, other_shop, owner, members):
    set_program(client, other_shop, **PROGRAM)
    theirs = _customer_of(client, other_shop, "zed@example.com", "50.00")
    assert owner.get(f"{owner.base}/loyalty/customers/{theirs}").status_code == 404
    assert owner.post(f"{owner.base}/loyalty/customers/{theirs}/adjustments",
                      {"points": "5", "reason": "x"}).status_code == 404
    assert owner.get(f"/admin/shops/{other_shop.slug}/loyalty").status_code == 404
    assert owner.get(f"{owner.base}/loyalty/customers/no-such-id").status_code == 404
    assert len(ledger(client, other_shop, theirs)) == 1
    assert "zed@example.com" not in owner.get(f"{owner.base}/loyalty").get_data(as_text=True)


# --- the programme's main switches ---------------------------------------------------------------

def _switches(**changes) -> dict:
    return {"enabled": "y", "points_per_unit": "2", "for_review": "40", "for_review_with_photos": "70",
            "for_referral": "300", "hold_days": "", "expiry_months": "18", **changes}


def test_the_settings_page_leads_to_the_programmes_own_settings(owner):
    html = owner.get(f"{owner.base}/settings").get_data(as_text=True)
    assert f'href="{owner.base}/loyalty/settings"' in html


def test_the_main_switches_are_saved_and_the_tiers_and_rewards_kept(client, shop, owner):
    set_program(client, shop, enabled=False)
    answer = owner.post(f"{owner.base}/loyalty/settings", _switches(), follow_redirects=True)
    assert answer.status_code == 200 and "Settings saved." in answer.get_data(as_text=True)
    saved = client.get("/api/v1/shop", headers=shop.headers).json["settings"]["loyalty"]
    assert (saved["enabled"], saved["points_per_unit"], saved["for_review"], saved["for_review_with_photos"],
            saved["for_referral"], saved["hold_days"], saved["expiry_months"]) == (True, "2.00", 40, 70, 300, None, 18)
    assert [(t["id"], t["threshold"]) for t in saved["tiers"]] == [("bronze", 0), ("silver", 250), ("gold", 1000)]
    assert [r["id"] for r in saved["rewards"]] == ["five-off", "shipping"] and saved["point_value"] == "0.05"
    # The form shows what is stored; unticking the switch turns the programme off.
    html = owner.get(f"{owner.base}/loyalty/settings").get_data(as_text=True)
    assert re.search(r'<input[^>]* checked [^>]*id="enabled"', html) and 'value="2.00"' in html
    owner.post(f"{owner.base}/loyalty/settings", _switches(enabled=""))
    assert client.get("/api/v1/shop", headers=shop.headers).json["settings"]["loyalty"]["enabled"] is False


@pytest.mark.parametrize(("changes", "field"), [
    ({"for_review": "-1"}, "for_review"), ({"points_per_unit": "much"}, "points_per_unit"),
    ({"hold_days": "400"}, "hold_days"), ({"expiry_months": "0"}, "expiry_months"), ({"for_referral": ""}, "for_referral"),
])
def test_a_switch_that_makes_no_sense_is_refused_next_to_it(client, shop, owner, changes, field):
    set_program(client, shop)
    answer = owner.post(f"{owner.base}/loyalty/settings", _switches(**changes))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert re.search(rf'<div class="field\s+has-error">\s*<label for="{field}"', html), html
    assert client.get("/api/v1/shop", headers=shop.headers).json["settings"]["loyalty"]["for_review"] == 50


def test_moderators_cannot_change_the_programme(app, shop):
    moderator = admin_for(app, shop, "moderator")
    assert moderator.get(f"{moderator.base}/loyalty/settings").status_code == 403
    assert moderator.post(f"{moderator.base}/loyalty/settings", _switches()).status_code == 403


def test_the_numbers_and_the_search_on_each_database(each_db_app):
    """The aggregate queries (and the search's LIKE with its escape) on SQLite and PostgreSQL alike."""
    api = each_db_app.test_client()
    shop = make_shop(each_db_app, "Shop N")
    order(api, shop, "10.00", email="carl@example.com")
    set_program(api, shop)
    ana = _customer_of(api, shop, "ana_1@example.com", "120.00")
    _customer_of(api, shop, "ana_1@example.com", "80.00")
    _customer_of(api, shop, "anax1@example.com", "300.00")
    me = admin_for(each_db_app, shop, "owner")
    me.post(f"{me.base}/loyalty/customers/{ana}/adjustments", {"points": "150", "reason": "Late"})
    load_codes(api, shop)
    assert redeem(api, shop, ana).status_code == 201
    html = me.get(f"{me.base}/loyalty").get_data(as_text=True)
    assert [_tile(html, f"loyalty-{name}") for name in ("members", "issued", "redeemed", "outstanding", "liability")] \
        == ["2", "650", "100", "550", "€27.50"]
    assert '<th scope="row">Members</th><td>50%</td>' in html and '<th scope="row">Other customers</th><td>0%</td>' in html
    found = me.get(f"{me.base}/loyalty", query_string={"email": "ana_"}).get_data(as_text=True)
    assert re.findall(r'<tr id="member-(\d+)">', found) == [str(ana)]  # "_" is a letter here, not a wildcard
