"""Import reviews from another platform's CSV export, and export every review and, in a file of
its own, every private message (owners only)."""

from __future__ import annotations

from flask import Response, abort, render_template, stream_with_context

from ..collecting import import_formats, importing
from ..errors import Invalid
from ..feedback import exporting as feedback_exporting
from ..reviews import exporting
from ..web import downloads
from .blueprint import bp
from .charts import histogram_pair
from .forms import ImportForm, attempt
from .language import _
from .sign_in import actor, shop_access

MAX_IMPORT_BYTES = 10 * 1024 * 1024
EXPORTS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _import_form() -> ImportForm:
    form = ImportForm()
    form.format.choices = [("", _("Detect from the columns"))] + [
        (f.name, f.label) for f in sorted(import_formats.FORMATS.values(), key=lambda f: f.label)]
    return form


def _read_upload(file) -> bytes:
    data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(_("The file is larger than 10 MB; split it and import the parts."), field="file")
    return data


@bp.route("/shops/<slug>/transfer", methods=["GET", "POST"], endpoint="transfer")
@shop_access(owner=True)
def transfer_page(shop):
    form = _import_form()
    report, status = None, 200
    if form.is_submitted():
        done, report = attempt(form, lambda: importing.import_csv(
            shop, _read_upload(form.file.data), fmt=form.format.data or None, actor=actor()), field="file")
        status = 200 if done else 422
    chart = histogram_pair(report.received_histogram, report.stored_histogram,
                           labels=(_("Rows received"), _("Reviews stored")), tags=(_("received"), _("stored")),
                           title=_("Stars of the rows received and of the reviews stored"),
                           desc=_("For each star level, the rows received (solid) and the reviews stored "
                                  "(hatched).")) if report else None
    formats = {f.name: f.label for f in import_formats.FORMATS.values()}
    return render_template("admin/import_export.html", form=form, report=report, chart=chart,
                           format_label=formats.get(report.format, report.format) if report else ""), status


@bp.route("/shops/<slug>/export.<fmt>")
@shop_access(owner=True)
def export(shop, fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    # Streamed: a large shop's export is never held in memory whole.
    body = stream_with_context(exporting.export_reviews(shop, fmt))
    return Response(body, content_type=EXPORTS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{exporting.export_filename(shop, fmt)}"'})


@bp.route("/shops/<slug>/private-feedback.<fmt>", endpoint="feedback_export")
@shop_access(owner=True)
def feedback_export(shop, fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    return downloads.download(feedback_exporting.export_feedback(shop, fmt), fmt,
                              feedback_exporting.export_filename(shop, fmt))
