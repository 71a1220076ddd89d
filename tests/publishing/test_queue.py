"""When the files are written: one coalesced task per product (and one for the shop's rating),
queued in the change's own transaction; a change after the worker started a task queues another;
a new default language republishes the shop; nothing at all while publishing is off."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from reviews_service import clock
from reviews_service.extensions import db
from reviews_service.outbox import service as outbox
from reviews_service.outbox.models import OutboxMessage
from reviews_service.outbox.worker import Worker
from reviews_service.publishing import storage
from tests.factories import make_product
from tests.helpers import one_error_line, publish, run, set_settings

from .conftest import api_urls, product_folder, run_tasks, run_worker, tasks


def _published_reviews(root, shop, product_id: str) -> list[str]:
    page = json.loads((product_folder(root, shop, product_id) / "reviews.json").read_text())
    return [review["body"] for review in page["reviews"]]


def _pending(app) -> list[tuple[str, str]]:
    return [(row["topic"], row["key"]) for row in tasks(app, status="pending")]


def test_ten_changes_before_the_worker_runs_make_one_task_and_one_write(app, client, shop, published_root,
                                                                         monkeypatch):
    for n in range(10):
        publish(client, shop, "sku-1", 1 + n % 5, email=f"buyer{n}@example.com", body=f"Review {n}.")
    writes = []
    put = storage.LocalTarget.put
    monkeypatch.setattr(storage.LocalTarget, "put", lambda self, path, *a, **k: (writes.append(path),
                                                                                 put(self, path, *a, **k)))

    assert _pending(app) == [("publish.product", "publish:1"), ("publish.shop_rating", f"publish-rating:{shop.id}")]
    stats = run_worker(app)

    assert stats.sent == 2
    product_files = [path for path in writes if "/products/" in path]
    assert len(product_files) == len(set(product_files)) == len(api_urls(shop, "sku-1"))
    assert sorted(_published_reviews(published_root, shop, "sku-1")) == sorted(f"Review {n}." for n in range(10))


def test_a_change_after_the_worker_started_the_task_queues_another(app, client, shop, published_root):
    publish(client, shop, "sku-1", 5, body="First.")
    with app.app_context():
        claimed = outbox.claim("another-worker", kinds=("task",))
        for message in claimed:
            outbox.start_task(message)  # what a worker does before it reads anything
        db.session.remove()

    publish(client, shop, "sku-1", 4, email="second@example.com", body="Second.")

    assert _pending(app) == [("publish.product", "publish:1"), ("publish.shop_rating", f"publish-rating:{shop.id}")]
    run_tasks(app)
    assert sorted(_published_reviews(published_root, shop, "sku-1")) == ["First.", "Second."]


def test_a_change_to_another_product_queues_its_own_task(app, client, shop):
    publish(client, shop, "sku-1", 5)
    publish(client, shop, "sku-2", 5, email="other@example.com")

    assert sorted(row["payload"].get("product_id") for row in tasks(app) if row["topic"] == "publish.product") == [1, 2]


def test_a_public_reply_republishes_the_product(app, client, shop, published_root):
    review = publish(client, shop, "sku-1", 5)
    run_tasks(app)

    client.post(f"/api/v1/reviews/{review['id']}/reply", json={"body": "Thanks a lot!"}, headers=shop.headers)
    run_tasks(app)
    assert "Thanks a lot!" in (product_folder(published_root, shop, "sku-1") / "reviews.json").read_text()

    client.delete(f"/api/v1/reviews/{review['id']}/reply", headers=shop.headers)
    run_tasks(app)
    assert "Thanks a lot!" not in (product_folder(published_root, shop, "sku-1") / "reviews.json").read_text()


def test_a_helpful_vote_republishes_the_products_reviews(app, client, shop, published_root):
    review = publish(client, shop, "sku-1", 5)
    run_tasks(app)

    voted = client.post(f"{shop.public}/reviews/{review['id']}/votes", json={"value": "up"})
    assert voted.status_code in (200, 201), voted.get_json()
    run_tasks(app)

    page = json.loads((product_folder(published_root, shop, "sku-1") / "reviews.json").read_text())
    assert page["reviews"][0]["helpful"] == {"up": 1, "down": 0}
    assert (product_folder(published_root, shop, "sku-1") / "reviews.json").read_bytes() == client.get(
        api_urls(shop, "sku-1")["reviews.json"]).data


def test_a_rejected_review_leaves_the_files(app, client, shop, published_root):
    publish(client, shop, "sku-1", 5, body="Keep me.")
    gone = publish(client, shop, "sku-1", 1, email="spammer@example.com", body="Buy cheap watches.")
    run_tasks(app)
    assert "Buy cheap watches." in (product_folder(published_root, shop, "sku-1") / "reviews.json").read_text()

    answer = client.post(f"/api/v1/reviews/{gone['id']}/decision", json={"decision": "reject", "reason": "spam"},
                         headers=shop.headers)
    assert answer.status_code == 200, answer.get_json()
    run_tasks(app)

    folder = product_folder(published_root, shop, "sku-1")
    assert _published_reviews(published_root, shop, "sku-1") == ["Keep me."]
    assert (folder / "rating.json").read_bytes() == client.get(api_urls(shop, "sku-1")["rating.json"]).data
    assert json.loads((folder / "rating.json").read_text())["count"] == 1


def test_a_new_default_language_republishes_the_shops_badges(app, client, shop, published_root):
    publish(client, shop, "sku-1", 5)
    publish(client, shop, "sku-2", 4, email="other@example.com")
    run_tasks(app)
    english = (product_folder(published_root, shop, "sku-2") / "badge.svg").read_bytes()

    set_settings(client, shop, default_locale="hy")
    run_tasks(app)

    for product_id in ("sku-1", "sku-2"):
        badge = (product_folder(published_root, shop, product_id) / "badge.svg").read_bytes()
        assert badge == client.get(api_urls(shop, product_id)["badge.svg"]).data
    assert badge != english


def test_a_setting_no_file_shows_queues_nothing(app, client, shop):
    publish(client, shop, "sku-1", 5)
    run_tasks(app)

    set_settings(client, shop, review_request_delay_days=3)

    assert _pending(app) == []


def test_a_republish_of_a_large_shop_goes_in_batches(app, client, shop, published_root, monkeypatch):
    from reviews_service.publishing import service

    monkeypatch.setattr(service, "BATCH", 2)
    for n in range(5):
        make_product(app, shop, f"p{n}")

    set_settings(client, shop, default_locale="de")
    assert [row["topic"] for row in tasks(app, status="pending")] == ["publish.shop"]
    run_tasks(app)

    assert all((product_folder(published_root, shop, f"p{n}") / "badge.svg").is_file() for n in range(5))
    assert [row["status"] for row in tasks(app) if row["topic"] == "publish.shop"] == ["sent"] * 3


def test_a_failed_write_is_retried_and_the_next_run_writes_the_files(app, client, shop, published_root, monkeypatch):
    publish(client, shop, "sku-1", 5)
    put = storage.LocalTarget.put

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage.LocalTarget, "put", broken)
    assert run_tasks(app).failed == 2
    with app.app_context():
        from sqlalchemy import update

        from reviews_service.outbox.models import OutboxMessage
        db.session.execute(update(OutboxMessage).values(next_attempt_at=OutboxMessage.created_at))
        db.session.commit()
    monkeypatch.setattr(storage.LocalTarget, "put", put)

    assert run_tasks(app).sent == 2
    assert (product_folder(published_root, shop, "sku-1") / "rating.json").is_file()


def test_the_worker_runs_tasks_without_an_smtp_server(app, client, shop, published_root):
    publish(client, shop, "sku-1", 5)

    result = run(app.test_cli_runner(), "worker", "--once")

    assert result.exit_code == 0, result.output
    assert (product_folder(published_root, shop, "sku-1") / "reviews.json").is_file()


# --- off by default ------------------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{}], ids=["default"])
def test_while_publishing_is_off_nothing_is_queued(app, client, shop, tmp_path):
    review = publish(client, shop, "sku-1", 5)
    client.post(f"/api/v1/reviews/{review['id']}/reply", json={"body": "Thanks"}, headers=shop.headers)
    set_settings(client, shop, default_locale="hy")
    client.post("/api/v1/customers/erase", json={"email": "buyer@example.com"}, headers=shop.headers)

    assert tasks(app) == []
    with app.app_context():
        Worker().run(once=True)
    assert not (tmp_path / "instance" / "published").exists()


@pytest.mark.parametrize("app_config", [{}], ids=["default"])
def test_the_publish_command_says_publishing_is_off(app):
    result = run(app.test_cli_runner(), "publish")

    assert result.exit_code == 1
    assert one_error_line(result) == "Error: Publishing is off: set REVIEWS_PUBLISH_STORAGE to local or s3."


def test_a_finished_task_row_is_forgotten_an_hour_later_and_a_failed_one_stays(app, client, shop):
    publish(client, shop, "sku-1", 4)
    run_worker(app)
    finished = [row["id"] for row in tasks(app, status="sent")]
    assert finished
    with app.app_context():  # another task that failed, and an e-mail sent long ago
        outbox.enqueue(kind="task", topic="publish.product", payload={"product_id": 1}, shop_id=shop.id)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.kind == "task",
                                                       OutboxMessage.status == "pending")
                           .values(status="dead", attempts=8, last_error="disk full"))
        db.session.commit()
    run_worker(app)
    assert [row["id"] for row in tasks(app, status="sent")] == finished  # within the hour: kept

    clock.travel(timedelta(minutes=61))
    run_worker(app)
    assert tasks(app, status="sent") == []
    assert [row["status"] for row in tasks(app)] == ["dead"]
    with app.app_context():
        kinds = {m.kind for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent"))}
        assert "task" not in kinds
