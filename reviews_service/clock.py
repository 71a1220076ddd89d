"""The service's one source of "now", which tests move instead of sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_monotonic_frozen_at: float | None = None
_frozen_at: datetime | None = None


def now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return (_frozen_at or datetime.now(UTC)) + _offset


def freeze() -> None:
    """Stop `now` where it is (tests only), so that two things done one after the other happen
    at the same instant and their times compare equal; `travel` still moves it."""
    global _frozen_at
    _frozen_at = datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a clock that never goes back, for in-process TTLs: a wall-clock jump cannot
    extend them. Moves with `travel` like `now`."""
    base = _monotonic_frozen_at if _monotonic_frozen_at is not None else time.monotonic()
    return base + _offset.total_seconds()


def freeze_monotonic() -> None:
    """Stop `monotonic` where it is (tests only), so that a TTL expires exactly when `travel`
    says, not when a slow machine gets there."""
    global _monotonic_frozen_at
    _monotonic_frozen_at = time.monotonic()


def travel(delta: timedelta) -> None:
    """Move the clock forward (tests only: the hold of a referral, a review request's delay)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset, _monotonic_frozen_at, _frozen_at
    _offset = timedelta(0)
    _monotonic_frozen_at = None
    _frozen_at = None
