"""The referral program: codes for buyers, clicks, conversion at order ingestion, the hold,
the decisions (by policy after the hold, or by the owner for flagged referrals) and rewards.

A referral moves only through guarded UPDATEs (`... WHERE status IN (...)`), and its reward is
UNIQUE per referral: of many workers or owners deciding the same referral at once, one moves it
and issues the reward, and the others find it decided. Webhooks and e-mails are queued in the same
transaction. Rewards depend on orders only, never on a review or a rating.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import cursors, events
from ..catalog.models import Customer, Order
from ..collecting import requests as review_requests
from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..shops.models import Shop
from ..shops.service import settings_of
from . import codes, coupons, fraud, notify, views
from .codes import code_for  # noqa: F401  (part of this module's interface)
from .models import CustomerVisit, Referral, ReferralClick, ReferralCode, Reward

OPEN = ("pending", "flagged")
REWARD_WINDOW = timedelta(days=30)  # the cap counts rewards in any 30 days
# A hand-over names a click made before the order; the thank-you page may load a moment before
# the shop's backend has sent the order, or after a clock that runs a little ahead.
HANDOVER_SLACK = timedelta(minutes=10)


class Visitor(Protocol):
    visitor_hash: str
    ip_hash: str
    visitor_id_hash: str | None


def program(shop: Shop) -> dict[str, Any]:
    """The shop's program settings, defaults filled in."""
    return settings_of(shop)["referrals"]


# --- buyers, visitors, clicks -------------------------------------------------------------------

def customer_for_token(shop: Shop, token: str) -> tuple[Order, Customer]:
    """The order and customer of a widget token or a review-request token of this shop (the
    thank-you page and the hosted review page); 403 when it is not valid."""
    try:
        grant = review_requests.grant_for_token(shop, token)
    except Forbidden:
        raise Forbidden("The token is not valid for this shop, or it has expired.", field="token") from None
    return grant.order, grant.order.customer


def record_visit(shop: Shop, customer: Customer, visitor: Visitor) -> None:
    """Remember a browser that held this customer's token. A friend's browser, first seen on the
    thank-you page, also completes their open referral (for the browser and velocity checks)."""
    db.session.execute(insert_ignore(CustomerVisit, {
        "shop_id": shop.id, "customer_id": customer.id, "visitor_hash": visitor.visitor_hash,
        "ip_hash": visitor.ip_hash, "created_at": utcnow()}, ["customer_id", "visitor_hash"]))
    db.session.execute(update(Referral).where(
        Referral.friend_id == customer.id, Referral.visitor_hash.is_(None), Referral.status.in_(OPEN))
        .values(visitor_hash=visitor.visitor_hash, ip_hash=visitor.ip_hash)
        .execution_options(synchronize_session=False))


def panel(shop: Shop, token: str, visitor: Visitor, lang: str | None = None) -> dict[str, Any]:
    """`GET referrals/me`: the token's customer's code (made now if needed), link and counts; the
    offers in `lang` (the widget's), else the customer's language."""
    _, customer = customer_for_token(shop, token)
    settings = program(shop)
    if not settings["enabled"]:
        return {"enabled": False}
    code = codes.code_for(shop, customer)
    record_visit(shop, customer, visitor)
    db.session.commit()
    return views.panel(settings, code, customer, lang or customer.locale, settings_of(shop)["default_locale"])


# --- conversion ----------------------------------------------------------------------------------

def on_order_ingested(shop: Shop, order: Order) -> None:
    """A new order, inside its transaction: give the buyer their own code, and record a referral
    when the order carries a known code."""
    settings = program(shop)
    if not settings["enabled"]:
        return
    codes.code_for(shop, order.customer)
    code = codes.find(shop.id, order.referral_code) if order.referral_code else None
    if code is not None:
        _convert(shop, settings, order, code, source="order")


