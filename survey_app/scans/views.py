"""Scan upload, batch reports, the review queue and hand entry of unreadable pages."""

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
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from forms.answers import normalise, normalise_pupil_number
from forms.definition import retro_part
from forms.scales import MULTI, NUMBER, NUMBER_MIN
from survey_app import access
from survey_app.extensions import db
from survey_app.models import (
    BatchStatus,
    Collection,
    PageStatus,
    Response,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
)
from survey_app.pupil_numbers import pupil_number_max
from survey_app.scans.operations import (
    CANT_TELL,
    PUPIL_NUMBER,
    REVIEW_KINDS,
    ScanUploadError,
    delete_batch,
    enter_page_by_hand,
    resolve_review_item,
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
    flash(f"That file is larger than {limit} MB. Scan at 200-300 dpi in greyscale, or "
          "split the pile into smaller files.", "error")
    return redirect(url_for("scans.index")), 303


@bp.route("/scans/", methods=["GET", "POST"])
@login_required
def index():
    form = PlainForm()
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if not form.validate_on_submit():
            flash("The page had expired; please choose the file again.", "error")
            status = 400
        elif upload is None or not upload.filename:
            flash("Choose a file to upload: the PDF from the copier, or photos of the "
                  "sheets.", "error")
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
                    flash(f"'{upload.filename}' was uploaded before by someone else in your "
                          "partnership, so nothing was imported twice; its pages for your "
                          "school were imported then. Ask your coordinator if some are "
                          "missing.", "info")
                    return redirect(url_for("scans.index"), 303)
                if outcome.created:
                    flash(f"'{upload.filename}' is uploaded and being read.", "info")
                else:
                    flash(f"'{upload.filename}' was uploaded before; nothing was imported "
                          "twice. Here is its report.", "info")
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
        return "less than a minute left"
    minutes = round(seconds / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''} left"


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
        flash(f"Deleted the upload '{b.filename}': {counts['pages']} pages and the "
              f"{counts['responses']} responses it created.", "info")
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
    return _no_store(send_file(io.BytesIO(data), mimetype=kind or mimetype(key)))


def _no_store(resp):
    """Children's handwriting and answers: never kept by a browser or proxy cache."""
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- review ----------------------------------------------------------------------------


def _queue():
    """Open items, least sure first (missing pages last: they usually resolve themselves)."""
    return (access.review_items_query().where(ReviewItem.status == ReviewStatus.OPEN)
            .order_by((ReviewItem.kind == "missing_page"),
                      func.coalesce(ReviewItem.confidence, 1.0), ReviewItem.id))


@bp.get("/review/")
@login_required
def review():
    item = db.session.scalar(_queue().limit(1))
    if item is None:
        return render_template("scans/review_done.html")
    return redirect(url_for("scans.review_item", item_id=item.id))


def _item(item_id: int) -> ReviewItem:
    item = db.session.scalar(access.review_items_query().where(ReviewItem.id == item_id))
    if item is None:
        abort(404)
    return item


def _choices(item: ReviewItem) -> tuple[object | None, list[tuple[str, str]]]:
    if item.question_code == PUPIL_NUMBER:
        return None, []
    definition = item.response.collection.survey_version.definition
    q = definition.question_for_column(item.question_code)
    return q, [(code, q.label(code)) for code in q.answer_codes]


@bp.route("/review/<int:item_id>", methods=["GET", "POST"])
@login_required
def review_item(item_id: int):
    item = _item(item_id)
    form = PlainForm()
    if request.method == "POST" and item.status == ReviewStatus.OPEN:
        if not form.validate_on_submit():
            abort(400)
        try:
            resolve_review_item(item, request.form.getlist("value"), current_user)
        except ScanUploadError as exc:
            flash(str(exc), "error")
        else:
            return redirect(url_for("scans.review"), 303)
    question, choices = _choices(item)
    remaining = db.session.scalar(select(func.count()).select_from(_queue().subquery()))
    detail = json.loads(item.detail_json or "{}")
    return render_template(
        "scans/review_item.html", item=item, form=form, question=question, choices=choices,
        remaining=remaining, detail=detail, kind=REVIEW_KINDS.get(item.kind, item.kind),
        cant_tell=CANT_TELL, multi=question is not None and question.kind == MULTI,
        number=question is not None and question.kind == NUMBER,
        retro=retro_part(item.question_code), number_min=NUMBER_MIN,
        number_max=question.number_max if question is not None and question.kind == NUMBER
        else None, pupil_number_max=pupil_number_max())


@bp.get("/review/<int:item_id>/crop.png")
@login_required
def review_crop(item_id: int):
    item = _item(item_id)
    page = item.scan_page
    if page is None or not page.image_path or item.crop_w is None:
        abort(404)
    try:
        data = storage().get(page.image_path)
    except FileNotFoundError:
        abort(404)
    import cv2  # OpenCV only for this crop: importing it costs every start-up ~0.3 s
    import numpy as np

    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        abort(404)
    pad = 12
    y0, x0 = max(0, item.crop_y - pad), max(0, item.crop_x - pad)
    crop = img[y0:item.crop_y + item.crop_h + pad, x0:item.crop_x + item.crop_w + pad]
    ok, png = cv2.imencode(".png", crop)
    if not ok:
        abort(500)
    return _no_store(current_app.response_class(png.tobytes(), mimetype="image/png"))


# --- hand entry ------------------------------------------------------------------------


@bp.route("/scans/page/<int:page_id>/enter", methods=["GET", "POST"])
@login_required
def enter(page_id: int):
    page = access.page_or_404(page_id)
    if page.status not in (PageStatus.UNREADABLE,):
        flash("Only pages the scanner could not read are entered by hand.", "error")
        return redirect(url_for("scans.batch", batch_id=page.batch_id), 303)
    collections = db.session.scalars(access.collections_query()
                                      .order_by(Collection.id.desc()).limit(200)).all()
    chosen = request.values.get("collection", type=int)
    collection = next((c for c in collections if c.id == chosen), None)
    form = PlainForm()
    errors: dict[str, str] = {}
    if collection is not None and request.method == "POST" and request.form.get("save"):
        if not form.validate_on_submit():
            abort(400)
        definition = collection.survey_version.definition
        result = normalise(definition, request.form.to_dict(flat=False), enforce_required=False)
        errors = dict(result.errors)
        try:
            number = normalise_pupil_number(request.form.get("pupil_number"),
                                            pupil_number_max())
        except ValueError as exc:
            errors["pupil_number"], number = str(exc), None
        if not errors:
            enter_page_by_hand(page, collection, result.values, number, current_user)
            flash("The page's answers are stored.", "info")
            return redirect(url_for("scans.batch", batch_id=page.batch_id), 303)
    return render_template("scans/enter.html", page=page, collections=collections,
                           collection=collection, form=form, errors=errors,
                           definition=collection.survey_version.definition if collection
                           else None, values=request.form, retro_part=retro_part,
                           pupil_number_max=pupil_number_max())

