"""The order fan-out as events: catalog sends `order_ingested` and `order_event_recorded`, and the
rooms above (outbox, collecting, referrals) do their part in the same transaction. A receiver that
fails rolls the order back; the receivers' order changes nothing; a switched-off feature does
nothing."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from reviews_service import events
from reviews_service.catalog.models import Order
from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from reviews_service.referrals.models import Referral, ReferralCode
from reviews_service.reviews.models import ReviewRequest
from tests.outbox.conftest import add_endpoint, receiver  # noqa: F401
from tests.referrals.conftest import code_of, order, refund, set_program

from ..factories import order_payload
from ..helpers import assert_problem, row_counts
from ..signals import connected, fail, in_reverse

ORDERS = "/api/v1/orders"


# --- a failing receiver rolls the change back ----------------------------------------------------

def test_a_failing_receiver_of_an_ingested_order_leaves_no_order(app, client, shop):
    before = row_counts(app)
    with connected(events.order_ingested, fail):
        response = client.post(ORDERS, json=order_payload("ORDER-1"), headers=shop.headers)
    assert_problem(response, 500)
    assert row_counts(app) == before
    assert client.get(f"{ORDERS}/ORDER-1", headers=shop.headers).status_code == 404


def test_a_failing_receiver_after_the_others_rolls_their_work_back_too(app, client, shop, receiver):  # noqa: F811
    """The outbox and referrals receivers ran first and wrote; nothing of theirs stays."""
    set_program(client, shop)
    add_endpoint(client, shop, receiver.url, ["*"])
    referrer = order(client, shop, "ref@example.com", "Rita Referrer")
    code = code_of(client, shop, referrer)
    before = row_counts(app)
    with connected(events.order_ingested, fail):  # connected last: runs after the rooms' receivers
        body = order_payload("FRIEND-1", email="friend@example.com", referral_code=code)
        assert_problem(client.post(ORDERS, json=body, headers=shop.headers), 500)
    assert row_counts(app) == before


@pytest.mark.parametrize("kind", ["fulfilled", "refunded"])
def test_a_failing_receiver_of_an_order_event_leaves_the_order_as_it_was(app, client, shop, kind):
    client.post(ORDERS, json=order_payload("ORDER-1"), headers=shop.headers)
    before = row_counts(app)
    with connected(events.order_event_recorded, fail):
        response = client.post(f"{ORDERS}/ORDER-1/events", json={"type": kind}, headers=shop.headers)
    assert_problem(response, 500)
    assert row_counts(app) == before
    answer = client.get(f"{ORDERS}/ORDER-1", headers=shop.headers).json
    assert (answer["status"], answer[f"{kind}_at"], answer["review_request"]) == ("placed", None, None)


# --- the receivers' order changes nothing --------------------------------------------------------

def _story(app, client, shop, receiver) -> dict:  # noqa: F811
    """A referred order that is fulfilled and then refunded during the hold: what every room made."""
    set_program(client, shop)
    add_endpoint(client, shop, receiver.url, ["*"])
    referrer = order(client, shop, "ref@example.com", "Rita Referrer", order_id="REF-1")
    code = code_of(client, shop, referrer)
    friend = order(client, shop, "friend@example.com", "Fred Friend", code=code, order_id="FRIEND-1")
    fulfilled = client.post(f"{ORDERS}/FRIEND-1/events", json={"type": "fulfilled"}, headers=shop.headers).json
    refund(client, shop, "FRIEND-1")
    refunded = client.get(f"{ORDERS}/FRIEND-1", headers=shop.headers).json
    with app.app_context():
        order_id = db.session.scalar(select(Order.id).where(Order.shop_id == shop.id,
                                                            Order.external_id == "FRIEND-1"))
        referral = db.session.scalar(select(Referral).where(Referral.order_id == order_id))
        request = db.session.scalar(select(ReviewRequest).where(ReviewRequest.order_id == order_id))
        topics = sorted(db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.shop_id == shop.id)))
        codes = db.session.scalar(select(ReferralCode.id).where(ReferralCode.shop_id == shop.id).limit(1)) is not None
        made = {
            "referral": (referral.status, referral.reason, sorted(referral.signals), referral.source),
            "request": (request.status, request.cancelled_at is not None),
            "topics": topics, "codes": codes,
        }
    for answer in (friend, fulfilled, refunded):
        for key in ("widget_token", "created_at", "fulfilled_at", "refunded_at", "referral_code", "customer_id"):
            answer.pop(key)
        if answer["review_request"]:
            answer["review_request"].pop("url")
            answer["review_request"].pop("due_at")
    return {**made, "answers": (friend, fulfilled, refunded)}


def test_the_outcome_does_not_depend_on_the_receivers_order(app, client, shop, other_shop, receiver):  # noqa: F811
    as_connected = _story(app, client, shop, receiver)
    with in_reverse(events.order_ingested, events.order_event_recorded):
        reversed_ = _story(app, client, other_shop, receiver)
    assert reversed_ == as_connected
    assert as_connected["referral"][0] == "rejected" and as_connected["request"] == ("cancelled", True)
    assert {"order.processed", "referral.created", "referral.rejected"} <= set(as_connected["topics"])


# --- a feature that is off does nothing ----------------------------------------------------------

@contextmanager
def statements(app):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_without_the_program_and_without_webhooks_an_order_costs_no_more_statements(app, client, shop):
    """The referrals and webhook receivers of an order return at once (one look at the endpoints)."""
    client.post(ORDERS, json=order_payload("WARM-UP"), headers=shop.headers)
    with statements(app) as seen:
        assert client.post(ORDERS, json=order_payload("ORDER-1", referral_code="RITA-ABCDE"),
                           headers=shop.headers).status_code == 201
    touched = " ".join(seen).lower()
    assert "referral" not in touched.replace("referral_code", "")
    assert "outbox_messages" not in touched
    with app.app_context():
        assert db.session.scalar(select(ReferralCode.id)) is None
        assert db.session.scalar(select(Referral.id)) is None
        assert db.session.scalar(select(OutboxMessage.id)) is None


def test_with_the_program_switched_off_a_referred_order_makes_no_referral(app, client, shop):
    set_program(client, shop)
    referrer = order(client, shop, "ref@example.com", "Rita Referrer")
    code = code_of(client, shop, referrer)
    set_program(client, shop, enabled=False)
    order(client, shop, "friend@example.com", "Fred Friend", code=code, order_id="FRIEND-1")
    with app.app_context():
        assert db.session.scalar(select(Referral.id)) is None
        assert len(list(db.session.scalars(select(ReferralCode.id)))) == 1  # only the referrer's
