"""Routes of the referral program: the server API (referrals, decisions, the coupon pool, the
funnel) and the public API the widget calls (the customer's panel, clicks, hand-over, offer e-mail)."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView

from .. import i18n
from ..web.blueprints import public_blueprint, server_blueprint
from ..web.callers import current_shop, current_visitor
from ..web.limits import limiter
from . import clicks, coupons, pool, service, stats, views
from .schemas import (
    AcceptedOut,
    ApproveIn,
    ClickIn,
    ClickOut,
    CouponsIn,
    CouponsLoadedOut,
    FunnelOut,
    FunnelQuery,
    HandoverIn,
    HandoverOut,
    OfferEmailIn,
    PanelOut,
    PanelQuery,
    PoolsOut,
    ReferralOut,
    ReferralPage,
    ReferralQuery,
    RejectIn,
)

server = server_blueprint("referrals", "The referral program: referrals, owners' decisions on flagged "
                          "ones, the coupon pool, the funnel.", scope="orders")
public = public_blueprint("referrals_public", "The referral program for shoppers: a customer's code "
                          "and link, visits through a link, the hand-over of a kept code.")

NO_STORE = {"Cache-Control": "no-store"}


def _write_limit() -> str:
    return current_app.config["PUBLIC_WRITE_LIMIT"]


# --- server API ----------------------------------------------------------------------------------

@server.route("/referrals")
class Referrals(MethodView):
    @server.arguments(ReferralQuery, location="query")
    @server.response(200, ReferralPage)
    def get(self, args):
        """Referrals, newest first, with their signals and rewards (filters: status, code)"""
        return service.listing(current_shop(), status=args["status"], code=args["code"],
                               cursor=args["cursor"], limit=args["limit"])


@server.route("/referrals/funnel")
class Funnel(MethodView):
    @server.arguments(FunnelQuery, location="query")
    @server.response(200, FunnelOut)
    def get(self, args):
        """The program's funnel, daily series and top referrers over the last `days`"""
        return stats.funnel(current_shop(), days=args["days"])


@server.route("/referrals/<referral_id>")
class ReferralResource(MethodView):
    @server.response(200, ReferralOut)
    def get(self, referral_id):
        """One referral"""
        return views.referral(service.get_referral(current_shop(), referral_id))


@server.route("/referrals/<referral_id>/approve")
class Approve(MethodView):
    @server.arguments(ApproveIn)
    @server.response(200, ReferralOut)
    def post(self, data, referral_id):
        """Approve a flagged referral (rewarded now if its hold has passed)"""
        return views.referral(service.approve(current_shop(), referral_id, data["note"]))


@server.route("/referrals/<referral_id>/reject")
class Reject(MethodView):
    @server.arguments(RejectIn)
    @server.response(200, ReferralOut)
    def post(self, data, referral_id):
        """Reject an open referral, with the reason"""
        return views.referral(service.reject(current_shop(), referral_id, data["reason"]))


@server.route("/coupons")
class Coupons(MethodView):
    @server.response(200, PoolsOut)
    def get(self):
        """What each coupon pool holds, and whether a pool in use runs low"""
        return coupons.pools(current_shop())

    @server.arguments(CouponsIn)
    @server.response(201, CouponsLoadedOut)
    def post(self, data):
        """Load single-use codes into a pool (referrer_reward, friend_offer or review_incentive); known
        codes are skipped. Review incentives that waited for an empty pool get codes at once, oldest first"""
        return pool.load(current_shop(), data["kind"], data["codes"])


# --- public API ----------------------------------------------------------------------------------

def _reader_lang() -> str | None:
    """The language the widget's browser asks for (Accept-Language), None when it names none we speak."""
    found = (i18n.match(tag) for tag in i18n.accept_languages(request.accept_languages))
    return next((lang for lang in found if lang), None)


@public.route("/referrals/me")
class Panel(MethodView):
    @public.arguments(PanelQuery, location="query")
    @public.response(200, PanelOut)
    def get(self, args):
        """The widget token's customer: code, share link, counts and rewards earned"""
        return service.panel(current_shop(), args["token"], current_visitor(), _reader_lang()), 200, NO_STORE


@public.route("/referrals/clicks")
class Clicks(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(ClickIn)
    @public.response(200, ClickOut)
    def post(self, data):
        """A visit through a referral link (?ref=CODE): answers the friend offer to show"""
        return clicks.record_click(current_shop(), data["code"], current_visitor(data["visitor_id"]),
                                   _reader_lang()), 200, NO_STORE


@public.route("/referrals/handover")
class Handover(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(HandoverIn)
    @public.response(200, HandoverOut)
    def post(self, data):
        """Hand over the code the widget kept, for the order of a widget token (thank-you page)"""
        return service.handover_with_token(current_shop(), data["token"], current_visitor(data["visitor_id"]),
                                           data["code"])


@public.route("/referrals/offer-email")
class OfferEmail(MethodView):
    @limiter.limit(_write_limit)
    @public.arguments(OfferEmailIn)
    @public.response(202, AcceptedOut)
    def post(self, data):
        """E-mail the friend offer to the address given (when the shop offers that)"""
        clicks.email_friend_offer(current_shop(), data["code"], data["email"], current_visitor(data["visitor_id"]),
                                   data["locale"])
        return {"status": "accepted"}
