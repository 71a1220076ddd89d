"""Follow-up on problems, never suppression: when a customer is unhappy, the shop is told so that
someone can help them. A review of 1 or 2 stars queues the `review.low_rating` webhook and an alert
that the worker sends, batched, to the shop's members who opted in (the admin's account page): one
e-mail per period (PROBLEM_ALERT_MINUTES) listing every problem that arrived meanwhile.

The alert only tells. It runs after the review got its first status, reads the status and never
writes it, nor the ranking, the aggregates or the time of publication: the review goes through
moderation exactly as the same review with five stars would (the trust rules in DESIGN.md).

Other sources of problems (private feedback, a low survey score) feed the same e-mail with one
call to `note_problem`; their rooms send their own webhooks.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update

from ..catalog.models import Product
from ..extensions import db
from ..models_base import utcnow
from ..outbox import emails, jobs
from ..outbox import service as outbox_service
from ..outbox.service import emit_event, enqueue
from ..reviews.models import Review
from ..shops.models import Membership, Shop, User
from ..shops.service import settings_of
from .models import ProblemAlert
from .service import webhook_body

LOW_RATING = 2  # a review of this many stars or fewer is a problem someone should follow up
EXCERPT_LENGTH = 200
_SPACES = re.compile(r"\s+")


def note_problem(shop_id: int, *, kind: str, subject_id: str, link: str, product: str = "",
                 stars: int | None = None, text: str = "", email: str | None = None) -> None:
    """Queue a problem for the next alert e-mail of the shop, inside the caller's transaction.
    `link` is the admin page where a member can act on it; `email` is the customer's address,
    kept only so that an erasure finds the alert (`forget`)."""
    excerpt = _SPACES.sub(" ", text).strip()
    if len(excerpt) > EXCERPT_LENGTH:
        excerpt = excerpt[:EXCERPT_LENGTH - 1].rstrip() + "…"
    db.session.add(ProblemAlert(shop_id=shop_id, kind=kind, subject_id=subject_id, link=link,
                                product=product[:500], stars=stars, excerpt=excerpt, email=email))


def review_arrived(shop: Shop, *, review: Review, **_: Any) -> None:
    """The `review_submitted` receiver: a review of 1 or 2 stars is a problem to follow up.
    Sent after the review's first status is decided, so nothing here can weigh on it."""
    if review.rating > LOW_RATING:
        return
    product = db.session.get(Product, review.product_id)
    note_problem(shop.id, kind="review", subject_id=review.public_id, stars=review.rating,
                 product=product.name if product else "",
                 text=" ".join(part for part in (review.title, review.body) if part),
                 link=f"{current_app.config['PUBLIC_URL']}/admin/shops/{shop.slug}/reviews/{review.public_id}",
                 email=review.email)
    emit_event(shop.id, "review.low_rating", webhook_body(review))


def forget(shop_id: int, email: str, review_ids: list[str]) -> int:
    """An erasure: the alerts about the person (by address, or about their reviews) go, and so do
    the stored e-mails that listed them. Those quote the person's words and may name them with
    nothing else to find them by (a survey comment, feedback sent alone): a batch's e-mails are
    found by its dedupe key, which ends with the id of the last problem it listed."""
    about = ProblemAlert.email == email
    if review_ids:
        about = about | ((ProblemAlert.kind == "review") & ProblemAlert.subject_id.in_(review_ids))
    mine = (ProblemAlert.shop_id == shop_id, about)
    told = db.session.scalars(select(ProblemAlert.notified_at).where(
        *mine, ProblemAlert.notified_at.is_not(None)).distinct()).all()
    # Every problem of a batch was marked with the same time; the batch's last one is its highest id.
    lasts = {str(db.session.scalar(select(func.max(ProblemAlert.id)).where(
        ProblemAlert.shop_id == shop_id, ProblemAlert.notified_at == at))) for at in told}
    if lasts:
        outbox_service.forget_queued(shop_id, "problem_alerts",
                                     lambda key: (key or "").rsplit(":", 1)[-1] in lasts)
    return db.session.execute(delete(ProblemAlert).where(*mine)
                              .execution_options(synchronize_session=False)).rowcount


def queue_alerts(now: datetime | None = None) -> int:
    """Each shop with problems waiting, and no alert sent within the period, gets one e-mail per
    member who opted in, listing them all; the problems are then marked told. The dedupe key (the
    last problem listed) keeps a batch to one e-mail per member, even from two workers at once."""
    now = now or utcnow()
    period = timedelta(minutes=current_app.config["PROBLEM_ALERT_MINUTES"])
    waiting = db.session.scalars(select(ProblemAlert.shop_id).where(ProblemAlert.notified_at.is_(None))
                                 .distinct()).all()
    queued = 0
    for shop_id in waiting:
        last_sent = db.session.scalar(select(func.max(ProblemAlert.notified_at))
                                      .where(ProblemAlert.shop_id == shop_id))
        if last_sent is not None and now - last_sent < period:
            continue
        queued += _send_batch(db.session.get(Shop, shop_id), now)
    db.session.commit()
    return queued


def _send_batch(shop: Shop, now: datetime) -> int:
    problems = list(db.session.scalars(select(ProblemAlert).where(
        ProblemAlert.shop_id == shop.id, ProblemAlert.notified_at.is_(None)).order_by(ProblemAlert.id)))
    people = db.session.scalars(select(User).join(Membership).where(Membership.shop_id == shop.id,
                                                                    User.problem_alerts.is_(True)))
    queued = 0
    for user in people:
        payload = emails.render("problem_alerts", shop=shop, to=user.email,
                                lang=settings_of(shop)["default_locale"], problems=problems,
                                count=len(problems), subject_params={"count": len(problems)})
        queued += enqueue(kind="email", topic="problem_alerts", payload=payload, shop_id=shop.id,
                          recipient=user.email, dedupe_key=f"problems:{shop.id}:{user.id}:{problems[-1].id}")
    db.session.execute(update(ProblemAlert).where(ProblemAlert.id.in_([p.id for p in problems]))
                       .values(notified_at=now).execution_options(synchronize_session=False))
    return queued


def register(app: Flask) -> None:
    """The worker sends the waiting alerts each round (at most once per period and shop)."""
    jobs.register_job(app, "alerts about unhappy customers", queue_alerts)
