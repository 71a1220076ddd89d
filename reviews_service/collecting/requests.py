"""Review requests: one per order, scheduled on fulfilment (or delivery), cancelled by a refund.

The delivery worker turns due requests into e-mails; this module only keeps their state and
signs the link each e-mail carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from .. import tokens
from ..catalog import names
from ..catalog.models import Order
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..reviews.models import Review, ReviewRequest
from ..shops.models import Shop
from ..shops.service import settings_of


def on_order_event(shop: Shop, order: Order, kind: str, at: datetime) -> None:
    """React to an order event inside its transaction: schedule or cancel the request."""
    settings = settings_of(shop)
    if kind in ("refunded", "cancelled"):
        cancel_for_order(order, at)
        return
    if kind != settings["review_request_trigger"]:
        if not (kind == "delivered" and settings["review_request_trigger"] == "fulfilled"):
            return
    due = at + timedelta(days=settings["review_request_delay_days"])
    db.session.execute(insert_ignore(ReviewRequest, {
        "shop_id": shop.id, "order_id": order.id, "customer_id": order.customer_id,
        "status": "scheduled", "due_at": due, "created_at": utcnow(),
    }, ["order_id"]))


def cancel_for_order(order: Order, at: datetime) -> None:
    db.session.execute(
        update(ReviewRequest)
        .where(ReviewRequest.order_id == order.id, ReviewRequest.status.in_(("scheduled", "sent")))
        .values(status="cancelled", cancelled_at=at)
    )


def for_order(order: Order) -> ReviewRequest | None:
    return db.session.scalar(select(ReviewRequest).where(ReviewRequest.order_id == order.id))


def token_for(request: ReviewRequest) -> str:
    max_age = current_app.config["REVIEW_TOKEN_MAX_AGE"]
    return tokens.sign(tokens.REVIEW_REQUEST_TOKEN, request.shop_id, request=request.id,
                     expires_at=request.created_at + timedelta(seconds=max_age))


def link_for(request: ReviewRequest) -> str:
    return f"{current_app.config['PUBLIC_URL']}/review/{token_for(request)}"


def view(order: Order) -> dict | None:
    """The request as the order's answer shows it."""
    request = for_order(order)
    if request is None:
        return None
    return {"status": request.status, "due_at": request.due_at, "url": link_for(request),
            "product_ids": [item.product.external_id for item in order.kept_items]}


@dataclass
class Grant:
    """What a token lets its holder do: review the products of one order, as a verified buyer."""

    order: Order
    source: str  # "request" or "thank_you"
    request: ReviewRequest | None


WITHDRAWN = ("refunded", "cancelled")  # order statuses that end what its tokens may do


class TokenRefused(Forbidden):
    """A token that grants nothing (403 to the API), with the reason the hosted page tells the
    customer: "expired", "withdrawn" (the order was refunded or cancelled; `locale` is the
    customer's) or "invalid" (wrong, of another shop, or its order or customer is gone)."""

    def __init__(self, detail: str, *, reason: str, locale: str | None = None):
        super().__init__(detail, field="token")
        self.reason, self.locale = reason, locale


_EXPIRED = "This review link has expired."
_WITHDRAWN = "This order was refunded or cancelled; it can no longer be reviewed."
_INVALID = "This review link is not valid for this shop."


def shop_id_of_token(token: str) -> int:
    """The shop a review-request or widget token was signed for (signature and age checked, the
    shop not yet looked up); TokenRefused when it is neither."""
    for purpose in (tokens.REVIEW_REQUEST_TOKEN, tokens.WIDGET_TOKEN):
        try:
            return tokens.peek_shop(purpose, token)
        except tokens.TokenError as exc:
            if exc.reason == "expired":
                raise TokenRefused(_EXPIRED, reason="expired", locale=_expired_locale(purpose, exc.claims)) from None
    raise TokenRefused(_INVALID, reason="invalid")


