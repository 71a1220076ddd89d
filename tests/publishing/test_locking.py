"""Two workers never write one product's files at once (PostgreSQL: the job holds an advisory
lock from before it reads until its last write), so the later state always wins: a worker that
started on an older state finishes first, and the task a later change queued waits for it, then
reads and writes the newer state."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text

from reviews_service.extensions import db
from reviews_service.outbox.worker import Worker
from reviews_service.publishing import storage
from tests.factories import make_shop
from tests.helpers import publish

from .conftest import api_urls, product_folder, tasks

pytestmark = pytest.mark.postgres


def _waiting_for_advisory_locks(app) -> int:
    with app.app_context():
        count = db.session.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))
        db.session.remove()
        return count


def _poll(predicate, *, tries: int = 400, pause: float = 0.05) -> bool:
    stop = threading.Event()
    for _ in range(tries):
        if predicate():
            return True
        stop.wait(pause)
    return False


def test_the_later_state_wins_when_two_workers_take_one_products_tasks(pg_app, published_root, monkeypatch):
    app, client = pg_app, pg_app.test_client()
    shop = make_shop(app, "Shop A")
    publish(client, shop, "sku-1", 5, body="First.")
    writes: list[tuple[str, str]] = []
    paused, resume = threading.Event(), threading.Event()
    put = storage.LocalTarget.put

    def recorded_put(self, path, *args, **kwargs):
        who = threading.current_thread().name
        if who == "worker-a" and path.endswith("/rating.json") and "/products/" in path and not paused.is_set():
            paused.set()  # worker A has read the first state and holds the product's lock
            assert resume.wait(30)
        writes.append((who, path))
        return put(self, path, *args, **kwargs)

    monkeypatch.setattr(storage.LocalTarget, "put", recorded_put)

    def drain():
        with app.app_context():
            Worker().drain(("task",))
            db.session.remove()

    worker_a = threading.Thread(target=drain, name="worker-a")
    worker_a.start()
    assert paused.wait(30)

    publish(client, shop, "sku-1", 4, email="second@example.com", body="Second.")
    assert [row["topic"] for row in tasks(app, status="pending")] == ["publish.product"]
    worker_b = threading.Thread(target=drain, name="worker-b")
    worker_b.start()
    try:
        assert _poll(lambda: _waiting_for_advisory_locks(app) == 1)  # B waits for A's lock
        assert not [path for who, path in writes if who == "worker-b" and "/products/" in path]
    finally:
        resume.set()
        worker_a.join(30)
        worker_b.join(30)

    product_writes = [who for who, path in writes if "/products/" in path]
    assert product_writes == sorted(product_writes)  # all of A's, then all of B's
    assert product_writes[0] == "worker-a" and product_writes[-1] == "worker-b"
    folder = product_folder(published_root, shop, "sku-1")
    page = json.loads((folder / "reviews.json").read_text())
    assert sorted(review["body"] for review in page["reviews"]) == ["First.", "Second."]
    for name, url in api_urls(shop, "sku-1").items():
        assert (folder / name).read_bytes() == client.get(url).data


def test_on_postgresql_ten_changes_make_one_task_and_an_erasure_rewrites_the_files(pg_app, published_root):
    app, client = pg_app, pg_app.test_client()
    shop = make_shop(app, "Shop A")
    for n in range(10):
        publish(client, shop, "sku-1", 1 + n % 5, email=f"buyer{n}@example.com", body=f"Review {n}.",
                display_name=f"Person{n} Surname")

    assert [row["topic"] for row in tasks(app, status="pending")] == ["publish.product", "publish.shop_rating"]
    with app.app_context():
        assert Worker().drain(("task",)).sent == 2
        db.session.remove()
    assert b"Person3 S." in (product_folder(published_root, shop, "sku-1") / "reviews.json").read_bytes()

    client.post("/api/v1/customers/erase", json={"email": "buyer3@example.com"}, headers=shop.headers)
    with app.app_context():
        Worker().drain(("task",))
        db.session.remove()

    folder = product_folder(published_root, shop, "sku-1")
    assert b"Person3" not in (folder / "reviews.json").read_bytes()
    for name, url in api_urls(shop, "sku-1").items():
        assert (folder / name).read_bytes() == client.get(url).data
