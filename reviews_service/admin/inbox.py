"""The inbox: customers to follow up (private feedback, reviews of 1 or 2 stars), each thread with
what the customer wrote and the shop's private replies, the private reply form, and closing or
opening a thread again. A private reply leaves by e-mail through the outbox (feedback/replies.py)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..errors import DomainError, NotFound
from ..feedback import replies, threads
from ..reviews import queries
from ..shops import service as shops
from .blueprint import bp
from .forms import AdminForm, CsrfForm, attempt, require_csrf
from .language import _
from .language import lazy_gettext as _l
from .sign_in import actor, shop_access

PAGE_SIZE = 25
STATUSES = [("open", _l("Open")), ("answered", _l("Answered")), ("closed", _l("Closed"))]
STATUS_NAMES = dict(STATUSES)
OPENED_BY = {"feedback": _l("Private feedback"), "low_rating": _l("Low rating"), "reply": _l("Private reply")}
# Why the form cannot be used (feedback/replies.py `refusal`), in the admin's words.
REFUSALS = {
    "support_email": _l("Set the shop's support address in Settings first: the customer's answer goes there, "
                        "because this service receives no mail."),
    "email": _l("This customer left no e-mail address, so a private reply cannot reach them."),
}


class PrivateReplyForm(AdminForm):
    body = TextAreaField(_l("Private reply"), validators=[DataRequired(), Length(max=replies.MAX_LENGTH)],
                         description=_l("Sent by e-mail from the shop's name; the customer's answer goes to the "
                                        "shop's support address. Never offer anything, and never ask, for changing "
                                        "or removing a review."))


def open_count(shop) -> int:
    """The nav's number: threads waiting for an answer."""
    return threads.counts(shop)["open"]


@bp.app_template_global("review_thread")
def _review_thread(review) -> dict:
    """The review page's private conversation (admin/_review_thread.html): its thread, if it has
    one, and the private reply form, which opens the thread when it has none."""
    shop = g.access.shop
    thread = threads.of_review(review)
    if thread is not None:
        context = _page_context(shop, thread)
    else:
        why = replies.refusal(shop) or ("email" if not review.email else None)
        context = {"thread": None, "messages": [], "refusal": REFUSALS.get(why) if why else None}
    return {**context, "form": PrivateReplyForm(formdata=None),
            "status_name": STATUS_NAMES.get(thread.status) if thread is not None else None}


def _page_context(shop, thread) -> dict:
    found = threads.messages(thread)
    users = shops.user_emails({m["user_id"] for m in found if m.get("user_id")})
    for m in found:
        m["who"] = users.get(m.get("user_id")) if m["kind"] == "reply" else thread.customer_name
    why = replies.refusal(shop, thread)
    return {"thread": thread, "messages": found, "refusal": REFUSALS.get(why) if why else None,
            "product": threads.product_name(thread), "review": threads.review_of(thread)}


@bp.route("/shops/<slug>/inbox")
@shop_access()
def inbox(shop):
    status = request.args.get("status", "open")
    status = status if status in STATUS_NAMES else "open"
    cursor = request.args.get("cursor") or None
    try:
        rows, next_cursor = threads.inbox(shop, status=status, cursor=cursor, limit=PAGE_SIZE)
    except DomainError:  # a cursor that makes no sense: the first page
        rows, next_cursor = threads.inbox(shop, status=status, limit=PAGE_SIZE)
    items = [{"thread": t, "last": (threads.messages(t) or [None])[-1], "product": threads.product_name(t)}
             for t in rows]
    return render_template("admin/inbox.html", items=items, status=status, statuses=STATUSES, status_names=STATUS_NAMES,
                           counts=threads.counts(shop), opened_by=OPENED_BY,
                           next_url=url_for("admin.inbox", slug=shop.slug, status=status, cursor=next_cursor)
                           if next_cursor else None)


def _thread_page(shop, thread_id: str, form=None, status: int = 200):
    context = _page_context(shop, threads.get(shop, thread_id))
    return render_template("admin/thread.html", form=form or PrivateReplyForm(), status_names=STATUS_NAMES,
                           opened_by=OPENED_BY, **context), status


@bp.route("/shops/<slug>/inbox/<thread_id>")
@shop_access()
def inbox_thread(shop, thread_id: str):
    return _thread_page(shop, thread_id)


@bp.route("/shops/<slug>/inbox/<thread_id>/reply", methods=["POST"])
@shop_access()
def inbox_reply(shop, thread_id: str):
    thread = threads.get(shop, thread_id)
    form = PrivateReplyForm()
    done, _result = attempt(form, lambda: replies.reply(shop, thread, form.body.data, actor=actor(),
                                                        user_id=current_user.id), field="body")
    if done:
        flash(_("Private reply sent by e-mail. The customer's answer will go to the shop's support address."),
              "success")
        return redirect(url_for("admin.inbox_thread", slug=shop.slug, thread_id=thread_id))
    return _thread_page(shop, thread_id, form, 422)


@bp.route("/shops/<slug>/inbox/<thread_id>/status", methods=["POST"])
@shop_access()
def inbox_status(shop, thread_id: str):
    require_csrf(CsrfForm())
    wanted = request.form.get("status", "")
    if wanted not in threads.SETTABLE:
        threads.get(shop, thread_id)  # another shop's thread is a 404 before anything else
        flash(_("Choose to close the thread or to open it again."), "error")
    else:
        threads.set_status(shop, thread_id, wanted)
        flash(_("Thread closed.") if wanted == "closed" else _("Thread open again."), "success")
    return redirect(url_for("admin.inbox_thread", slug=shop.slug, thread_id=thread_id))


@bp.route("/shops/<slug>/reviews/<review_id>/private-reply", methods=["POST"])
@shop_access()
def review_private_reply(shop, review_id: str):
    """The review page's private reply: the review's thread is opened if it has none."""
    review = queries.get_review(shop, review_id)
    form = PrivateReplyForm()
    require_csrf(form)
    back = url_for("admin.review", slug=shop.slug, review_id=review.public_id)
    if form.errors:
        flash(_("Write the private reply first."), "error")
        return redirect(back)
    try:
        replies.reply_to_review(shop, review.public_id, form.body.data, actor=actor(), user_id=current_user.id)
    except NotFound:
        raise
    except DomainError as exc:
        flash(REFUSALS.get(next(iter(exc.errors), ""), exc.detail), "error")
        return redirect(back)
    flash(_("Private reply sent by e-mail. The customer's answer will go to the shop's support address."), "success")
    return redirect(back)
