"""Fixtures for the delivery tests: the real servers, and helpers that drive the service the way a
shop's backend and an operator would (HTTP for orders and settings, the worker for delivery)."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from reviews_service.outbox.worker import Stats, Worker
from tests.conftest import SECRET
from tests.helpers import order_event, post_order

from .servers import SmtpServer, WebhookReceiver


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    server.start()
    yield server
    server.stop()


def run_worker(app, **kwargs) -> Stats:
    """One `--once` run of the worker, in-process."""
    with app.app_context():
        return Worker(**kwargs).run(once=True)


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def fulfilled_order(client, shop, **kw) -> dict:
    order = post_order(client, shop, **kw)
    return order_event(client, shop, order["id"], "fulfilled")


def outbox(app, **where) -> list[OutboxMessage]:
    """The outbox rows, oldest first, detached so that they can be read after the context ends."""
    with app.app_context():
        query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def add_endpoint(client, shop, url: str, events: list[str]) -> dict:
    response = client.post("/api/v1/webhooks", json={"url": url, "events": events}, headers=shop.headers)
    assert response.status_code == 201, response.json
    return response.json


def worker_process(database_url: str, instance: Path, *args: str) -> subprocess.Popen:
    """`reviews-service worker ...` as an operator starts it: its own process, settings from the
    environment, no SMTP server configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWS_")}
    env.update({"REVIEWS_DATABASE_URL": database_url, "REVIEWS_SECRET_KEY": SECRET,
                "REVIEWS_INSTANCE_PATH": str(instance), "REVIEWS_PUBLIC_URL": "http://reviews.test"})
    command = Path(sys.executable).with_name("reviews-service")
    return subprocess.Popen([str(command), "worker", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def worker_summary(stderr: str) -> dict[str, int]:
    """The counts of the worker's last line: `worker <id>: queued 0, sent 3, failed 0, dropped 0`."""
    line = stderr.strip().splitlines()[-1]
    return {name: int(n) for name, n in re.findall(r"(\w+) (\d+)", line.split(": ", 1)[1])}
