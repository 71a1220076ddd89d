"""Codes loaded into a pool (the server API's POST /coupons, the admin's upload), handed at once
to what waited for that pool: the review incentives an empty `review_incentive` pool left waiting,
oldest first. (Referral rewards that waited are retried by the worker's round, tasks.py.)"""

from __future__ import annotations

import logging
from typing import Any

from ..extensions import db
from ..shops.models import Shop
from . import coupons, incentives

log = logging.getLogger(__name__)


def load(shop: Shop, kind: str, codes: list[str]) -> dict[str, Any]:
    """coupons.load, then the waiting review incentives issued from the new codes; the answer says
    how many went to them (`waiting_issued`) and what the pool holds after that."""
    answer = coupons.load(shop, kind, codes)
    issued = 0
    if kind == "review_incentive" and answer["added"]:
        try:
            issued = incentives.issue_waiting(shop.id)
        except Exception:  # the codes are loaded: the worker's next round issues what is left
            db.session.rollback()
            log.exception("waiting review incentives of shop %s could not be issued", shop.id)
        answer["available"] = coupons.available(shop.id, kind)
    return {**answer, "waiting_issued": issued}
