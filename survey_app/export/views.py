"""Response downloads for coordinators and teachers: CSV (plain, or for Excel with a
byte-order mark), SPSS .sav, Stata .dta, the codebook and a datapackage.json.

The rows are the same as `survey-app export` writes (rows.py); here they are scoped to
the signed-in person (a teacher sees only their school) and streamed to the browser.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, render_template, request, stream_with_context
from flask import Response as HttpResponse
from flask_login import login_required
from sqlalchemy import select

from forms.definition import CODE_RE
from survey_app import access
from survey_app.downloads import content_disposition
from survey_app.export import formats
from survey_app.export.csvfile import csv_chunks
from survey_app.export.rows import long_rows, wide_rows, wide_table
from survey_app.export.tables import (
    ExportError,
    Filters,
    SeveralSurveys,
    codebook_rows,
    survey_codes,
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
        abort(400, f"The phase must be one of {', '.join(PHASES)}.")
    return Filters(
        survey=args.get("survey", "").strip() or None,
        collection_id=int(collection) if collection else None,
        school_id=int(school) if school.isdigit() else None,
        school=school if school and not school.isdigit() else None,
        phase=phase or None,
        labels=_flag("labels"),
    )


def _csv_download(rows, filename: str) -> HttpResponse:
    bom = _flag("excel")
    if bom:
        filename = filename.removesuffix(".csv") + "-excel.csv"
    response = HttpResponse(stream_with_context(csv_chunks(rows, bom=bom)),
                            mimetype="text/csv", content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response.headers["Content-Disposition"] = content_disposition(filename)
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
            if k in ("collection", "school", "phase", "excel") and v}
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


MIMETYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


def _wide(kind: str):
    """One survey's responses as `kind` (sav, dta, or the datapackage.json of its CSV)."""
    scope, filters = access.current(), _filters()
    try:
        codes = survey_codes(scope, filters)
        fields, rows = wide_table(scope, filters)
    except SeveralSurveys as exc:
        return _choose_survey(exc.codes)
    except ExportError as exc:
        return HttpResponse(str(exc), status=400, mimetype="text/plain")
    name = filters.survey or (codes[0] if codes else "responses")
    stamp = date.today().isoformat()
    if kind == "datapackage":
        csv_name = f"{name}-{stamp}{'-excel' if _flag('excel') else ''}.csv"
        package = formats.datapackage(fields, csv_name, name, name, bom=_flag("excel"))
        response = HttpResponse(json.dumps(package, indent=2, ensure_ascii=False),
                                mimetype="application/json")
        return _attachment(response, f"{name}-{stamp}.datapackage.json")
    data = formats.to_bytes(fields, rows, kind, name)
    return _attachment(HttpResponse(data, mimetype=MIMETYPES[kind]), f"{name}-{stamp}.{kind}")


@bp.get("/responses.sav")
@login_required
def responses_sav():
    """One survey's responses for SPSS, with variable and value labels."""
    return _wide("sav")


@bp.get("/responses.dta")
@login_required
def responses_dta():
    """One survey's responses for Stata, with variable and value labels."""
    return _wide("dta")


@bp.get("/datapackage.json")
@login_required
def datapackage_json():
    """A Frictionless Data package describing the survey's CSV (its columns, types, codes)."""
    return _wide("datapackage")
