"""The confirmation e-mail a reviewer gets for their review: received (it waits for the shop's
check) or published, by the first status it was given, with the link to edit or withdraw it.
Queued in the submission's transaction, so it leaves only if the review is stored."""

from __future__ import annotations

from sqlalchemy import select

from .. import i18n
from ..catalog.models import Customer, Product
from ..extensions import db
from ..moderation import notices
from ..outbox import emails
from ..outbox.service import enqueue
from ..reviews.models import Review
from ..shops.models import Shop
from ..shops.settings import customer_email
from . import edits

TOPIC = "review_received"


def _customer(review: Review) -> Customer | None:
    if review.customer_id is not None:
        return db.session.get(Customer, review.customer_id)
    return db.session.scalar(select(Customer).where(Customer.shop_id == review.shop_id,
                                                    Customer.email == review.email))


def queue_confirmation(shop: Shop, review: Review, settings: dict) -> bool:
    """Queue the e-mail for a review just submitted; answers whether it was queued (once per review).

    Not for imported reviews (their reviewers wrote them elsewhere, long ago), a review rejected at
    once (the blocklist), a review without an e-mail address, or a customer who unsubscribed or
    was erased."""
    if review.source == "import" or not review.email or review.status not in ("published", "pending"):
        return False
    customer = _customer(review)
    if customer is not None and (customer.unsubscribed_at is not None or customer.erased_at is not None):
        return False
    lang = i18n.negotiate(review.locale, settings["default_locale"])
    product = db.session.get(Product, review.product_id)
    product_name = product.name or product.external_id
    payload = emails.render(
        TOPIC, shop=shop, to=review.email, lang=lang, **customer_email(settings, lang),
        unsubscribe=emails.unsubscribe_url(shop, customer) if customer else None,
        name=notices.greeted(review, customer), product=product_name, published=review.status == "published",
        stars="★" * review.rating + "☆" * (5 - review.rating), title=review.title, body=review.body,
        link=edits.link_for(review), subject_params={"product": product_name})
    return enqueue(kind="email", topic=TOPIC, payload=payload, shop_id=shop.id, recipient=review.email,
                   customer_id=customer.id if customer else None, dedupe_key=f"{TOPIC}:{review.id}")
