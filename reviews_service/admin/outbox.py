"""The outbox (owners only): e-mails, webhooks and tasks with their status, attempts and last error,
the text of a queued e-mail and a preview of its HTML, and "retry now" for the ones that failed."""

from __future__ import annotations

import json
import re

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..outbox import service as outbox
from .blueprint import bp, preview_policy
from .forms import CsrfForm
from .language import _
from .language import lazy_gettext as _l
from .sign_in import shop_access

RETRYABLE = ("failed", "dead")
STATUS_NAMES = {"pending": _l("pending"), "sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed"),
                "dead": _l("dead")}
# E-mails by topic; a webhook's topic is its event's name (`review.published`), shown as it is.
TOPICS = {"review_request": _l("review request"), "reminder": _l("review reminder"),
          "reply": _l("reply to a review"), "digest": _l("moderators' digest"),
          "referral_friend_offer": _l("referral offer for a friend"), "referral_reward": _l("referral reward"),
          "private_reply": _l("private reply"), "review_received": _l("confirmation of a review")}


def mask_email(address: str) -> str:
    """`ana.buyer@example.com` -> `an…@example.com`: enough to tell messages apart, while reviewers'
    addresses stay out of the admin's pages."""
    local, at, domain = (address or "").partition("@")
    if not at:
        return address
    return f"{local[:2]}…@{domain}"


_TOKEN_LINK = re.compile(r"(/(?:review|unsubscribe)/)[^\s\"'<>)]+|([?&]token=)[^\s\"'<>&)]+")


def hide_tokens(text: str) -> str:
    """Signed links in an e-mail let their reader write a verified review or unsubscribe as the
    customer: the admin shows where they point, never the token itself."""
    return _TOKEN_LINK.sub(lambda m: (m.group(1) or m.group(2)) + _("[token hidden]"), text or "")


def recipient(message) -> str:
    return mask_email(message.recipient) if message.kind == "email" else message.recipient


@bp.route("/shops/<slug>/outbox", endpoint="outbox")
@shop_access(owner=True)
def outbox_page(shop):
    status = request.args.get("status", "")
    status = status if status in outbox.STATUSES else ""
    rows = outbox.messages(shop.id, status=status or None, limit=200)
    return render_template("admin/outbox.html", messages=rows, status=status,
                           statuses=outbox.STATUSES, status_names=STATUS_NAMES, topics=TOPICS,
                           recipient=recipient, retryable=RETRYABLE)


@bp.route("/shops/<slug>/outbox/<int:message_id>")
@shop_access(owner=True)
def outbox_message(shop, message_id: int):
    message = outbox.get_message(shop.id, message_id)
    payload = message.payload or {}
    body = payload.get("text") if message.kind == "email" else json.dumps(payload, indent=2, ensure_ascii=False)
    body = hide_tokens(body) if body else body
    return render_template("admin/outbox_message.html", message=message, payload=payload, body=body,
                           recipient=recipient(message), retryable=RETRYABLE, status_names=STATUS_NAMES,
                           topics=TOPICS,
                           has_html=bool(message.kind == "email" and payload.get("html")))


@bp.route("/shops/<slug>/outbox/<int:message_id>/preview")
@shop_access(owner=True)
def outbox_preview(shop, message_id: int):
    """The e-mail's HTML part, as a document of its own for the sandboxed frame of the message page
    (its own policy: no script runs, whatever the HTML holds; link tokens hidden as in the text)."""
    message = outbox.get_message(shop.id, message_id)
    html = (message.payload or {}).get("html") if message.kind == "email" else None
    if not html:
        abort(404)
    return Response(hide_tokens(html), mimetype="text/html",
                    headers={"Content-Security-Policy": preview_policy()})


@bp.route("/shops/<slug>/outbox/<int:message_id>/retry", methods=["POST"])
@shop_access(owner=True)
def outbox_retry(shop, message_id: int):
    if not CsrfForm().validate():
        abort(400, _("The form expired; reload the page and try again."))
    outbox.get_message(shop.id, message_id)  # another shop's message is a 404, not "cannot retry"
    if outbox.retry_now(shop.id, message_id):
        flash(_("Message #%(id)d is queued again; the worker picks it up within seconds.", id=message_id),
              "success")
    else:
        flash(_("Message #%(id)d is not failed, so there is nothing to retry.", id=message_id), "info")
    back = request.form.get("back") == "message"
    return redirect(url_for("admin.outbox_message", slug=shop.slug, message_id=message_id) if back
                    else url_for("admin.outbox", slug=shop.slug))
