"""The moderators' dashboard numbers: a handful of GROUP BY queries over the window, whatever the
number of reviews, and the rating distribution read from the shop's rating aggregate (kept exact by
the transition), not recounted. Weeks start on Monday, in UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from ..extensions import db
from ..models_base import utcnow
from ..ratings import reads as ratings
from ..reviews.models import REJECT_REASONS, Review, ReviewRequest
from ..shops.models import Shop

# Publishing 1-2 star reviews at a rate this many points below 4-5 star ones is a warning sign
# that negative reviews are being held back.
GAP_POINTS = 10


def week_of(column):
    """The Monday (UTC) of a timestamp's week, as 'YYYY-MM-DD', on SQLite and PostgreSQL alike."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("week", func.timezone("UTC", column)), "YYYY-MM-DD")
    # SQLite: go back six days, then forward to the next Monday (or stay on it).
    return func.date(column, "-6 days", "weekday 1")


@dataclass
class StarRow:
    stars: int
    received: int = 0
    published: int = 0
    pending: int = 0
    rejected: int = 0

    @property
    def rate(self) -> float | None:
        return 100 * self.published / self.received if self.received else None


@dataclass
class Compliance:
    by_star: list[StarRow]
    low_rate: float | None  # 1-2 stars, pooled
    high_rate: float | None  # 4-5 stars, pooled
    rejections: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        if self.low_rate is None or self.high_rate is None:
            return None
        return self.high_rate - self.low_rate

    @property
    def warning(self) -> bool:
        return self.gap is not None and self.gap > GAP_POINTS


@dataclass
class Dashboard:
    weeks: list[date]
    received: list[int]
    published: list[int]
    with_photos: list[int]
    average: list[float | None]
    requests_sent: list[int]
    requests_converted: list[int]
    distribution: dict[int, int]
    compliance: Compliance
    pending_now: int

    @property
    def total_received(self) -> int:
        return sum(self.received)

    @property
    def photo_share(self) -> float | None:
        return 100 * sum(self.with_photos) / self.total_received if self.total_received else None

    @property
    def conversion(self) -> float | None:
        sent = sum(self.requests_sent)
        return 100 * sum(self.requests_converted) / sent if sent else None

    @property
    def overall_average(self) -> float | None:
        n = sum(self.distribution.values())
        return sum(k * v for k, v in self.distribution.items()) / n if n else None


def weeks_back(n: int, today: date | None = None) -> list[date]:
    today = today or utcnow().date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=k) for k in range(n - 1, -1, -1)]


def _by_week(rows, weeks: list[date], column: int = 1, cast=int) -> list:
    found = {r[0]: r[column] for r in rows if r[0] is not None}
    return [cast(found[str(w)]) if found.get(str(w)) is not None else (None if cast is float else 0)
            for w in weeks]


def dashboard(shop: Shop, weeks: int = 12) -> Dashboard:
    buckets = weeks_back(weeks)
    start = datetime.combine(buckets[0], time.min).replace(tzinfo=utcnow().tzinfo)
    mine = Review.shop_id == shop.id
    has_photo = case((Review.photo_count > 0, 1), else_=0)

    wk = week_of(Review.created_at)
    received = db.session.execute(
        select(wk, func.count(), func.sum(has_photo)).where(mine, Review.created_at >= start,
                                                             Review.status != "removed").group_by(wk)).all()
    wk_pub = week_of(Review.published_at)
    published = db.session.execute(
        select(wk_pub, func.count(), func.avg(Review.rating))
        .where(mine, Review.status == "published", Review.published_at >= start).group_by(wk_pub)).all()
    wk_req = week_of(ReviewRequest.sent_at)
    requests = db.session.execute(
        select(wk_req, func.count(), func.sum(case((ReviewRequest.completed_at.is_not(None), 1), else_=0)))
        .where(ReviewRequest.shop_id == shop.id, ReviewRequest.sent_at >= start).group_by(wk_req)).all()
    aggregate = ratings.shop_rating(shop.id)
    distribution = {stars: getattr(aggregate, f"n{stars}") for stars in range(1, 6)}
    pending_now = db.session.scalar(select(func.count()).select_from(Review)
                                    .where(mine, Review.status == "pending")) or 0

    return Dashboard(
        weeks=buckets, received=_by_week(received, buckets), with_photos=_by_week(received, buckets, 2),
        published=_by_week(published, buckets), average=_by_week(published, buckets, 2, float),
        requests_sent=_by_week(requests, buckets), requests_converted=_by_week(requests, buckets, 2),
        distribution=distribution, compliance=compliance(shop, start), pending_now=pending_now)


def compliance(shop: Shop, start: datetime) -> Compliance:
    """Publish rate by star level over the reviews received since `start`, and rejections by reason.

    The rate counts every review received (pending ones too): holding negative reviews in the
    queue keeps them from shoppers as surely as rejecting them."""
    rows = {s: StarRow(s) for s in range(1, 6)}
    counts = db.session.execute(
        select(Review.rating, Review.status, func.count())
        .where(Review.shop_id == shop.id, Review.created_at >= start, Review.status != "removed")
        .group_by(Review.rating, Review.status)).all()
    for stars, status, n in counts:
        row = rows[stars]
        row.received += n
        if status in ("published", "pending", "rejected"):
            setattr(row, status, getattr(row, status) + n)

    def pooled(levels: tuple[int, ...]) -> float | None:
        received = sum(rows[s].received for s in levels)
        return 100 * sum(rows[s].published for s in levels) / received if received else None

    rejections = dict.fromkeys(REJECT_REASONS, 0)
    rejections.update(db.session.execute(
        select(Review.reject_reason, func.count())
        .where(Review.shop_id == shop.id, Review.status == "rejected", Review.created_at >= start,
               Review.reject_reason.is_not(None))
        .group_by(Review.reject_reason)).all())
    return Compliance(by_star=[rows[s] for s in range(5, 0, -1)], low_rate=pooled((1, 2)),
                      high_rate=pooled((4, 5)), rejections=rejections)
