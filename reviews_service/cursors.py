"""The one keyset cursor codec: every cursor-paginated list (public reviews, sync, the moderation
queue, referrals) turns the last row's sort key into an opaque string and back the same way.

A cursor is client input: decoding checks the list it was made for and gives every value its
column's type and range before anything is bound, so a tampered cursor is a 422 naming `cursor`,
never a 500 from the database.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .errors import Invalid

# What a position of a key may hold: an aware timestamp, or an integer within its column's range
# (SMALLINT for a rating, INTEGER for counts; an id is a positive INTEGER).
AT, SMALL, INT, ID = "at", "small", "int", "id"
_RANGES = {SMALL: (-(2**15), 2**15), INT: (-(2**31), 2**31), ID: (1, 2**31)}


def encode(list_name: str, key: Sequence[Any]) -> str:
    """The cursor after the row whose sort key is `key` (datetimes as ISO 8601 strings)."""
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    raw = json.dumps({"s": list_name, "k": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, list_name: str, kinds: Sequence[str]) -> list[Any]:
    """The key inside `cursor`, each value checked against its kind; Invalid (422 on `cursor`)
    for a cursor of another list, another shape, or a value its column cannot hold."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = data["k"]
        if data["s"] != list_name or not isinstance(key, list) or len(key) != len(kinds):
            raise ValueError
        return [_value(kind, value) for kind, value in zip(kinds, key, strict=True)]
    except (ValueError, KeyError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        # json.JSONDecodeError is a ValueError.
        raise Invalid("The cursor is not valid for this list; start again without it.",
                      field="cursor") from None


def _value(kind: str, value: Any) -> Any:
    if kind == AT:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
        if at is None or at.tzinfo is None:
            raise ValueError
        return at.astimezone(UTC)  # raises OverflowError past year 1 or 9999 in UTC
    low, high = _RANGES[kind]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < high:
        raise ValueError
    return value
