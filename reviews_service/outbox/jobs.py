"""The worker's jobs, registered by the rooms that own them (in the app factory's `_register_jobs`).

The outbox keeps the queue and delivers it; what falls due (review requests, reminders, the
moderators' digest, referrals whose hold passed) is known only to the room that owns it. So a room
registers a periodic job, "queue what fell due", and, for the e-mail topics it owns, a pre-send
check, "is this queued message still wanted?". A room may also register a task handler: an outbox
row of kind "task" (`service.enqueue_task`) names its handler by its topic, and the worker hands
the claimed row to it. The worker runs them all without importing any room.

Kept per app (in `app.extensions`), so the many apps a test run builds never share a registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app

from .models import OutboxMessage

Job = Callable[[], int]  # queues what fell due; answers how many messages it queued
Check = Callable[[OutboxMessage], str | None]  # None, or why the queued message must not go out
Task = Callable[[OutboxMessage], None]  # does the row's work (commits its own); raises to retry it

_KEY = "reviews.jobs"


@dataclass
class Registry:
    jobs: dict[str, Job] = field(default_factory=dict)  # by name, in the order they were registered
    checks: dict[str, list[Check]] = field(default_factory=dict)  # by e-mail topic
    tasks: dict[str, Task] = field(default_factory=dict)  # by task topic


def _registry(app: Flask) -> Registry:
    return app.extensions.setdefault(_KEY, Registry())


def register_job(app: Flask, name: str, job: Job) -> None:
    """Run `job` once per worker round, after the jobs registered before it. Registering a name
    again replaces its job (and keeps its place), so registering twice runs it once."""
    _registry(app).jobs[name] = job


def register_check(app: Flask, topics: Iterable[str], check: Check) -> None:
    """Ask `check` before an e-mail of one of `topics` goes out; the first reason given drops it."""
    for topic in topics:
        checks = _registry(app).checks.setdefault(topic, [])
        if check not in checks:
            checks.append(check)


def register_task(app: Flask, topic: str, handler: Task) -> None:
    """Run `handler` for each claimed outbox row of kind "task" and this topic. Registering the
    topic again replaces its handler."""
    _registry(app).tasks[topic] = handler


def task(topic: str) -> Task | None:
    """The current app's handler of a task topic, or None when no room registered one."""
    return _registry(current_app).tasks.get(topic)


def jobs() -> list[tuple[str, Job]]:
    """The current app's periodic jobs, in the order they run."""
    return list(_registry(current_app).jobs.items())


def withdrawn(message: OutboxMessage) -> str | None:
    """Why the topic's owner no longer wants this queued e-mail sent (None when it still does)."""
    for check in _registry(current_app).checks.get(message.topic, ()):
        reason = check(message)
        if reason:
            return reason
    return None
