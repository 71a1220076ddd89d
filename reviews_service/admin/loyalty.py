"""The loyalty programme (owners only): its numbers as charts, the members with their balance and
tier (a page at a time, or found by e-mail), one customer's ledger, and points added or taken by
hand with a reason, through the programme's own `adjust` (which keeps who did it in the ledger)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from flask import flash, redirect, render_template, request, url_for
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

from ..errors import Conflict
from ..loyalty import numbers
from ..loyalty import service as programme
from ..shops.service import settings_of
from ..shops.settings import shop_text
from . import charts, language
from .blueprint import bp
from .forms import AdminForm, attempt
from .language import _, ngettext
from .language import lazy_gettext as _l
from .sign_in import actor, shop_access

KIND_NAMES = {"earn": _l("earned"), "hold_release": _l("released from the hold"), "redeem": _l("redeemed"),
              "expire": _l("expired"), "adjust": _l("adjusted by hand"), "reverse": _l("reversed")}
SOURCE_NAMES = {"order": _l("order"), "review": _l("review"), "referral": _l("referral"), "admin": _l("the shop"),
                "event": _l("the shop's event"), "redemption": _l("reward"), "programme": _l("the programme")}


def _not_zero(_form, field) -> None:
    if field.data == 0:
        raise StopValidation(_("Enter a number of points other than 0."))


class AdjustForm(AdminForm):
    points = IntegerField(
        _l("Points"), validators=[InputRequired(), NumberRange(min=-1_000_000, max=1_000_000), _not_zero],
        description=_l("A positive number adds points, a negative one takes them away (never below zero)."))
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Say why the points change.")), Length(max=500)],
                         description=_l("Kept in the customer's ledger with your name."))


def money(amount: Decimal, currency: str) -> str:
    """An amount in the admin's language (CLDR's currency pattern and digits)."""
    try:
        return format_currency(amount, currency, locale=language.current())
    except (ValueError, TypeError):
        return f"{amount} {currency}"


def tier_name(shop, tier: dict | None) -> str:
    if tier is None:
        return _("No tier")
    default_lang = settings_of(shop)["default_locale"]
    return shop_text(tier["name"], language.current(), default_lang) or tier["id"]


def _charts(shop, totals: dict, per_tier: list[dict], repeat: dict) -> list:
    points = [(_("Issued"), totals["issued"]), (_("Redeemed"), totals["redeemed"]),
              (_("Expired"), totals["expired"]), (_("Reversed"), totals["reversed"]),
              (_("Outstanding"), totals["outstanding"])]
    points_chart = charts.bars(
        [label for label, _n in points], [[n for _label, n in points]], names=(_("Points"),),
        title=_("Points"), desc=_("Points issued (earned and added by hand), redeemed, expired, reversed (refunds "
                                  "and points taken by hand) and outstanding (spendable and still held), "
                                  "since the programme began."))
    tier_chart = charts.hbars(
        [(tier_name(shop, row["tier"]), row["members"], "") for row in per_tier],
        title=_("Members per tier"), desc=_("How many members each tier holds today."))
    groups = [(_("Members"), repeat["members"]), (_("Other customers"), repeat["others"])]
    repeat_chart = charts.bars(
        [label for label, _g in groups], [[g["rate"] for _label, g in groups]], names=(_("Repeat purchase rate"),),
        fmt="pct", title=_("Repeat purchase rate"),
        desc=_("Of the customers with an order that was not cancelled, the share with two orders or more: "
               "members of the programme and the other customers."))
    return [points_chart, tier_chart, repeat_chart]


@bp.route("/shops/<slug>/loyalty")
@shop_access(owner=True)
def loyalty(shop):
    email = (request.args.get("email") or "").strip()[:254]
    found = numbers.members(shop, email=email, cursor=request.args.get("cursor") or None)
    totals = numbers.totals(shop)
    per_tier = numbers.members_per_tier(shop)
    repeat = numbers.repeat_purchase(shop)
    tiers = {t["id"]: t for t in settings_of(shop)["loyalty"]["tiers"]}
    names = {tier_id: tier_name(shop, tier) for tier_id, tier in tiers.items()}
    return render_template(
        "admin/loyalty.html", totals=totals, liability=money(totals["liability"], totals["currency"]),
        point_value=money(totals["point_value"], totals["currency"]), repeat=repeat,
        charts=_charts(shop, totals, per_tier, repeat), members=found["members"], next_cursor=found["next_cursor"],
        email=email, tier_names=names, enabled=settings_of(shop)["loyalty"]["enabled"])


def _customer_page(shop, customer_id: str, form: AdjustForm | None = None, status: int = 200):
    person = programme.customer(shop, customer_id)
    standing = programme.standing(shop, person, language.current())
    page = programme.entries(shop, person, request.args.get("cursor") or None, 50)
    return render_template(
        "admin/loyalty_customer.html", person=person, standing=standing, entries=page["entries"],
        next_cursor=page["next_cursor"], form=form or AdjustForm(), kind_names=KIND_NAMES,
        source_names=SOURCE_NAMES,
        value=money(Decimal(standing["spendable_value"]), standing["currency"])), status


@bp.route("/shops/<slug>/loyalty/customers/<customer_id>")
@shop_access(owner=True)
def loyalty_customer(shop, customer_id: str):
    return _customer_page(shop, customer_id)


@bp.route("/shops/<slug>/loyalty/customers/<customer_id>/adjustments", methods=["POST"])
@shop_access(owner=True)
def loyalty_adjust(shop, customer_id: str):
    person = programme.customer(shop, customer_id)  # another shop's customer: 404 before anything else
    form = AdjustForm()

    def adjust():
        try:
            return programme.adjust(shop, person, form.points.data, form.reason.data or "", actor=actor())
        except Conflict:  # the programme explains in English; the page says it in the admin's language
            spendable = programme.standing(shop, person)["spendable"]
            raise Conflict(ngettext("The member has %(num)d spendable point; an adjustment may not take the "
                                    "balance below zero.", "The member has %(num)d spendable points; an "
                                    "adjustment may not take the balance below zero.", spendable),
                           field="points") from None

    done, entry = attempt(form, adjust, field="points")
    if not done:
        return _customer_page(shop, customer_id, form, 422)
    flash(ngettext("%(num)d point added.", "%(num)d points added.", entry.spendable_change)
          if entry.spendable_change > 0 else
          ngettext("%(num)d point taken away.", "%(num)d points taken away.", -entry.spendable_change), "success")
    return redirect(url_for("admin.loyalty_customer", slug=shop.slug, customer_id=person.id))
