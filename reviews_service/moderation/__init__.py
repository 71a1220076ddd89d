"""Moderation: the rules, the one status transition (audit event, aggregate, webhooks, all in
the caller's transaction), the audit log, the queue's actions, public replies, the moderators'
digest and reply notices (worker jobs), and the numbers the dashboard shows.

May import: ratings, reviews, outbox, catalog, shops and the plumbing. Re-runs its rules when a
shop's moderation settings change (`shop_settings_changed`)."""