def handover(shop: Shop, order: Order, visitor: Visitor, text: str | None = None) -> Referral | None:
    """The widget hands over the code it kept (thank-you page, or with a review): the order is
    attributed when this browser clicked that code (or, without a code, any code) within the
    attribution window before the order. Inside the caller's transaction; None when nothing
    was attributed."""
    settings = program(shop)
    if not settings["enabled"] or order.status in ("refunded", "cancelled"):
        return None
    record_visit(shop, order.customer, visitor)
    if db.session.scalar(select(Referral.id).where(Referral.order_id == order.id)) is not None:
        return None
    # This browser's clicks: by its visitor id when it sent one (a colleague on the same network
    # with the same browser model clicked someone else's link), else by address and user agent.
    same_browser = ReferralClick.visitor_hash == visitor.visitor_hash
    if visitor.visitor_id_hash is not None:
        same_browser = (ReferralClick.visitor_id_hash == visitor.visitor_id_hash) | (
            ReferralClick.visitor_id_hash.is_(None) & same_browser)
    query = select(ReferralClick).where(
        ReferralClick.shop_id == shop.id, same_browser,
        ReferralClick.created_at.between(order.created_at - timedelta(days=settings["attribution_days"]),
                                         order.created_at + HANDOVER_SLACK))
    if text:
        code = codes.find(shop.id, text)
        if code is None:
            return None
        query = query.where(ReferralClick.code_id == code.id)
    click = db.session.scalar(query.order_by(ReferralClick.created_at.desc()).limit(1))
    code = db.session.get(ReferralCode, click.code_id) if click is not None else None
    if code is None or code.disabled_at is not None:
        return None
    return _convert(shop, settings, order, code, source="handover", visitor=visitor,
                    visitor_id_hash=click.visitor_id_hash)


def handover_with_token(shop: Shop, token: str, visitor: Visitor, text: str | None) -> dict[str, Any]:
    """`POST referrals/handover`: `handover` for the order of a widget token."""
    order, _ = customer_for_token(shop, token)
    referral = handover(shop, order, visitor, text)
    db.session.commit()
    return {"attributed": referral is not None}


def _convert(shop: Shop, settings: dict[str, Any], order: Order, code: ReferralCode, *, source: str,
             visitor: Visitor | None = None, visitor_id_hash: str | None = None) -> Referral | None:
    """Record the referral of `order` (one per order, by constraint), checked for fraud;
    `visitor_id_hash` is the visitor id of the friend's click, when a hand-over found one."""
    now = utcnow()
    conversion = fraud.Conversion(code.customer, order.customer, order, code, now,
                                  visitor.visitor_hash if visitor else None, visitor.ip_hash if visitor else None,
                                  visitor_id_hash=visitor_id_hash)
    names = fraud.signals(conversion)
    status, reason = fraud.verdict(names)
    if status is None and Decimal(order.total) < Decimal(settings["min_order_total"]):
        status, reason = "rejected", "below_minimum"
    status = status or "pending"
    inserted = db.session.execute(insert_ignore(Referral, {
        "public_id": "rf_" + secrets.token_urlsafe(12), "shop_id": shop.id, "code_id": code.id,
        "referrer_id": code.customer_id, "friend_id": order.customer_id, "order_id": order.id,
        "status": status, "signals": names, "reason": reason, "note": "", "source": source,
        "visitor_hash": conversion.visitor_hash, "ip_hash": conversion.ip_hash,
        "visitor_id_hash": visitor_id_hash, "order_total": order.total, "currency": order.currency,
        "hold_until": now + timedelta(days=settings["hold_days"]), "owner_cleared": False,
        "decided_at": now if status == "rejected" else None,
        "decided_by": "policy" if status == "rejected" else None, "created_at": now, "updated_at": now,
    }, ["order_id"]).returning(Referral.id)).first()
    if inserted is None:
        return None  # a concurrent hand-over of the same order won
    referral = db.session.get(Referral, inserted.id)
    notify.event(referral, "referral.created")
    if status != "pending":
        notify.event(referral, f"referral.{status}")
    return referral


def on_order_event(shop: Shop, order: Order, kind: str, at: datetime) -> None:
    """An order event, inside its transaction: a refund or cancellation during the hold
    rejects the order's referral; after the hold it stands."""
    if kind not in ("refunded", "cancelled"):
        return
    referral = db.session.scalar(select(Referral).where(Referral.order_id == order.id))
    if referral is not None and referral.status in OPEN and at < referral.hold_until:
        _move(referral, "rejected", allowed=OPEN, reason=kind, actor="order")


# --- decisions -----------------------------------------------------------------------------------

