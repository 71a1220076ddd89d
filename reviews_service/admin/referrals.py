"""The referral program (owners only): the funnel and top referrers, the coupon pool, the flagged
queue and the recent referrals. The program's settings are on the settings page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..errors import DomainError
from ..extensions import db
from ..referrals import coupons, service, stats
from . import charts
from .blueprint import bp
from .forms import attempt, require_csrf
from .sign_in import shop_access

PERIODS = (7, 30, 90)
KIND_LABELS = {"referrer_reward": "Referrer rewards", "friend_offer": "Friend offers"}
SIGNAL_LABELS = {
    "self_referral_customer": "Same customer on both sides",
    "self_referral_email": "Same e-mail address (normalised)",
    "self_referral_name_address": "Same name and shipping address",
    "self_referral_visitor": "Same browser on both sides",
    "not_first_order": "Not the friend's first order",
    "velocity": "Many conversions from one browser or network",
    "leaked_code": "Code clicked from many networks (leaked)",
}
REJECT_REASONS = [("Self-referral", "Self-referral"),
                  ("Code posted on a coupon site", "Code posted on a coupon site"),
                  ("Fake or duplicate account", "Fake or duplicate account"),
                  ("Order not genuine", "Order not genuine"),
                  ("Other", "Other")]


class CouponForm(FlaskForm):
    kind = SelectField("Pool", choices=[(k, KIND_LABELS.get(k, k)) for k in coupons.COUPON_KINDS],
                       validators=[InputRequired()])
    codes = TextAreaField("Codes", validators=[DataRequired("Paste at least one code.")],
                          description="One code per line; codes loaded before are skipped.")


class ApproveForm(FlaskForm):
    note = StringField("Note", validators=[Optional(), Length(max=500)])


class ReferralRejectForm(FlaskForm):
    reason = SelectField("Reason", choices=REJECT_REASONS, validators=[InputRequired()])


def _page(shop, *, coupon_form=None, status: int = 200):
    days = request.args.get("days", type=int)
    days = days if days in PERIODS else 30
    f = stats.funnel(shop, days=days)
    steps = [("Clicks", f["clicks"]), ("Referred orders", f["referred_orders"]),
             ("Approved", f["approved"]), ("Rewarded", f["rewarded"])]
    funnel_chart = charts.bars(
        [label for label, _ in steps], [[n for _, n in steps]], names=("Count",),
        title="Referral funnel",
        desc=f"Browsers that clicked a referral link, the orders they led to, how many were approved "
             f"and how many earned a reward, in the last {days} days.")
    recent = service.listing(shop, cursor=request.args.get("cursor") or None, limit=20)
    return render_template(
        "admin/referrals.html", f=f, days=days, periods=PERIODS, funnel_chart=funnel_chart,
        pools=coupons.pools(shop), flagged=service.listing(shop, status="flagged", limit=50)["referrals"],
        recent=recent["referrals"], next_cursor=recent["next_cursor"], coupon_form=coupon_form or CouponForm(),
        approve_form=ApproveForm(), reject_form=ReferralRejectForm(), kind_labels=KIND_LABELS,
        signal_labels=SIGNAL_LABELS), status


@bp.route("/shops/<slug>/referrals")
@shop_access(owner=True)
def referrals(shop):
    return _page(shop)


@bp.route("/shops/<slug>/referrals/coupons", methods=["POST"])
@shop_access(owner=True)
def referrals_coupons(shop):
    form = CouponForm()
    codes = [line.strip() for line in (form.codes.data or "").splitlines() if line.strip()]
    done, result = attempt(form, lambda: coupons.load(shop, form.kind.data, codes), field="codes")
    if not done:
        return _page(shop, coupon_form=form, status=422)
    flash(f"{result['added']} codes added, {result['duplicates']} skipped; "
          f"{result['available']} available in the pool.", "success")
    return redirect(url_for("admin.referrals", slug=shop.slug))


@bp.route("/shops/<slug>/referrals/<public_id>/approve", methods=["POST"])
@shop_access(owner=True)
def referrals_approve(shop, public_id: str):
    form = ApproveForm()
    require_csrf(form)
    try:
        referral = service.approve(shop, public_id, (form.note.data or "").strip())
    except DomainError as exc:
        if exc.status == 404:
            raise
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash("Approved: the reward is issued." if referral.status == "approved" else
              "Approved: the reward is issued when the hold ends.", "success")
    return redirect(url_for("admin.referrals", slug=shop.slug))


@bp.route("/shops/<slug>/referrals/<public_id>/reject", methods=["POST"])
@shop_access(owner=True)
def referrals_reject(shop, public_id: str):
    form = ReferralRejectForm()
    require_csrf(form)
    if form.errors:
        abort(422, "Choose a reason for rejecting.")
    try:
        service.reject(shop, public_id, form.reason.data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash("Rejected: no reward is issued.", "success")
    return redirect(url_for("admin.referrals", slug=shop.slug))
