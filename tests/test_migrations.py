"""The migrations are the only path to the schema: `upgrade` on an empty database gives exactly
what the models describe, on SQLite and on PostgreSQL, and `downgrade` undoes it cleanly."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from reviews_service import create_app
from reviews_service.extensions import db

from .conftest import PG_ADMIN_URL, base_config, unavailable


def schema_diff(app) -> list:
    """What autogenerate would write to make the database match the models: empty when they agree."""
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)


def tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def migrate(app, direction, revision: str = "head") -> None:
    with app.app_context():
        direction(revision=revision)
        db.engine.dispose()


@pytest.fixture
def empty_sqlite_app(tmp_path):
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def empty_pg_app(tmp_path, worker_id):
    """A database of its own on the PostgreSQL server, dropped afterwards."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        unavailable("postgres", str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    # Like conftest's pg_url: two test runs on one server must not drop each other's database.
    name = f"reviews_migr_{os.environ.get('REVIEWS_TEST_RUN', os.getpid())}_{worker_id}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    app = create_app(base_config(tmp_path, DATABASE_URL=f"{base}/{name}"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_app(request):
    """An app on an empty database, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"empty_{'sqlite' if request.param == 'sqlite' else 'pg'}_app")


def test_upgrade_of_an_empty_database_matches_the_models(empty_app):
    migrate(empty_app, upgrade)
    assert schema_diff(empty_app) == []


def test_downgrade_to_base_removes_every_table(empty_app):
    migrate(empty_app, upgrade)
    migrate(empty_app, downgrade, "base")
    assert tables(empty_app) - {"alembic_version"} == set()


def test_upgrade_after_downgrade_matches_the_models_again(empty_app):
    migrate(empty_app, upgrade)
    migrate(empty_app, downgrade, "base")
    migrate(empty_app, upgrade)
    assert schema_diff(empty_app) == []


def test_upgrade_twice_changes_nothing(empty_app):
    migrate(empty_app, upgrade)
    migrate(empty_app, upgrade)
    assert schema_diff(empty_app) == []


def test_the_app_creates_no_table_by_itself(empty_sqlite_app):
    """Flask-Migrate is the only path to the schema: building and using the app creates nothing."""
    empty_sqlite_app.test_client().get("/readyz")
    assert tables(empty_sqlite_app) == set()
