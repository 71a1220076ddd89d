"""An empty pool does not lose a review's reward: the incentive waits, and is issued, oldest first
and once each, when codes are loaded (server API or the admin's upload) or by the worker's round,
then announced like one issued at once (the webhook, the reviewer's e-mail)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviews_service.extensions import db
from reviews_service.referrals import coupons, incentive_notice, incentives
from reviews_service.referrals.models import ReviewIncentive
from reviews_service.shops import service as shops
from tests.admin.conftest import admin_for
from tests.helpers import post_order, set_settings, submit
from tests.outbox.conftest import add_endpoint, outbox, receiver, run_worker  # noqa: F401

from .conftest import load_coupons

OFFERS = {"enabled": True, "source": "pool",
          "for_review": {"offered": True, "kind": "percent", "value": "10"}}


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


@pytest.fixture
def offering(client, shop, receiver):  # noqa: F811
    add_endpoint(client, shop, receiver.url, ["review.incentive_earned"])
    set_settings(client, shop, incentives=OFFERS)
    return shop


def review(client, shop, email: str, rating: int = 5) -> str:
    order = post_order(client, shop, items=[("sku-1", "Trail shoes")], email=email)
    answer = submit(client, shop, rating=rating, token=order["widget_token"], body="Warm and dry.")
    assert answer.status_code == 201 and answer.json["status"] == "published", answer.json
    return answer.json["id"]


def rewards(app) -> dict[str, str | None]:
    """Each issued reward's review and code, as the webhook says them, oldest message first."""
    return {m.payload["data"]["review"]["id"]: m.payload["data"]["incentive"]["code"]
            for m in outbox(app, topic="review.incentive_earned")}


def emailed(app) -> list[str]:
    return [m.recipient for m in outbox(app, topic="review_incentive")]


def statuses(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ReviewIncentive.status).order_by(ReviewIncentive.id)))


def test_an_empty_pool_leaves_the_reward_waiting(app, client, offering):
    review(client, offering, "ana@example.com")
    assert statuses(app) == ["waiting"]
    assert rewards(app) == {} and emailed(app) == []


def test_loading_codes_issues_the_waiting_rewards_oldest_first(app, client, offering):
    first, second, third = (review(client, offering, f"{name}@example.com") for name in ("ana", "bo", "cy"))

    loaded = load_coupons(client, offering, "RV-1", "RV-2", kind="review_incentive")

    assert (loaded["added"], loaded["waiting_issued"], loaded["available"]) == (2, 2, 0)
    assert rewards(app) == {first: "RV-1", second: "RV-2"}
    assert emailed(app) == ["ana@example.com", "bo@example.com"]
    assert statuses(app) == ["issued", "issued", "waiting"]
    load_coupons(client, offering, "RV-3", "RV-4", kind="review_incentive")
    assert rewards(app)[third] == "RV-3" and statuses(app) == ["issued"] * 3


def test_loading_codes_into_another_pool_issues_nothing(app, client, offering):
    review(client, offering, "ana@example.com")
    loaded = load_coupons(client, offering, "R-1", kind="referrer_reward")
    assert loaded["waiting_issued"] == 0 and statuses(app) == ["waiting"]


def test_the_worker_issues_them_when_codes_are_there(app, client, offering):
    ana = review(client, offering, "ana@example.com")
    with app.app_context():  # codes that arrived some other way than the two loaders
        coupons.load(shops.get_shop(offering.id), "review_incentive", ["RV-1"])
    run_worker(app)
    assert rewards(app) == {ana: "RV-1"} and emailed(app) == ["ana@example.com"]
    run_worker(app)
    assert len(outbox(app, topic="review.incentive_earned")) == 1 and len(emailed(app)) == 1


def test_a_new_review_does_not_overtake_one_that_waits(app, client, offering):
    ana = review(client, offering, "ana@example.com")
    with app.app_context():
        coupons.load(shops.get_shop(offering.id), "review_incentive", ["RV-1", "RV-2"])
    bo = review(client, offering, "bo@example.com")
    assert statuses(app) == ["waiting", "waiting"]
    run_worker(app)
    assert rewards(app) == {ana: "RV-1", bo: "RV-2"}


def test_waiting_rewards_go_out_by_webhook_once_the_shop_makes_its_own_codes(app, client, offering):
    ana = review(client, offering, "ana@example.com")
    set_settings(client, offering, incentives={**OFFERS, "source": "webhook"})
    run_worker(app)
    assert rewards(app) == {ana: None} and emailed(app) == []
    assert statuses(app) == ["issued"]


def test_one_and_five_stars_wait_and_are_issued_alike(app, client, offering):
    low, high = review(client, offering, "low@example.com", 1), review(client, offering, "high@example.com", 5)
    load_coupons(client, offering, "RV-1", "RV-2", kind="review_incentive")
    assert rewards(app) == {low: "RV-1", high: "RV-2"}
    assert emailed(app) == ["low@example.com", "high@example.com"]


def test_an_erased_reviewers_waiting_reward_takes_no_code(app, client, offering):
    review(client, offering, "ana@example.com")
    bo = review(client, offering, "bo@example.com")
    assert client.post("/api/v1/customers/erase", json={"email": "ana@example.com"},
                       headers=offering.headers).status_code == 200
    loaded = load_coupons(client, offering, "RV-1", "RV-2", kind="review_incentive")
    assert loaded["waiting_issued"] == 1 and loaded["available"] == 1
    assert rewards(app) == {bo: "RV-1"} and emailed(app) == ["bo@example.com"]


def test_issue_waiting_stops_at_its_limit_and_the_next_round_takes_the_rest(app, client, offering):
    for name in ("ana", "bo", "cy"):
        review(client, offering, f"{name}@example.com")
    with app.app_context():
        coupons.load(shops.get_shop(offering.id), "review_incentive", ["RV-1", "RV-2", "RV-3"])
        assert incentives.issue_due(limit=2) == 2
        assert incentives.issue_due(limit=2) == 1
        assert incentives.issue_due() == 0
    assert statuses(app) == ["issued"] * 3


def test_the_admin_upload_issues_them_and_says_so(app, client, offering):
    review(client, offering, "ana@example.com")
    owner = admin_for(app, offering, "owner")
    page = owner.post(f"{owner.base}/referrals/coupons", {"kind": "review_incentive", "codes": "RV-1\nRV-2"},
                      follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "2 codes added, 0 skipped; 1 available in the pool." in text
    assert "1 code went at once to a review that was waiting for its reward." in text
    assert statuses(app) == ["issued"] and emailed(app) == ["ana@example.com"]


def test_a_failure_while_issuing_leaves_the_codes_loaded_for_the_worker(app, client, offering, monkeypatch):
    ana = review(client, offering, "ana@example.com")
    announce = incentive_notice.announce
    monkeypatch.setattr(incentive_notice, "announce", lambda *a, **kw: 1 / 0)
    loaded = load_coupons(client, offering, "RV-1", kind="review_incentive")
    assert (loaded["added"], loaded["waiting_issued"], loaded["available"]) == (1, 0, 1)
    assert statuses(app) == ["waiting"]
    monkeypatch.setattr(incentive_notice, "announce", announce)
    run_worker(app)
    assert rewards(app) == {ana: "RV-1"} and statuses(app) == ["issued"]
