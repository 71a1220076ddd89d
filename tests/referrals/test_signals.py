"""The referral program hears of a shopper's review through `events.review_submitted`: the code the
widget kept attributes the order, in the review's transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from reviews_service import events
from reviews_service.extensions import db
from reviews_service.referrals.models import CustomerVisit, Referral
from reviews_service.reviews.models import Review

from ..helpers import assert_problem
from ..signals import connected, fail
from .conftest import browser, code_of, order, set_program


def _friend_reviews(client, shop, *, program: bool = True):
    """A friend clicks the referrer's link, orders without the code, and reviews with the code the
    widget kept; answers a callable that posts the review."""
    set_program(client, shop)
    code = code_of(client, shop, order(client, shop, "ref@example.com", "Rita Referrer"))
    friend = browser(client, shop)
    assert friend.click(code).status_code in (200, 201)
    placed = order(client, shop, "friend@example.com", "Fred Friend", order_id="FRIEND-1")
    if not program:
        set_program(client, shop, enabled=False)
    return lambda: client.post(f"{shop.public}/products/sku-1/reviews", **friend._kw(), json={
        "rating": 5, "token": placed["widget_token"], "visitor_id": friend.visitor_id, "referral_code": code})


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_review_with_the_kept_code_attributes_the_order(app, client, shop):
    assert _friend_reviews(client, shop)().status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Referral.source)) == "handover"


def test_a_failing_receiver_of_a_review_leaves_no_review_and_no_referral(app, client, shop):
    post = _friend_reviews(client, shop)
    with connected(events.review_submitted, fail):
        response = post()
    assert_problem(response, 500)
    assert (_count(app, Review), _count(app, Referral)) == (0, 0)


def test_with_the_program_off_the_kept_code_attributes_nothing(app, client, shop):
    calls = []
    post = _friend_reviews(client, shop, program=False)
    visits = _count(app, CustomerVisit)  # the referrer's, from their panel
    with connected(events.review_submitted, lambda shop, **kw: calls.append(kw)):
        assert post().status_code == 201
    assert (_count(app, Referral), _count(app, CustomerVisit)) == (0, visits)
    assert calls and calls[0]["referral_code"]  # the review was announced; referrals did nothing
