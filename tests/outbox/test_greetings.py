"""Whom the review-request and reminder e-mails greet: the given name, read from a Vietnamese full
name by its order (family name first), else the full name as the shop sent it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviews_service import clock
from tests.helpers import set_settings

from .conftest import fulfilled_order, parse, run_worker


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def greeting_line(raw: bytes) -> str:
    text = parse(raw).get_body(("plain",)).get_content()
    return [line for line in text.splitlines() if line.strip()][1]  # after the heading


@pytest.mark.parametrize(("customer", "greeted", "not_greeted"), [
    ({"name": "Nguyễn Thị Lan", "locale": "vi"}, "Lan", "Nguyễn"),
    ({"name": "Nguyễn Thị Lan", "given_name": "Lan", "family_name": "Nguyễn", "locale": "vi"}, "Lan", "Nguyễn"),
    ({"name": "Ana Buyer", "first_name": "Ana", "last_name": "Buyer", "locale": "en"}, "Ana", "Buyer"),
    ({"name": "Ana Buyer", "locale": "en"}, "Ana Buyer", None),
], ids=["vi-full", "vi-parts", "en-parts", "en-full"])
def test_request_and_reminder_greet_by_the_given_name(app, client, shop, smtp, customer, greeted, not_greeted):
    set_settings(client, shop, review_request_delay_days=0)
    fulfilled_order(client, shop, email="c@example.com", customer={"email": "c@example.com", **customer})
    run_worker(app)
    clock.travel(timedelta(days=8))
    run_worker(app)

    assert len(smtp.messages) == 2  # the request, then the reminder
    for raw in smtp.messages:
        line = greeting_line(raw)
        assert greeted in line, line
        assert not_greeted is None or not_greeted not in line, line
