"""The loyalty programme's main switches (owners only): on or off, what earns points, the hold and
the expiry. Its tiers and rewards are edited through the server API (PATCH /api/v1/shop); this page
keeps them as they are."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from wtforms import BooleanField, DecimalField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..errors import Invalid
from ..shops import service as shops
from ..shops.loyalty import LoyaltySettings
from .blueprint import bp
from .forms import AdminForm, attempt
from .language import _
from .language import lazy_gettext as _l
from .sign_in import shop_access

SWITCHES = ("enabled", "points_per_unit", "for_review", "for_review_with_photos", "for_referral", "hold_days",
            "expiry_months")


def _points(label, description=None) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
                        description=description)


class LoyaltySettingsForm(AdminForm):
    enabled = BooleanField(_l("The loyalty programme is on"),
                           description=_l("Off: nobody earns or redeems points; members keep the points they have."))
    points_per_unit = DecimalField(_l("Points per unit of currency spent"), places=2,
                                   validators=[InputRequired(), NumberRange(min=0, max=1000)],
                                   description=_l("For each whole unit of an order's total, e.g. 1 point per euro."))
    for_review = _points(_l("Points for a review"),
                         _l("The same for every review, whatever its stars; the review is labelled as incentivised."))
    for_review_with_photos = _points(_l("Points for a review with photos"),
                                     _l("Instead of the above when the review has photos; 0 for the same."))
    for_referral = _points(_l("Points for an approved referral"))
    hold_days = IntegerField(_l("Days before an order's points can be spent"),
                             validators=[Optional(), NumberRange(min=0, max=365)],
                             description=_l("Empty: the return window of the referral programme."))
    expiry_months = IntegerField(_l("Months without activity before points expire"),
                                 validators=[Optional(), NumberRange(min=1, max=120)],
                                 description=_l("Empty: points never expire."))


def _save(shop, form: LoyaltySettingsForm) -> None:
    current = shops.settings_of(shop)["loyalty"]
    changed = {name: form[name].data for name in SWITCHES}
    changed["points_per_unit"] = str(changed["points_per_unit"])
    try:
        loaded = LoyaltySettings().load({**current, **changed})
    except ValidationError as error:
        field = next(iter(error.normalized_messages()), None)
        raise Invalid(_("This value cannot be used."), field=field if field in SWITCHES else None) from None
    shops.update_shop(shop, {"settings": {"loyalty": loaded}})


@bp.route("/shops/<slug>/loyalty/settings", methods=["GET", "POST"])
@shop_access(owner=True)
def loyalty_settings(shop):
    current = shops.settings_of(shop)["loyalty"]
    status = 200
    if request.method == "GET":
        data = {name: current[name] for name in SWITCHES}
        form = LoyaltySettingsForm(data={**data, "points_per_unit": Decimal(data["points_per_unit"])})
    else:
        form = LoyaltySettingsForm()
        done, _result = attempt(form, lambda: _save(shop, form))
        if done:
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.loyalty_settings", slug=shop.slug))
        status = 422
    return render_template("admin/loyalty_settings.html", form=form, enabled=current["enabled"]), status
