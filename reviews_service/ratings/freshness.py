"""A change to what a shop shows in public (a review published, rejected, removed, erased, edited
or redacted, a photo taken off, a public reply; a change of the shop's settings) is seen at once
in the process that made it: as its transaction commits, every rating, badge, list and SEO answer
this process keeps about the shop is dropped, the fast path's included. With Redis configured the
drop is broadcast too (web/broadcast.py), and every other process drops the same answers within a
second; without Redis they keep theirs until their `RATING_CACHE_TTL` ends (the README gives the
whole bound, CDNs included).

Dropping at the commit, not at the change: a read in between would cache the state from before
again, and a rolled-back change must not count.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import events
from ..extensions import db
from ..web import caching

_STALE = "reviews.stale_shops"


def connect() -> None:
    events.published_reviews_changed.connect(_remember)
    events.shop_settings_changed.connect(_settings_changed)


def _remember(shop_id: int, **_: object) -> None:
    db.session().info.setdefault(_STALE, set()).add(shop_id)


def _settings_changed(shop, **_: object) -> None:
    # Sent after the commit. The shop's default language and review policy link show in badges
    # and fragments; a moderation rule's re-run announces what it changes on its own.
    if has_app_context():
        caching.drop_shops_everywhere(current_app, {shop.id})


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session: Session) -> None:
    stale = session.info.pop(_STALE, None)
    if stale and has_app_context():
        caching.drop_shops_everywhere(current_app, stale)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback: a savepoint's rollback leaves the enclosing change standing.
    if previous_transaction.parent is None:
        session.info.pop(_STALE, None)
