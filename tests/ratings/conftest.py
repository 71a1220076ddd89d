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


@pytest.fixture
def calls(app) -> list[str]:
    """The requests the fast path did not replay: each answered by Flask, or computed by a direct
    read (web/fastpath.py), as "path?query"."""
    fast = app.extensions["reviews.fastpath"]
    seen: list[str] = []
    flask_app, direct = fast.app, fast._direct

    def through_flask(environ, start_response):
        seen.append(f"{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')}")
        return flask_app(environ, start_response)

    def computed_directly(path, key, environ, start_response):
        answered = direct(path, key, environ, start_response)
        if answered is not None:
            seen.append(f"{path}?{key[1]}")
        return answered

    fast.app, fast._direct = through_flask, computed_directly
    return seen
