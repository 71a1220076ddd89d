"""The moderation queue: filters, single and bulk decisions, photos, redaction, replies, reports,
and each review's audit trail. Every change goes through the moderation service, which runs the
status transition and writes the audit event."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError, NotFound
from ..moderation import queue as moderation
from ..moderation import replies as reply_service
from ..moderation import revisions
from ..reviews import queries
from . import review_cards
from .blueprint import bp
from .forms import (
    REASON_CHOICES,
    REJECT_LABELS,
    BulkForm,
    CsrfForm,
    RedactForm,
    RejectForm,
    ReplyForm,
    attempt,
    require_csrf,
)
from .language import _, ngettext
from .language import lazy_gettext as _l
from .sign_in import actor, safe_next, shop_access

PAGE_SIZE = 25

STATUSES = [("pending", _l("Pending")), ("published", _l("Published")), ("rejected", _l("Rejected")),
            ("", _l("Any status"))]
TRISTATE = [("", _l("Any")), ("yes", _l("Yes")), ("no", _l("No"))]


@dataclass
class Filters:
    """The queue's filters, read leniently from the query string: a value that makes no sense
    is dropped rather than answered with an error page."""

    status: str = "pending"
    stars: int | None = None
    product: str = ""
    has_photos: bool | None = None
    reported: bool | None = None
    verified: bool | None = None
    search: str = ""
    raw: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, args) -> Filters:
        def tristate(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(args.get(name, ""))

        status = args.get("status", "pending")
        stars = args.get("stars", "")
        out = cls(
            status=status if status in {s for s, _ in STATUSES} else "pending",
            stars=int(stars) if stars in ("1", "2", "3", "4", "5") else None,
            product=args.get("product", "").strip()[:255],
            has_photos=tristate("has_photos"), reported=tristate("reported"),
            verified=tristate("verified"), search=args.get("q", "").strip()[:200],
        )
        out.raw = {k: v for k, v in {
            "status": out.status, "stars": str(out.stars or ""), "product": out.product,
            "has_photos": args.get("has_photos", "") if out.has_photos is not None else "",
            "reported": args.get("reported", "") if out.reported is not None else "",
            "verified": args.get("verified", "") if out.verified is not None else "",
            "q": out.search}.items() if v or k == "status"}
        return out

    def service_kwargs(self) -> dict:
        return {"status": self.status or None, "stars": self.stars,
                "product_external_id": self.product or None, "has_photos": self.has_photos,
                "reported": self.reported, "verified": self.verified, "search": self.search or None}

    @property
    def narrowed(self) -> bool:
        return any(k != "status" for k in self.raw)


def _queue_url(shop, **raw) -> str:
    # An empty status is "any status" and stays in the URL: left out, it would mean "pending".
    query = urlencode({k: v for k, v in raw.items() if v not in (None, "") or (k == "status" and v == "")})
    return url_for("admin.queue", slug=shop.slug) + (f"?{query}" if query else "")


@bp.route("/shops/<slug>/queue")
@shop_access()
def queue(shop):
    filters = Filters.parse(request.args)
    reviews, next_cursor = moderation.queue(shop, **filters.service_kwargs(),
                                            cursor=request.args.get("cursor") or None, limit=PAGE_SIZE)
    here = _queue_url(shop, **filters.raw, cursor=request.args.get("cursor"))
    return render_template(
        "admin/queue.html", reviews=reviews, cards=review_cards.cards(reviews), filters=filters,
        statuses=STATUSES, tristate=TRISTATE, reasons=REASON_CHOICES, reject_labels=REJECT_LABELS,
        counts=moderation.counts(shop), edits_count=revisions.count_pending(shop), here=here, bulk=BulkForm(),
        next_url=_queue_url(shop, **filters.raw, cursor=next_cursor) if next_cursor else None,
        first_url=_queue_url(shop, **filters.raw) if request.args.get("cursor") else None,
        tab_url=lambda **raw: _queue_url(shop, **raw))


def _back(shop) -> str:
    return safe_next(request.form.get("next")) or url_for("admin.queue", slug=shop.slug)


def _act(shop, what, success):
    """Run a service call and go back where the form came from. A refusal (say, someone changed
    the review meanwhile) is shown there; a review of another shop stays a 404."""
    try:
        what()
    except NotFound:
        raise
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(_back(shop))
    flash(success, "success")
    return redirect(_back(shop))


def _changed(decision: str, n: int, single: bool) -> str:
    if decision == "approve":
        return _("Review approved.") if single else ngettext("Approved %(num)d review.", "Approved %(num)d reviews.", n)
    return _("Review rejected.") if single else ngettext("Rejected %(num)d review.", "Rejected %(num)d reviews.", n)


def _decided(shop, result, decision: str, *, single: bool):
    """Tell what a decision did: how many changed, and why any did not."""
    if single and result.not_found:
        abort(404)
    if result.changed:
        flash(_changed(decision, len(result.changed), single), "success")
    if result.unchanged:
        flash(ngettext("%(num)d review already had this status.", "%(num)d reviews already had this status.",
                       len(result.unchanged)), "info")
    for _public_id, why in result.refused:
        flash(_("Not changed: %(why)s.", why=why), "error")
    if result.not_found:
        flash(ngettext("%(num)d review not found in this shop.", "%(num)d reviews not found in this shop.",
                       len(result.not_found)), "error")
    return redirect(_back(shop))


def _decide(shop, call, decision: str, *, single: bool):
    try:
        result = call()
    except NotFound:
        raise
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(_back(shop))
    return _decided(shop, result, decision, single=single)


@bp.route("/shops/<slug>/queue/bulk", methods=["POST"])
@shop_access()
def queue_bulk(shop):
    form = BulkForm()
    require_csrf(form)
    ids = [i for i in dict.fromkeys(request.form.getlist("ids")) if i]
    if not ids:
        flash(_("Select one or more reviews first (x selects the focused review)."), "error")
        return redirect(_back(shop))
    if form.errors or form.action.data not in ("approve", "reject"):
        flash(_("Choose approve or reject."), "error")
        return redirect(_back(shop))
    if form.action.data == "approve":
        return _decide(shop, lambda: moderation.approve(shop, ids, actor=actor()), "approve", single=False)
    if not form.reason.data:
        flash(_("Choose a reason for rejecting."), "error")
        return redirect(_back(shop))
    return _decide(shop, lambda: moderation.reject(shop, ids, form.reason.data, actor=actor()),
                   "reject", single=False)


@bp.route("/shops/<slug>/reviews/<review_id>/approve", methods=["POST"])
@shop_access()
def review_approve(shop, review_id: str):
    require_csrf(CsrfForm())
    return _decide(shop, lambda: moderation.approve(shop, [review_id], actor=actor()), "approve", single=True)


@bp.route("/shops/<slug>/reviews/<review_id>/reject", methods=["POST"])
@shop_access()
def review_reject(shop, review_id: str):
    form = RejectForm()
    require_csrf(form)
    if form.errors:
        queries.get_review(shop, review_id)  # another shop's review is a 404 before anything else
        flash(_("Choose a reason for rejecting."), "error")
        return redirect(_back(shop))
    return _decide(shop, lambda: moderation.reject(shop, [review_id], form.reason.data, actor=actor(),
                                                   note=form.note.data or ""), "reject", single=True)


@bp.route("/shops/<slug>/reviews/<review_id>/photos/<photo_id>/remove", methods=["POST"])
@shop_access()
def review_photo_remove(shop, review_id: str, photo_id: str):
    require_csrf(CsrfForm())
    return _act(shop, lambda: moderation.remove_photo(shop, review_id, photo_id, actor=actor()),
                _("Photo removed. The review keeps its status."))


@bp.route("/shops/<slug>/reviews/<review_id>/reports/resolve", methods=["POST"])
@shop_access()
def review_reports_resolve(shop, review_id: str):
    require_csrf(CsrfForm())
    return _act(shop, lambda: moderation.resolve_reports(shop, review_id, actor=actor()),
                _("The review stays; its reports are closed."))


@bp.route("/shops/<slug>/reviews/<review_id>", methods=["GET"])
@shop_access()
def review(shop, review_id: str):
    item = queries.get_review(shop, review_id)
    return _detail(shop, item, redact=RedactForm(title=item.title, body=item.body),
                   reply=ReplyForm(body=item.reply.body if item.reply else ""))


def _detail(shop, item, *, redact, reply, status: int = 200):
    card = review_cards.cards([item])[0]
    events = review_cards.describe_events(moderation.audit_log(shop, item.public_id))
    return render_template("admin/review.html", review=item, card=card, events=events,
                           redact_form=redact, reply_form=reply, reasons=REASON_CHOICES,
                           reject_labels=REJECT_LABELS, redacted_marker=moderation.REDACTED,
                           here=url_for("admin.review", slug=shop.slug, review_id=item.public_id)), status


@bp.route("/shops/<slug>/reviews/<review_id>/redact", methods=["POST"])
@shop_access()
def review_redact(shop, review_id: str):
    item = queries.get_review(shop, review_id)
    form = RedactForm()
    reply = ReplyForm(formdata=None, body=item.reply.body if item.reply else "")
    # Browsers send a textarea's line breaks as CRLF; the stored text has plain LF.
    submitted = (("title", form.title.data or ""), ("body", (form.body.data or "").replace("\r\n", "\n")))
    changes = {name: value for name, value in submitted if value != (getattr(item, name) or "")}
    if form.validate() and not changes:
        flash(_("Nothing was changed: replace the personal data with %(marker)s first.", marker=moderation.REDACTED),
              "info")
        return redirect(url_for("admin.review", slug=shop.slug, review_id=item.public_id))
    done, _result = attempt(form, lambda: moderation.redact(shop, item.public_id, actor=actor(), **changes))
    if done:
        flash(_("Redacted. The review now shows that the shop removed personal data, and the change "
                "is in its history."), "success")
        return redirect(url_for("admin.review", slug=shop.slug, review_id=item.public_id))
    return _detail(shop, item, redact=form, reply=reply, status=422)


@bp.route("/shops/<slug>/reviews/<review_id>/reply", methods=["POST"])
@shop_access()
def review_reply(shop, review_id: str):
    item = queries.get_review(shop, review_id)
    form = ReplyForm()
    done, _result = attempt(form, lambda: reply_service.set_reply(
        shop, item.public_id, form.body.data.replace("\r\n", "\n"), user_id=current_user.id), field="body")
    if done:
        flash(_("Reply published under the review. The reviewer gets an e-mail about it."), "success")
        return redirect(url_for("admin.review", slug=shop.slug, review_id=item.public_id))
    redact = RedactForm(formdata=None, title=item.title, body=item.body)
    return _detail(shop, item, redact=redact, reply=form, status=422)


@bp.route("/shops/<slug>/reviews/<review_id>/reply/delete", methods=["POST"])
@shop_access()
def review_reply_delete(shop, review_id: str):
    require_csrf(CsrfForm())
    return _act(shop, lambda: reply_service.delete_reply(shop, review_id, user_id=current_user.id),
                _("Reply deleted."))
