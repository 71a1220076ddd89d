"""Private feedback reaches the shop's opted-in members through the same batched alert as a low
rating (a real SMTP server), with the message and no stars."""

from __future__ import annotations

import pytest

from tests.helpers import post_order
from tests.moderation.test_problem_alerts import _fast_password_hashes, messages, opt_in, smtp  # noqa: F401
from tests.outbox.conftest import run_worker


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {"SMTP_URL": smtp.url, "PUBLIC_WRITE_LIMIT": "1000 per minute", "DIGEST_HOUR": 24}


def test_private_feedback_alone_alerts_the_opted_in_member(app, client, shop, smtp):  # noqa: F811
    opt_in(app, shop, "helper@shop-a.example")
    token = post_order(client, shop, "AL-1", email="ana@example.com", items=[("sku-1", "Trail shoes")])["widget_token"]
    answer = client.post(f"{shop.public}/feedback", json={"token": token, "message": "The box arrived crushed."})
    assert answer.status_code == 201

    run_worker(app)

    [message] = messages(smtp)
    assert message["To"] == "helper@shop-a.example"
    text = message.get_body(("plain",)).get_content()
    assert "The box arrived crushed." in text and "star" not in text.split("crushed.")[0].lower()
    assert "ana@example.com" not in text
