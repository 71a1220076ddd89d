"""Refunds with their amount and lines, as shops' platforms report them: a partial refund takes back
only its lines (the review request stops asking about a line taken back whole, the referral
stands); a refund that, with the earlier ones, covers the whole order is the order's `refunded`
event, through `service.record_event`, so it reverses what a refund reverses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from .. import events
from ..errors import Invalid
from ..extensions import db
from ..models_base import insert_ignore, utcnow
from ..shops.models import Shop
from .models import Order, OrderItem, OrderRefund
from .service import EXTERNAL_ID_MAX, TERMINAL, get_order, record_event


def record_refund(shop: Shop, order_external_id: str, refund_id: str, amount: Decimal,
                  lines: list[dict[str, Any]], occurred_at: datetime | None = None) -> tuple[Order, bool]:
    """Store a refund once (by the platform's refund id). `lines` are {"product_id", "quantity"}
    with the shop's product ids; a line of a product the order does not hold is refused. Answers
    the order and whether this call stored the refund."""
    if not refund_id or len(refund_id) > EXTERNAL_ID_MAX:
        raise Invalid(f"A refund id has 1 to {EXTERNAL_ID_MAX} characters.", field="refund_id")
    order = get_order(shop, order_external_id)
    order = db.session.scalar(select(Order).where(Order.id == order.id).with_for_update()
                              .execution_options(populate_existing=True))
    items = {item.product.external_id: item for item in order.items}
    for line in lines:
        if line["product_id"] not in items:
            db.session.rollback()
            raise Invalid(f"Product {line['product_id']!r} is not part of order {order_external_id!r}.",
                          field="lines")
    at = occurred_at or utcnow()
    stored = db.session.execute(insert_ignore(OrderRefund, {
        "order_id": order.id, "external_id": refund_id, "amount": amount, "occurred_at": at,
        "lines": [{"product_id": line["product_id"], "quantity": int(line["quantity"])} for line in lines],
        "created_at": utcnow(),
    }, ["order_id", "external_id"]).returning(OrderRefund.id)).first()
    if stored is None:
        db.session.rollback()
        return get_order(shop, order_external_id), False
    for line in lines:
        item = items[line["product_id"]]
        db.session.execute(update(OrderItem).where(OrderItem.id == item.id).values(
            refunded_quantity=OrderItem.refunded_quantity + int(line["quantity"])))
    db.session.flush()
    db.session.expire(order)
    events.order_refund_recorded.send(shop, order=order, refund=db.session.get(OrderRefund, stored.id))
    if order.status not in TERMINAL and _covers_all(order):
        return record_event(shop, order_external_id, "refunded", at, note=f"refund {refund_id}")
    db.session.commit()
    return order, True


def _covers_all(order: Order) -> bool:
    """Every line taken back whole, or the refunds' amounts reach the order's total."""
    refunded = sum((r.amount for r in order.refunds), Decimal(0))
    return not order.kept_items or (order.total > 0 and refunded >= order.total)

