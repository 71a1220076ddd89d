"""A shop's exports as downloads: rows streamed in chunks as CSV or as a JSON array, so that a large
shop's file is never held in memory whole.

The CSV starts with a BOM (spreadsheets then read it as UTF-8) and guards every cell whose text did
not come from the service itself (a review, a customer's message, a product name) against
spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def cell(value: Any, *, guarded: bool = True) -> Any:
    """One CSV cell: booleans as true/false, None as empty, and a text that a spreadsheet would
    run (= + - @, a tab or a carriage return first) quoted with a leading apostrophe."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if guarded and isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(columns: Iterable[str], rows: Iterable[dict[str, Any]], own_text: frozenset[str]) -> Iterator[str]:
    """A header, then one line per row (its `columns`); cells of columns not in `own_text` guarded."""
    columns = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(columns)
    yield "\ufeff" + flush()
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(row[name], guarded=name not in own_text) for name in columns])
        if n % 200 == 0:
            yield flush()
    yield flush()


def json_chunks(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array, one record a line."""
    yield "["
    for n, record in enumerate(records):
        yield ("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


def download(chunks: Iterator[str], fmt: str, filename: str) -> Response:
    """The streamed answer: an attachment that no cache keeps."""
    return Response(stream_with_context(chunks), content_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
