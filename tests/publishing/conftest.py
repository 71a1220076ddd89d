"""Fixtures for publish on write: an app that publishes to a local folder, the worker run the way
an operator runs it, and readers of the folder and of the outbox's tasks."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest
from sqlalchemy import select

from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from reviews_service.outbox.worker import Stats, Worker
from reviews_service.ratings import words

from ..published import published_name


@pytest.fixture
def published_root(tmp_path) -> Path:
    return tmp_path / "published"


@pytest.fixture
def app_config(published_root) -> dict:
    return {"PUBLISH_STORAGE": "local", "PUBLISH_ROOT": str(published_root)}


def run_worker(app) -> Stats:
    """One `--once` run of the worker, in-process."""
    with app.app_context():
        return Worker().run(once=True)


def run_tasks(app) -> Stats:
    """Deliver only the due tasks (no periodic job, no e-mail, no webhook)."""
    with app.app_context():
        stats = Worker().drain(("task",))
        db.session.remove()
        return stats


def tasks(app, *, status: str | None = None) -> list[dict]:
    """The outbox's task rows, oldest first."""
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.kind == "task").order_by(OutboxMessage.id)
        if status:
            query = query.where(OutboxMessage.status == status)
        rows = [{"id": m.id, "topic": m.topic, "status": m.status, "key": m.dedupe_key, "payload": m.payload}
                for m in db.session.scalars(query)]
        db.session.remove()
        return rows


def product_folder(root: Path, shop, product_id: str) -> Path:
    return root / shop.public_key / "products" / published_name(product_id)


FILES = ("rating.json", "badge.svg", "reviews.json")


def api_urls(shop, product_id: str) -> dict[str, str]:
    """Each published file of a product and the API URL whose body it must equal."""
    from urllib.parse import quote

    base = f"{shop.public}/products/{quote(product_id, safe='')}"
    urls = {"rating.json": f"{base}/rating", "badge.svg": f"{base}/badge.svg",
            "reviews.json": f"{base}/reviews"}
    urls.update({f"badge.{lang}.svg": f"{base}/badge.svg?lang={lang}" for lang in words.languages()})
    return urls


def read_all(path: Path) -> list[bytes]:
    """A published file's body and its `.gz` and `.br` siblings', decompressed."""
    return [path.read_bytes(), gzip.decompress(path.with_name(path.name + ".gz").read_bytes()),
            brotli.decompress(path.with_name(path.name + ".br").read_bytes())]


def every_file(root: Path) -> dict[str, bytes]:
    """Every file under the folder by relative path, compressed siblings decompressed."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        elif path.suffix == ".br":
            data = brotli.decompress(data)
        out[path.relative_to(root).as_posix()] = data
    return out
