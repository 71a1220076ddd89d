"""E-mails: rendered from templates in the reader's language, stored whole in the outbox row,
and turned into a multipart message (text and HTML) when the worker sends them.

Rendering at queue time means the outbox shows exactly what will be sent, and a later change of
template or settings never alters a message already queued.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import current_app, render_template

from .. import i18n, tokens
from ..models_base import utcnow

UNSUBSCRIBE_LIFETIME = timedelta(days=5 * 365)
# Marketing e-mails: they promote the shop's offers to someone who did not buy or earn what they
# are about, so they go only to a customer whose latest order accepted marketing (README,
# "Marketing consent"). Review requests and reminders follow up a purchase, the reward e-mail
# delivers what the referrer earned, reply notices and digests answer the reader's own doing:
# none of those is marketing; nor are the loyalty e-mails (points earned, tier reached, reward
# ready, points expiring soon: each reports on the member's own points, what they earned, bought
# or are about to lose). A new marketing e-mail adds its topic here.
MARKETING_TOPICS = frozenset({"referral_friend_offer", "referral_invitation"})
# Control characters and the Unicode line and paragraph separators: a header is one line, and
# the email package refuses every character that str.splitlines() breaks on.
_NOT_IN_HEADERS = re.compile(r" *[\x00-\x1f\x7f-\x9f\u2028\u2029][\x00-\x1f\x7f-\x9f\u2028\u2029 ]*")


class Sender(Protocol):
    """The shop an e-mail is sent for (the templates show its name). The outbox reads no room's
    models: the room that queues an e-mail hands over its shop."""
    id: int
    name: str


class Recipient(Protocol):
    """The customer an e-mail goes to, as far as an unsubscribe link needs to know."""
    id: int


def unsubscribe_url(shop: Sender, customer: Recipient) -> str:
    token = tokens.sign(tokens.UNSUBSCRIBE_TOKEN, shop.id, customer=customer.id,
                      expires_at=utcnow() + UNSUBSCRIBE_LIFETIME)
    return f"{current_app.config['PUBLIC_URL']}/unsubscribe/{token}"


def render(template: str, *, shop: Sender, to: str, lang: str, unsubscribe: str | None = None,
           reply_to: str | None = None, **context: Any) -> dict[str, Any]:
    """Render `emails/<template>.txt` and `.html` into an outbox payload. `reply_to` (the shop's
    support address, for e-mails to its customers) replaces the deployment's MAIL_REPLY_TO."""
    lang = i18n.negotiate(lang)

    def t(key: str, **params: Any) -> str:
        return i18n.translate(lang, key, **params)

    ctx = {"t": t, "shop": shop, "lang": lang, "dir": i18n.direction(lang), "unsubscribe": unsubscribe,
           **context}
    subject = t(f"email.{template}.subject", shop=shop.name, **context.get("subject_params", {}))
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    headers = {"Message-ID": make_msgid(domain=host), "Content-Language": lang,
               "Auto-Submitted": "auto-generated"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return {
        "from": formataddr((header_text(shop.name), current_app.config["MAIL_FROM"])),
        "reply_to": reply_to or current_app.config.get("MAIL_REPLY_TO") or None,
        "to": to, "subject": subject, "headers": headers,
        "text": render_template(f"emails/{template}.txt", **ctx),
        "html": render_template(f"emails/{template}.html", **ctx),
    }


def header_text(value: str) -> str:
    """`value` as one header line: each run of line breaks and control characters (from a product
    or shop name) becomes one space, so the message is sent instead of failing on every retry."""
    return _NOT_IN_HEADERS.sub(" ", value).strip()


def _sender(value: str) -> str:
    """A stored From: the display name may be an encoded word hiding a line break (rows queued
    before names were cleaned at render time), so it is decoded, cleaned and encoded again."""
    name, address = parseaddr(value)
    return formataddr((header_text(str(make_header(decode_header(name)))), address))


def build_message(payload: dict[str, Any]) -> EmailMessage:
    """The multipart message for a stored payload (headers made single-line here, at send time,
    so that rows queued before any fix are delivered too)."""
    # RFC 5322 allows 998 characters a line: long one-token headers such as List-Unsubscribe
    # must stay plain, not be folded into encoded words that mail clients do not decode.
    # 7-bit bodies (quoted-printable or base64): smtplib announces BODY=8BITMIME only for SMTPUTF8
    # addresses, and raw UTF-8 without it is refused or mangled by strict servers and relays.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998, cte_type="7bit"))
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    # Headers after the body: set_content() drops every Content-* header already set
    # (Content-Language), and add_alternative() would move them into the first part.
    message["From"] = _sender(payload["from"])
    message["To"] = header_text(payload["to"])
    message["Subject"] = header_text(payload["subject"])
    if payload.get("reply_to"):
        message["Reply-To"] = header_text(payload["reply_to"])
    for name, value in payload.get("headers", {}).items():
        message[name] = header_text(value)
    return message


def preview(message: EmailMessage) -> str:
    """A message as a developer reads it (`worker --print`): decoded headers and the text part,
    not the wire format's encoded words and base64."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items()
                        if name.lower() not in ("mime-version", "content-type", "content-transfer-encoding"))
    return f"{headers}\n\n{message.get_body(('plain',)).get_content()}"