def _move(referral: Referral, to: str, *, allowed: tuple[str, ...], reason: str | None, actor: str,
          note: str | None = None, announce: bool = True, **values: Any) -> bool:
    """Change the status if it is still one of `allowed`; answers whether this call changed it."""
    now = utcnow()
    values.update(status=to, reason=reason, updated_at=now)
    decided = to in ("approved", "rejected")
    values.update(decided_at=now if decided else None, decided_by=actor if decided else None)
    if note is not None:
        values["note"] = note
    moved = db.session.execute(update(Referral).where(Referral.id == referral.id,
                                                      Referral.status.in_(allowed))
                               .values(**values).execution_options(synchronize_session=False)).rowcount
    if not moved:
        return False
    db.session.refresh(referral)
    if announce and to in ("approved", "rejected", "flagged"):
        notify.event(referral, f"referral.{to}")
    return True


def _refunded_in_hold(referral: Referral) -> str | None:
    order = referral.order
    for kind in ("refunded", "cancelled"):
        at = getattr(order, f"{kind}_at")
        if order.status == kind and at is not None and at < referral.hold_until:
            return kind
    return None


def settle(referral: Referral) -> str:
    """Decide a pending referral whose hold has passed: the fraud checks again (with what was
    learnt during the hold), then approval and the reward. Commits; answers the new status, or
    "unchanged" when another worker decided it first."""
    shop = db.session.get(Shop, referral.shop_id)
    kind = _refunded_in_hold(referral)
    if kind is not None:
        moved = _move(referral, "rejected", allowed=("pending",), reason=kind, actor="order")
        db.session.commit()
        return "rejected" if moved else "unchanged"
    conversion = fraud.Conversion(referral.referrer, referral.friend, referral.order, referral.code,
                                  referral.created_at, referral.visitor_hash, referral.ip_hash, referral.id,
                                  referral.visitor_id_hash)
    names = list(referral.signals or [])
    names += [n for n in fraud.signals(conversion) if n not in names]
    status, reason = fraud.verdict(names, owner_cleared=referral.owner_cleared)
    if status is not None:
        moved = _move(referral, status, allowed=("pending",), reason=reason, actor="policy", signals=names)
        db.session.commit()
        return status if moved else "unchanged"
    return _approve(shop, referral, allowed=("pending",), actor="policy", signals=names)


def _approve(shop: Shop, referral: Referral, *, allowed: tuple[str, ...], actor: str,
             note: str | None = None, **values: Any) -> str:
    """Approve and reward in one transaction. Answers "approved"; "rejected" past the cap;
    "flagged" when the pool is empty; "unchanged" when someone else decided first."""
    before = (referral.status, referral.reason)
    if not _move(referral, "approved", allowed=allowed, reason=None, actor=actor, note=note,
                 announce=False, **values):
        db.session.rollback()
        return "unchanged"
    settings = program(shop)
    # One referrer's rewards are issued one at a time, so that the cap counts every one of them.
    db.session.execute(select(ReferralCode.id).where(ReferralCode.id == referral.code_id).with_for_update())
    cap = settings["max_rewards_per_30_days"]
    if cap is not None:
        recent = db.session.scalar(select(func.count()).select_from(Reward).where(
            Reward.customer_id == referral.referrer_id, Reward.created_at >= utcnow() - REWARD_WINDOW))
        if recent >= cap:
            _move(referral, "rejected", allowed=("approved",), reason="cap_reached", actor=actor)
            db.session.commit()
            return "rejected"
    offer = settings["referrer_reward"]
    coupon = None
    if offer["source"] == "pool":
        coupon = coupons.claim(shop.id, "referrer_reward", f"referral:{referral.id}")
        if coupon is None:
            _move(referral, "flagged", allowed=("approved",), reason="pool_empty", actor=actor,
                  announce=before != ("flagged", "pool_empty"),
                  owner_cleared=referral.owner_cleared or actor == "owner")
            db.session.commit()
            return "flagged"
    reward = Reward(shop_id=shop.id, referral_id=referral.id, customer_id=referral.referrer_id,
                    source=offer["source"], coupon_id=coupon.id if coupon else None,
                    code=coupon.code if coupon else None, created_at=utcnow(),
                    offer=views.offer(offer, referral.referrer.locale, settings_of(shop)["default_locale"],
                                      side="referrer_reward"))
    db.session.add(reward)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # the reward exists: whoever made it approved the referral too
        return "unchanged"
    db.session.refresh(referral)
    notify.event(referral, "referral.approved")
    notify.reward_earned(shop, referral, reward)
    events.referral_approved.send(shop.id, referral=referral)
    db.session.commit()
    return "approved"