def _expired_locale(purpose: str, claims: dict) -> str | None:
    """The language of the customer an expired (but authentic) token was made for, so that the
    page telling them it expired speaks it; None once they are erased or the row is gone."""
    order = None
    if purpose == tokens.REVIEW_REQUEST_TOKEN:
        request = db.session.get(ReviewRequest, claims.get("request"))
        if request is not None and request.shop_id == claims["shop"]:
            order = db.session.get(Order, request.order_id)
    else:
        order = db.session.get(Order, claims.get("order"))
    if order is None or order.shop_id != claims["shop"] or order.customer.erased_at is not None:
        return None
    return order.customer.locale


def grant_for_token(shop: Shop, token: str) -> Grant:
    """Resolve a review-request token or a widget token of `shop`; TokenRefused (403) with its
    reason when it grants nothing."""
    for purpose in (tokens.REVIEW_REQUEST_TOKEN, tokens.WIDGET_TOKEN):
        try:
            claims = tokens.unsign(purpose, token, shop_id=shop.id)
        except tokens.TokenError as exc:
            if exc.reason == "expired":
                raise TokenRefused(_EXPIRED, reason="expired", locale=_expired_locale(purpose, exc.claims)) from None
            continue
        if purpose == tokens.REVIEW_REQUEST_TOKEN:
            request = db.session.get(ReviewRequest, claims.get("request"))
            if request is None or request.shop_id != shop.id:
                break
            order = db.session.get(Order, request.order_id)
            if request.status == "cancelled":
                # Cancelled by a refund or a cancellation, or by the customer's erasure: only the
                # first is the order's story to tell.
                withdrawn = order.status in WITHDRAWN
                raise TokenRefused(_WITHDRAWN, reason="withdrawn" if withdrawn else "invalid",
                                   locale=order.customer.locale if withdrawn else None)
            grant = Grant(order, "request", request)
        else:
            order = db.session.get(Order, claims.get("order"))
            if order is None or order.shop_id != shop.id:
                break
            grant = Grant(order, "thank_you", for_order(order))
        if grant.order.customer.erased_at is not None:
            break
        # The thank-you page's token is made before the order ships; once the order is refunded
        # or cancelled it may no longer vouch for a verified buyer, just as the request's link.
        if grant.order.status in WITHDRAWN:
            raise TokenRefused(_WITHDRAWN, reason="withdrawn", locale=grant.order.customer.locale)
        return grant
    raise TokenRefused(_INVALID, reason="invalid")


def mark_completed_if_done(request: ReviewRequest | None, reviewed_product_ids: set[int]) -> None:
    """A request is completed once every product of its order has a review."""
    if request is None or request.status in ("completed", "cancelled"):
        return
    order = db.session.get(Order, request.order_id)
    if {item.product_id for item in order.kept_items} <= reviewed_product_ids:
        request.status = "completed"
        request.completed_at = utcnow()


def require_order_product(grant: Grant, product_id: int) -> None:
    if product_id not in {item.product_id for item in grant.order.items}:
        raise NotFound("This product is not part of the order the link was made for.",
                       field="product_id")


def describe_grant(shop: Shop, token: str) -> dict:
    """The products a token's order lets its customer review, and which are reviewed already."""
    return describe(grant_for_token(shop, token))


def describe(grant: Grant) -> dict:
    """What `describe_grant` answers, for a grant already resolved."""
    reviewed = set(db.session.scalars(select(Review.product_id).where(Review.order_id == grant.order.id)))
    customer = grant.order.customer
    name = names.of_customer(customer)
    return {
        # A public answer never holds the whole name (the link may be forwarded): the given name,
        # else the first word. The hosted page, rendered on the server, greets by names.greeting.
        "customer_name": names.first_name(name),
        "display_name": names.display_name(name, customer.locale),
        "locale": customer.locale,
        "verified": True,
        "products": [{"id": i.product.external_id, "name": i.product.name or i.name,
                      "image_url": i.product.image_url, "url": i.product.url,
                      "reviewed": i.product_id in reviewed} for i in grant.order.kept_items],
    }
