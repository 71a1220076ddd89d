"""What an issued review incentive sends, through the outbox in the caller's transaction: the
`review.incentive_earned` webhook, and, when the reward is a code from the pool, the e-mail that
gives it to the reviewer: a thank-you for writing a review, whatever its stars, in the language
the review was written in, from the shop, with the shop's support address as Reply-To.

Both are deduplicated per review, so a reward issued late (it waited for an empty pool) or by a
retried step announces itself once, like one issued at the decision."""

from __future__ import annotations

from typing import Any

from .. import i18n
from ..catalog import names
from ..catalog.models import Customer, Product
from ..catalog.service import find_customer
from ..extensions import db
from ..outbox import emails
from ..outbox import service as outbox
from ..reviews import views as review_views
from ..reviews.models import Review
from ..shops import incentives as shop_incentives
from ..shops import offers
from ..shops.models import Shop
from ..shops.settings import customer_email
from .models import ReviewIncentive

TOPIC = "review_incentive"


def announce(shop: Shop, review: Review, row: ReviewIncentive, settings: dict[str, Any]) -> None:
    """The webhook for the shop, and the reviewer's e-mail when there is a code to give."""
    offer = shop_incentives.offer_settings(settings, row.offer)
    outbox.emit_event(shop.id, "review.incentive_earned",
                      {"review": review_views.server_view(review), "incentive": view(row, offer)},
                      dedupe=f"review.incentive_earned:{review.id}")
    if row.code is not None:
        _email(shop, review, row, settings, offer)


def view(row: ReviewIncentive, offer: dict[str, Any]) -> dict[str, Any]:
    """The incentive as the webhook shows it: which offer, what it is, and its code (None when the
    shop makes the code itself)."""
    return {"offer": row.offer, "source": row.source, "code": row.code,
            "kind": offer["kind"], "value": offer["value"], "currency": offer["currency"]}


def _email(shop: Shop, review: Review, row: ReviewIncentive, settings: dict[str, Any],
           offer: dict[str, Any]) -> None:
    if not review.email:  # an erased reviewer's review keeps no address
        return
    # A review written without an order's link names no customer; the shop may still know the
    # address as one, and then their unsubscribing and erasure apply to this e-mail too.
    customer = (db.session.get(Customer, review.customer_id) if review.customer_id is not None
                else find_customer(shop, review.email))
    if customer is not None and customer.erased_at is not None:
        return
    default_lang = settings["default_locale"]
    lang = i18n.negotiate(review.locale, default_lang)
    product = db.session.get(Product, review.product_id)
    payload = emails.render(
        TOPIC, shop=shop, to=review.email, lang=lang, **customer_email(settings, lang),
        unsubscribe=emails.unsubscribe_url(shop, customer) if customer is not None else None,
        name=names.greeting(names.of_customer(customer)) if customer is not None else "",
        product=product.name, photo=row.offer == "photo", code=row.code,
        reward=offers.text(offer, "referrer_reward", lang, default_lang))
    outbox.enqueue(kind="email", topic=TOPIC, payload=payload, shop_id=shop.id, recipient=review.email,
                   customer_id=customer.id if customer is not None else None,
                   dedupe_key=f"{TOPIC}:{review.id}")
