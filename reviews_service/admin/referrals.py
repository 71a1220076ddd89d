"""The referral program (owners only): the funnel and top referrers, the coupon pool, the flagged
queue and the recent referrals. The program's settings are on the settings page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..errors import DomainError
from ..extensions import db
from ..referrals import coupons, pool, service, stats
from . import charts
from .blueprint import bp
from .forms import AdminForm, attempt, require_csrf
from .language import _, ngettext
from .language import lazy_gettext as _l
from .sign_in import shop_access

PERIODS = (7, 30, 90)
KIND_LABELS = {"referrer_reward": _l("Referrer rewards"), "friend_offer": _l("Friend offers")}
SIGNAL_LABELS = {
    "self_referral_customer": _l("Same customer on both sides"),
    "self_referral_email": _l("Same e-mail address (normalised)"),
    "self_referral_name_address": _l("Same name and shipping address"),
    "self_referral_visitor": _l("Same browser on both sides"),
    "not_first_order": _l("Not the friend's first order"),
    "velocity": _l("Many conversions from one browser or network"),
    "leaked_code": _l("Code clicked from many networks (leaked)"),
}
STATUS_NAMES = {"pending": _l("pending"), "approved": _l("approved"), "rejected": _l("rejected"),
                "flagged": _l("flagged")}
# The reason is stored as the English words (the audit and the API show them); the page shows them translated.
REJECT_REASONS = [("Self-referral", _l("Self-referral")),
                  ("Code posted on a coupon site", _l("Code posted on a coupon site")),
                  ("Fake or duplicate account", _l("Fake or duplicate account")),
                  ("Order not genuine", _l("Order not genuine")),
                  ("Other", _l("Other"))]
REJECT_REASON_NAMES = dict(REJECT_REASONS)


class CouponForm(AdminForm):
    kind = SelectField(_l("Pool"), choices=[(k, KIND_LABELS.get(k, k)) for k in coupons.COUPON_KINDS],
                       validators=[InputRequired()])
    codes = TextAreaField(_l("Codes"), validators=[DataRequired(_l("Paste at least one code."))],
                          description=_l("One code per line; codes loaded before are skipped."))


class ApproveForm(AdminForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class ReferralRejectForm(AdminForm):
    reason = SelectField(_l("Reason"), choices=REJECT_REASONS, validators=[InputRequired()])


def _page(shop, *, coupon_form=None, status: int = 200):
    days = request.args.get("days", type=int)
    days = days if days in PERIODS else 30
    f = stats.funnel(shop, days=days)
    steps = [(_("Clicks"), f["clicks"]), (_("Referred orders"), f["referred_orders"]),
             (_("Approved"), f["approved"]), (_("Rewarded"), f["rewarded"])]
    funnel_chart = charts.bars(
        [label for label, _n in steps], [[n for _label, n in steps]], names=(_("Count"),),
        title=_("Referral funnel"),
        desc=ngettext("Browsers that clicked a referral link, the orders they led to, how many were approved "
                      "and how many earned a reward, in the last %(num)d day.",
                      "Browsers that clicked a referral link, the orders they led to, how many were approved "
                      "and how many earned a reward, in the last %(num)d days.", days))
    recent = service.listing(shop, cursor=request.args.get("cursor") or None, limit=20)
    pools = coupons.pools(shop)
    low_pools = ", ".join(str(KIND_LABELS.get(kind, kind)).lower() for kind in pools["low"])
    return render_template(
        "admin/referrals.html", f=f, days=days, periods=PERIODS, funnel_chart=funnel_chart,
        pools=pools, low_pools=low_pools, flagged=service.listing(shop, status="flagged", limit=50)["referrals"],
        recent=recent["referrals"], next_cursor=recent["next_cursor"], coupon_form=coupon_form or CouponForm(),
        approve_form=ApproveForm(), reject_form=ReferralRejectForm(), kind_labels=KIND_LABELS,
        signal_labels=SIGNAL_LABELS, referral_statuses=STATUS_NAMES, reject_reasons=REJECT_REASON_NAMES), status


@bp.route("/shops/<slug>/referrals")
@shop_access(owner=True)
def referrals(shop):
    return _page(shop)


@bp.route("/shops/<slug>/referrals/coupons", methods=["POST"])
@shop_access(owner=True)
def referrals_coupons(shop):
    form = CouponForm()
    codes = [line.strip() for line in (form.codes.data or "").splitlines() if line.strip()]
    done, result = attempt(form, lambda: pool.load(shop, form.kind.data, codes), field="codes")
    if not done:
        return _page(shop, coupon_form=form, status=422)
    flash(_("%(added)s codes added, %(skipped)s skipped; %(available)s available in the pool.",
            added=result["added"], skipped=result["duplicates"], available=result["available"]), "success")
    if result["waiting_issued"]:
        flash(ngettext("%(num)d code went at once to a review that was waiting for its reward.",
                       "%(num)d codes went at once to reviews that were waiting for their reward.",
                       result["waiting_issued"]), "success")
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
        flash(_("Approved: the reward is issued.") if referral.status == "approved" else
              _("Approved: the reward is issued when the hold ends."), "success")
    return redirect(url_for("admin.referrals", slug=shop.slug))


@bp.route("/shops/<slug>/referrals/<public_id>/reject", methods=["POST"])
@shop_access(owner=True)
def referrals_reject(shop, public_id: str):
    form = ReferralRejectForm()
    require_csrf(form)
    if form.errors:
        abort(422, _("Choose a reason for rejecting."))
    try:
        service.reject(shop, public_id, form.reason.data)
    except DomainError as exc:
        if exc.status == 404:
            raise
        db.session.rollback()
        flash(exc.detail, "error")
    else:
        flash(_("Rejected: no reward is issued."), "success")
    return redirect(url_for("admin.referrals", slug=shop.slug))
