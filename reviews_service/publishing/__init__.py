"""Publish on write: a product's rating JSON, star badges and first page of public reviews, and the
shop's rating, written as static files (a local folder or the photos' S3 bucket) whenever what
they show changes, so that storefront reads can be served by nginx or a CDN without Python.

Off unless `PUBLISH_STORAGE` is set. The room listens to the lower rooms' signals, queues one
coalesced outbox task per product in the change's own transaction (`service.py`), and the worker
writes the files (`jobs.py`) with the very functions the API answers with (`files.py`), so a file
is byte for byte the API's answer at the time it was written. Layout and names: `names.py`,
the published-files contract in the README. May import every room below the later features."""
