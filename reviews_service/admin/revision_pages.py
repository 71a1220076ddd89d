"""Reviewers' edits in the moderation queue: each edit that waits beside the version that stays
published meanwhile, approved (applied through the moderation service, the aggregates moved once)
or rejected for its content."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..errors import DomainError, NotFound
from ..moderation import queue as moderation
from ..moderation import revisions
from .blueprint import bp
from .forms import REASON_CHOICES, REJECT_LABELS, CsrfForm, RejectForm, require_csrf
from .language import _
from .sign_in import actor, safe_next, shop_access

PAGE_SIZE = 25


@bp.route("/shops/<slug>/queue/edits")
@shop_access()
def queue_edits(shop):
    waiting, next_cursor = revisions.pending(shop, cursor=request.args.get("cursor") or None, limit=PAGE_SIZE)
    products = moderation.products_of([w.review for w in waiting])
    here = url_for("admin.queue_edits", slug=shop.slug, cursor=request.args.get("cursor") or None)
    return render_template(
        "admin/queue_edits.html", waiting=waiting, products=products, counts=moderation.counts(shop),
        edits_count=revisions.count_pending(shop), reasons=REASON_CHOICES, reject_labels=REJECT_LABELS, here=here,
        next_url=url_for("admin.queue_edits", slug=shop.slug, cursor=next_cursor) if next_cursor else None,
        first_url=url_for("admin.queue_edits", slug=shop.slug) if request.args.get("cursor") else None)


def _decide(shop, review_id: str, decision: str, *, reason: str | None = None, note: str = ""):
    back = safe_next(request.form.get("next")) or url_for("admin.queue_edits", slug=shop.slug)
    try:
        revisions.decide(shop, review_id, decision, actor=actor(), reason=reason, note=note)
    except NotFound:
        raise
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(back)
    flash(_("Edit approved: the review now shows it.") if decision == "approve"
          else _("Edit rejected: the review stays as it was."), "success")
    return redirect(back)


@bp.route("/shops/<slug>/reviews/<review_id>/edit/approve", methods=["POST"])
@shop_access()
def review_edit_approve(shop, review_id: str):
    require_csrf(CsrfForm())
    return _decide(shop, review_id, "approve")


@bp.route("/shops/<slug>/reviews/<review_id>/edit/reject", methods=["POST"])
@shop_access()
def review_edit_reject(shop, review_id: str):
    form = RejectForm()
    require_csrf(form)
    if form.errors:
        flash(_("Choose a reason for rejecting."), "error")
        return redirect(safe_next(request.form.get("next")) or url_for("admin.queue_edits", slug=shop.slug))
    return _decide(shop, review_id, "reject", reason=form.reason.data, note=form.note.data or "")
