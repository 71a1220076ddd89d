"""Each fraud signal with a case that trips it and one that does not. Clear fraud rejects the
referral with the signal as its reason; an unclear case goes to the flagged queue."""

from __future__ import annotations

import pytest

from reviews_service.referrals import fraud
from tests.outbox.conftest import run_worker

from .conftest import after_hold, browser, code_of, load_coupons, order, referral_of

ADDRESS = {"line1": "Hauptstraße 1", "city": "Berlin", "postal_code": "10115", "country": "DE"}
SAME_ADDRESS_WRITTEN_OTHERWISE = {"line1": "  HAUPTSTRASSE 1 ", "city": "berlin", "postal_code": "10 115",
                                  "country": "DE"}
OTHER_ADDRESS = {"line1": "Hauptstraße 2", "city": "Berlin", "postal_code": "10115", "country": "DE"}


# --- one scenario per signal and outcome: each answers the friend's referral ---------------------

def self_customer(client, shop, trips):
    a = order(client, shop, "ana@example.com")
    code = code_of(client, shop, a)
    friend = order(client, shop, "ana@example.com" if trips else "bob@example.com", "Bob", code=code)
    return referral_of(client, shop, friend["id"])


def self_email(referrer_email, friend_email):
    def scenario(client, shop, trips):
        a = order(client, shop, referrer_email, "Ana Buyer")
        code = code_of(client, shop, a)
        friend = order(client, shop, friend_email, "Bob Friend", code=code)
        return referral_of(client, shop, friend["id"])
    return scenario


def name_address(friend_name, friend_address):
    def scenario(client, shop, trips):
        a = order(client, shop, "ana@example.com", "Ana Buyer", address=ADDRESS)
        code = code_of(client, shop, a)
        friend = order(client, shop, "ana.second@example.com", friend_name, code=code, address=friend_address)
        return referral_of(client, shop, friend["id"])
    return scenario


def same_browser(friend_side: str):
    """Found at the end of the hold: the friend reviewed their order in a browser whose visitor id
    the referrer reviewed from ("referrer's"), or in a browser of the same model on the
    referrer's network ("same model"), which is not the same browser."""
    def scenario(client, shop, trips):
        a = order(client, shop, "ana@example.com")
        ana = browser(client, shop)
        code = code_of(client, shop, a, ana)
        ana.review(a["widget_token"])
        friend = order(client, shop, "bob@example.com", "Bob Friend", code=code)
        bob = ana if friend_side == "referrer's" else browser(client, shop, ip=ana.ip, agent=ana.agent)
        bob.panel(friend["widget_token"])
        bob.review(friend["widget_token"])
        load_coupons(client, shop, "REWARD-1")
        after_hold()
        run_worker(client.application)
        return referral_of(client, shop, friend["id"])
    return scenario


def first_order(client, shop, trips):
    a = order(client, shop, "ana@example.com")
    code = code_of(client, shop, a)
    if trips:
        order(client, shop, "bob@example.com", "Bob Friend")
    friend = order(client, shop, "bob@example.com", "Bob Friend", code=code)
    return referral_of(client, shop, friend["id"])


def velocity(client, shop, trips):
    """Three friends' orders handed over within a day: from one network, or from three."""
    a = order(client, shop, "ana@example.com")
    code = code_of(client, shop, a)
    found = None
    for n in range(3):
        visitor = browser(client, shop, ip="192.0.2.7" if trips else None)
        assert visitor.click(code).status_code == 200
        friend = order(client, shop, f"friend{n}@example.com", f"Friend {n}")
        assert visitor.handover(friend["widget_token"], code).json == {"attributed": True}
        found = referral_of(client, shop, friend["id"])
    return found


def leaked(ips: int, agents_per_ip: int = 1):
    """Clicks from `ips` networks (each with `agents_per_ip` browsers), then a friend's order."""
    def scenario(client, shop, trips):
        a = order(client, shop, "ana@example.com")
        code = code_of(client, shop, a)
        for n in range(ips):
            for _ in range(agents_per_ip):
                assert browser(client, shop, ip=f"198.51.100.{n + 1}").click(code).status_code == 200
        friend = order(client, shop, "bob@example.com", "Bob Friend", code=code)
        return referral_of(client, shop, friend["id"])
    return scenario


