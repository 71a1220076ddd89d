"""Signals between the rooms (blinker). A lower room sends one, the rooms above subscribe, so that
imports only ever go down. Each is sent inside the transaction of the change it announces; a
subscriber that acts on something outside the database waits for the commit."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

published_reviews_changed = _signals.signal("published-reviews-changed", doc="""\
A shop's published reviews lost one or changed what they show: a published review was rejected,
removed (also by an erasure) or sent back to the queue, or personal data in it was redacted or a
photo taken off. Sent with the shop's id as sender and `product_id` (the product's row id).""")
