"""`reviews-service worker`: run the jobs the rooms registered (queue what fell due), then deliver
the outbox (e-mails, webhooks, and the tasks the rooms registered), until SIGTERM.

Run as many copies as you like: every step claims its rows so that no two workers send the same one.
The worker imports no room above the outbox: what falls due, and whether a queued e-mail is still
wanted, the rooms tell it through `outbox.jobs`.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from flask import current_app

from .. import clock
from ..catalog import mailing
from ..extensions import db
from . import emails, jobs, mailer, service, webhooks
from .models import OutboxMessage, WebhookEndpoint

log = logging.getLogger(__name__)


@dataclass
class Stats:
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    queued: int = 0
    errors: list[str] = field(default_factory=list)


class Worker:
    """One worker process. `printer` (for --print) shows e-mails instead of sending them."""

    def __init__(self, *, printer: Callable[[str], None] | None = None, batch: int = 20):
        self.id = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"
        self.printer = printer
        self.batch = batch
        self.stopping = threading.Event()
        self.next_cleanup = float("-inf")  # finished task rows are forgotten at the first round
        self.http = requests.Session()
        url = current_app.config["SMTP_URL"]
        self.smtp = mailer.parse_smtp_url(url) if url else None

    def stop(self, *_args) -> None:
        self.stopping.set()

    def tick(self) -> Stats:
        """One round: run the registered jobs (review requests, reminders, digests, referrals...);
        then drain what is due."""
        stats = Stats()
        for _name, job in jobs.jobs():
            stats.queued += job()
        if clock.monotonic() >= self.next_cleanup:
            # Once a round would scan the sent rows every few seconds; once an hour is plenty.
            service.forget_finished_tasks()
            self.next_cleanup = clock.monotonic() + service.TASK_KEEP.total_seconds()
        # Without SMTP the e-mails wait; webhooks and the rooms' tasks need no mail server.
        kinds = ("email", "webhook", "task") if (self.smtp or self.printer) else ("webhook", "task")
        return self.drain(kinds, stats)

    def drain(self, kinds: tuple[str, ...], stats: Stats | None = None) -> Stats:
        """Deliver the due rows of `kinds` until none is left (no periodic job runs)."""
        stats = stats or Stats()
        while not self.stopping.is_set():
            batch = service.claim(self.id, limit=self.batch, kinds=kinds)
            if not batch:
                break
            for message in batch:
                if self.stopping.is_set():
                    # Stopping: hand the rest of the batch back now, rather than hold it until
                    # the lease runs out or be killed halfway by a supervisor's grace period.
                    service.release(message)
                    continue
                self._deliver(message, stats)
        return stats

    def _deliver(self, message: OutboxMessage, stats: Stats) -> None:
        # A batch takes a while (a timeout per message): a message whose lease ran out meanwhile
        # may belong to another worker now.
        if not service.renew(message):
            return
        if message.kind == "email":
            reason = self._withdrawn(message)
            if reason:
                service.drop(message, reason)
                stats.dropped += 1
                return
        handler = jobs.task(message.topic) if message.kind == "task" else None
        if message.kind == "task" and handler is None:
            service.drop(message, f"no handler is registered for the task {message.topic!r}")
            stats.dropped += 1
            return
        try:
            if handler is not None:
                service.start_task(message)
                handler(message)
            elif message.kind == "email":
                self._send_email(message)
            else:
                endpoint = db.session.get(WebhookEndpoint, message.endpoint_id)
                if endpoint is None or not endpoint.active:
                    raise RuntimeError("the webhook endpoint was deleted or disabled")
                webhooks.deliver(endpoint, message.payload, self.http)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            db.session.rollback()
            service.mark_failed(message, f"{type(exc).__name__}: {exc}")
            stats.failed += 1
            stats.errors.append(f"{message.id}: {exc}")
            log.warning("outbox %s (%s %s) failed: %s", message.id, message.kind, message.topic, exc)
            return
        service.mark_sent(message)
        stats.sent += 1

    @staticmethod
    def _withdrawn(message: OutboxMessage) -> str | None:
        """Why a queued e-mail must not go out any more: the customer unsubscribed or was erased
        meanwhile (the catalog knows), or the topic's owner no longer wants it (say, a refund)."""
        if message.customer_id is not None:
            reason = mailing.refusal(message.customer_id,
                                     marketing=message.topic in emails.MARKETING_TOPICS)
            if reason:
                return reason
        return jobs.withdrawn(message)

    def _send_email(self, message: OutboxMessage) -> None:
        built = emails.build_message(message.payload)
        if self.printer is not None:
            self.printer(emails.preview(built))
            return
        mailer.send(self.smtp, built)

    def run(self, *, once: bool = False, poll: float | None = None) -> Stats:
        """Loop until SIGTERM/SIGINT (or, with `once`, until nothing is due)."""
        poll = current_app.config["WORKER_POLL_SECONDS"] if poll is None else poll
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self.stop)
        try:
            return self._loop(once, poll)
        finally:
            # An embedding process (a test run, a shell) gets its own handlers back.
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, once: bool, poll: float) -> Stats:
        total = Stats()
        while not self.stopping.is_set():
            try:
                stats = self.tick()
            except Exception:  # the database went away: wait and try again, lose nothing
                db.session.rollback()
                db.session.remove()
                log.exception("worker round failed; retrying")
                if once:
                    raise
                self.stopping.wait(poll)
                continue
            finally:
                db.session.remove()
            for name in ("sent", "failed", "dropped", "queued"):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
            total.errors.extend(stats.errors)
            if once:
                break
            self.stopping.wait(poll)
        return total
