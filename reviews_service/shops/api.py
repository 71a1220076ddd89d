"""Server API: the shop's own settings."""

from __future__ import annotations

from flask.views import MethodView

from ..web.blueprints import server_blueprint
from ..web.callers import current_shop
from . import service
from .schemas import ShopOut, ShopPatch

blp = server_blueprint("shop", "The shop's settings: moderation, e-mail timing, staff domains, origins.")


@blp.route("/shop")
class ShopResource(MethodView):
    @blp.response(200, ShopOut)
    def get(self):
        """Read the shop and its settings (defaults filled in)"""
        return service.describe(current_shop())

    @blp.arguments(ShopPatch)
    @blp.response(200, ShopOut)
    def patch(self, changes):
        """Change the name, the allowed origins or any subset of the settings"""
        shop = service.update_shop(current_shop(), changes)
        return service.describe(shop)
