"""The loyalty panel's public API, keyed by the shop's public key in the path like the rest of the
widget's: view with an order's widget token (GET, like referrals/me), view and redeem with a
customer token, which only ever travels in a JSON body. Answers are never cached: they are one
person's points."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..web.blueprints import public_blueprint
from ..web.callers import current_shop
from ..web.limits import limiter
from . import panel
from .panel_schemas import (
    LoyaltyAccountIn,
    LoyaltyPanelOut,
    LoyaltyPanelQuery,
    LoyaltyPanelRedemptionIn,
    LoyaltyPanelRedemptionOut,
)

public = public_blueprint("loyalty_public", "The loyalty programme for shoppers: their points, tier, the "
                          "ways to earn, the rewards and their history; redeeming with a customer token.")

NO_STORE = {"Cache-Control": "no-store"}


def _write_limit() -> str:
    return current_app.config["PUBLIC_WRITE_LIMIT"]


@public.route("/loyalty/me")
class Me(MethodView):
    @public.arguments(LoyaltyPanelQuery, location="query")
    @public.response(200, LoyaltyPanelOut)
    def get(self, args):
        """The widget token's customer's points, tier, ways to earn, rewards and history (view only)"""
        return panel.view_with_widget_token(current_shop(), args["token"], args["lang"]), 200, NO_STORE


@public.route("/loyalty/account")
class Account(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(LoyaltyAccountIn)
    @public.response(200, LoyaltyPanelOut)
    def post(self, data):
        """The customer token's customer's panel, with the rewards they can redeem (token in the body)"""
        return panel.view_with_customer_token(current_shop(), data["token"], data["lang"]), 200, NO_STORE


@public.route("/loyalty/redemptions")
class Redemptions(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(LoyaltyPanelRedemptionIn)
    @public.response(201, LoyaltyPanelRedemptionOut)
    def post(self, data):
        """Spend the customer token's customer's points on a reward: its code, and the panel as it is now"""
        answer = panel.redeem_with_customer_token(current_shop(), data["token"], data["reward"], data["lang"])
        return answer, 201, NO_STORE
