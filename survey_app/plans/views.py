"""The evaluation plan pages: everyone signed in may read their partnership's plan, as a
page, a PDF or YAML, and its results by outcome; only coordinators change it, on the pages
in editing.py (survey_app.access). Both are routes on the one `plans` blueprint defined
here."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from markupsafe import Markup

from survey_app import access
from survey_app.builder.bank import MEASURE_TITLES, bank_surveys
from survey_app.downloads import content_disposition
from survey_app.extensions import db
from survey_app.plans import document
from survey_app.plans.allocation import (
    UNITS,
    allocation_rows,
    allocation_sentence,
    balance,
    current_allocation,
    group_rows,
)
from survey_app.plans.operations import (
    amendment_text,
    amendments,
    for_school,
    plan_for,
    question_texts,
    refresh_lock,
    to_yaml,
    written_late,
)

bp = Blueprint("plans", __name__, url_prefix="/plan")


#: The arms as the plan page names them, in the page's language (document.ARMS: the
#: English that plan files, amendments and the allocation PDF keep).
ARM_WORDS = {"taking_part": lazy_gettext("Taking part"), "comparison": lazy_gettext("Comparison")}

def _plan():
    """The signed-in person's partnership's plan (lock brought up to date), or None."""
    plan = plan_for(current_user.partnership_id)
    if plan is not None and refresh_lock(plan):
        db.session.commit()
    return plan


def _school() -> str | None:
    """A teacher sees the plan with their own school's groups only (None: everything)."""
    if access.current().whole_partnership:
        return None
    return current_user.school.name if current_user.school else ""


def _picker() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Survey questions to measure with, grouped by what they measure: the partnership's
    surveys first, then bank surveys not loaded yet. [(title, [(value, text, where)])]"""
    groups: dict[str, list[tuple[str, str, str]]] = {m: [] for m in MEASURE_TITLES}
    loaded = set()
    for survey in access.surveys():
        loaded.add(survey.code)
        for q in survey.latest.definition.questions:
            groups[q.measures if q.measures in groups else "other"].append(
                (f"{survey.code}:{q.code}", q.text, survey.title))
    for survey in bank_surveys():
        if survey.code in loaded:
            continue
        for q in survey.questions:
            groups[q.measures if q.measures in groups else "other"].append(
                (f"{survey.code}:{q.code}", q.text, f"{survey.title} (bank, not loaded yet)"))
    return [(MEASURE_TITLES[m], rows) for m, rows in groups.items() if rows]


@bp.app_template_global()
def plan_sets_primary(survey) -> bool:
    """Whether the partnership's plan decides this survey's primary outcomes (the results
    page then shows them instead of its own form)."""
    from survey_app.plans.operations import plan_primary_codes

    return plan_primary_codes(survey) is not None


@bp.get("/")
@login_required
def show():
    plan = _plan()
    school = _school()
    body = for_school(plan.body if plan else document.empty(), school)
    alloc = current_allocation(plan)
    groups = [g for g in group_rows(current_user.partnership_id)
              if school is None or g[1] == school]
    return render_template(
        "plans/plan.html", plan=plan, body=body, outcomes=document.outcomes(body),
        texts=question_texts(current_user.partnership_id, body),
        amendments=amendments(plan) if plan else [], categories=document.CATEGORIES,
        time_points=document.TIME_POINTS, arms=ARM_WORDS, picker=_picker(),
        groups=groups,
        planned={(g["school"], g["group"]): g["arm"] for g in body["groups"]},
        alloc=alloc, alloc_rows=allocation_rows(alloc, school) if alloc else [],
        alloc_balance=balance(alloc, school) if alloc else {}, units=UNITS,
        written_late=written_late(plan) if plan else None)


@bp.get("/plan.pdf")
@login_required
def pdf():
    from survey_app.plans.pdf import plan_pdf

    data = plan_pdf(current_user.partnership, _plan(), _school())
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition":
                             content_disposition("evaluation-plan.pdf", inline=True)})


@bp.get("/plan.yaml")
@login_required
def yaml_file():
    text = to_yaml(_plan(), current_user.partnership, _school())
    return Response(text, mimetype="text/plain",
                    headers={"Content-Disposition": content_disposition("plan.yaml")})


@bp.get("/allocation.pdf")
@login_required
def allocation_pdf():
    from flask import abort

    from survey_app.plans.pdf import allocation_pdf as render

    alloc = current_allocation(_plan())
    if alloc is None:
        abort(404)
    return Response(render(current_user.partnership, alloc, _school()), mimetype="application/pdf",
                    headers={"Content-Disposition":
                             content_disposition("allocation.pdf", inline=True)})


@bp.get("/results")
@login_required
def results():
    """The results page organised by the plan's outcomes (with the results filters)."""
    from survey_app.plans.outcomes import by_outcome
    from survey_app.results import analysis, queries
    from survey_app.results.charts import chart_svg
    from survey_app.results.filters import form_choices, request_scope

    plan = _plan()
    scope = request_scope()
    if plan is None:
        return render_template("plans/results.html", plan=None, outcomes=[],
                               **form_choices(scope))
    wanted = set(document.survey_codes(plan.body))
    school_id = None if access.current().whole_partnership else scope.school_id
    found = {}
    for survey in queries.surveys(scope.partnership_id, school_id):
        if survey.code in wanted:
            found[survey.code] = analysis.build(
                survey, scope, analysis.min_group(current_app.config, survey.audience))
    blocks = by_outcome(plan, found, question_texts(plan.partnership_id, plan.body))
    alloc = current_allocation(plan)
    note = allocation_sentence(alloc) if alloc else None
    charts = {}
    for o in blocks:
        for ind in o.indicators:
            for m in ind.measures:
                if m.result is not None:
                    svg = chart_svg(m.result)
                    charts[(m.survey_code, m.question_code)] = None if svg is None else \
                        Markup(svg)
    return render_template("plans/results.html", plan=plan, outcomes=blocks,
                           outcome_charts=charts, locked_at=plan.locked_at,
                           written_late=written_late(plan), allocation_note=note,
                           amendments=[amendment_text(a) for a in amendments(plan)],
                           **form_choices(scope))


# The editing routes live in their own module and register on `bp` when it is imported;
# imported last, when `bp` exists (the Flask pattern for a blueprint across modules).
from survey_app.plans import editing  # noqa: E402, F401
