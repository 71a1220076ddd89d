"""The shop's private reply: an e-mail to the customer, from the shop's name, with the shop's
support address as its Reply-To, in the customer's language. It is queued through the outbox in
the transaction that stores it, so it leaves only if the reply was saved.

The service receives no mail: the customer's answer goes to the support address, so a shop without
one cannot reply privately. The e-mail shows the shop's words and quotes the customer's; it carries
no link to edit the review and asks nothing about it: nothing may be offered or asked in exchange
for changing or removing a review (README, "Private replies")."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select

from ..catalog import names
from ..catalog.models import Customer
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models_base import utcnow
from ..moderation import service as moderation
from ..outbox import emails
from ..outbox.service import enqueue
from ..reviews import queries
from ..shops.models import Shop
from ..shops.service import settings_of
from ..shops.settings import customer_email
from . import threads
from .models import PrivateReply, Thread

MAX_LENGTH = 5000
TOPIC = "private_reply"
_INITIAL = re.compile(r"^\w\.$")


def clean(body: str | None) -> str:
    """The reply's text as stored, or Invalid naming `body`."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Invalid("Write the reply first.", field="body")
    if len(body) > MAX_LENGTH:
        raise Invalid(f"A private reply may have at most {MAX_LENGTH} characters.", field="body")
    if "\x00" in body:
        raise Invalid("The reply may not contain NUL characters.", field="body")
    return body


def refusal(shop: Shop, thread: Thread | None = None) -> str | None:
    """Why the shop cannot reply privately (to this thread), or None: for the admin's page."""
    if not settings_of(shop)["support_email"]:
        return "support_email"
    if thread is not None and not thread.email:
        return "email"
    return None


def reply(shop: Shop, thread: Thread, body: str, *, actor: str, user_id: int | None = None) -> PrivateReply:
    """Store the shop's private reply and queue its e-mail; the thread is answered. `actor` is
    "user:<id>" (the admin) or "key:<prefix>" (the server API). Commits."""
    body = clean(body)
    settings = settings_of(shop)
    if not settings["support_email"]:
        raise Invalid("Set the shop's support_email first: the service receives no mail, so the customer's "
                      "answer to a private reply goes to that address.", field="support_email")
    if not thread.email:
        raise Conflict("This customer left no e-mail address (or was erased): a private reply cannot reach them.",
                       field="email")
    customer = db.session.scalar(select(Customer).where(Customer.shop_id == shop.id, Customer.email == thread.email))
    if customer is not None and customer.erased_at is not None:
        raise Conflict("This customer was erased: nothing more is sent to them.", field="email")
    answer = PrivateReply(public_id="rpl_" + secrets.token_urlsafe(12), shop_id=shop.id, thread_id=thread.id,
                          body=body, actor=actor, author_user_id=user_id, email=thread.email)
    db.session.add(answer)
    db.session.flush()
    thread.status, thread.activity_at = "answered", utcnow()
    review = threads.review_of(thread)
    if review is not None:
        moderation.record(review, "private_reply", actor=actor)  # the words stay in the thread
    _queue(shop, thread, answer, customer)
    db.session.commit()
    return answer


def reply_to_review(shop: Shop, review_id: str, body: str, *, actor: str,
                    user_id: int | None = None) -> Thread:
    """A private reply about a review: its thread, opened by the reply if nobody had flagged it."""
    clean(body)  # bad input is refused before a thread is opened
    thread = threads.for_review(queries.get_review(shop, review_id), opened_by="reply")
    reply(shop, thread, body, actor=actor, user_id=user_id)
    return thread


def _queue(shop: Shop, thread: Thread, answer: PrivateReply, customer: Customer | None) -> None:
    # No unsubscribe link and no customer id: this answers the customer's own message (like a
    # support ticket), so it goes to a customer who unsubscribed from review requests too. An
    # erasure stops it while it waits: the outbox empties every message to the erased address.
    payload = emails.render(
        "private_reply", shop=shop, to=thread.email, lang=thread.locale or "",
        **customer_email(settings_of(shop), thread.locale), name=_greeted(thread, customer),
        reply=answer.body, quoted=_quoted(thread))
    enqueue(kind="email", topic=TOPIC, payload=payload, shop_id=shop.id, recipient=thread.email,
            dedupe_key=f"{TOPIC}:{answer.id}")


def _quoted(thread: Thread) -> str:
    """What the customer wrote last: their latest private feedback, else their review's text."""
    said = [m for m in threads.messages(thread) if m["author"] == "customer"]
    if not said:
        return ""
    last = said[-1]
    return "\n".join(part for part in (last["title"], last["body"]) if part)


def _greeted(thread: Thread, customer: Customer | None) -> str:
    """The customer's given name (else full name), as every e-mail greets; without a customer
    record, the name they wrote under ("Lan N." greets Lan)."""
    if customer is not None and (customer.name or customer.given_name):
        return names.greeting(names.of_customer(customer))
    words = thread.customer_name.split()
    if len(words) > 1 and _INITIAL.match(words[-1]):
        return " ".join(words[:-1])
    return names.greeting(names.person_name(thread.customer_name, locale=thread.locale))
