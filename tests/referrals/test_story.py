"""The whole story through HTTP: order A and its code, a friend's click, order B with the code,
B refunded during the hold, order C, the hold passes, the worker approves C and rewards A from the
pool; the reward e-mail arrives at a real SMTP server and the webhooks at a real receiver that
verifies their signatures."""

from __future__ import annotations

import re

import pytest

from tests.outbox.conftest import add_endpoint, parse, run_worker

from .conftest import after_hold, browser, load_coupons, order, referral_of, refund

REFERRAL_EVENTS = ["referral.created", "referral.approved", "referral.rejected", "referral.reward_earned"]


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def hooks(client, program, receiver):
    receiver.secret = add_endpoint(client, program, receiver.url, REFERRAL_EVENTS)["secret"]
    return receiver


def test_referral_from_link_to_reward(app, client, program, smtp, hooks):
    shop = program
    # Order A: Ana buys, and her thank-you page shows her code and link.
    a = order(client, shop, "ana@example.com", "Ana Buyer")
    ana = browser(client, shop)
    panel = ana.panel(a["widget_token"])
    assert panel.status_code == 200, panel.json
    code = panel.json["code"]
    assert re.fullmatch(r"ANA-[A-HJ-NP-Z2-9]{5}", code)
    assert panel.json["share_url"] == f"https://shop-a.example/?ref={code}"
    assert panel.headers["Cache-Control"] == "no-store"

    # A friend opens the link: the click is recorded and the friend offer answered.
    bob = browser(client, shop)
    click = bob.click(code)
    assert click.status_code == 200, click.json
    assert click.json["valid"] is True and click.json["code"] == code and click.json["own"] is False
    assert click.json["offer"] == {"description": "10% off your first order", "kind": "percent",
                                   "value": "10.00", "currency": None, "code": "FRIEND10"}
    assert click.json["referrer_name"] == "Ana"

    # Order B comes with the code: a pending referral, clean.
    b = order(client, shop, "bob@example.com", "Bob Friend", code=code)
    referral_b = referral_of(client, shop, b["id"])
    assert (referral_b["status"], referral_b["signals"], referral_b["reason"]) == ("pending", [], None)
    assert referral_b["referrer"]["email"] == "ana@example.com" and referral_b["code"] == code

    # B is refunded during the hold: rejected.
    refund(client, shop, b["id"])
    referral_b = referral_of(client, shop, b["id"])
    assert (referral_b["status"], referral_b["reason"]) == ("rejected", "refunded")

    # Order C, from another friend; the pool gets its codes.
    c = order(client, shop, "carol@example.com", "Carol Friend", code=code.lower())
    assert referral_of(client, shop, c["id"])["status"] == "pending"
    loaded = load_coupons(client, shop, "REWARD-1", "REWARD-2")
    assert (loaded["added"], loaded["available"]) == (2, 2)

    # Nothing happens before the hold ends.
    run_worker(app)
    assert referral_of(client, shop, c["id"])["status"] == "pending"
    assert smtp.messages == []

    # The hold passes; one worker round approves C and rewards Ana.
    after_hold()
    run_worker(app)
    referral_c = referral_of(client, shop, c["id"])
    assert referral_c["status"] == "approved" and referral_c["decided_by"] == "policy"
    assert referral_c["reward"]["code"] == "REWARD-1" and referral_c["reward"]["source"] == "pool"

    # The reward e-mail, through the real SMTP server.
    [raw] = smtp.messages
    message = parse(raw)
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Your reward from Shop A"
    text = message.get_body(("plain",)).get_content()
    assert "REWARD-1" in text and "10 EUR off your next order" in text and f"?ref={code}" in text
    assert "REWARD-1" in message.get_body(("html",)).get_content()

    # The webhooks, received and verified.
    assert all(d.valid for d in hooks.deliveries)
    received = [(d.body["type"], d.body["data"]["referral"]["order"]["id"]) for d in hooks.deliveries]
    assert sorted(received) == sorted([
        ("referral.created", b["id"]), ("referral.rejected", b["id"]), ("referral.created", c["id"]),
        ("referral.approved", c["id"]), ("referral.reward_earned", c["id"])])
    [earned] = [d.body for d in hooks.deliveries if d.body["type"] == "referral.reward_earned"]
    assert earned["data"]["reward"]["code"] == "REWARD-1"

    # Ana's panel counts it all.
    panel = ana.panel(a["widget_token"]).json
    assert panel["counts"] == {"clicks": 1, "friends_ordered": 2, "pending": 0, "approved": 1, "rewards": 1}
    assert [r["code"] for r in panel["rewards"]] == ["REWARD-1"]

    # Another round sends nothing more: one reward, one e-mail.
    run_worker(app)
    assert len(smtp.messages) == 1
    assert len(hooks.deliveries) == 5


def test_refund_after_the_hold_keeps_the_referral(app, client, program, smtp):
    a = order(client, program, "ana@example.com")
    code = browser(client, program).panel(a["widget_token"]).json["code"]
    b = order(client, program, "bob@example.com", "Bob Friend", code=code)
    load_coupons(client, program, "REWARD-1")
    after_hold()
    refund(client, program, b["id"])  # reported after the return window, before the worker ran

    run_worker(app)

    assert referral_of(client, program, b["id"])["status"] == "approved"


def test_cancellation_during_the_hold_rejects(client, program):
    a = order(client, program, "ana@example.com")
    code = browser(client, program).panel(a["widget_token"]).json["code"]
    b = order(client, program, "bob@example.com", "Bob Friend", code=code)

    response = client.post(f"/api/v1/orders/{b['id']}/events", json={"type": "cancelled"},
                           headers=program.headers)

    assert response.status_code == 200
    assert referral_of(client, program, b["id"])["reason"] == "cancelled"
