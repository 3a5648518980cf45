"""Results pages for coordinators (their partnership) and teachers (their own school only):
the overview, each survey's results, the CSV behind every chart, and the impact report."""

from __future__ import annotations

import csv
import io
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.utils import secure_filename

from survey_app import access
from survey_app.downloads import content_disposition, file_name
from survey_app.extensions import db
from survey_app.models import School, Survey
from survey_app.results import analysis, findings, pilot, queries, reach, report, stat_words
from survey_app.results.chart_tables import chart_tables, spreadsheet_safe
from survey_app.results.filters import form_choices as _filters
from survey_app.results.filters import request_scope as _scope
from survey_app.results.operations import (
    PrimaryError,
    quote_candidates,
    set_primary_questions,
    set_report_quotes,
)
from survey_app.results.report_pdf import render_pdf

bp = Blueprint("results", __name__, url_prefix="/results")


def _points() -> tuple[str, str] | None:
    """The two time points the page compares (`first`, `last`), or None for the default
    (the first and the last there are); analysis.choose_points checks them."""
    first, last = request.args.get("first", ""), request.args.get("last", "")
    return (first, last) if first and last else None


def _survey(code: str) -> Survey:
    return access.survey_or_404(code)


def _export_links() -> dict:
    """Links to the response-level CSV and codebook, where the export area provides them."""
    views = current_app.view_functions
    return {"responses": "export.responses_csv" in views,
            "codebook": "export.codebook_csv" in views, "sav": "export.responses_sav" in views}


def _chart(qr) -> Markup | None:
    from survey_app.results.charts import chart_svg  # reportlab: only when a chart is drawn

    svg = chart_svg(qr)
    return None if svg is None else Markup(svg)


@bp.get("/")
@login_required
def overview():
    scope = _scope()
    ov = reach.overview(scope)
    per_survey: dict[int, int] = {}
    for row in ov.rows:
        per_survey[row.info.survey_id] = per_survey.get(row.info.survey_id, 0) + row.total
    school_id = None if access.current().whole_partnership else scope.school_id
    surveys = queries.surveys(scope.partnership_id, school_id)
    pilots = [c for c in access.collections() if c.pilot]
    return render_template("results/overview.html", ov=ov, surveys=surveys, pilots=pilots,
                           per_survey=per_survey, **_filters(scope))


@bp.get("/survey/<code>")
@login_required
def survey(code: str):
    from survey_app.results.charts import trend_svg  # reportlab: only when a chart is drawn

    survey = _survey(code)
    scope = _scope()
    res = analysis.build(survey, scope, analysis.min_group(current_app.config, survey.audience),
                         points=_points())
    charts = {qr.question.code: _chart(qr) for qr in res.questions}
    trends = {qr.question.code: Markup(svg) for qr in res.questions
              for svg in [trend_svg(qr)] if svg}
    candidates = quote_candidates(survey, scope) if current_user.is_coordinator else {}
    return render_template("results/survey.html", survey=survey, res=res, charts=charts,
                           trends=trends,
                           summary=findings.summary_lines, exports=_export_links(),
                           notes=findings.section_notes(res), candidates=candidates,
                           query=request.args.to_dict(), **_filters(scope))


@bp.post("/survey/<code>/primary")
@login_required
@access.coordinator_required
def primary(code: str):
    """Declare the survey's primary outcomes (coordinators): the report headlines these,
    whatever they show; every other question is exploratory."""
    survey = _survey(code)
    try:
        chosen = set_primary_questions(survey, request.form.getlist("primary"))
    except PrimaryError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(gettext("Primary outcomes: %(n)s. The report headlines these, whatever they show.",
                      n=len(chosen) or gettext("none")), "info")
    return redirect(results_url("results.survey", code=survey.code) + "#primary")


