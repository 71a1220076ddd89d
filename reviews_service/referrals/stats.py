"""The program's numbers for the admin's charts: the funnel, a daily series, the top referrers.
Counted in SQL, grouped by UTC day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, distinct, func, select

from ..catalog.models import Customer
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from .models import Referral, ReferralClick, ReferralCode, Reward


def _day(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


def funnel(shop: Shop, *, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    """Clicks (browsers), referred orders, approved, rewarded and the approved revenue per
    currency since `days` ago; with the day-by-day series and the top referrers."""
    since = (now or utcnow()) - timedelta(days=days)
    clicks = db.session.scalar(select(func.count(distinct(ReferralClick.visitor_hash))).where(
        ReferralClick.shop_id == shop.id, ReferralClick.created_at >= since))
    in_period = (Referral.shop_id == shop.id, Referral.created_at >= since)
    by_status = dict(db.session.execute(select(Referral.status, func.count()).where(*in_period)
                                        .group_by(Referral.status)).all())
    rewarded = db.session.scalar(select(func.count()).select_from(Reward).join(Referral).where(*in_period))
    revenue = [{"currency": currency, "total": str(total)} for currency, total in db.session.execute(
        select(Referral.currency, func.sum(Referral.order_total)).where(*in_period, Referral.status == "approved")
        .group_by(Referral.currency).order_by(Referral.currency))]
    return {
        "since": since, "clicks": clicks, "referred_orders": sum(by_status.values()),
        "approved": by_status.get("approved", 0), "rewarded": rewarded,
        "rejected": by_status.get("rejected", 0), "flagged": by_status.get("flagged", 0),
        "pending": by_status.get("pending", 0), "revenue": revenue,
        "days": daily(shop, since), "top_referrers": top_referrers(shop, since),
    }


def daily(shop: Shop, since: datetime) -> list[dict[str, Any]]:
    """[{date, clicks, referred_orders, approved}] for each day with any of them, oldest first."""
    rows: dict[str, dict[str, Any]] = {}

    def add(key: str, query) -> None:
        for day, n in db.session.execute(query):
            rows.setdefault(day, {"date": day, "clicks": 0, "referred_orders": 0, "approved": 0})[key] = n

    click_day = _day(ReferralClick.created_at)
    add("clicks", select(click_day, func.count(distinct(ReferralClick.visitor_hash))).where(
        ReferralClick.shop_id == shop.id, ReferralClick.created_at >= since).group_by(click_day))
    referral_day = _day(Referral.created_at)
    add("referred_orders", select(referral_day, func.count()).where(
        Referral.shop_id == shop.id, Referral.created_at >= since).group_by(referral_day))
    add("approved", select(referral_day, func.count()).where(
        Referral.shop_id == shop.id, Referral.created_at >= since, Referral.status == "approved")
        .group_by(referral_day))
    return [rows[day] for day in sorted(rows)]


def top_referrers(shop: Shop, since: datetime, limit: int = 10) -> list[dict[str, Any]]:
    """The referrers with the most approved referrals (then the most referred orders)."""
    approved = func.sum(case((Referral.status == "approved", 1), else_=0))
    total = func.count(Referral.id)
    rows = db.session.execute(
        select(ReferralCode.code, Customer.name, Customer.email, total, approved)
        .join(Referral, Referral.code_id == ReferralCode.id)
        .join(Customer, Customer.id == ReferralCode.customer_id)
        .where(Referral.shop_id == shop.id, Referral.created_at >= since, Referral.friend_id != Referral.referrer_id)
        .group_by(ReferralCode.code, Customer.name, Customer.email)
        .order_by(approved.desc(), total.desc(), ReferralCode.code).limit(limit))
    return [{"code": code, "name": name, "email": email, "referred_orders": n, "approved": int(a or 0)}
            for code, name, email, n, a in rows]
