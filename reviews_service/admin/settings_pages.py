"""The shop's settings page (owners only): every setting of the schema, the allowed origins,
and re-running the moderation rules over the reviews that wait."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..moderation import service as moderation
from ..shops import service as shops
from ..shops import settings as shop_settings
from . import settings_form
from .blueprint import bp
from .forms import CsrfForm, attempt
from .language import _, ngettext
from .sign_in import actor, shop_access


def _rerun(shop) -> str:
    report = moderation.rerun_rules(shop, actor=actor())
    text = ngettext("The rules ran again on %(num)d pending or published review.",
                    "The rules ran again on %(num)d pending and published reviews.", report.examined)
    changed = ngettext("%(num)d changed status", "%(num)d changed status", report.changed)
    if report.by_rule:
        titles = settings_form.RULE_TITLES
        changed = _("%(changed)s (%(rules)s)", changed=changed, rules=", ".join(
            f"{titles.get(rule, rule.replace('_', ' '))}: {n}" for rule, n in sorted(report.by_rule.items())))
    text = f"{text} {changed}."
    if report.skipped_moderated:
        text += " " + ngettext("%(num)d review decided by a moderator was left as it is.",
                               "%(num)d reviews decided by a moderator were left as they are.",
                               report.skipped_moderated)
    return text


@bp.route("/shops/<slug>/settings", methods=["GET", "POST"])
@shop_access(owner=True)
def settings(shop):
    form_class, described = settings_form.build()
    status = 200
    if request.method == "GET":
        form = form_class(data=settings_form.initial(shop, described))
    else:
        form = form_class()
        form.validate()
        if form.csrf_token.errors:
            abort(400, _("The form expired or was not sent from this page. Reload the page and save again."))
        values = settings_form.collect(form, described)
        loaded = settings_form.validate_into(form, described, values) if not form.errors else None
        if loaded is not None:
            before = (shop.name, list(shop.allowed_origins or []), shops.settings_of(shop))
            done, _result = attempt(form, lambda: shops.update_shop(
                shop, {"name": form.shop_name.data, "allowed_origins": settings_form.lines(form.allowed_origins.data),
                       "settings": loaded}, rerun=False))
            if done:
                after = shops.settings_of(shop)
                changed = {k for k in after if after.get(k) != before[2].get(k)}
                renamed = (shop.name, list(shop.allowed_origins or [])) != before[:2]
                message = _("Settings saved.") if changed or renamed else _("Saved; nothing had changed.")
                if changed & shop_settings.MODERATION_KEYS:  # the settings the rules read
                    message += " " + _rerun(shop)
                flash(message, "success")
                return redirect(url_for("admin.settings", slug=shop.slug))
        status = 422
        flash(_("Some settings need a fix; see the messages below."), "error")
    groups = {}
    for f in described:
        groups.setdefault(f.group, {}).setdefault(f.subgroup, []).append(f)
    groups = {g: groups[g] for g in settings_form.GROUPS if g in groups}
    return render_template("admin/settings.html", form=form, groups=groups, rerun=CsrfForm(),
                           subgroup_titles=settings_form.SUBGROUP_TITLES), status


@bp.route("/shops/<slug>/settings/rerun-rules", methods=["POST"])
@shop_access(owner=True)
def settings_rerun(shop):
    if not CsrfForm().validate():
        abort(400, _("The form expired; reload the page and try again."))
    flash(_rerun(shop), "success")
    return redirect(url_for("admin.settings", slug=shop.slug))
