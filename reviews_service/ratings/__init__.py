"""The rating aggregates (kept by the moderation transition, same transaction) and their reads:
rating JSON, many at once, the star badge, JSON-LD, the HTML fragment and the product-review feeds.

May import: reviews, outbox, catalog, shops and the plumbing. Caching, ETags and the fast path
are web plumbing (`web/caching.py`, `web/fastpath.py`); `freshness` drops a shop's cached answers
when `published_reviews_changed` commits."""
