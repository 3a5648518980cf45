"""Scanning with a phone's camera: page after page, each read within seconds, each bad one
retaken at once while the sheet is still in hand.

Each photo is its own upload (a batch of one page) through the same door as a copier PDF
(`submit_upload`: type by content, limits, the decoding child), read by the same worker,
so nothing here reads images. What this adds is the teacher's loop: one page's outcome in
words ("read", or "take it again: the bottom-left corner is cut off"), and a retake that
replaces the photo it corrects, so the bad one does not wait in the hand-entry list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from survey_app import access
from survey_app.extensions import db
from survey_app.models import (
    BatchStatus,
    PageStatus,
    ReviewItem,
    ReviewStatus,
    ScanBatch,
)
from survey_app.scans.operations import ScanUploadError, delete_batch, submit_upload
from survey_app.scans.views import PlainForm

bp = Blueprint("camera", __name__, url_prefix="/admin/scans/camera")

#: Page states that leave nothing to keep: a retake may replace such a photo.
NOTHING_KEPT = ("unreadable", "blank")


@dataclass
class PhotoOutcome:
    """What the camera page shows for one photo."""

    #: waiting | read | check | retake | skipped
    state: str
    message: str
    batch_url: str


def photo_outcome(batch: ScanBatch) -> PhotoOutcome:
    """One photo's result in a teacher's words."""
    url = url_for("scans.batch", batch_id=batch.id)
    if batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING):
        return PhotoOutcome("waiting", "Reading…", url)
    if batch.status == BatchStatus.FAILED:
        return PhotoOutcome("retake", batch.error or "This photo could not be read.", url)
    page = batch.pages[0] if batch.pages else None
    if page is None:
        return PhotoOutcome("retake", "This photo held no page.", url)
    if page.status in NOTHING_KEPT:
        reason = page.reason or "This photo could not be read."
        if page.status == PageStatus.BLANK:
            reason = "Take it again: this photo shows no sheet (only blank paper)."
        return PhotoOutcome("retake", reason, url)
    if page.status == PageStatus.COVER:
        return PhotoOutcome("skipped", "This is the pack's cover page: nothing to read.", url)
    if page.status == PageStatus.DUPLICATE:
        return PhotoOutcome("skipped", "This sheet was scanned before: nothing was counted "
                            "twice.", url)
    if page.status == PageStatus.UNUSED:
        return PhotoOutcome("read", f"Sheet {page.sheet_id}: no marks at all, kept as an "
                            "unused sheet (not counted).", url)
    waiting = db.session.scalar(select(func.count()).select_from(ReviewItem).where(
        ReviewItem.scan_page_id == page.id, ReviewItem.status == ReviewStatus.OPEN))
    if waiting or page.status == PageStatus.CONFLICT:
        n = waiting or 1
        return PhotoOutcome("check", f"Sheet {page.sheet_id} read; {n} answer"
                            f"{'s' if n != 1 else ''} to check in the review queue.", url)
    return PhotoOutcome("read", f"Sheet {page.sheet_id} (page {page.sheet_page}) read.", url)


def _replace(old_id: int | None, new: ScanBatch) -> bool:
    """Delete the photo a retake corrects, when it kept nothing (no response, no answer):
    it must not wait in the hand-entry list once its retake is in."""
    if not old_id or old_id == new.id:
        return False
    old = db.session.scalar(access.batches_query().where(ScanBatch.id == old_id))
    if old is None or old.status in (BatchStatus.QUEUED, BatchStatus.RUNNING):
        return False
    if any(p.status not in NOTHING_KEPT or p.response_id for p in old.pages):
        return False
    delete_batch(old)
    return True


@bp.after_request
def _camera_allowed(response):
    """Every other page forbids the camera (Permissions-Policy in create_app); this one
    needs it for the viewfinder, and only for itself."""
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    return response


@bp.get("/")
@login_required
def index():
    from scanner import framing  # its thresholds, shared with the browser; it imports OpenCV

    return render_template("scans/camera.html", form=PlainForm(),
                           min_sharpness=framing.MIN_SHARPNESS,
                           min_paper=framing.MIN_PAPER_LEVEL,
                           judge_side=framing.JUDGE_LONG_SIDE)


@bp.post("/photo")
@login_required
def photo():
    """One photo in. JSON for the page's script; a redirect for a form sent without it."""
    wants_json = request.accept_mimetypes.best == "application/json"
    form = PlainForm()
    upload = request.files.get("file")
    error, status = None, 400
    if not form.validate_on_submit():
        error = "The page had expired; please reload it and take the photo again."
    elif upload is None or not upload.filename:
        error = "Take a photo of a sheet first."
    else:
        try:
            outcome = submit_upload(upload.stream, upload.filename, current_user.partnership,
                                    current_user)
        except ScanUploadError as exc:
            error, status = str(exc), 400
        finally:
            upload.close()
    if error is not None:
        if wants_json:
            return jsonify({"error": error}), status
        flash(error, "error")
        return redirect(url_for("camera.index"), 303)
    replaced = _replace(request.form.get("replaces", type=int), outcome.batch)
    if not wants_json:
        return redirect(url_for("scans.batch", batch_id=outcome.batch.id), 303)
    return jsonify({"batch": outcome.batch.id, "replaced": replaced,
                    "status_url": url_for("camera.status", batch_id=outcome.batch.id)})


@bp.get("/<int:batch_id>.json")
@login_required
def status(batch_id: int):
    return jsonify(asdict(photo_outcome(access.batch_or_404(batch_id))))
