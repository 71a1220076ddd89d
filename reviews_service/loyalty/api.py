"""The loyalty programme's server API (secret key, `orders` scope): a customer's standing by the
service's customer id (returned with each order as `customer_id`; an e-mail address only ever in a
body), their ledger, adjustments, redemptions, the events the shop reports, the customer token,
and the rewards' pools."""

from __future__ import annotations

from flask.views import MethodView

from ..web.blueprints import server_blueprint
from ..web.callers import current_shop
from ..web.idempotency import idempotent
from . import redeeming, service, views
from .schemas import (
    AdjustmentIn,
    CustomerTokenIn,
    CustomerTokenOut,
    LangQuery,
    LedgerEntryOut,
    LedgerPage,
    LedgerQuery,
    LoyaltyEventIn,
    LoyaltyEventOut,
    LoyaltyLookupIn,
    LoyaltyRewardsOut,
    LoyaltyStandingOut,
    RedemptionIn,
    RedemptionOut,
    RewardCodesIn,
    RewardCodesLoadedOut,
)

blp = server_blueprint("loyalty", "The loyalty programme: members' points, tiers, ledgers, adjustments, "
                       "redemptions, reported events and the rewards' pools.", scope="orders")


@blp.route("/loyalty/customers/lookup")
class Lookup(MethodView):
    @blp.arguments(LoyaltyLookupIn)
    @blp.response(200, LoyaltyStandingOut)
    def post(self, data):
        """Find a customer's standing by e-mail address (in the body, never in a URL)"""
        shop = current_shop()
        return service.standing(shop, service.lookup(shop, data["email"]))


@blp.route("/loyalty/customers/<customer_id>")
class Standing(MethodView):
    @blp.arguments(LangQuery, location="query")
    @blp.response(200, LoyaltyStandingOut)
    def get(self, args, customer_id):
        """A customer's points: spendable, held, tier, the way to the next tier, what expires when"""
        shop = current_shop()
        return service.standing(shop, service.customer(shop, customer_id), args["lang"])


@blp.route("/loyalty/customers/<customer_id>/ledger")
class Ledger(MethodView):
    @blp.arguments(LedgerQuery, location="query")
    @blp.response(200, LedgerPage)
    def get(self, args, customer_id):
        """A customer's ledger, newest first (cursor pages)"""
        shop = current_shop()
        return service.entries(shop, service.customer(shop, customer_id), args["cursor"], args["limit"])


@blp.route("/loyalty/customers/<customer_id>/adjustments")
class Adjustments(MethodView):
    @idempotent
    @blp.arguments(AdjustmentIn)
    @blp.response(201, LedgerEntryOut)
    def post(self, data, customer_id):
        """Add or take points by hand, with the reason (kept in the ledger; never below zero)"""
        shop = current_shop()
        entry = service.adjust(shop, service.customer(shop, customer_id), data["points"], data["reason"])
        return views.entry(entry)


@blp.route("/loyalty/customers/<customer_id>/redemptions")
class Redemptions(MethodView):
    @idempotent
    @blp.arguments(RedemptionIn)
    @blp.response(201, RedemptionOut)
    def post(self, data, customer_id):
        """Spend points on a reward; answers its code from the reward's pool (idempotent on Idempotency-Key)"""
        shop = current_shop()
        return views.redemption(redeeming.redeem(shop, service.customer(shop, customer_id), data["reward"]))


@blp.route("/loyalty/customers/<customer_id>/events")
class Events(MethodView):
    @idempotent
    @blp.arguments(LoyaltyEventIn)
    @blp.response(200, LoyaltyEventOut)
    def post(self, data, customer_id):
        """Report `account_created` (points once), or the customer's `birthday` as month and day (points on that day each year)"""
        shop = current_shop()
        return service.report_event(shop, service.customer(shop, customer_id), data)


@blp.route("/loyalty/customer-tokens")
class CustomerTokens(MethodView):
    @blp.arguments(CustomerTokenIn)
    @blp.response(201, CustomerTokenOut)
    def post(self, data):
        """A one-hour token for the customer's account page: the widget shows and spends their points with it"""
        shop = current_shop()
        return service.customer_token(shop, service.customer(shop, data["customer_id"]))


@blp.route("/loyalty/rewards")
class Rewards(MethodView):
    @blp.arguments(LangQuery, location="query")
    @blp.response(200, LoyaltyRewardsOut)
    def get(self, args):
        """The rewards points buy, with the codes left in each one's pool"""
        return service.rewards(current_shop(), args["lang"])


@blp.route("/loyalty/rewards/<reward_id>/coupons")
class RewardCodes(MethodView):
    @blp.arguments(RewardCodesIn)
    @blp.response(201, RewardCodesLoadedOut)
    def post(self, data, reward_id):
        """Load single-use codes into one reward's pool (codes the shop loaded before are skipped)"""
        return service.load_codes(current_shop(), reward_id, data["codes"])
