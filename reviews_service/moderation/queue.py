"""The moderators' queue: filtered lists of a shop's reviews, bulk approve and reject, removing a
photo, redacting personal data, resolving reports, and each review's audit trail.

Reviews are named by their public id (`Review.public_id`, the `id` of every API answer); an
integer is taken as the internal id. A review of another shop is never found: single-review
actions answer NotFound, bulk actions leave it out of their result. Every status change goes
through `service.transition`, and every action is audited with the actor (`user:<id>`) and time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, or_, select, tuple_, update
from sqlalchemy.orm import selectinload

from .. import cursors
from ..catalog.models import Product
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models_base import utcnow
from ..reviews import media, queries
from ..reviews.models import REJECT_REASONS, STATUSES, Photo, Report, Review
from ..shops.models import Shop
from . import service
from .models import AuditEvent

MAX_BULK = 500
MAX_LIMIT = 200
REDACTED = "[redacted]"
MAX_REDACTED_SPAN = 120  # personal data is a name, an address, a number: not a paragraph of opinion
TEXT_LIMITS = {"title": 150, "body": 5000}


# --- the list --------------------------------------------------------------------------------------

def _list_name(order: str) -> str:
    return f"queue-{order}"  # a cursor of the queue in one order is refused in the other


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def queue(shop: Shop, *, status: str | Sequence[str] | None = "pending", stars: int | Sequence[int] | None = None,
          product_external_id: str | None = None, has_photos: bool | None = None,
          reported: bool | None = None, verified: bool | None = None, search: str | None = None,
          cursor: str | None = None, limit: int = 50, order: str | None = None,
          rule: str | None = None) -> tuple[list[Review], str | None]:
    """One page of the shop's reviews and the next page's cursor (None at the end).

    `status`: one status, several, or None for any. `reported=True` lists reviews with open
    reports (report_count > 0) in `status` and, since a reported review is usually live, among
    the published ones too. `search` looks in title and text, case-insensitively. Pending reviews
    come oldest first (a queue is worked from its front); other lists newest first, unless
    `order` ("oldest" or "newest") says otherwise. `rule`: only reviews that this rule (or policy)
    decided or holds. Photos and replies come loaded."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    statuses = [status] if isinstance(status, str) else list(status or [])
    unknown = set(statuses) - set(STATUSES)
    if unknown:
        raise Invalid(f"Unknown status {sorted(unknown)[0]!r}.", field="status")
    order = order or ("oldest" if statuses == ["pending"] else "newest")
    if order not in ("oldest", "newest"):
        raise Invalid("The order is oldest or newest.", field="order")

    query = select(Review).where(Review.shop_id == shop.id)
    if reported:
        query = query.where(Review.report_count > 0)
        if statuses:
            statuses = sorted(set(statuses) | {"published"})
    elif reported is False:
        query = query.where(Review.report_count == 0)
    if statuses:
        query = query.where(Review.status.in_(statuses))
    if stars is not None:
        wanted = [stars] if isinstance(stars, int) else list(stars)
        query = query.where(Review.rating.in_(wanted))
    if product_external_id:
        query = query.join(Product, Product.id == Review.product_id).where(
            Product.shop_id == shop.id, Product.external_id == product_external_id)
    if has_photos is not None:
        query = query.where(Review.photo_count > 0 if has_photos else Review.photo_count == 0)
    if verified is not None:
        query = query.where(Review.verified_buyer.is_(verified))
    if rule:
        query = query.where(Review.moderation_rule == rule)
    if search and search.strip():
        pattern = _like(search.strip()[:200])
        query = query.where(or_(Review.title.ilike(pattern, escape="\\"), Review.body.ilike(pattern, escape="\\")))

    columns = (Review.created_at, Review.id)
    if cursor:
        at, review_id = cursors.decode(cursor, _list_name(order), (cursors.AT, cursors.ID))
        key = tuple_(bindparam(None, at, type_=Review.created_at.type), bindparam(None, review_id))
        query = query.where(tuple_(*columns) > key if order == "oldest" else tuple_(*columns) < key)
    sort = [c.asc() for c in columns] if order == "oldest" else [c.desc() for c in columns]
    rows = list(db.session.scalars(query.order_by(*sort).limit(limit + 1)
                                   .options(selectinload(Review.photos), selectinload(Review.reply))))
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = cursors.encode(_list_name(order), [last.created_at, last.id]) if last else None
    return rows[:limit], next_cursor


def products_of(reviews: Iterable[Review]) -> dict[int, Product]:
    """The products of a page of reviews, by internal id, in one query."""
    ids = {r.product_id for r in reviews}
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}


# --- bulk decisions --------------------------------------------------------------------------------

