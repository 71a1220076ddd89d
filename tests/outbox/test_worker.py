"""`reviews-service worker` as operators run it: a real process that stops cleanly on SIGTERM,
`--once` that drains and exits, claims that outlive a dead worker, and two workers on PostgreSQL
that never deliver the same row twice."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from reviews_service import clock
from reviews_service.cli import main
from reviews_service.extensions import db
from reviews_service.outbox import service as outbox_service
from reviews_service.outbox import webhooks
from reviews_service.outbox.models import OutboxMessage
from reviews_service.outbox.worker import Worker
from tests.factories import make_shop
from tests.helpers import post_order

from .conftest import add_endpoint, outbox, run_worker, worker_process, worker_summary

SAFETY_NET = 60  # seconds: only so that a broken worker fails the test instead of hanging it


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + SAFETY_NET
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def subscribed(client, shop, receiver):
    receiver.secret = add_endpoint(client, shop, receiver.url, ["order.processed"])["secret"]
    return receiver


# --- the process ---------------------------------------------------------------------------------

def test_worker_stops_cleanly_on_sigterm_with_exit_code_0(app, client, shop, subscribed, tmp_path):
    post_order(client, shop)
    # A long poll: the worker must wake up for the signal, not sleep it out.
    proc = worker_process(app.config["DATABASE_URL"], tmp_path / "worker", "--poll", "600")
    try:
        wait_until(lambda: subscribed.event_ids, "the worker's first delivery")
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=SAFETY_NET)
    finally:
        proc.kill()

    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert worker_summary(stderr)["sent"] == 1
    assert [row.status for row in outbox(app)] == ["sent"]


def test_worker_once_drains_what_is_due_and_exits(app, client, shop, subscribed, tmp_path):
    for _ in range(3):
        post_order(client, shop)

    proc = worker_process(app.config["DATABASE_URL"], tmp_path / "worker", "--once")
    _, stderr = proc.communicate(timeout=SAFETY_NET)

    assert proc.returncode == 0, stderr
    assert worker_summary(stderr)["sent"] == 3
    assert len(set(subscribed.event_ids)) == 3
    assert {row.status for row in outbox(app)} == {"sent"}


def test_worker_once_leaves_what_is_not_due_yet(app, client, shop, subscribed, tmp_path):
    subscribed.fail_next = 1
    post_order(client, shop)
    run_worker(app)  # failed: its retry is 30 s or more away

    proc = worker_process(app.config["DATABASE_URL"], tmp_path / "worker", "--once")
    _, stderr = proc.communicate(timeout=SAFETY_NET)

    assert proc.returncode == 0, stderr
    assert len(subscribed.deliveries) == 1
    [row] = outbox(app)
    assert (row.status, row.attempts) == ("failed", 1)


def test_worker_without_smtp_says_emails_stay_in_the_outbox(app, client, shop, tmp_path):
    proc = worker_process(app.config["DATABASE_URL"], tmp_path / "worker", "--once")
    _, stderr = proc.communicate(timeout=SAFETY_NET)

    assert proc.returncode == 0, stderr
    assert "REVIEWS_SMTP_URL is not set" in stderr


def test_worker_with_a_bad_smtp_url_exits_1_with_one_line(app, runner):
    app.config["SMTP_URL"] = "smtp://user:hunter2@mail.example:99999"

    result = runner.invoke(main, ["worker", "--once"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert "REVIEWS_SMTP_URL" in result.output and "hunter2" not in result.output


# --- claims --------------------------------------------------------------------------------------

def claim_as_another_worker(app, lease_left: timedelta) -> None:
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(
            status="sending", locked_by="dead-host:4242:1:cafe", locked_until=clock.now() + lease_left))
        db.session.commit()


def test_row_claimed_by_a_worker_that_died_is_claimed_again(app, client, shop, subscribed):
    post_order(client, shop)
    claim_as_another_worker(app, lease_left=-timedelta(seconds=1))

    run_worker(app)

    [row] = outbox(app)
    assert (row.status, row.attempts, row.locked_by) == ("sent", 1, None)
    assert len(subscribed.event_ids) == 1


def test_row_claimed_by_a_live_worker_is_left_alone(app, client, shop, subscribed):
    post_order(client, shop)
    claim_as_another_worker(app, lease_left=timedelta(minutes=4))

    run_worker(app)

    [row] = outbox(app)
    assert row.status == "sending" and subscribed.deliveries == []


def test_claims_of_two_workers_are_disjoint(app, client, shop, subscribed):
    for _ in range(5):
        post_order(client, shop)

    with app.app_context():
        first = [m.id for m in outbox_service.claim("worker-a", limit=3)]
        second = [m.id for m in outbox_service.claim("worker-b", limit=3)]

    assert len(first) == 3 and len(second) == 2
    assert not set(first) & set(second)


def test_late_outcome_from_a_worker_whose_claim_was_taken_over_is_ignored(app, client, shop, subscribed):
    post_order(client, shop)
    with app.app_context():
        [stale] = outbox_service.claim("worker-a")
        db.session.expunge(stale)
    clock.travel(timedelta(minutes=6))  # worker-a's lease ran out: it is presumed dead
    run_worker(app)

    with app.app_context():
        outbox_service.mark_failed(stale, "worker-a woke up late")

    [row] = outbox(app)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)


# --- two workers on PostgreSQL -------------------------------------------------------------------

ROWS = 300


@pytest.mark.postgres
def test_two_workers_on_postgres_deliver_every_row_exactly_once(pg_app, pg_url, receiver, tmp_path):
    client = pg_app.test_client()
    shop = make_shop(pg_app, "Race shop")
    receiver.secret = add_endpoint(client, shop, receiver.url, ["order.processed"])["secret"]
    with pg_app.app_context():
        for n in range(ROWS):
            outbox_service.emit_event(shop.id, "order.processed", {"order": {"id": f"R-{n}"}})
        db.session.commit()
    receiver.wait_for_company = True  # each worker's first delivery waits until the other's arrives

    procs = [worker_process(pg_url, tmp_path / f"worker-{n}", "--once") for n in range(2)]
    results = [proc.communicate(timeout=SAFETY_NET * 3) for proc in procs]

    for proc, (_, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
    sent = [worker_summary(stderr)["sent"] for _, stderr in results]
    assert receiver.company.is_set(), "the two workers never delivered at the same time"
    assert all(n > 0 for n in sent) and sum(sent) == ROWS
    assert len(receiver.deliveries) == ROWS and all(d.valid for d in receiver.deliveries)
    assert len(set(receiver.event_ids)) == ROWS
    rows = outbox(pg_app)
    assert len(rows) == ROWS
    assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}


def test_worker_skips_a_message_whose_lease_another_worker_took_over(app, client, shop, subscribed, monkeypatch):
    first_order, second_order = post_order(client, shop), post_order(client, shop)
    real_deliver = webhooks.deliver
    took_over = []

    def slow_delivery(endpoint, payload, session=None):
        real_deliver(endpoint, payload, session)
        if not took_over:  # this delivery outlasted the lease: another worker takes over the batch
            took_over.append(True)
            clock.travel(outbox_service.LEASE + timedelta(minutes=1))
            run_worker(app)

    monkeypatch.setattr(webhooks, "deliver", slow_delivery)
    run_worker(app)

    orders = [d.body["data"]["order"]["id"] for d in subscribed.deliveries]
    assert orders.count(second_order["id"]) == 1
    assert orders.count(first_order["id"]) == 2  # the one delivery that outlasted its lease
    assert {(row.status, row.attempts) for row in outbox(app)} == {("sent", 1)}


@pytest.mark.parametrize("app_config", [{"SMTP_URL": ""}])
def test_stopping_mid_batch_hands_the_rest_of_the_batch_back(app, client, shop):
    client.patch("/api/v1/shop", json={"settings": {"review_request_delay_days": 0}}, headers=shop.headers)
    for n in range(3):
        order = post_order(client, shop, email=f"buyer{n}@example.com")
        client.post(f"/api/v1/orders/{order['id']}/events", json={"type": "fulfilled"}, headers=shop.headers)

    with app.app_context():
        worker = Worker(printer=lambda _text: worker.stop())
        stats = worker.run()

    rows = outbox(app, kind="email")
    assert stats.sent == 1
    assert [(row.status, row.attempts, row.locked_by) for row in rows] == [
        ("sent", 1, None), ("pending", 0, None), ("pending", 0, None)]


@pytest.mark.parametrize("poll", ["0", "-1", "soon"])
def test_worker_refuses_a_poll_interval_that_would_spin(runner, poll):
    result = runner.invoke(main, ["worker", "--poll", poll])

    assert result.exit_code == 2 and "--poll" in result.output
