"""The dashboard: server-rendered SVG charts readable without colour, and the compliance panel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from reviews_service.admin import charts
from reviews_service.extensions import db
from reviews_service.moderation import stats

from .conftest import make_review


def _seed(app, shop, *, low_published: int, low_rejected: int, high_published: int = 4, high_rejected: int = 0):
    for n in range(low_published):
        make_review(app, shop, rating=1 + n % 2, status="published", body=f"Poor quality, item {n}.")
    for n in range(low_rejected):
        make_review(app, shop, rating=1, status="rejected", reason="abuse", body=f"Rude words {n}.")
    for n in range(high_published):
        make_review(app, shop, rating=5 - n % 2, status="published", body=f"Lovely, item {n}.", photos=n % 2)
    for n in range(high_rejected):
        make_review(app, shop, rating=5, status="rejected", reason="spam", body=f"Buy now {n}.")


def test_dashboard_draws_every_chart_as_svg_with_text_values(app, admin, shop):
    _seed(app, shop, low_published=2, low_rejected=0)
    answer = admin.get(f"{admin.base}/dashboard")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    for title in ("Reviews per week", "Average rating per week", "Rating distribution",
                  "Share of reviews with photos", "Review request e-mails", "Publish rate by star level",
                  "Rejections by reason"):
        assert f">{title}</title>" in html, title
    assert html.count('role="img"') >= 7 and "<desc" in html
    assert 'class="value"' in html  # numbers written on the charts, not only colours
    assert "-hatch)" in html  # the second series is hatched
    assert "Show the numbers" in html  # and each chart has its table
    assert "<script>" not in html and " style=" not in html  # the CSP allows neither


def test_the_rating_distribution_is_the_shops_rating_aggregate_not_a_recount(app, admin, shop):
    make_review(app, shop, rating=4, status="published")
    with app.app_context():  # an aggregate that differs from a recount of the reviews
        db.session.execute(text("UPDATE shop_ratings SET n4 = n4 + 2, count = count + 2, total = total + 8"))
        db.session.commit()

    html = admin.get(f"{admin.base}/dashboard").get_data(as_text=True)

    assert "<title>4 stars: 3</title>" in html and "<title>4 stars: 1</title>" not in html


def test_compliance_warns_when_low_stars_are_published_far_less(app, admin, shop):
    _seed(app, shop, low_published=1, low_rejected=3)
    html = admin.get(f"{admin.base}/dashboard").get_data(as_text=True)
    assert "Warning:" in html and "1–2 star reviews are published at 25%" in html
    assert "Abuse or hate speech" in html


def test_compliance_is_quiet_when_rates_are_close(app, admin, shop):
    _seed(app, shop, low_published=4, low_rejected=0, high_published=4, high_rejected=0)
    html = admin.get(f"{admin.base}/dashboard").get_data(as_text=True)
    assert "Warning:" not in html and "No imbalance" in html


@pytest.mark.parametrize("low, high, warn", [((9, 10), (10, 10), False), ((8, 10), (99, 100), True),
                                             ((0, 0), (5, 5), False), ((1, 10), (0, 0), False)])
def test_the_warning_threshold_is_ten_points(low, high, warn):
    rows = [stats.StarRow(5, received=high[1], published=high[0]), stats.StarRow(1, received=low[1], published=low[0])]
    low_rate = 100 * low[0] / low[1] if low[1] else None
    high_rate = 100 * high[0] / high[1] if high[1] else None
    assert stats.Compliance(rows, low_rate, high_rate).warning is warn


def test_period_switch(admin):
    assert 'aria-current="page">26 weeks' in admin.get(f"{admin.base}/dashboard?weeks=26").get_data(as_text=True)
    assert 'aria-current="page">12 weeks' in admin.get(f"{admin.base}/dashboard?weeks=7").get_data(as_text=True)


def test_chart_labels_are_escaped():
    chart = charts.hbars([("<b>x</b>", 3, "")], title="T & <U>")
    assert "<b>" not in str(chart.svg) and "&lt;b&gt;" in str(chart.svg) and "T &amp; &lt;U&gt;" in str(chart.svg)


def test_weekly_buckets_are_mondays(app, shop):
    from datetime import date

    weeks = stats.weeks_back(3, today=date(2026, 11, 26))  # a Thursday
    assert weeks == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def test_counts_land_in_this_weeks_bucket(app, shop):
    make_review(app, shop, status="published", rating=4)
    make_review(app, shop, rating=2)
    with app.app_context():
        from reviews_service.shops import service as shops

        d = stats.dashboard(shops.get_shop(shop.id), 4)
    assert d.received[-1] == 2 and d.published[-1] == 1 and d.average[-1] == 4.0
    assert d.distribution == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0}
    assert sum(d.received[:-1]) == 0 and re.match(r"\d{4}-\d\d-\d\d", str(d.weeks[-1]))


def test_weekly_counts_on_every_database(any_app):
    """Weeks are cut by SQL that differs between SQLite and PostgreSQL: both give the same buckets."""
    from reviews_service.shops import service as shops

    from ..factories import make_shop

    shop = make_shop(any_app, "Stats shop")
    make_review(any_app, shop, status="published", rating=5, photos=1)
    make_review(any_app, shop, status="rejected", rating=1, reason="spam")
    with any_app.app_context():
        d = stats.dashboard(shops.get_shop(shop.id), 4)
    assert (d.received[-1], d.published[-1], d.with_photos[-1], d.average[-1]) == (2, 1, 1, 5.0)
    assert d.compliance.rejections["spam"] == 1 and d.compliance.warning
