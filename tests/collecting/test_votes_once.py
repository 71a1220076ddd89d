"""A helpful vote counts once per visitor id and once per network (IP hash) within the shop's
`vote_window_days`: ten user agents or ten visitor ids from one address count one vote, and the
voter may still change theirs (issue 12, item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviews_service import clock
from tests.helpers import assert_problem, publish

from .test_votes_reports import ANA, BEN, helpful


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def review(client, shop) -> str:
    return publish(client, shop, rating=4)["id"]


def vid(n: int | str) -> str:
    """A visitor id as the widget makes one (22 to 43 characters of A-Z, a-z, 0-9, _ and -)."""
    return f"visitor-{n}".ljust(22, "_")


def vote_as(client, shop, review_id: str, visitor_id: str | None, value="up", visitor=ANA):
    body = {"value": value} | ({"visitor_id": visitor_id} if visitor_id else {})
    return client.post(f"{shop.public}/reviews/{review_id}/votes", json=body, environ_base=visitor)


@pytest.mark.parametrize("with_ids", [True, False], ids=["visitor-ids", "no-visitor-ids"])
def test_ten_user_agents_from_one_address_count_one_vote(client, shop, review, with_ids):
    answers = [vote_as(client, shop, review, vid(n) if with_ids else None,
                       visitor={**ANA, "HTTP_USER_AGENT": f"Agent/{n}"}) for n in range(10)]

    assert answers[0].status_code == 200
    for refused in answers[1:]:
        assert_problem(refused, 409)
        assert "already counts" in refused.json["detail"]
    assert helpful(client, shop, review) == {"up": 1, "down": 0}


def test_one_visitor_id_from_many_addresses_counts_one_vote(client, shop, review):
    answers = [vote_as(client, shop, review, vid("ana"), visitor={**ANA, "REMOTE_ADDR": f"203.0.113.{n}"})
               for n in range(1, 6)]

    assert [a.status_code for a in answers] == [200] * 5
    assert helpful(client, shop, review) == {"up": 1, "down": 0}


def test_a_visitor_changes_their_vote_from_another_address(client, shop, review):
    vote_as(client, shop, review, vid("ana"), "up")

    changed = vote_as(client, shop, review, vid("ana"), "down", visitor=BEN)

    assert changed.status_code == 200 and changed.json["your_vote"] == "down"
    assert helpful(client, shop, review) == {"up": 0, "down": 1}


def test_another_visitor_on_the_network_cannot_change_the_vote(client, shop, review):
    vote_as(client, shop, review, vid("ana"), "up")

    refused = vote_as(client, shop, review, vid("mallory"), "down", visitor={**ANA, "HTTP_USER_AGENT": "Other/1"})

    assert_problem(refused, 409)
    assert helpful(client, shop, review) == {"up": 1, "down": 0}


@pytest.mark.parametrize(("window", "days_later", "counted"), [
    (None, 29, False), (None, 31, True), (7, 6, False), (7, 8, True),
], ids=["default-within", "default-after", "7-days-within", "7-days-after"])
def test_a_network_votes_again_only_after_the_vote_window(client, shop, review, window, days_later, counted):
    if window is not None:
        assert client.patch("/api/v1/shop", json={"settings": {"vote_window_days": window}},
                            headers=shop.headers).status_code == 200
    vote_as(client, shop, review, vid("ana"), "up")
    clock.travel(timedelta(days=days_later))

    answer = vote_as(client, shop, review, vid("new-tenant"), "up", visitor={**ANA, "HTTP_USER_AGENT": "New/1"})

    assert answer.status_code == (200 if counted else 409)
    assert helpful(client, shop, review)["up"] == (2 if counted else 1)


def test_after_the_window_the_first_voter_still_changes_their_own_vote(client, shop, review):
    vote_as(client, shop, review, vid("ana"), "up")
    clock.travel(timedelta(days=40))
    vote_as(client, shop, review, vid("new-tenant"), "up", visitor={**ANA, "HTTP_USER_AGENT": "New/1"})

    assert vote_as(client, shop, review, vid("ana"), "down", visitor=BEN).status_code == 200
    assert helpful(client, shop, review) == {"up": 1, "down": 1}


@pytest.mark.parametrize("window", [0, 366, "30", 1.5, None, True])
def test_the_vote_window_is_1_to_365_days(client, shop, window):
    response = client.patch("/api/v1/shop", json={"settings": {"vote_window_days": window}}, headers=shop.headers)

    assert_problem(response, 422, field="settings.vote_window_days")


def test_the_vote_window_defaults_to_30_days(client, shop):
    assert client.get("/api/v1/shop", headers=shop.headers).json["settings"]["vote_window_days"] == 30
