"""Receivers of the signals in `events.py`, moved about in a test: one that fails, connected for a
block; and every receiver of some signals connected again in reverse order."""

from __future__ import annotations

from contextlib import contextmanager

from blinker import ANY, Signal


def fail(*args, **kwargs):
    raise RuntimeError("a receiver failed")


@contextmanager
def connected(signal: Signal, receiver):
    """`receiver` connected for the block, after the rooms' receivers."""
    signal.connect(receiver)
    try:
        yield
    finally:
        signal.disconnect(receiver)


@contextmanager
def in_reverse(*signals: Signal):
    """The signals' receivers connected again, the last first; as they were after the block."""
    before = {s: list(s.receivers_for(ANY)) for s in signals}

    def reconnect(signal: Signal, receivers: list) -> None:
        for r in list(signal.receivers_for(ANY)):
            signal.disconnect(r)
        for r in receivers:
            signal.connect(r)

    for signal, receivers in before.items():
        assert len(receivers) > 1, f"{signal.name} has {len(receivers)} receiver(s)"
        reconnect(signal, receivers[::-1])
    try:
        yield
    finally:
        for signal, receivers in before.items():
            reconnect(signal, receivers)
