"""The worker runs the jobs the rooms register (`outbox.jobs`): each round, in the order they were
registered, with the pre-send checks of the topics they own; and the outbox imports no room above
it, nor any other room's models."""

from __future__ import annotations

from types import SimpleNamespace

import grimp
import pytest

from reviews_service import create_app
from reviews_service.cli import main
from reviews_service.extensions import db
from reviews_service.outbox import emails, jobs
from reviews_service.outbox import service as outbox_service
from tests.conftest import base_config

from .conftest import outbox, parse, worker_summary


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def note_job(shop, topic: str, to: str = "team@shop-a.example"):
    """A room's job: queue one e-mail of `topic` the first time it runs."""
    def job() -> int:
        sender = SimpleNamespace(id=shop.id, name="Shop A")  # what a room hands to the renderer
        payload = emails.render("digest", shop=sender, to=to, lang="en", count=3, link="https://shop-a.example/",
                                subject_params={"count": 3})
        queued = outbox_service.enqueue(kind="email", topic=topic, payload=payload, shop_id=shop.id,
                                        recipient=to, dedupe_key=f"{topic}:{to}")
        db.session.commit()
        return int(queued)
    return job


def test_a_job_a_room_registers_runs_in_the_worker_and_its_email_is_sent(app, runner, shop, smtp):
    jobs.register_job(app, "notes", note_job(shop, "note"))

    result = runner.invoke(main, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert worker_summary(result.output) == {"queued": 1, "sent": 1, "failed": 0, "dropped": 0}
    assert parse(smtp.messages[0])["To"] == "team@shop-a.example"
    assert [row.status for row in outbox(app, topic="note")] == ["sent"]


def test_jobs_run_in_the_order_they_were_registered_and_once_each_round(app, runner):
    ran = []
    for name in ("first", "second", "third"):
        jobs.register_job(app, name, lambda name=name: ran.append(name) or 0)
    jobs.register_job(app, "first", lambda: ran.append("first") or 0)  # again: same place, runs once

    assert runner.invoke(main, ["worker", "--once"]).exit_code == 0

    assert ran == ["first", "second", "third"]


def test_the_rooms_register_their_jobs_in_the_app_factory(app):
    with app.app_context():
        names = [name for name, _job in jobs.jobs()]

    assert names == ["review requests", "moderators' digest", "alerts about unhappy customers", "referrals",
                     "review incentives", "referral invitations", "loyalty", "loyalty e-mails"]


def test_a_check_registered_for_a_topic_drops_a_queued_email_it_no_longer_wants(app, runner, shop, smtp):
    jobs.register_job(app, "notes", note_job(shop, "note"))
    jobs.register_job(app, "memos", note_job(shop, "memo", to="memo@shop-a.example"))
    jobs.register_check(app, ["note"], lambda message: "the note was taken back")

    result = runner.invoke(main, ["worker", "--once"])

    assert worker_summary(result.output) == {"queued": 2, "sent": 1, "failed": 0, "dropped": 1}
    assert [parse(raw)["To"] for raw in smtp.messages] == ["memo@shop-a.example"]
    [note] = outbox(app, topic="note")
    assert (note.status, note.last_error) == ("dead", "the note was taken back")


def test_jobs_registered_on_one_app_do_not_run_in_another(app, tmp_path):
    other = create_app(base_config(tmp_path / "other", DATABASE_URL=f"sqlite:///{tmp_path / 'other.db'}"))
    jobs.register_job(app, "notes", lambda: 0)

    with other.app_context():
        assert "notes" not in [name for name, _job in jobs.jobs()]


ROOMS = ("shops", "catalog", "reviews", "ratings", "moderation", "collecting", "referrals", "admin", "widget")
ABOVE_THE_OUTBOX = ("reviews", "ratings", "moderation", "collecting", "referrals", "admin", "widget", "cli", "demo")
# A type in the webhook endpoints' signatures, never queried: the shop whose endpoints they are.
TYPES_ONLY = {("reviews_service.outbox.webhooks", "reviews_service.shops.models")}


def test_the_outbox_imports_no_room_above_it_and_no_other_rooms_models():
    graph = grimp.build_graph("reviews_service", include_external_packages=False)
    outbox_modules = graph.find_descendants("reviews_service.outbox") | {"reviews_service.outbox"}
    imports = {(module, imported) for module in outbox_modules
               for imported in graph.find_modules_directly_imported_by(module)}

    climbing = {pair for pair in imports if pair[1].split(".")[1] in ABOVE_THE_OUTBOX}
    models = {pair for pair in imports
              if pair[1].split(".")[1] in ROOMS and pair[1].endswith(".models")} - TYPES_ONLY

    assert ("reviews_service.outbox.worker", "reviews_service.outbox.jobs") in imports  # the graph is read
    assert climbing == set()
    assert models == set()
