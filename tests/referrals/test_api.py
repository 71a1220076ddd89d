"""The program's API one behaviour at a time: codes, the panel, clicks, the hand-over, the coupon
pool, the friend offer e-mail, the settings, the list, and the tenant boundary."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from reviews_service import clock
from reviews_service.referrals import clicks, codes
from tests.factories import make_shop
from tests.helpers import assert_problem
from tests.outbox.conftest import parse, run_worker

from .conftest import PROGRAM, browser, code_of, load_coupons, order, referral_of, referrals, set_program

CODE = re.compile(r"^[A-Z]{1,8}-[A-HJ-NP-Z2-9]{5}$")


# --- codes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "part"), [
    ("Ana Buyer", "ANA"), ("zoë", "ZOE"), ("José-María López", "JOSEMARI"), ("Ólafur", "OLAFUR"),
    ("Անի Պետրոսյան", "ANI"), ("", "FRIEND"), ("😀", "FRIEND"), ("  ", "FRIEND"), ("O'Neil", "ONEIL"),
])
def test_code_has_a_name_part_and_an_unambiguous_random_part(name, part):
    code = codes.new_code(name)

    assert CODE.match(code) and code.startswith(part + "-")
    assert not set(code.split("-")[1]) & set("0O1I")


@pytest.mark.parametrize("typed", ["ana-k7p3q", " ANA K7P3Q ", "anak7p3q", "ANA_K7P3Q", "ana.k7p3q"])
def test_a_code_is_found_however_it_is_typed(typed):
    assert codes.canonical(typed) == "ANA-K7P3Q"


def test_digits_zero_and_one_read_as_the_letters_o_and_i():
    assert codes.canonical("0LIVIA-K7P3Q") == "OLIVIA-K7P3Q"
    assert codes.canonical("1DA-K7P3Q") == "IDA-K7P3Q"


@pytest.mark.parametrize("bad", ["", "ANA", "ANA-K7P0Q", "ANA-K7PIQ", "ANA-K7P3Q!", "ABCDEFGHJ-K7P3Q",
                                 "ANA-K7P3Q" + " " * 60])
def test_what_cannot_be_a_code(bad):
    assert codes.canonical(bad) is None


def test_the_buyer_gets_a_code_at_ingestion_when_the_program_is_on(app, client, shop):
    before = order(client, shop, "early@example.com")
    set_program(client, shop)
    after = order(client, shop, "late@example.com")

    from reviews_service.catalog.models import Customer
    from reviews_service.extensions import db
    from reviews_service.referrals.models import ReferralCode

    with app.app_context():
        holders = {db.session.get(Customer, c.customer_id).email for c in db.session.query(ReferralCode)}
    assert holders == {"late@example.com"}
    assert before and after


def test_one_code_per_customer_whatever_asks(client, program):
    first = order(client, program, "ana@example.com")
    second = order(client, program, "ana@example.com")

    assert code_of(client, program, first) == code_of(client, program, second)


# --- the panel -----------------------------------------------------------------------------------

def test_panel_of_a_shop_without_the_program(client, shop):
    a = order(client, shop, "ana@example.com")

    answer = browser(client, shop).panel(a["widget_token"])

    assert answer.status_code == 200 and answer.json == {"enabled": False}


@pytest.mark.parametrize("token", ["nonsense", "x" * 2000])
def test_panel_with_a_bad_token_is_403(client, program, token):
    assert_problem(browser(client, program).panel(token), 403, field="token")


def test_panel_with_another_shops_token_is_403(app, client, program):
    other = make_shop(app, "Shop B", origins=["https://shop-b.example"])
    set_program(client, other)
    theirs = order(client, other, "ana@example.com")

    assert_problem(browser(client, program).panel(theirs["widget_token"]), 403, field="token")


def test_panel_needs_its_token(client, program):
    assert_problem(client.get(f"{program.public}/referrals/me"), 422, field="token")


# --- clicks --------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["ZZZ-ABCDE", "nonsense", "ANA-22222"])
def test_click_on_an_unknown_code_is_404(client, program, code):
    order(client, program, "ana@example.com")

    assert_problem(browser(client, program).click(code), 404, field="code")


def test_click_when_the_program_is_off_is_404(client, program):
    code = code_of(client, program, order(client, program, "ana@example.com"))
    set_program(client, program, enabled=False)

    assert_problem(browser(client, program).click(code), 404)


def test_click_from_a_foreign_origin_is_403(client, program):
    code = code_of(client, program, order(client, program, "ana@example.com"))

    answer = client.post(f"{program.public}/referrals/clicks", json={"code": code},
                         headers={"Origin": "https://evil.example"})

    assert_problem(answer, 403)


def test_a_visitor_counts_once_and_the_referrer_not_at_all(client, program):
    a = order(client, program, "ana@example.com")
    ana = browser(client, program)
    code = code_of(client, program, a, ana)
    ana.review(a["widget_token"])  # her widget's visitor id is known as hers from now on
    bob = browser(client, program)

    assert bob.click(code).json["own"] is False
    bob.click(code)
    own = ana.click(code).json

    assert own["own"] is True and own["offer"]["code"] is None
    assert ana.panel(a["widget_token"]).json["counts"]["clicks"] == 1


@pytest.mark.parametrize("reviewed", [True, False], ids=["referrer-reviewed", "referrer-did-not-review"])
def test_a_friend_with_the_referrers_address_and_browser_model_is_a_friend(client, program, reviewed):
    """Same network, same browser model, so the same IP and user agent: another visitor id."""
    a = order(client, program, "ana@example.com")
    ana = browser(client, program)
    code = code_of(client, program, a, ana)
    if reviewed:
        ana.review(a["widget_token"])
    bob = browser(client, program, ip=ana.ip, agent=ana.agent)

    click = bob.click(code).json

    assert click["own"] is False and click["offer"]["code"] == "FRIEND10"
    assert ana.panel(a["widget_token"]).json["counts"]["clicks"] == 1
    friend = order(client, program, "bob@example.com", "Bob Friend")
    assert bob.handover(friend["widget_token"], code).json == {"attributed": True}
    referral = referral_of(client, program, friend["id"])
    assert (referral["status"], referral["signals"]) == ("pending", [])


def test_the_referrers_browser_is_known_only_by_its_visitor_id(client, program):
    """Without a visitor id, a click from the referrer's address and user agent is a friend's."""
    a = order(client, program, "ana@example.com")
    ana = browser(client, program)
    code = code_of(client, program, a, ana)
    ana.review(a["widget_token"])

    no_id = client.post(f"{program.public}/referrals/clicks", json={"code": code},
                        environ_base={"REMOTE_ADDR": ana.ip}, headers={"User-Agent": ana.agent})

    assert no_id.json["own"] is False
    assert ana.click(code).json["own"] is True


@pytest.mark.parametrize("app_config", [{"PUBLIC_WRITE_LIMIT": "3 per minute"}])
def test_clicks_are_rate_limited(client, program):
    code = code_of(client, program, order(client, program, "ana@example.com"))
    visitor = browser(client, program)

    answers = [visitor.click(code) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_problem(answers[3], 429)
    assert "Retry-After" in answers[3].headers


def test_friend_codes_from_the_pool_one_per_browser(client, program):
    set_program(client, program, friend_offer={"code_mode": "pool"})
    load_coupons(client, program, "WELCOME-A", "WELCOME-B", kind="friend_offer")
    code = code_of(client, program, order(client, program, "ana@example.com"))
    bob, carol, dan = (browser(client, program) for _ in range(3))

    got = [bob.click(code).json["offer"]["code"], bob.click(code).json["offer"]["code"],
           carol.click(code).json["offer"]["code"], dan.click(code).json["offer"]["code"]]

    assert got == ["WELCOME-A", "WELCOME-A", "WELCOME-B", None]


def test_friend_codes_from_the_pool_follow_the_visitor_id(client, program):
    set_program(client, program, friend_offer={"code_mode": "pool"})
    load_coupons(client, program, "WELCOME-A", "WELCOME-B", kind="friend_offer")
    code = code_of(client, program, order(client, program, "ana@example.com"))
    bob = browser(client, program)
    first = bob.click(code).json["offer"]["code"]
    bob.ip, bob.agent = "203.0.113.9", "updated-browser"  # another network, a browser update

    assert bob.click(code).json["offer"]["code"] == first


def test_friend_codes_from_the_pool_are_limited_per_network_per_day(client, program):
    set_program(client, program, friend_offer={"code_mode": "pool"})
    limit = clicks.FRIEND_CODES_PER_NETWORK_PER_DAY
    load_coupons(client, program, *(f"WELCOME-{n}" for n in range(limit + 3)), kind="friend_offer")
    code = code_of(client, program, order(client, program, "ana@example.com"))
    office = [browser(client, program, ip="192.0.2.50") for _ in range(limit + 1)]

    got = [b.click(code).json["offer"]["code"] for b in office]

    assert got == [f"WELCOME-{n}" for n in range(limit)] + [None]
    assert office[0].click(code).json["offer"]["code"] == "WELCOME-0"  # a reload keeps its code
    assert browser(client, program).click(code).json["offer"]["code"] == f"WELCOME-{limit}"
    clock.travel(timedelta(days=1, minutes=1))
    assert office[-1].click(code).json["offer"]["code"] == f"WELCOME-{limit + 1}"


# --- the hand-over -------------------------------------------------------------------------------

def test_handover_attributes_an_order_to_the_code_this_browser_clicked(client, program):
    code = code_of(client, program, order(client, program, "ana@example.com"))
    bob = browser(client, program)
    bob.click(code)
    friend = order(client, program, "bob@example.com", "Bob Friend")  # the shop did not pass the code

    answer = bob.handover(friend["widget_token"])

    assert answer.status_code == 200 and answer.json == {"attributed": True}
    referral = referral_of(client, program, friend["id"])
    assert (referral["source"], referral["status"], referral["code"]) == ("handover", "pending", code)
    assert bob.handover(friend["widget_token"], code).json == {"attributed": False}  # once per order


def test_handover_takes_this_browsers_click_not_a_colleagues_with_the_same_browser_model(client, program):
    ana_code = code_of(client, program, order(client, program, "ana@example.com"))
    cy_code = code_of(client, program, order(client, program, "cy@example.com", "Cy Other"))
    bob = browser(client, program, ip="192.0.2.80", agent="Office Browser 1.0")
    colleague = browser(client, program, ip="192.0.2.80", agent="Office Browser 1.0")
    bob.click(ana_code)
    colleague.click(cy_code)  # later, from the same address and browser model
    friend = order(client, program, "bob@example.com", "Bob Friend")

    assert bob.handover(friend["widget_token"]).json == {"attributed": True}
    assert referral_of(client, program, friend["id"])["code"] == ana_code


@pytest.mark.parametrize("case", ["no click", "another browser", "another code", "click too old"])
def test_handover_without_a_matching_click_attributes_nothing(client, program, case):
    code = code_of(client, program, order(client, program, "ana@example.com"))
    other_code = code_of(client, program, order(client, program, "zed@example.com", "Zed"))
    bob = browser(client, program)
    if case != "no click":
        bob.click(other_code if case == "another code" else code)
    if case == "click too old":
        clock.travel(timedelta(days=31))
    friend = order(client, program, "bob@example.com", "Bob Friend")
    sender = browser(client, program) if case == "another browser" else bob

    answer = sender.handover(friend["widget_token"], code)

    assert answer.json == {"attributed": False}
    assert referrals(client, program) == []


# --- the coupon pool -----------------------------------------------------------------------------

def test_loading_codes_skips_duplicates_and_counts(client, program):
    first = load_coupons(client, program, "A-1", "A-2", "A-2", " A-3 ")
    again = load_coupons(client, program, "A-3", "A-4")

    assert first == {"kind": "referrer_reward", "received": 4, "added": 3, "duplicates": 1, "available": 3,
                     "waiting_issued": 0}
    assert again == {"kind": "referrer_reward", "received": 2, "added": 1, "duplicates": 1, "available": 4,
                     "waiting_issued": 0}


def test_pool_counts_and_low_warning(client, program):
    load_coupons(client, program, *[f"A-{n}" for n in range(12)])
    load_coupons(client, program, "F-1", kind="friend_offer")

    answer = client.get("/api/v1/coupons", headers=program.headers)

    assert answer.status_code == 200
    pools = {p["kind"]: p for p in answer.json["pools"]}
    assert pools["referrer_reward"] == {"kind": "referrer_reward", "available": 12, "claimed": 0, "total": 12,
                                        "in_use": True, "low": False}
    # The friend pool runs low, but the program uses a shared friend code: no warning for it.
    assert (pools["friend_offer"]["available"], pools["friend_offer"]["low"]) == (1, False)
    assert answer.json["low"] == []
    set_program(client, program, friend_offer={"code_mode": "pool"})
    assert client.get("/api/v1/coupons", headers=program.headers).json["low"] == ["friend_offer"]


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "gift", "codes": ["A"]}, "kind"),
    ({"kind": "referrer_reward", "codes": []}, "codes"),
    ({"kind": "referrer_reward", "codes": ["has space"]}, "codes.0"),
    ({"kind": "referrer_reward", "codes": ["ok", ""]}, "codes.1"),
    ({"kind": "referrer_reward", "codes": [7]}, "codes.0"),
    ({"kind": "referrer_reward"}, "codes"),
])
def test_bad_coupon_loads_are_422_and_store_nothing(client, program, body, field):
    answer = client.post("/api/v1/coupons", json=body, headers=program.headers)

    assert_problem(answer, 422, field=field)
    assert client.get("/api/v1/coupons", headers=program.headers).json["pools"][0]["total"] == 0


# --- the friend offer by e-mail ------------------------------------------------------------------

def test_friend_offer_by_email_once_per_address(app, client, program, smtp):
    app.config["SMTP_URL"] = smtp.url
    set_program(client, program, email_friend_offer=True)
    code = code_of(client, program, order(client, program, "ana@example.com"))
    bob = browser(client, program)

    first = bob.offer_email(code, "bob@example.com")
    second = browser(client, program).offer_email(code, "Bob@Example.com")
    run_worker(app)

    assert (first.status_code, second.status_code) == (202, 202)
    [raw] = smtp.messages
    message = parse(raw)
    text = message.get_body(("plain",)).get_content()
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "A friend's offer for you at Shop A"
    assert "Ana invited you" in text and "FRIEND10" in text and f"?ref={code}" in text


def test_friend_offer_by_email_only_when_the_shop_wants_it(client, program):
    code = code_of(client, program, order(client, program, "ana@example.com"))

    assert_problem(browser(client, program).offer_email(code, "bob@example.com"), 403)


# --- settings ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"enabled": "yes"}, "settings.referrals.enabled"),
    ({"enabled": True, "friend_offer": {"shared_code": ""}}, "settings.referrals.friend_offer"),
    ({"friend_offer": {"kind": "bogof"}}, "settings.referrals.friend_offer.kind"),
    ({"friend_offer": {"kind": "amount", "description": "5 off", "value": "5"}},
     "settings.referrals.friend_offer.currency"),
    ({"referrer_reward": {"kind": "percent", "description": "x", "value": "101"}},
     "settings.referrals.referrer_reward.value"),
    ({"referrer_reward": {"source": "magic"}}, "settings.referrals.referrer_reward.source"),
    ({"attribution_days": 0}, "settings.referrals.attribution_days"),
    ({"hold_days": 366}, "settings.referrals.hold_days"),
    ({"min_order_total": "-1"}, "settings.referrals.min_order_total"),
    ({"max_rewards_per_30_days": 0}, "settings.referrals.max_rewards_per_30_days"),
    ({"share_url_template": "https://shop.example/"}, "settings.referrals.share_url_template"),
    ({"share_url_template": "javascript:alert({code})"}, "settings.referrals.share_url_template"),
    ({"email_friend_offer": 1}, "settings.referrals.email_friend_offer"),
    ({"surprise": True}, "settings.referrals.surprise"),
])
def test_program_settings_are_validated_strictly(client, shop, change, field):
    answer = client.patch("/api/v1/shop", json={"settings": {"referrals": {**PROGRAM, **change}}},
                          headers=shop.headers)

    assert_problem(answer, 422, field=field)


def test_program_settings_fill_in_their_defaults(client, shop):
    stored = set_program(client, shop, friend_offer={"kind": "free_shipping", "description": "Free shipping",
                                                     "code_mode": "shared", "shared_code": "SHIPFREE"})

    assert stored["friend_offer"] == {"description": "Free shipping", "kind": "free_shipping", "value": None,
                                      "currency": None, "code_mode": "shared", "shared_code": "SHIPFREE"}
    assert (stored["attribution_days"], stored["min_order_total"], stored["max_rewards_per_30_days"]) == (
        30, "0.00", 10)
    shown = client.get("/api/v1/shop", headers=shop.headers).json["settings"]["referrals"]
    assert shown == stored


# --- the list ------------------------------------------------------------------------------------

def test_list_filters_and_pages(client, program):
    ana = code_of(client, program, order(client, program, "ana@example.com"))
    zed = code_of(client, program, order(client, program, "zed@example.com", "Zed"))
    for n in range(3):
        order(client, program, f"a{n}@example.com", "A Friend", code=ana)
    rejected = order(client, program, "zed@example.com", "Zed", code=zed)  # self-referral

    page1 = client.get("/api/v1/referrals", query_string={"limit": 2}, headers=program.headers).json
    page2 = client.get("/api/v1/referrals", query_string={"limit": 2, "cursor": page1["next_cursor"]},
                       headers=program.headers).json

    assert [r["order"]["id"] for r in page1["referrals"]][0] == rejected["id"]
    assert len(page1["referrals"] + page2["referrals"]) == 4 and page2["next_cursor"] is None
    assert len({r["id"] for r in page1["referrals"] + page2["referrals"]}) == 4
    assert [r["status"] for r in referrals(client, program, status="rejected")] == ["rejected"]
    assert len(referrals(client, program, code=ana.lower())) == 3
    assert referrals(client, program, code="NOPE-22222") == []


@pytest.mark.parametrize("query", [{"cursor": "garbage"}, {"status": "lost"}, {"limit": 0}])
def test_bad_list_queries_are_422(client, program, query):
    assert_problem(client.get("/api/v1/referrals", query_string=query, headers=program.headers), 422)


def test_funnel(app, client, program):
    code = code_of(client, program, order(client, program, "ana@example.com"))
    browser(client, program).click(code)
    order(client, program, "bob@example.com", "Bob Friend", code=code, total="80.00")

    answer = client.get("/api/v1/referrals/funnel", headers=program.headers)

    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["clicks"], body["referred_orders"], body["pending"], body["approved"]) == (1, 1, 1, 0)
    assert len(body["days"]) == 1 and body["days"][0]["clicks"] == 1
    assert body["top_referrers"][0]["code"] == code


# --- tenants -------------------------------------------------------------------------------------

def test_another_shop_sees_and_decides_nothing(app, client, program):
    other = make_shop(app, "Shop B", origins=["https://shop-b.example"])
    code = code_of(client, program, order(client, program, "ana@example.com"))
    friend = order(client, program, "bob@example.com", "Bob Friend", code=code)
    referral = referral_of(client, program, friend["id"])

    assert referrals(client, other) == []
    for action, body in (("approve", {}), ("reject", {"reason": "x"})):
        assert_problem(client.post(f"/api/v1/referrals/{referral['id']}/{action}", json=body,
                                   headers=other.headers), 404)
    assert_problem(client.get(f"/api/v1/referrals/{referral['id']}", headers=other.headers), 404)
    set_program(client, other)
    assert_problem(browser(client, other).click(code), 404)


# --- erasure -------------------------------------------------------------------------------------

def test_forgetting_a_customer_ends_their_code(app, client, program):
    """What the erasure calls (privacy.erase): the code, which holds the first name, stops working."""
    from reviews_service.catalog import service as catalog
    from reviews_service.extensions import db
    from reviews_service.referrals import service as referrals_service
    from reviews_service.referrals.models import CustomerVisit, ReferralCode
    from reviews_service.shops import service as shops

    code = code_of(client, program, order(client, program, "ana@example.com"))
    with app.app_context():
        shop = shops.get_shop(program.id)
        referrals_service.forget_customer(shop, catalog.find_customer(shop, "ana@example.com").id)
        db.session.commit()
        assert [c.code for c in db.session.query(ReferralCode)] != [code]
        assert db.session.query(CustomerVisit).count() == 0

    assert_problem(browser(client, program).click(code), 404)