@dataclass
class BulkResult:
    changed: list[str] = field(default_factory=list)  # public ids moved to the new status
    unchanged: list[str] = field(default_factory=list)  # already there
    refused: list[tuple[str, str]] = field(default_factory=list)  # (public id, why): a removed review
    not_found: list[str] = field(default_factory=list)  # unknown here, or another shop's: never touched

    def __len__(self) -> int:
        return len(self.changed)


def _bulk(shop: Shop, review_refs: Sequence[str | int]) -> tuple[list[Review], list[str]]:
    refs = list(dict.fromkeys(review_refs))
    if len(refs) > MAX_BULK:
        raise Invalid(f"At most {MAX_BULK} reviews at once.", field="review_ids")
    public = [str(r) for r in refs if not isinstance(r, int) or isinstance(r, bool)]
    internal = [r for r in refs if isinstance(r, int) and not isinstance(r, bool)]
    found = list(db.session.scalars(select(Review).where(
        Review.shop_id == shop.id, or_(Review.public_id.in_(public), Review.id.in_(internal)))
        .order_by(Review.id))) if refs else []
    seen = {r.public_id for r in found} | {r.id for r in found}
    return found, [str(r) for r in refs if r not in seen]


def _decide(shop: Shop, review_refs, to_status: str, *, actor: str, reason: str | None,
            note: str) -> BulkResult:
    reviews, missing = _bulk(shop, review_refs)
    result = BulkResult(not_found=missing)
    try:
        for review in reviews:
            if review.status == to_status:
                result.unchanged.append(review.public_id)
            elif to_status not in service.ALLOWED[review.status]:
                result.refused.append((review.public_id, f"a {review.status} review cannot become {to_status}"))
            else:
                service.transition(review, to_status, actor=actor, reason=reason, note=note)
                result.changed.append(review.public_id)
    except Conflict:
        # Someone else moved one meanwhile: the whole batch is rolled back, and the conflict raised.
        db.session.rollback()
        raise
    db.session.commit()
    return result


def approve(shop: Shop, review_ids: Sequence[str | int], *, actor: str, note: str = "") -> BulkResult:
    """Publish the reviews (from pending or rejected), one audited transition each."""
    return _decide(shop, review_ids, "published", actor=actor, reason=None, note=_note(note))


def reject(shop: Shop, review_ids: Sequence[str | int], reason: str, *, actor: str,
           note: str = "") -> BulkResult:
    """Reject the reviews with `reason` (one of REJECT_REASONS), one audited transition each."""
    if reason not in REJECT_REASONS:
        raise Invalid(f"Rejecting needs a reason: one of {', '.join(REJECT_REASONS)}.", field="reason")
    return _decide(shop, review_ids, "rejected", actor=actor, reason=reason, note=_note(note))


def hold(shop: Shop, review_ids: Sequence[str | int], *, actor: str, note: str = "") -> BulkResult:
    """Take published or rejected reviews back to pending."""
    return _decide(shop, review_ids, "pending", actor=actor, reason=None, note=_note(note))


def decide(shop: Shop, review_id: str | int, decision: str, *, actor: str, reason: str | None = None,
           note: str = "") -> Review:
    """One review approved or rejected, as `approve` and `reject` do it (the API's decision): not
    this shop's is NotFound, a status it cannot leave (removed) a Conflict."""
    review = queries.get_review(shop, review_id)
    if decision == "approve":
        result = approve(shop, [review.id], actor=actor, note=note)
    elif decision == "reject":
        result = reject(shop, [review.id], reason or "", actor=actor, note=note)
    else:
        raise Invalid("The decision is approve or reject.", field="decision")
    if result.refused:
        raise Conflict(f"{result.refused[0][1].capitalize()}.", field="decision")
    return review


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > 1000:
        raise Invalid("A note may have at most 1000 characters.", field="note")
    return note


def counts(shop: Shop) -> dict[str, int]:
    """How many reviews wait, and how many carry open reports (the two tabs of the queue)."""
    pending = db.session.scalar(select(func.count()).select_from(Review).where(
        Review.shop_id == shop.id, Review.status == "pending")) or 0
    reported = db.session.scalar(select(func.count()).select_from(Review).where(
        Review.shop_id == shop.id, Review.report_count > 0)) or 0
    return {"pending": pending, "reported": reported}


def open_reports(reviews: Sequence[Review]) -> dict[int, list[Report]]:
    """The open reports of these reviews, by review id, oldest first: one query for a page."""
    found: dict[int, list[Report]] = {}
    for report in db.session.scalars(select(Report).where(Report.review_id.in_([r.id for r in reviews]),
                                                          Report.resolved_at.is_(None))
                                     .order_by(Report.review_id, Report.id)):
        found.setdefault(report.review_id, []).append(report)
    return found


# --- photos, redaction, reports, the trail ---------------------------------------------------------

