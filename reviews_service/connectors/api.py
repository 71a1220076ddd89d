"""The connections' settings (server API, secret key) and the webhook receivers the platforms call."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import request
from flask.views import MethodView

from ..errors import TooLarge
from ..extensions import csrf
from ..web.blueprints import server_blueprint
from ..web.callers import current_shop
from . import receiver, service, shopify, woocommerce
from .schemas import ConnectionIn, ConnectionList, ConnectionOut, DeliveryList, DeliveryQuery

blp = server_blueprint("connectors", "Connections to Shopify and WooCommerce: settings and deliveries.")
hooks = FlaskBlueprint("connector_hooks", __name__)
PLATFORMS = {"shopify": shopify.PLATFORM, "woocommerce": woocommerce.PLATFORM}


@blp.route("/connections")
class Connections(MethodView):
    @blp.response(200, ConnectionList)
    def get(self):
        """The shop's connections (never their secrets)"""
        shop = current_shop()
        return {"connections": [service.view(shop, c) for c in service.connections(shop)]}


@blp.route("/connections/<platform>")
class ConnectionResource(MethodView):
    @blp.arguments(ConnectionIn)
    @blp.response(200, ConnectionOut, description="The connection was changed.")
    @blp.alt_response(201, schema=ConnectionOut, description="The connection was made.")
    def put(self, data, platform):
        """Connect the shop to its platform: store domain and webhook secret (write-only)"""
        shop = current_shop()
        connection, created = service.configure(shop, platform, **data)
        return service.view(shop, connection), 201 if created else 200

    @blp.response(200, ConnectionOut)
    def get(self, platform):
        """One connection: the webhook URL and topics to register"""
        shop = current_shop()
        return service.view(shop, service.get_connection(shop, platform))

    @blp.response(204)
    def delete(self, platform):
        """Disconnect: the platform's deliveries are refused from now on"""
        service.remove(current_shop(), platform)


@blp.route("/connections/<platform>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryList)
    def get(self, args, platform):
        """The latest webhook deliveries received, with what each did"""
        return {"deliveries": service.deliveries(current_shop(), platform, args["limit"])}


@hooks.route("/connect/<platform>/<slug>/webhooks", methods=["POST"])
@csrf.exempt
def webhook(platform: str, slug: str):
    """A platform's delivery: the raw body, read once, is what the signature covers."""
    found = PLATFORMS.get(platform)
    if found is None:
        service.check_platform(platform)
    limit = receiver.MAX_BODY
    if request.content_length and request.content_length > limit:
        raise TooLarge(f"A delivery may have at most {limit} bytes.")
    body = request.get_data(cache=False)
    if len(body) > limit:
        raise TooLarge(f"A delivery may have at most {limit} bytes.")
    return receiver.receive(found, slug, request.headers, body)
