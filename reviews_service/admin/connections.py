"""The Connections page: a shop's Shopify or WooCommerce connection, what to register on the
platform (URL and topics, with copy buttons), the last deliveries and what each did, and a test
delivery run through the receiver in-process. Every member sees it; only owners change it. The
webhook secret is write-only: a field to set or replace it, never shown. And the erasure of a
customer, which Shopify asks of apps only (customers/redact), so a shop connected through its own
webhooks does it here."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..catalog import privacy
from ..connectors import samples
from ..connectors import service as connectors
from ..connectors.models import PLATFORMS
from .blueprint import bp
from .forms import AdminForm, CsrfForm, attempt, require_csrf
from .language import _
from .language import lazy_gettext as _l
from .sign_in import shop_access

PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce"}
DOMAIN_HINTS = {
    "shopify": _l("The store's myshopify.com domain, like my-store.myshopify.com."),
    "woocommerce": _l("The WooCommerce site's host name, like shop.example.com."),
}
DELIVERY_STATUSES = {"applied": _l("applied"), "ignored": _l("ignored"), "waiting": _l("waiting for its order"),
                     "refused": _l("refused"), "duplicate": _l("duplicate"), "failed": _l("failed")}
LAST_DELIVERIES = 10


class ConnectionForm(AdminForm):
    domain = StringField(_l("Store domain"), validators=[Optional(), Length(max=255)])
    secret = PasswordField(_l("Webhook secret"), validators=[Optional(), Length(max=500)],
                           render_kw={"autocomplete": "off"})


def _form(platform: str, formdata=None) -> ConnectionForm:
    form = ConnectionForm(prefix=platform) if formdata is None else formdata
    form.domain.description = DOMAIN_HINTS[platform]
    return form


def _page(shop, *, forms=None, result=None, erase=None, status: int = 200):
    connected = {c.platform: connectors.view(shop, c) for c in connectors.connections(shop)}
    platforms = []
    for platform in PLATFORMS:
        view = connected.get(platform)
        platforms.append({
            "platform": platform, "name": PLATFORM_NAMES[platform], "view": view,
            "form": (forms or {}).get(platform) or _form(platform),
            "deliveries": connectors.deliveries(shop, platform, LAST_DELIVERIES) if view else [],
            "result": result if result and result["platform"] == platform else None,
            "webhook_url": connectors.webhook_url(shop, platform),
        })
    return render_template("admin/connections.html", platforms=platforms, action=CsrfForm(),
                           erase=erase or EraseForm(), statuses=DELIVERY_STATUSES), status


@bp.route("/shops/<slug>/connections")
@shop_access()
def connections(shop):
    return _page(shop)


@bp.route("/shops/<slug>/connections/<platform>", methods=["POST"])
@shop_access(owner=True)
def connections_save(shop, platform: str):
    connectors.check_platform(platform)
    form = _form(platform, ConnectionForm(prefix=platform))
    domain = (form.domain.data or "").strip() or None
    secret = (form.secret.data or "").strip() or None
    done, result = attempt(form, lambda: connectors.configure(shop, platform, domain=domain, secret=secret))
    if not done:
        return _page(shop, forms={platform: form}, status=422)
    _connection, created = result
    name = PLATFORM_NAMES[platform]
    flash(_("%(platform)s is connected. Register the webhooks below on your store.", platform=name) if created
          else _("The %(platform)s connection is saved.", platform=name), "success")
    return redirect(url_for("admin.connections", slug=shop.slug) + f"#{platform}")


@bp.route("/shops/<slug>/connections/<platform>/test", methods=["POST"])
@shop_access(owner=True)
def connections_test(shop, platform: str):
    connectors.check_platform(platform)
    require_csrf(CsrfForm())
    result = samples.send_test(shop, platform)
    return _page(shop, result={**result, "platform": platform})


@bp.route("/shops/<slug>/connections/<platform>/delete", methods=["POST"])
@shop_access(owner=True)
def connections_delete(shop, platform: str):
    connectors.check_platform(platform)
    require_csrf(CsrfForm())
    connectors.remove(shop, platform)
    flash(_("The %(platform)s connection is removed: its deliveries are refused from now on.",
            platform=PLATFORM_NAMES[platform]), "success")
    return redirect(url_for("admin.connections", slug=shop.slug))


class EraseForm(AdminForm):
    email = StringField(_l("Customer's e-mail address"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"type": "email", "autocomplete": "off"})


@bp.route("/shops/<slug>/connections/erase", methods=["POST"])
@shop_access(owner=True)
def connections_erase(shop):
    """What Shopify's customers/redact would do for an app: the customer erased everywhere."""
    form = EraseForm()
    done, _result = attempt(form, lambda: privacy.erase(shop, form.email.data.strip()))
    if not done:
        return _page(shop, erase=form, status=422)
    flash(_("The customer is erased everywhere in this shop."), "success")
    return redirect(url_for("admin.connections", slug=shop.slug) + "#erase")
