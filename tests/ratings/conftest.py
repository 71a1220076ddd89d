"""Fixtures of the ratings tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reviews_service.ratings import public


class Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def frozen(monkeypatch) -> Clock:
    """`time.monotonic` as the rating caches and the fast path see it, moved by the test
    instead of sleeping."""
    clock = Clock()
    monkeypatch.setattr(public, "time", SimpleNamespace(monotonic=clock.monotonic))
    return clock
