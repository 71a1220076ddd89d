"""A task row as the shop's owner and backend see it: in the admin's outbox and the outbox API."""

from __future__ import annotations

from tests.admin.conftest import admin_for
from tests.helpers import publish

from .conftest import tasks


def test_the_admins_outbox_shows_a_task_as_a_task(app, client, shop):
    publish(client, shop, "sku-1", 5)
    owner = admin_for(app, shop, "owner")
    task = next(row for row in tasks(app) if row["topic"] == "publish.product")

    listing = owner.get(f"{owner.base}/outbox").get_data(as_text=True)
    page = owner.get(f"{owner.base}/outbox/{task['id']}").get_data(as_text=True)

    assert "<td>Task</td>" in listing and "publish.product" in listing
    assert f"Task #{task['id']}: publish.product" in page
    assert "&#34;product_id&#34;: 1" in page  # the task's payload, as JSON


def test_the_outbox_api_lists_tasks_with_their_kind(app, client, shop):
    publish(client, shop, "sku-1", 5)

    answer = client.get("/api/v1/outbox", headers=shop.headers)

    assert answer.status_code == 200
    assert {(m["kind"], m["topic"]) for m in answer.get_json()["messages"]} >= {
        ("task", "publish.product"), ("task", "publish.shop_rating")}
