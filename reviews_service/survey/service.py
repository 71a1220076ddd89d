"""The survey's logic: record a customer's answer (one per review request, an edit replaces it),
the shop's NPS overall and by month, and a customer's answers for their export and erasure.

An answer never changes anything else: not the review form, not its wording, not the e-mails that
follow, not a review's status. A score of 0 to 6 only tells the shop (the follow-up alert), so
that someone can help the customer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import case, delete, extract, func, or_, select

from .. import i18n
from ..collecting import requests as review_requests
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models_base import utcnow
from ..moderation import alerts
from ..reviews.models import ReviewRequest
from ..shops.models import Shop
from ..shops.service import settings_of
from .models import SurveyAnswer

SCORES = range(0, 11)
PROMOTER, DETRACTOR = 9, 6  # 9-10 promote, 0-6 detract, 7-8 are passive
COMMENT_MAX = 2000


def enabled(shop: Shop) -> bool:
    return bool(settings_of(shop)["survey_enabled"])


def answer_of(request_id: int | None) -> SurveyAnswer | None:
    if request_id is None:
        return None
    return db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.request_id == request_id))


def check(score: Any, comment: Any) -> tuple[int, str]:
    """The score as a whole number 0-10 and the comment trimmed; Invalid naming the field."""
    if isinstance(score, bool) or not isinstance(score, (int, str)):
        raise Invalid("The score must be a whole number from 0 to 10.", field="score")
    try:
        value = int(str(score).strip())
    except ValueError:
        raise Invalid("The score must be a whole number from 0 to 10.", field="score") from None
    if value not in SCORES:
        raise Invalid("The score must be a whole number from 0 to 10.", field="score")
    comment = (comment or "").replace("\r\n", "\n").strip() if isinstance(comment, (str, type(None))) else None
    if comment is None or len(comment) > COMMENT_MAX:
        raise Invalid(f"At most {COMMENT_MAX} characters of text.", field="comment")
    return value, comment


def record(shop: Shop, token: str, score: Any, comment: Any = "") -> SurveyAnswer:
    """Record the answer of the review request the token was made for, replacing an earlier one,
    and commit. Only a POST from the hosted page (or its script) calls this: opening a link never
    does, because mail scanners open links."""
    if not enabled(shop):
        raise NotFound("This shop asks no survey question.", field="score")
    grant = review_requests.grant_for_token(shop, token)
    if grant.request is None:
        raise Invalid("Only a review request's link can answer the survey.", field="token")
    value, comment = check(score, comment)
    answer = answer_of(grant.request.id)
    was_low = answer is not None and answer.score <= DETRACTOR
    if answer is None:
        answer = SurveyAnswer(shop_id=shop.id, request_id=grant.request.id,
                              email=grant.order.customer.email, score=value, comment=comment)
        db.session.add(answer)
    else:
        answer.score, answer.comment, answer.answered_at = value, comment, utcnow()
    db.session.flush()
    if value <= DETRACTOR and not was_low:
        _alert(shop, answer)
    db.session.commit()
    return answer


def _alert(shop: Shop, answer: SurveyAnswer) -> None:
    """A detractor's score tells the shop's members who asked for alerts (moderation/alerts.py),
    in the batched e-mail; the line is worded in the shop's language, as the e-mail is."""
    lang = settings_of(shop)["default_locale"]
    alerts.note_problem(shop.id, kind="survey", subject_id=f"survey-{answer.id}",
                        product=i18n.translate(lang, "survey.alert_line", score=answer.score),
                        text=answer.comment, email=answer.email,
                        link=f"{current_app.config['PUBLIC_URL']}/admin/shops/{shop.slug}/dashboard")


def nps(promoters: int, detractors: int, count: int) -> float | None:
    """% promoters minus % detractors, one decimal; None without answers."""
    return round(100 * (promoters - detractors) / count, 1) if count else None


def summary(shop: Shop, start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """The NPS overall and by calendar month (UTC) of the answers given from `start` to `end`
    (both days included), with the counts it comes from."""
    where = [SurveyAnswer.shop_id == shop.id]
    if start is not None:
        where.append(SurveyAnswer.answered_at >= datetime.combine(start, time.min, UTC))
    if end is not None:
        where.append(SurveyAnswer.answered_at < datetime.combine(end, time.max, UTC))
    year, month = extract("year", SurveyAnswer.answered_at), extract("month", SurveyAnswer.answered_at)
    counts = (func.count(SurveyAnswer.id),
              func.sum(case((SurveyAnswer.score >= PROMOTER, 1), else_=0)),
              func.sum(case((SurveyAnswer.score <= DETRACTOR, 1), else_=0)))
    rows = db.session.execute(select(year, month, *counts).where(*where)
                              .group_by(year, month).order_by(year, month)).all()
    months = [_figures(n, int(p or 0), int(d or 0), month=f"{int(y):04d}-{int(m):02d}") for y, m, n, p, d in rows]
    total = sum(m["count"] for m in months)
    promoters = sum(m["promoters"] for m in months)
    detractors = sum(m["detractors"] for m in months)
    return {"from": start, "to": end, **_figures(total, promoters, detractors), "months": months}


def _figures(count: int, promoters: int, detractors: int, **extra: Any) -> dict[str, Any]:
    return {**extra, "count": count, "promoters": promoters, "passives": count - promoters - detractors,
            "detractors": detractors, "nps": nps(promoters, detractors, count)}


def _of_person(shop: Shop, email: str, customer_id: int | None):
    about = SurveyAnswer.email == email
    if customer_id is not None:
        about = or_(about, SurveyAnswer.request_id.in_(
            select(ReviewRequest.id).where(ReviewRequest.customer_id == customer_id)))
    return (SurveyAnswer.shop_id == shop.id, about)


def export(shop: Shop, email: str, customer_id: int | None) -> dict[str, list]:
    """The person's survey answers, for their data export."""
    answers = db.session.scalars(select(SurveyAnswer).where(*_of_person(shop, email, customer_id))
                                 .order_by(SurveyAnswer.id))
    return {"survey_answers": [{"score": a.score, "comment": a.comment, "answered_at": a.answered_at.isoformat()}
                               for a in answers]}


def erase(shop: Shop, email: str, customer_id: int | None) -> dict[str, int]:
    """The person's survey answers go (their alerts go with the moderation room's `forget`)."""
    gone = db.session.execute(delete(SurveyAnswer).where(*_of_person(shop, email, customer_id))
                              .execution_options(synchronize_session=False)).rowcount
    return {"survey_answers": gone} if gone else {}  # the answer names only what there was
