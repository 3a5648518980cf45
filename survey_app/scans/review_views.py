"""The review queue (least sure first), the crop of a mark a person decides, and hand entry
of a page the scanner could not read. Routes on the scans blueprint
(`survey_app.scans.views.bp`), kept apart from the upload and batch pages."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from forms.answers import normalise, normalise_pupil_number
from forms.definition import retro_part
from forms.scales import MULTI, NUMBER, NUMBER_MIN
from survey_app import access
from survey_app.extensions import db
from survey_app.models import Collection, PageStatus, ReviewItem, ReviewStatus
from survey_app.pupil_numbers import pupil_number_max
from survey_app.scans.operations import (
    CANT_TELL,
    PUPIL_NUMBER,
    REVIEW_KINDS,
    ScanUploadError,
    enter_page_by_hand,
    resolve_review_item,
)
from survey_app.scans.views import PlainForm, bp, no_store
from survey_app.storage import storage

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
    return no_store(current_app.response_class(png.tobytes(), mimetype="image/png"))


# --- hand entry ------------------------------------------------------------------------


@bp.route("/scans/page/<int:page_id>/enter", methods=["GET", "POST"])
@login_required
def enter(page_id: int):
    page = access.page_or_404(page_id)
    if page.status not in (PageStatus.UNREADABLE,):
        flash(gettext("Only pages the scanner could not read are entered by hand."), "error")
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
            flash(gettext("The page's answers are stored."), "info")
            return redirect(url_for("scans.batch", batch_id=page.batch_id), 303)
    return render_template("scans/enter.html", page=page, collections=collections,
                           collection=collection, form=form, errors=errors,
                           definition=collection.survey_version.definition if collection
                           else None, values=request.form, retro_part=retro_part,
                           pupil_number_max=pupil_number_max())
