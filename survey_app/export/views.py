"""CSV and codebook downloads for coordinators and teachers.

The rows are the same as `survey-app export` writes (tables.py); here they are scoped to
the signed-in person (a teacher sees only their school) and streamed to the browser.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, stream_with_context
from flask import Response as HttpResponse
from flask_login import login_required
from sqlalchemy import select

from forms.definition import CODE_RE
from survey_app import access
from survey_app.export.csvfile import csv_chunks
from survey_app.export.tables import (
    ExportError,
    Filters,
    SeveralSurveys,
    codebook_rows,
    long_rows,
    survey_codes,
    wide_rows,
)
from survey_app.extensions import db
from survey_app.models import PHASES, Survey

bp = Blueprint("export", __name__, url_prefix="/admin/export", template_folder="templates")

TRUE_WORDS = ("1", "true", "yes", "on")


def _flag(name: str) -> bool:
    return request.args.get(name, "").strip().lower() in TRUE_WORDS


def _filters() -> Filters:
    """The query arguments as filters; a malformed one is a 400, not a silent full export."""
    args = request.args
    collection = args.get("collection", "").strip()
    school = args.get("school", "").strip()
    phase = args.get("phase", "").strip()
    if collection and not collection.isdigit():
        abort(400, "The collection must be given by its number.")
    if phase and phase not in PHASES:
        abort(400, "The phase must be before, after or once.")
    return Filters(
        survey=args.get("survey", "").strip() or None,
        collection_id=int(collection) if collection else None,
        school_id=int(school) if school.isdigit() else None,
        school=school if school and not school.isdigit() else None,
        phase=phase or None,
        labels=_flag("labels"),
    )


def _csv_download(rows, filename: str) -> HttpResponse:
    response = HttpResponse(stream_with_context(csv_chunks(rows)),
                            mimetype="text/csv", content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Pupil answers: never kept by a shared browser or proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _choose_survey(codes: list[str]) -> str:
    """Several surveys in scope: a page of one link per survey instead of an error."""
    titles = dict(db.session.execute(
        access.current().surveys(select(Survey.code, Survey.title))
        .where(Survey.code.in_(codes))
    ).all())
    keep = {k: v for k, v in request.args.items()
            if k in ("collection", "school", "phase") and v}
    return render_template("export/choose.html", codes=codes, titles=titles, args=keep)


@bp.get("/responses.csv")
@login_required
def responses_csv():
    """Responses as CSV: one survey wide (one row per response), or `long=1` for every
    answer of every survey in one file."""
    scope, filters = access.current(), _filters()
    stamp = date.today().isoformat()
    try:
        if _flag("long"):
            return _csv_download(long_rows(scope, filters), f"responses-long-{stamp}.csv")
        codes = survey_codes(scope, filters)
        rows = wide_rows(scope, filters)
    except SeveralSurveys as exc:
        return _choose_survey(exc.codes)
    except ExportError as exc:
        return HttpResponse(str(exc), status=400, mimetype="text/plain")
    name = filters.survey or (codes[0] if codes else "responses")
    return _csv_download(rows, f"{name}-{stamp}.csv")


@bp.get("/codebook.csv")
@login_required
def codebook_csv():
    """What each code in the CSV means, for the surveys the person can see."""
    survey = request.args.get("survey", "").strip() or None
    rows = codebook_rows(access.current(), survey)
    name = survey if survey and CODE_RE.match(survey) else "surveys"
    return _csv_download(rows, f"{name}-codebook.csv")
