"""Server API: webhook endpoints and the outbox's messages; the one-click unsubscribe page."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import current_app, render_template, request
from flask.views import MethodView

from .. import i18n
from ..extensions import csrf
from ..web.blueprints import server_blueprint
from ..web.callers import current_shop
from ..web.limits import limiter
from . import service, unsubscribe, webhooks
from .schemas import EndpointCreatedOut, EndpointIn, EndpointList, OutboxList, OutboxQuery

blp = server_blueprint("outbox", "Webhook endpoints, and the outbox of e-mails and webhooks.")
pages = FlaskBlueprint("unsubscribe", __name__)


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.response(200, EndpointList)
    def get(self):
        """The shop's webhook endpoints (without their secrets)"""
        return {"endpoints": webhooks.endpoints(current_shop())}

    @blp.arguments(EndpointIn)
    @blp.response(201, EndpointCreatedOut)
    def post(self, data):
        """Add an endpoint; the answer carries its signing secret, shown only this once"""
        return webhooks.create_endpoint(current_shop(), data["url"], data["events"], data["description"])


@blp.route("/webhooks/<endpoint_id>")
class Webhook(MethodView):
    @blp.response(204)
    def delete(self, endpoint_id):
        """Remove an endpoint; its undelivered events are dropped"""
        webhooks.delete_endpoint(current_shop(), endpoint_id)


@blp.route("/outbox")
class Outbox(MethodView):
    @blp.arguments(OutboxQuery, location="query")
    @blp.response(200, OutboxList)
    def get(self, args):
        """Recent e-mails, webhooks and tasks (the published files): status, attempts, last error"""
        return {"messages": service.messages(current_shop().id, status=args["status"], limit=args["limit"])}


@pages.route("/unsubscribe/<path:token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(lambda: current_app.config["PUBLIC_WRITE_LIMIT"], methods=["POST"])
def unsubscribe_page(token: str):
    """GET shows a confirmation button; POST (the button, or a mail client's one-click
    `List-Unsubscribe=One-Click`) unsubscribes. The signed token is the only credential."""
    result = unsubscribe.resolve(token)
    lang = i18n.negotiate(request.args.get("lang"), result.locale)
    status = {"ok": 200, "expired": 410, "invalid": 404}[result.state]
    done = False
    if result.state == "ok" and request.method == "POST":
        unsubscribe.apply(result)
        done = True
    response = current_app.make_response((render_template(
        "pages/unsubscribe.html", t=lambda key, **p: i18n.translate(lang, key, **p), lang=lang,
        dir=i18n.direction(lang), state=result.state, done=done or result.already,
        shop_name=result.shop_name), status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    return response