CASES = [
    ("self_referral_customer", self_customer, True),
    ("self_referral_customer", self_customer, False),
    ("self_referral_email", self_email("ana.buyer@gmail.com", "anabuyer+friend@googlemail.com"), True),
    ("self_referral_email", self_email("ana.b+shop@outlook.com", "ana.b@hotmail.com"), False),
    ("self_referral_email", self_email("ana.b+shop@outlook.com", "ana.b@outlook.com"), True),
    ("self_referral_email", self_email("ana.b@outlook.com", "anab@outlook.com"), False),
    ("self_referral_email", self_email("ana.buyer@example.com", "anabuyer@example.com"), False),
    ("self_referral_name_address", name_address("ana  BUYER", SAME_ADDRESS_WRITTEN_OTHERWISE), True),
    ("self_referral_name_address", name_address("Ben Buyer", SAME_ADDRESS_WRITTEN_OTHERWISE), False),
    ("self_referral_name_address", name_address("Ana Buyer", OTHER_ADDRESS), False),
    ("self_referral_visitor", same_browser("referrer's"), True),
    ("self_referral_visitor", same_browser("same model"), False),
    ("not_first_order", first_order, True),
    ("not_first_order", first_order, False),
    ("velocity", velocity, True),
    ("velocity", velocity, False),
    ("leaked_code", leaked(fraud.LEAK_NETWORKS), True),
    ("leaked_code", leaked(fraud.LEAK_NETWORKS - 1), False),
    ("leaked_code", leaked(1, agents_per_ip=fraud.LEAK_NETWORKS), False),
]


@pytest.mark.parametrize(("signal", "scenario", "trips"), CASES,
                         ids=[f"{s}-{'trips' if t else 'clean'}-{n}" for n, (s, _, t) in enumerate(CASES)])
def test_signal(client, program, signal, scenario, trips):
    referral = scenario(client, program, trips)

    assert (signal in referral["signals"]) is trips, referral
    if trips:
        expected = "rejected" if signal in fraud.CLEAR else "flagged"
        assert (referral["status"], referral["reason"]) == (expected, signal)
    else:
        assert referral["status"] in ("pending", "approved"), referral


@pytest.mark.parametrize(("address", "expected"), [
    ("Ana.Buyer@Gmail.com", "anabuyer@gmail.com"),
    ("a.n.a+shop+x@googlemail.com", "ana@gmail.com"),
    ("ana.b+tag@outlook.com", "ana.b@outlook.com"),
    ("ana+tag@me.com", "ana@icloud.com"),
    ("ana.b+tag@example.com", "ana.b+tag@example.com"),
    ("not-an-address", "not-an-address"),
])
def test_mailbox_key_folds_dots_plus_tags_and_aliases(address, expected):
    assert fraud.mailbox_key(address) == expected


@pytest.mark.parametrize(("names", "verdict"), [
    (["leaked_code", "self_referral_email"], ("rejected", "self_referral_email")),
    (["velocity", "leaked_code"], ("flagged", "velocity")),
    ([], (None, None)),
])
def test_clear_signals_reject_and_unclear_ones_flag(names, verdict):
    assert fraud.verdict(names) == verdict
    assert fraud.verdict(["velocity"], owner_cleared=True) == (None, None)


def test_only_a_keyed_hash_of_the_address_is_stored(app, client, program):
    a = order(client, program, "ana@example.com", address=ADDRESS)
    from reviews_service.catalog.models import Order
    from reviews_service.extensions import db

    with app.app_context():
        stored = db.session.query(Order).filter_by(external_id=a["id"]).one().shipping_address_hash
        assert stored == fraud.address_hash(SAME_ADDRESS_WRITTEN_OTHERWISE)
        assert "Haupt" not in stored and len(stored) == 32
        app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-0123456789"
        assert fraud.address_hash(ADDRESS) != stored