def remove_photo(shop: Shop, review_id: str | int, photo_public_id: str, *, actor: str) -> Review:
    """Delete one photo of a review (its files and its row); the review keeps its status."""
    review = queries.get_review(shop, review_id)
    photo = db.session.scalar(select(Photo).where(Photo.review_id == review.id,
                                                  Photo.public_id == str(photo_public_id)))
    if photo is None:
        raise NotFound("This review has no photo with this id.", field="photo_id")
    db.session.delete(photo)
    db.session.execute(update(Review).where(Review.id == review.id, Review.photo_count > 0)
                       .values(photo_count=Review.photo_count - 1, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    files = (photo.display_name, photo.thumb_name)
    service.record(review, "photo_removed", actor=actor, note=f"photo {photo.public_id}")
    db.session.commit()
    # Files go once the row is gone: a failure here leaves an unreferenced file, never a dead link.
    store = media.storage()
    for name in files:
        store.delete(name)
    db.session.refresh(review)
    return review


def check_redaction(old: str, new: str) -> int:
    """How many spans `new` redacts, if `new` is `old` with some spans replaced by "[redacted]"
    and nothing else changed; raises Invalid otherwise."""
    if new == old:
        return 0
    parts = new.split(REDACTED)
    if len(parts) == 1:
        if new != old:
            raise Invalid("Only personal data may be removed, by replacing it with [redacted]; "
                          "the rest of the text must stay as the reviewer wrote it.")
        return 0
    if not old.startswith(parts[0]) or not old.endswith(parts[-1]) \
            or len(parts[0]) + len(parts[-1]) > len(old):
        raise Invalid("Only personal data may be removed, by replacing it with [redacted]; "
                      "the rest of the text must stay as the reviewer wrote it.")
    # Each middle part must follow the previous one with at least one character removed between
    # them; leftmost matches leave the most room for what follows, so they find a fit if one exists.
    position, spans = len(parts[0]), []
    end = len(old) - len(parts[-1])
    for part in parts[1:-1]:
        found = old.find(part, position + 1, end)
        if found < 0:
            raise Invalid("Only personal data may be removed, by replacing it with [redacted]; "
                          "the rest of the text must stay as the reviewer wrote it.")
        spans.append(found - position)
        position = found + len(part)
    if end - position < 1:
        raise Invalid("Each [redacted] must replace some text.")
    spans.append(end - position)
    if max(spans) > MAX_REDACTED_SPAN:
        raise Invalid(f"A redaction removes personal data such as a name, an address or a number: at "
                      f"most {MAX_REDACTED_SPAN} characters at a time, never the reviewer's opinion.")
    if old.strip() and not "".join(parts).strip():
        raise Invalid("Redaction cannot remove the whole text; reject the review for personal data instead.")
    return len(spans)


def redact(shop: Shop, review_id: str | int, *, actor: str, title: str | None = None,
           body: str | None = None) -> Review:
    """Replace personal data in a review's title or text with "[redacted]".

    The shop cannot edit a review: everything outside the redacted spans must stay as written.
    The review is marked `redacted`; the audit records lengths, never the removed data."""
    review = queries.get_review(shop, review_id)
    changes, notes = {}, []
    for name, new in (("title", title), ("body", body)):
        if new is None:
            continue
        old = getattr(review, name) or ""
        try:
            spans = check_redaction(old, new)
        except Invalid as exc:
            raise Invalid(exc.detail, field=name) from None
        if len(new) > TEXT_LIMITS[name]:
            raise Invalid(f"The {name} would be longer than {TEXT_LIMITS[name]} characters.", field=name)
        if spans:
            changes[name] = new
            notes.append(f"{name}: {spans} span(s), {len(old)} -> {len(new)} characters")
    if not changes:
        raise Invalid("Nothing to redact: replace the personal data with [redacted].")
    db.session.execute(update(Review).where(Review.id == review.id)
                       .values(**changes, redacted=True, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    service.record(review, "redacted", actor=actor, note="; ".join(notes))
    db.session.commit()
    db.session.refresh(review)
    return review


def resolve_reports(shop: Shop, review_id: str | int, *, actor: str) -> int:
    """Mark the review's open reports handled (it leaves the "reported" list); answers how many."""
    review = queries.get_review(shop, review_id)
    now = utcnow()
    resolved = db.session.execute(update(Report).where(Report.review_id == review.id,
                                                       Report.resolved_at.is_(None))
                                  .values(resolved_at=now)).rowcount
    db.session.execute(update(Review).where(Review.id == review.id).values(report_count=0)
                       .execution_options(synchronize_session=False))
    service.record(review, "reports_resolved", actor=actor, note=f"{resolved} report(s)")
    db.session.commit()
    db.session.refresh(review)
    return resolved


def audit_log(shop: Shop, review_id: str | int) -> list[AuditEvent]:
    """Everything that happened to the review, oldest first: who, what, when, from and to."""
    review = queries.get_review(shop, review_id)
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.review_id == review.id)
                                   .order_by(AuditEvent.id)))