def retry_reward(referral: Referral) -> str:
    """A referral flagged for an empty pool, tried again once the pool has codes."""
    shop = db.session.get(Shop, referral.shop_id)
    return _approve(shop, referral, allowed=("flagged",), actor="policy")


def get_referral(shop: Shop, public_id: str) -> Referral:
    """A referral of this shop by its public id; NotFound for another shop's or an unknown id.
    The one lookup of the API, the admin's approve and reject, and their actions here."""
    referral = db.session.scalar(select(Referral).where(Referral.shop_id == shop.id,
                                                        Referral.public_id == public_id))
    if referral is None:
        raise NotFound("No referral with this id in this shop.")
    return referral


def approve(shop: Shop, public_id: str, note: str = "") -> Referral:
    """The owner lets a flagged referral go on: rewarded now if its hold has passed, otherwise
    back to pending (its unclear signals cleared) until the hold ends. Approving twice is harmless."""
    referral = get_referral(shop, public_id)
    if referral.status == "approved":
        return referral
    if referral.status != "flagged":
        raise Conflict(f"Only flagged referrals wait for an owner; this one is {referral.status}.")
    if referral.hold_until > utcnow():
        _move(referral, "pending", allowed=("flagged",), reason=None, actor="owner", note=note,
              owner_cleared=True)
        db.session.commit()
        return get_referral(shop, public_id)
    outcome = _approve(shop, referral, allowed=("flagged",), actor="owner", note=note, owner_cleared=True)
    referral = get_referral(shop, public_id)
    if outcome == "flagged":
        raise Conflict("The coupon pool is empty: load codes with POST /api/v1/coupons; the reward "
                       "is issued from it then.")
    if referral.status == "rejected":
        raise Conflict(f"This referral is rejected ({referral.reason}).")
    return referral


def reject(shop: Shop, public_id: str, reason: str) -> Referral:
    """The owner rejects an open referral, with the reason (kept as its note)."""
    referral = get_referral(shop, public_id)
    if referral.status == "rejected":
        return referral
    if referral.status == "approved":
        raise Conflict("This referral is approved and its reward issued; it cannot be rejected.")
    _move(referral, "rejected", allowed=OPEN, reason="owner", actor="owner", note=reason)
    db.session.commit()
    referral = get_referral(shop, public_id)
    if referral.status != "rejected":
        raise Conflict(f"This referral was {referral.status} meanwhile.")
    return referral


# --- reading -------------------------------------------------------------------------------------

def listing(shop: Shop, *, status: str | None = None, code: str | None = None, cursor: str | None = None,
            limit: int = 20) -> dict[str, Any]:
    """Referrals, newest first, with their signals and rewards; keyset pages."""
    query = select(Referral).where(Referral.shop_id == shop.id).options(
        selectinload(Referral.code), selectinload(Referral.referrer), selectinload(Referral.friend),
        selectinload(Referral.order), selectinload(Referral.reward))
    if status:
        query = query.where(Referral.status == status)
    if code:
        query = query.join(ReferralCode, ReferralCode.id == Referral.code_id).where(
            ReferralCode.code == (codes.canonical(code) or ""))
    if cursor:
        query = query.where(Referral.id < cursors.decode(cursor, "referrals", (cursors.ID,))[0])
    rows = list(db.session.scalars(query.order_by(Referral.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"referrals": [views.referral(r) for r in rows],
            "next_cursor": cursors.encode("referrals", [rows[-1].id]) if more else None}


# --- erasure -------------------------------------------------------------------------------------

def forget_customer(shop: Shop, customer_id: int) -> None:
    """An erasure reaches the program: the customer's code (which holds their first name) stops
    working and loses its name, and the browsers seen with their token are forgotten. Referrals
    stay for the shop's accounts; they point at the anonymised customer. Inside the caller's
    transaction."""
    code = codes.of_customer(shop.id, customer_id)
    if code is not None:
        code.code, code.disabled_at = f"ERASED-{code.id}", utcnow()
    db.session.execute(delete(CustomerVisit).where(CustomerVisit.customer_id == customer_id))
