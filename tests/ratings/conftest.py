"""Fixtures of the ratings tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reviews_service import clock


class Frozen:
    """The service's monotonic clock, stopped (clock.freeze_monotonic) and moved by the test
    instead of sleeping; the rating caches and the fast path read it through clock.monotonic."""

    def travel(self, seconds: float) -> None:
        clock.travel(timedelta(seconds=seconds))


@pytest.fixture
def frozen() -> Frozen:
    clock.freeze_monotonic()  # the autouse clock reset in tests/conftest.py starts it again
    return Frozen()
