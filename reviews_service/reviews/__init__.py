"""The review data: Review, Photo, Vote, Report, Reply, ReviewRequest; the public and server
queries and views; photos (the Pillow pipeline) and their storage; the CSV/JSON export.

May import: outbox, catalog, shops and the plumbing. Writing reviews is the collecting room's,
changing their status moderation's."""
