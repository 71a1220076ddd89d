"""Collecting reviews: shoppers' submissions (through the widget, the hosted page or a token),
photo uploads, votes and reports, review requests and their reminders (a worker job), and imports.

May import: moderation (a submission runs the rules and the transition), ratings, reviews,
outbox, catalog, shops and the plumbing. Schedules or cancels an order's review request on its
events (`order_event_recorded`), adds it to the order's answer (`order_view_requested`), and
tells referrals about a submission (`review_submitted`)."""
