"""Scan upload, batch reports and the stored images (pages, write-ins); the review queue
and hand entry are in `review_views.py`, on the same blueprint."""

from __future__ import annotations

import io
import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from survey_app import access
from survey_app.extensions import db
from survey_app.models import (
    BatchStatus,
    PageStatus,
    Response,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
)
from survey_app.scans.operations import (
    ScanUploadError,
    delete_batch,
    retry_batch,
    submit_upload,
)
from survey_app.storage import mimetype, storage

bp = Blueprint("scans", __name__, url_prefix="/admin")


class PlainForm(FlaskForm):
    """CSRF only: the fields of these pages are read from request.form."""


# --- upload and batches ----------------------------------------------------------------


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    flash(gettext("That file is larger than %(mb)s MB. Scan at 200-300 dpi in greyscale, or "
                  "split the pile into smaller files.", mb=limit), "error")
    return redirect(url_for("scans.index")), 303


@bp.route("/scans/", methods=["GET", "POST"])
@login_required
def index():
    form = PlainForm()
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if not form.validate_on_submit():
            flash(gettext("The page had expired; please choose the file again."), "error")
            status = 400
        elif upload is None or not upload.filename:
            flash(gettext("Choose a file to upload: the PDF from the copier, or photos of "
                          "the sheets."), "error")
            status = 400
        else:
            try:
                outcome = submit_upload(upload.stream, upload.filename,
                                        current_user.partnership, current_user)
            except ScanUploadError as exc:
                flash(str(exc), "error")
                status = 400
            else:
                if not outcome.visible:
                    flash(gettext(
                        "'%(file)s' was uploaded before by someone else in your partnership, "
                        "so nothing was imported twice; its pages for your school were "
                        "imported then. Ask your coordinator if some are missing.",
                        file=upload.filename), "info")
                    return redirect(url_for("scans.index"), 303)
                if outcome.created:
                    flash(gettext("'%(file)s' is uploaded and being read.", file=upload.filename),
                          "info")
                else:
                    flash(gettext("'%(file)s' was uploaded before; nothing was imported "
                                  "twice. Here is its report.", file=upload.filename), "info")
                return redirect(url_for("scans.batch", batch_id=outcome.batch.id), 303)
            finally:
                upload.close()  # the spooled temporary file of a large upload
    batches = db.session.scalars(access.batches_query().order_by(ScanBatch.id.desc())
                                 .limit(50)).all()
    open_items = db.session.scalar(select(func.count()).select_from(
        access.review_items_query().where(ReviewItem.status == ReviewStatus.OPEN).subquery()))
    return render_template("scans/index.html", form=form, batches=batches,
                           open_items=open_items,
                           max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
                           ), status


def _eta_seconds(batch: ScanBatch, left: int | None) -> int | None:
    """Time left for a running batch, from its pace so far (None until a page is read)."""
    if batch.status != BatchStatus.RUNNING or not left or not batch.pages_done \
            or batch.started_at is None or batch.heartbeat_at is None:
        return None
    per_page = (batch.heartbeat_at - batch.started_at).total_seconds() / batch.pages_done
    return max(1, round(per_page * left))


def eta_words(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return gettext("less than a minute left")
    minutes = round(seconds / 60)
    return ngettext("about %(num)s minute left", "about %(num)s minutes left", minutes)


def _report(batch: ScanBatch) -> dict:
    pages = batch.pages
    page_ids = [p.id for p in pages]
    # Only what this upload's pages raised: a page imported before raises nothing new.
    open_q = select(ReviewItem).where(ReviewItem.scan_page_id.in_(page_ids),
                                      ReviewItem.status == ReviewStatus.OPEN)
    items = db.session.scalars(open_q).all() if page_ids else []
    incomplete = sorted({db.session.get(Response, i.response_id).sheet_id for i in items
                         if i.kind == "missing_page"})
    left = max(0, (batch.pages_total or 0) - batch.pages_done) if batch.pages_total else None
    return {
        "status": batch.status, "pages_total": batch.pages_total, "pages_done": batch.pages_done,
        "pages_left": left, "eta_s": _eta_seconds(batch, left),
        "read": sum(p.status in (PageStatus.READ, PageStatus.MANUAL) for p in pages),
        "responses_created": sum(bool(p.created_response) for p in pages),
        "to_review": sum(i.kind != "missing_page" for i in items),
        "incomplete": incomplete,
        "not_read": sum(p.status == PageStatus.UNREADABLE for p in pages),
        "blank": sum(p.status == PageStatus.BLANK for p in pages),
        "unused": sum(p.status == PageStatus.UNUSED for p in pages),
        "covers": sum(p.status == PageStatus.COVER for p in pages),
        "duplicates": sum(p.status == PageStatus.DUPLICATE for p in pages),
        "conflicts": sum(p.status == PageStatus.CONFLICT for p in pages),
        "attempts": batch.attempts, "error": batch.error,
        "eta": eta_words(_eta_seconds(batch, left)),
    }


@bp.get("/scans/<int:batch_id>")
@login_required
def batch(batch_id: int):
    b = access.batch_or_404(batch_id)
    return render_template("scans/batch.html", batch=b, report=_report(b), form=PlainForm(),
                           warnings={p.id: json.loads(p.result_json).get("warnings", [])
                                     for p in b.pages if p.result_json})


@bp.get("/scans/<int:batch_id>/status.json")
@login_required
def batch_status(batch_id: int):
    return jsonify(_report(access.batch_or_404(batch_id)))


@bp.post("/scans/<int:batch_id>/retry")
@login_required
def retry(batch_id: int):
    b = access.batch_or_404(batch_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        retry_batch(b)
    except ScanUploadError as exc:
        flash(str(exc), "error")
    return redirect(url_for("scans.batch", batch_id=b.id), 303)


@bp.route("/scans/<int:batch_id>/delete", methods=["GET", "POST"])
@login_required
def delete(batch_id: int):
    b = access.batch_or_404(batch_id)
    form = PlainForm()
    if form.validate_on_submit():
        counts = delete_batch(b)
        flash(gettext("Deleted the upload '%(file)s': %(pages)s pages and the %(responses)s "
                      "responses it created.", file=b.filename, pages=counts["pages"],
                      responses=counts["responses"]), "info")
        return redirect(url_for("scans.index"), 303)
    return render_template("scans/delete.html", batch=b, report=_report(b), form=form)


@bp.get("/scans/page/<int:page_id>/image")
@login_required
def page_image(page_id: int):
    page = access.page_or_404(page_id)
    if not page.image_path:
        abort(404)
    return _stored(page.image_path)


@bp.get("/scans/writein/<int:image_id>")
@login_required
def writein_image(image_id: int):
    """A write-in box cut from a scanned sheet (kept, not read), for the results page."""
    image = access.response_image_or_404(image_id)
    return _stored(image.path, "image/png")


def _stored(key: str, kind: str | None = None):
    """A stored image (whichever storage backend holds it), or 404 if it is gone."""
    try:
        data = storage().get(key)
    except FileNotFoundError:
        abort(404)
    return no_store(send_file(io.BytesIO(data), mimetype=kind or mimetype(key)))


def no_store(resp):
    """Children's handwriting and answers: never kept by a browser or proxy cache. Also for
    the review crops (`review_views.py`)."""
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# The review and hand-entry routes live in their own module and register on `bp` when it is
# imported; imported last, when `bp` and `PlainForm` exist (as admin.views does with
# admin.accounts).
from survey_app.scans import review_views  # noqa: E402, F401
