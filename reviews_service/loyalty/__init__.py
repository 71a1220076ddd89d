"""The loyalty programme: points for orders, reviews (whatever their stars), approved referrals and
the events a shop reports; tiers over a rolling year; rewards bought with points, issued as codes
from a pool or by webhook.

A ledger, not a balance: every change is an append-only entry (ledger.py), and the member's
summary row (spendable, pending, tier) changes in the same transaction with atomic UPDATEs. The
room listens to the rooms below it (subscribers.py), serves the server API (api.py) and gives the
worker its round (tasks.py: holds released, points expired, birthdays, tiers of a rolling year)."""
