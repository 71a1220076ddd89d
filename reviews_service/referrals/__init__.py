"""The referral program: codes, clicks and the friend offer, attribution of orders, fraud checks,
rewards and the coupon pool, and its e-mails.

May import: collecting, moderation, ratings, reviews, outbox, catalog, shops and the plumbing.
Subscribes to orders (attribution, refunds and cancellations), submissions and erasure; its due
rewards are a worker job it registers."""
