"""Private replies at the same moment, against the real PostgreSQL server: moderators answering
one review that had no thread open exactly one thread, and every reply is kept and e-mailed once."""

from __future__ import annotations

import pytest

from tests.catalog.test_concurrency_pg import all_at_once
from tests.factories import make_shop
from tests.helpers import post_order, row_counts, set_settings, submit

pytestmark = pytest.mark.postgres

AT_ONCE = 8


def test_replies_at_once_to_a_review_without_a_thread_open_one_thread(pg_app):
    shop = make_shop(pg_app, "Shop A")
    client = pg_app.test_client()
    set_settings(client, shop, support_email="help@shop-a.example")
    token = post_order(client, shop, "RACE-1", email="ani@example.com", items=[("sku-1", "Trail shoes")])["widget_token"]
    review = submit(client, shop, "sku-1", rating=5, body="Lovely.", token=token).json["id"]

    path = f"/api/v1/reviews/{review}/private-replies"
    answers = all_at_once(pg_app, [(path, {"body": f"Thank you ({n})"}, shop.headers) for n in range(AT_ONCE)])

    assert [a.status_code for a in answers] == [201] * AT_ONCE, [a.get_data(as_text=True) for a in answers]
    assert len({a.get_json()["id"] for a in answers}) == 1
    counts = row_counts(pg_app)
    assert (counts["feedback_threads"], counts["private_replies"]) == (1, AT_ONCE)
    thread = client.get(path, headers=shop.headers).json
    assert sorted(m["body"] for m in thread["messages"] if m["kind"] == "reply") == sorted(
        f"Thank you ({n})" for n in range(AT_ONCE))
