"""Stored text that mentions a person, found for their erasure: their e-mail address in any case, a
referral code, a review's id, whole (never inside a longer word), in plain text or in JSON.

Two steps, because neither alone is enough. The database narrows the rows with a LIKE on the
lower-cased text, once for each spelling the needle may be stored in: SQLite's lower() folds only
ASCII letters, and JSON columns may hold other letters as \\uXXXX escapes. Python then decides on
the decoded text, word boundaries included. Plumbing: the rooms that keep copies of other rooms'
data (the outbox, the stored idempotent answers, a platform's deliveries) call it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import String, cast, false, func, or_
from sqlalchemy.sql.elements import ColumnElement

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _needles(needles: Iterable[str | None]) -> list[str]:
    return sorted({n.strip() for n in needles if n and n.strip()})


def _spellings(needle: str) -> set[str]:
    """The needle as the lower-cased stored text may hold it, on SQLite and on PostgreSQL."""
    variants = {needle, needle.lower(), needle.upper(), needle.title()}
    variants |= {json.dumps(v)[1:-1] for v in variants}  # "Nguyễn" stored as "Nguy\u1ec5n"
    return {v.translate(_ASCII_LOWER) for v in variants} | {v.lower() for v in variants}


def condition(column: Any, needles: Iterable[str | None]) -> ColumnElement[bool]:
    """SQL that keeps every row whose `column` (text or JSON) may mention one of the needles, and
    a few that `mentioned` then turns down; false when there is nothing to look for."""
    text = func.lower(cast(column, String))
    found = [text.contains(s, autoescape=True) for n in _needles(needles) for s in sorted(_spellings(n))]
    return or_(*found) if found else false()


def mentioned(value: Any, needles: Iterable[str | None]) -> bool:
    """Whether `value` (text, JSON text, or decoded JSON) holds one of the needles as a whole word,
    in any case, in any one of its texts (keys and values, decoded: an escaped quote hides nothing)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    # A boundary is anything but a letter or a digit: "ZEBULON-K7P3Q" mentions "Zebulon".
    patterns = [re.compile(rf"(?<![^\W_]){re.escape(n.lower())}(?![^\W_])") for n in _needles(needles)]
    return any(p.search(text.lower()) for text in _texts(value) for p in patterns)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif value is not None:
        yield str(value)
