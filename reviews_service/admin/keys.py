"""API keys and webhook endpoints (owners only). A new secret is shown in the answer to the POST
that made it, and never again: only its hash is kept (the webhook secret is kept to sign with, but
no page shows it twice). It is not put in the session, whose cookie is signed, not encrypted."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..models_base import utcnow
from ..outbox import webhooks
from ..shops import service as shops
from .blueprint import bp
from .forms import SCOPE_NAMES, CsrfForm, KeyForm, RotateForm, WebhookForm, attempt, require_csrf
from .language import _
from .sign_in import shop_access


def _keys_page(shop, *, secret: str | None = None, form=None, status: int = 200):
    return render_template("admin/keys.html", keys=shops.active_keys(shop), revoked=shops.ended_keys(shop),
                           secret=secret, create=form or KeyForm(), rotate=RotateForm(),
                           now=utcnow(), scope_names=SCOPE_NAMES), status


@bp.route("/shops/<slug>/keys")
@shop_access(owner=True)
def keys(shop):
    return _keys_page(shop)


@bp.route("/shops/<slug>/keys/create", methods=["POST"])
@shop_access(owner=True)
def keys_create(shop):
    form = KeyForm()
    done, secret = attempt(form, lambda: shops.add_key(
        shop, (form.label.data or "").strip() or _("created in the admin"), scopes=form.scopes.data))
    if not done:
        return _keys_page(shop, form=form, status=422)
    return _keys_page(shop, secret=secret)


@bp.route("/shops/<slug>/keys/rotate", methods=["POST"])
@shop_access(owner=True)
def keys_rotate(shop):
    form = RotateForm()
    require_csrf(form)
    return _keys_page(shop, secret=shops.rotate_key(shop, revoke_now=bool(form.revoke_now.data)))


@bp.route("/shops/<slug>/keys/<int:key_id>/revoke", methods=["POST"])
@shop_access(owner=True)
def keys_revoke(shop, key_id: int):
    require_csrf(CsrfForm())
    shops.revoke_key(shop, key_id)
    flash(_("The key is revoked: requests with it are refused from now on."), "success")
    return redirect(url_for("admin.keys", slug=shop.slug))


# --- webhooks ------------------------------------------------------------------------------------

def _webhook_form(formdata=None):
    form = WebhookForm() if formdata is None else formdata
    form.events.choices = [("*", _("Every event"))] + [(e, e) for e in webhooks.EVENTS]
    return form


def _webhooks_page(shop, *, created=None, form=None, status: int = 200):
    return render_template("admin/webhooks.html", endpoints=webhooks.endpoints(shop), created=created,
                           form=form or _webhook_form(), events=webhooks.EVENTS), status


@bp.route("/shops/<slug>/webhooks", endpoint="webhooks")
@shop_access(owner=True)
def webhooks_page(shop):
    return _webhooks_page(shop)


@bp.route("/shops/<slug>/webhooks", methods=["POST"])
@shop_access(owner=True)
def webhooks_create(shop):
    form = _webhook_form()
    done, endpoint = attempt(form, lambda: webhooks.create_endpoint(
        shop, form.url.data.strip(), list(form.events.data), (form.description.data or "").strip()),
        field="events")
    if not done:
        return _webhooks_page(shop, form=form, status=422)
    return _webhooks_page(shop, created=endpoint, status=201)


@bp.route("/shops/<slug>/webhooks/<endpoint_id>/delete", methods=["POST"])
@shop_access(owner=True)
def webhooks_delete(shop, endpoint_id: str):
    require_csrf(CsrfForm())
    webhooks.delete_endpoint(shop, endpoint_id)
    flash(_("The endpoint is removed; its undelivered events are dropped."), "success")
    return redirect(url_for("admin.webhooks", slug=shop.slug))
