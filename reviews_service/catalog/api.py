"""Server API for products and orders (secret key)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..web.blueprints import server_blueprint
from ..web.callers import current_shop
from ..web.idempotency import idempotent
from . import service
from .schemas import OrderEventIn, OrderIn, OrderOut, ProductIn, ProductOut

blp: Blueprint = server_blueprint("catalog", "Products and orders, pushed by the shop's backend.",
                                   scope="orders")


@blp.route("/products/<path:product_id>")
class ProductResource(MethodView):
    @blp.arguments(ProductIn)
    @blp.response(200, ProductOut, description="The product was updated.")
    @blp.alt_response(201, schema=ProductOut, description="The product was created.")
    def put(self, data, product_id):
        """Create or update a product"""
        product, created = service.upsert_product(current_shop(), product_id, data)
        return product, 201 if created else 200

    @blp.response(200, ProductOut)
    def get(self, product_id):
        """Read a product"""
        return service.get_product(current_shop(), product_id)


@blp.route("/orders")
class Orders(MethodView):
    @idempotent
    @blp.arguments(OrderIn)
    @blp.response(201, OrderOut, description="The order was stored.")
    @blp.alt_response(200, schema=OrderOut, description="The order was already stored; nothing changed.")
    def post(self, data):
        """Ingest an order (idempotent on its id and on Idempotency-Key)"""
        order, created = service.ingest_order(current_shop(), data)
        return service.order_view(order), 201 if created else 200


@blp.route("/orders/<path:order_id>")
class OrderResource(MethodView):
    @blp.response(200, OrderOut)
    def get(self, order_id):
        """Read an order back"""
        return service.order_view(service.get_order(current_shop(), order_id))


@blp.route("/orders/<path:order_id>/events")
class OrderEvents(MethodView):
    @idempotent
    @blp.arguments(OrderEventIn)
    @blp.response(200, OrderOut)
    def post(self, data, order_id):
        """Report that an order was fulfilled, delivered, refunded or cancelled"""
        order, _ = service.record_event(current_shop(), order_id, data["type"],
                                        data["occurred_at"], data["note"])
        return service.order_view(order)
