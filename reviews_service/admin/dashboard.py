"""The dashboard: reviews over time, ratings, photos, review requests, and the compliance panel."""

from __future__ import annotations

from flask import render_template, request

from ..moderation import stats
from . import charts
from .blueprint import bp
from .forms import REJECT_LABELS
from .sign_in import shop_access

PERIODS = (4, 12, 26, 52)


def _week_label(day) -> str:
    return f"{day.day} {day:%b}"


@bp.route("/shops/<slug>/dashboard")
@shop_access()
def dashboard(shop):
    weeks = request.args.get("weeks", type=int)
    weeks = weeks if weeks in PERIODS else 12
    d = stats.dashboard(shop, weeks)
    labels = [_week_label(w) for w in d.weeks]
    period = f"the last {weeks} weeks"
    c = d.compliance
    total_published = sum(d.distribution.values())

    figures = {
        "per_week": charts.bars(
            labels, [d.received, d.published], names=("Received", "Published"),
            title="Reviews per week", desc=f"Reviews received (solid) and published (hatched) each week, {period}."),
        "average": charts.line(
            labels, d.average, title="Average rating per week", name="Average stars", bottom=1, top=5,
            desc=f"The average star rating of the reviews published each week, {period}; gaps are weeks "
                 "without published reviews."),
        "distribution": charts.hbars(
            [(f"{s} star{'s' if s > 1 else ''}", d.distribution[s],
              f"{100 * d.distribution[s] / total_published:.0f}%" if total_published else "")
             for s in range(5, 0, -1)],
            title="Rating distribution", desc="Published reviews by star rating, all time."),
        "photos": charts.line(
            labels, [100 * p / r if r else None for p, r in zip(d.with_photos, d.received, strict=True)],
            fmt="pct", top=100, title="Share of reviews with photos", name="With photos",
            desc=f"The percentage of the reviews received each week that carry at least one photo, {period}."),
        "requests": charts.bars(
            labels, [d.requests_sent, d.requests_converted], names=("Sent", "Converted"),
            title="Review request e-mails", desc=f"Review requests sent each week (solid) and how many of "
                                                 f"them led to a review (hatched), {period}."),
        "publish_rate": charts.hbars(
            [(f"{row.stars} star{'s' if row.stars > 1 else ''}", row.rate,
              f"{row.published} of {row.received}" if row.received else "none received") for row in c.by_star],
            fmt="pct", top=100, title="Publish rate by star level",
            marks=[(v, lab) for v, lab in ((c.low_rate, "1–2★"), (c.high_rate, "4–5★")) if v is not None],
            desc=f"For each star level, the share of the reviews received in {period} that are published "
                 "(pending and rejected ones count as not published)."),
        "rejections": charts.hbars(
            [(REJECT_LABELS.get(reason, reason), n, "") for reason, n in c.rejections.items()],
            title="Rejections by reason", desc=f"Reviews rejected in {period}, by the reason given."),
    }
    return render_template("admin/dashboard.html", d=d, c=c, figures=figures, weeks=weeks, periods=PERIODS,
                           period=period, gap_points=stats.GAP_POINTS)
