"""Column helpers shared by every feature's models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite

from . import clock
from .extensions import db


def utcnow() -> datetime:
    return clock.now()


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a check constraint that keeps `column` to `values`: built from the same tuple
    the code validates against, so the two cannot drift apart."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always come back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        # Not process_result_value: TypeDecorator would call three functions per value for it (the
        # driver's conversion, its own wrapper, ours), this is one; a page of the public list reads
        # 44 timestamps, most of them None. The driver's conversion (SQLite's text) still runs first.
        parse = self.impl_instance.result_processor(dialect, coltype)

        def process(value):
            if value is None:
                return None
            if parse is not None:
                value = parse(value)
            tz = value.tzinfo
            if tz is None:
                return value.replace(tzinfo=UTC)
            return value if tz is UTC else value.astimezone(UTC)

        return process


def insert_ignore(model, values: dict, conflict: list[str] | None):
    """`INSERT ... ON CONFLICT DO NOTHING` for the session's database (PostgreSQL or SQLite);
    `conflict` names the unique key, or None for any of the table's unique keys.

    A concurrent insert of the same key waits for the other transaction and then does nothing,
    where a read-then-insert would race.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
