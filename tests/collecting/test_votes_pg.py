"""Concurrent votes on the real PostgreSQL server: the unique keys (review, network) and (review,
visitor id) decide, so votes released at once from one address count once."""

from __future__ import annotations

import pytest

from reviews_service.reviews.models import Vote
from tests.factories import make_shop
from tests.helpers import publish
from tests.referrals.test_races_pg import all_at_once, count

from .test_votes_once import vid, vote_as
from .test_votes_reports import ANA, helpful

pytestmark = pytest.mark.postgres
N = 10


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def setup(pg_app):
    shop = make_shop(pg_app, "Shop A", origins=["https://shop-a.example"])
    return shop, publish(pg_app.test_client(), shop, rating=4)["id"]


def votes_at_once(app, shop, review, who) -> list[int]:
    """N votes released together, each from its own client (its own connection)."""
    return [a.status_code for a in all_at_once(N, lambda i: vote_as(app.test_client(), shop, review, *who(i)))]


def test_votes_from_one_address_at_once_count_once(pg_app, setup):
    shop, review = setup

    statuses = votes_at_once(pg_app, shop, review,
                             lambda i: (vid(i), "up", {**ANA, "HTTP_USER_AGENT": f"Agent/{i}"}))

    assert sorted(statuses) == [200] + [409] * (N - 1)
    assert helpful(pg_app.test_client(), shop, review) == {"up": 1, "down": 0}
    assert count(pg_app, Vote) == 1


def test_one_visitor_id_at_once_from_many_addresses_counts_once(pg_app, setup):
    shop, review = setup

    statuses = votes_at_once(pg_app, shop, review,
                             lambda i: (vid("ana"), "up", {**ANA, "REMOTE_ADDR": f"203.0.113.{i + 1}"}))

    assert statuses == [200] * N
    assert helpful(pg_app.test_client(), shop, review) == {"up": 1, "down": 0}


def test_votes_from_different_networks_at_once_all_count(pg_app, setup):
    shop, review = setup

    statuses = votes_at_once(pg_app, shop, review,
                             lambda i: (vid(i), "up", {**ANA, "REMOTE_ADDR": f"203.0.113.{i + 1}"}))

    assert statuses == [200] * N
    assert helpful(pg_app.test_client(), shop, review) == {"up": N, "down": 0}
