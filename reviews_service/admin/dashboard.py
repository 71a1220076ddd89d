"""The dashboard: reviews over time, ratings, photos, review requests, and the compliance panel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import render_template, request

from .. import clock
from ..feedback import edits as private_reply_edits
from ..moderation import revisions, stats
from ..survey import service as survey
from . import charts
from .blueprint import bp
from .forms import REJECT_LABELS
from .language import _, day_month, month_year, ngettext, number, percent
from .sign_in import shop_access

PERIODS = (4, 12, 26, 52)
NPS_MONTHS = 12


def nps_trend(shop) -> charts.Chart | None:
    """The survey's NPS in each of the last twelve UTC months, with its number of answers; None when
    the shop asks no survey question and has no answers to show."""
    if not survey.enabled(shop) and not survey.summary(shop)["count"]:
        return None
    today = clock.now().date()
    months = [date(today.year + (today.month - 1 - k) // 12, (today.month - 1 - k) % 12 + 1, 1)
              for k in range(NPS_MONTHS - 1, -1, -1)]
    figures = survey.summary(shop, start=months[0], end=today)
    by_month = {m["month"]: m for m in figures["months"]}
    rows = [by_month.get(f"{m:%Y-%m}", {"nps": None, "count": 0}) for m in months]
    return charts.line(
        [month_year(m) for m in months], [r["nps"] for r in rows], fmt="nps", bottom=-100, top=100,
        title=_("Net Promoter Score per month"), name=_("Net Promoter Score"), note_name=_("Answers"),
        notes=[ngettext("%(num)d answer", "%(num)d answers", r["count"]) for r in rows],
        desc=_("The Net Promoter Score (from −100 to +100: the percentage of customers answering 9 or 10 "
               "less the percentage answering 0 to 6) of the survey answers given each month (UTC), the last "
               "twelve months; gaps are months without answers."))


@bp.route("/shops/<slug>/dashboard")
@shop_access()
def dashboard(shop):
    weeks = request.args.get("weeks", type=int)
    weeks = weeks if weeks in PERIODS else 12
    d = stats.dashboard(shop, weeks)
    labels = [day_month(w) for w in d.weeks]
    period = ngettext("the last %(num)d week", "the last %(num)d weeks", weeks)
    c = d.compliance
    total_published = sum(d.distribution.values())

    figures = {
        "per_week": charts.bars(
            labels, [d.received, d.published], names=(_("Received"), _("Published")),
            title=_("Reviews per week"),
            desc=_("Reviews received (solid) and published (hatched) each week, %(period)s.", period=period)),
        "average": charts.line(
            labels, d.average, title=_("Average rating per week"), name=_("Average stars"), bottom=1, top=5,
            desc=_("The average star rating of the reviews published each week, %(period)s; gaps are weeks "
                   "without published reviews.", period=period)),
        "distribution": charts.hbars(
            [(charts.stars(s), d.distribution[s],
              percent(100 * d.distribution[s] / total_published) if total_published else "")
             for s in range(5, 0, -1)],
            title=_("Rating distribution"), desc=_("Published reviews by star rating, all time.")),
        "photos": charts.line(
            labels, [100 * p / r if r else None for p, r in zip(d.with_photos, d.received, strict=True)],
            fmt="pct", top=100, title=_("Share of reviews with photos"), name=_("With photos"),
            desc=_("The percentage of the reviews received each week that carry at least one photo, %(period)s.",
                   period=period)),
        "requests": charts.bars(
            labels, [d.requests_sent, d.requests_converted], names=(_("Sent"), _("Converted")),
            title=_("Review request e-mails"),
            desc=_("Review requests sent each week (solid) and how many of them led to a review (hatched), "
                   "%(period)s.", period=period)),
        "publish_rate": charts.hbars(
            [(charts.stars(row.stars), row.rate,
              _("%(published)s of %(received)s", published=number(row.published), received=number(row.received))
              if row.received else _("none received")) for row in c.by_star],
            fmt="pct", top=100, title=_("Publish rate by star level"),
            marks=[(v, lab) for v, lab in ((c.low_rate, "1–2★"), (c.high_rate, "4–5★")) if v is not None],
            desc=_("For each star level, the share of the reviews received in %(period)s that are published "
                   "(pending and rejected ones count as not published).", period=period)),
        "rejections": charts.hbars(
            [(REJECT_LABELS.get(reason, reason), n, "") for reason, n in c.rejections.items()],
            title=_("Rejections by reason"),
            desc=_("Reviews rejected in %(period)s, by the reason given.", period=period)),
    }
    # Reviews their authors edited after the shop's private reply, by the direction of the stars.
    since = datetime.combine(d.weeks[0], time.min, UTC)
    edited = private_reply_edits.counts(shop, since=since)
    # Every edit reviewers made to their own reviews (up, down, unchanged), and their withdrawals.
    edits = {**revisions.directions(shop, since), "withdrawn": revisions.withdrawals(shop, since)}
    return render_template("admin/dashboard.html", d=d, c=c, figures=figures, weeks=weeks, periods=PERIODS,
                           period=period, gap_points=stats.GAP_POINTS, nps=nps_trend(shop),
                           edited_after_reply=edited, edits=edits)