@bp.post("/survey/<code>/quotes")
@login_required
@access.coordinator_required
def quotes(code: str):
    """Choose written answers to quote in the impact report (coordinators; none by
    default)."""
    survey = _survey(code)
    shown = [int(v) for v in request.form.getlist("shown") if v.isdigit()]
    chosen = [int(v) for v in request.form.getlist("quote") if v.isdigit()]
    try:
        n = set_report_quotes(survey, shown, chosen)
    except PrimaryError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(ngettext("%(count)s written answer of these will be quoted in the impact report.",
                       "%(count)s written answers of these will be quoted in the impact report.",
                       n, count=n or gettext("No")), "info")
    question = request.form.get("question", "")
    return redirect(results_url("results.survey", code=survey.code) + f"#q-{question}")


@bp.get("/survey/<code>/tables.csv")
@login_required
def tables_csv(code: str):
    survey = _survey(code)
    scope = _scope()
    res = analysis.build(survey, scope, analysis.min_group(current_app.config, survey.audience),
                         points=_points())
    only = request.args.get("question") or None
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in chart_tables(res, only):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    name = secure_filename(f"{survey.code}-results{'-' + only if only else ''}.csv")
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(name)})


def _report() -> report.Report:
    scope = _scope()
    school = db.session.scalar(access.current().schools(select(School))
                               .where(School.id == scope.school_id)) if scope.school_id else None
    if not access.current().whole_partnership and school is None:
        abort(403)
    code = request.args.get("survey") or None
    if code:
        _survey(code)
    return report.build_report(current_user.partnership, current_app.config,
                               survey_code=code, school=school)


@bp.get("/report")
@login_required
def report_html():
    rep = _report()
    charts = {(s.results.survey.code, qr.question.code): _chart(qr)
              for s in rep.sections for qr in s.key_questions}
    return render_template("results/report.html", rep=rep, charts=charts,
                           summary=findings.summary_lines, query=request.args.to_dict())


@bp.get("/report.pdf")
@login_required
def report_pdf():
    rep = _report()
    name = file_name("impact-report", rep.partnership.name, request.args.get("survey"),
                     rep.school.name if rep.school else None, suffix=".pdf")
    return Response(render_pdf(rep), mimetype="application/pdf",
                    headers={"Content-Disposition": content_disposition(name, inline=True)})


@bp.get("/pilot/<int:collection_id>")
@login_required
def pilot_report(collection_id: int):
    """A pilot's report: per question, skipped, "don't know", ceiling and floor, time and
    read-aloud use, straight-lining, and what to change before the real survey."""
    collection = access.collection_or_404(collection_id)
    if not collection.pilot:
        flash(gettext("This collection is not a pilot: its answers are in the results."), "info")
        return redirect(url_for("results.survey", code=collection.survey_version.survey.code))
    return render_template("results/pilot.html", rep=pilot.build(collection), c=collection,
                           thresholds=pilot)


@bp.app_template_global()
def results_url(endpoint: str, **changes) -> str:
    """The same page with some query arguments changed (filters survive navigation)."""
    args = {k: v for k, v in request.args.items() if v}
    args.update({k: v for k, v in changes.items() if v is not None})
    return url_for(endpoint, **args)


@bp.app_template_filter("end_sentence")
def end_sentence(text: str) -> str:
    """`text` ending as a sentence does: a full stop added unless it already ends with one
    (or ? ! …, before any closing quote), so a question's own "." never doubles."""
    text = text.rstrip()
    return text if re.search(r"[.?!…][\"'”’)]*$", text) else f"{text}."


@bp.app_template_filter("people_words")
def people_words(audience: str) -> str:
    """An audience code ("pupil") as who answers ("pupils"), in the reader's language."""
    return findings.audience_people(audience)


@bp.app_template_filter("band_words")
def effect_band_words(band: str | None) -> str:
    """An effect-size band's code ("small") in words."""
    return stat_words.band_words(band)


@bp.app_template_filter("method_words")
def p_method_words(method: str | None) -> str:
    """How a p-value was computed ("exact") in words."""
    return stat_words.method_words(method)


@bp.app_template_filter("without_ages")
def without_ages(meaning: str) -> str:
    """A scale's description without the ages it was made for ("(ages 5-7)"): a question
    in a survey for 7-11 year olds may use the three-face scale too."""
    return re.sub(r"\s*\(ages? [^)]*\)", "", meaning)
