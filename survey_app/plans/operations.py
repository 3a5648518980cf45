"""Write actions on evaluation plans, called by the pages and the command line alike:
saving a plan (checked against the partnership's surveys and groups, locked once "after"
answers arrive), reading and writing the YAML file."""

from __future__ import annotations

import json
from datetime import datetime

import yaml
from flask_babel import format_date, gettext
from sqlalchemy import func, select

from forms.definition import DefinitionError, read_yaml
from survey_app.builder.bank import bank_survey
from survey_app.extensions import db
from survey_app.models import (
    Collection,
    EvaluationPlan,
    Group,
    Partnership,
    PlanAmendment,
    Response,
    School,
    Survey,
    SurveyVersion,
)
from survey_app.models.base import utcnow
from survey_app.plans import document
from survey_app.plans.document import PlanError

#: A plan file larger than this is not a plan.
MAX_PLAN_BYTES = 256 * 1024


def plan_for(partnership_id: int) -> EvaluationPlan | None:
    return db.session.scalar(select(EvaluationPlan).where(
        EvaluationPlan.partnership_id == partnership_id))


def amendments(plan: EvaluationPlan) -> list[PlanAmendment]:
    return list(db.session.scalars(select(PlanAmendment).where(
        PlanAmendment.plan_id == plan.id).order_by(PlanAmendment.made_at, PlanAmendment.id)))


def written_late(plan: EvaluationPlan) -> str | None:
    """The honest note for a plan first written after the after answers had arrived: its
    primary outcomes were not declared in advance."""
    if plan.locked_at is None or plan.created_at <= plan.locked_at:
        return None
    return (f"This plan was first written on {plan.created_at:%d %B %Y}, after the first "
            f"after answers had arrived ({plan.locked_at:%d %B %Y}): its primary outcomes "
            "were not declared before the results could be seen.")


def amendment_text(a: PlanAmendment) -> str:
    """An amendment in one sentence, for pages, the report and the PDF."""
    return (f"{a.made_at:%d %B %Y}, {a.made_by}: {a.why} (changed: "
            f"{' '.join(a.changes.splitlines())})"
            + (" This changed a primary outcome." if a.touches_primary else ""))


def _survey_questions(partnership_id: int) -> dict[str, dict[str, str]]:
    """{survey code: {question code: text}} for the partnership's surveys (every version)
    and the bank (a plan may name a bank survey before it is loaded)."""
    out: dict[str, dict[str, str]] = {}
    surveys = db.session.scalars(select(Survey).where(Survey.partnership_id == partnership_id))
    for survey in surveys:
        qs = out.setdefault(survey.code, {})
        for version in survey.versions:
            for q in version.definition.questions:
                qs.setdefault(q.code, q.text)
    return out


def question_texts(partnership_id: int, body: dict) -> dict[tuple[str, str], str]:
    """The wording of every survey question the plan names, for pages and the PDF."""
    known = _survey_questions(partnership_id)
    out = {}
    for o in document.outcomes(body):
        for s, q in document.measured(o):
            text = known.get(s, {}).get(q)
            if text is None and (bank := bank_survey(s)) is not None:
                text = next((x.text for x in bank.questions if x.code == q), None)
            out[(s, q)] = text or f"{s}.{q}"
    return out


def plan_primary_codes(survey: Survey) -> tuple[str, ...] | None:
    """The survey's questions that measure the plan's primary outcomes, or None when the
    partnership's plan declares no primary outcome (results then use the per-survey
    choice)."""
    plan = plan_for(survey.partnership_id)
    if plan is None:
        return None
    body = plan.body
    if not any(o["primary"] for o in document.outcomes(body)):
        return None
    return tuple(document.primary_questions(body, survey.code))


def check_references(partnership_id: int, body: dict) -> None:
    """Every survey question, school and group the plan names must exist (or, for survey
    questions, be in the bank); raises PlanError naming each one that does not."""
    problems = []
    known = _survey_questions(partnership_id)
    for o in document.outcomes(body):
        for s, q in document.measured(o):
            questions = known.get(s)
            if questions is None and (bank := bank_survey(s)) is not None:
                questions = {x.code: x.text for x in bank.questions}
            if questions is None:
                problems.append(gettext(
                    "Outcome '%(outcome)s': no survey '%(survey)s' in this partnership or "
                    "the bank (surveys: %(surveys)s).", outcome=o["title"], survey=s,
                    surveys=", ".join(sorted(known)) or gettext("none loaded yet")))
            elif q not in questions:
                problems.append(gettext(
                    "Outcome '%(outcome)s': survey '%(survey)s' has no question "
                    "'%(question)s' (its questions: %(questions)s).", outcome=o["title"],
                    survey=s, question=q, questions=", ".join(questions)))
    groups = {(s, g) for s, g in db.session.execute(
        select(School.name, Group.name).join(Group.school)
        .where(School.partnership_id == partnership_id))}
    schools = {s for s, _g in groups} | set(db.session.scalars(
        select(School.name).where(School.partnership_id == partnership_id)))
    for g in body.get("groups", []):
        if g["school"] not in schools:
            problems.append(gettext(
                "Group %(group)s: no school called '%(school)s' in this partnership "
                "(schools: %(schools)s).", group=g["group"], school=g["school"],
                schools=", ".join(sorted(schools)) or gettext("none")))
        elif (g["school"], g["group"]) not in groups:
            names = sorted(n for s, n in groups if s == g["school"])
            problems.append(gettext(
                "No group called '%(group)s' at %(school)s (its groups: %(groups)s).",
                group=g["group"], school=g["school"],
                groups=", ".join(names) or gettext("none yet")))
    if problems:
        raise PlanError(problems)


def first_later_answer(partnership_id: int, body: dict) -> datetime | None:
    """When the first after (or follow-up) answer to a survey the plan names arrived;
    pilot collections never count."""
    codes = document.survey_codes(body)
    if not codes:
        return None
    stmt = (select(func.min(Response.submitted_at))
            .join(Collection, Collection.id == Response.collection_id)
            .join(SurveyVersion, SurveyVersion.id == Collection.survey_version_id)
            .join(Survey, Survey.id == SurveyVersion.survey_id)
            .where(Survey.partnership_id == partnership_id, Survey.code.in_(codes),
                   Collection.phase.in_(document.LOCKING_PHASES),
                   Collection.pilot.is_not(True)))  # a pilot's answers never lock the plan
    first = db.session.scalar(stmt)
    if first is not None and first.tzinfo is None:  # SQLite's min() drops the type
        from datetime import UTC

        first = datetime.fromisoformat(str(first)).replace(tzinfo=UTC)
    return first


def refresh_lock(plan: EvaluationPlan) -> bool:
    """Lock the plan if later answers have arrived (checked whenever it is read or saved,
    so no answering path needs to know about plans). Once locked it stays locked."""
    if plan.locked_at is None:
        first = first_later_answer(plan.partnership_id, plan.body)
        if first is not None:
            plan.locked_at = first
            db.session.flush()
    return plan.locked_at is not None


def save_plan(partnership: Partnership, doc: dict, who: str, why: str = ""
              ) -> tuple[EvaluationPlan, PlanAmendment | None, list[str]]:
    """Store a new version of the partnership's plan. Once locked, every change needs a
    reason and is kept as a dated amendment. Returns the plan, the amendment (if any) and
    the changes in words (empty: nothing changed)."""
    body = document.validate(doc)
    check_references(partnership.id, body)
    plan = plan_for(partnership.id)
    if plan is None:
        plan = EvaluationPlan(partnership_id=partnership.id,
                              body_json=json.dumps(document.empty()), updated_by=who)
        db.session.add(plan)
        db.session.flush()
    old = plan.body
    changes, touches_primary = document.differences(old, body)
    if not changes:
        return plan, None, []
    amendment = None
    # The lock is decided on the plan as it stood: adding a survey with after answers
    # to an unlocked plan is still planning, not amending.
    if refresh_lock(plan):
        why = " ".join((why or "").split())
        if not why:
            raise PlanError([gettext(
                "The plan has been locked since the first after answers arrived (%(date)s): "
                "changes are kept as dated amendments, so say why you are making this one.",
                date=format_date(plan.locked_at, "d MMMM yyyy"))])
        amendment = PlanAmendment(plan_id=plan.id, made_by=who, changes="\n".join(changes),
                                  why=why[:2000], touches_primary=touches_primary)
        db.session.add(amendment)
    plan.body_json = json.dumps(body, ensure_ascii=False)
    plan.updated_at = utcnow()
    plan.updated_by = who
    db.session.flush()
    refresh_lock(plan)  # the new version may name a survey that already has after answers
    return plan, amendment, changes


# --- the YAML file -----------------------------------------------------------------------


def parse_yaml(text: str, file: str = "<plan>") -> dict:
    """A plan file as a validated document; refuses aliases, deep nesting and anything
    that is not a plan, with the line of each problem."""
    if len(text.encode("utf-8", "replace")) > MAX_PLAN_BYTES:
        raise PlanError([gettext("%(file)s: the file is larger than %(kb)s KB; is it a plan?",
                                 file=file, kb=MAX_PLAN_BYTES // 1024)])
    try:
        raw = read_yaml(text, file)
    except DefinitionError as exc:
        raise PlanError([str(p).replace("survey file", "plan file")
                         for p in exc.problems]) from None
    return document.validate(raw, file)


def for_school(body: dict, school: str | None) -> dict:
    """The plan as a teacher of `school` sees it: the groups of their own school only
    (None: the whole partnership)."""
    if school is None:
        return body
    return {**body, "groups": [g for g in body.get("groups", []) if g["school"] == school]}


def to_yaml(plan: EvaluationPlan | None, partnership: Partnership,
            school: str | None = None) -> str:
    """The plan as the YAML file `plan load` reads back (the allocation is included for
    the record; loading leaves the stored allocation as it is). `school`: only that
    school's groups (a teacher's download)."""
    from survey_app.plans.allocation import current_allocation

    body = for_school(plan.body if plan else document.empty(), school)
    head = (f"# Evaluation plan of {partnership.name}, exported {utcnow():%Y-%m-%d %H:%M} "
            "UTC.\n# Load it back with: survey-app plan load FILE\n")
    if plan and plan.locked_at:
        head += (f"# Locked since {plan.locked_at:%Y-%m-%d} (first after answers): loading "
                 "a changed file records an amendment and needs --why.\n")
    alloc = current_allocation(plan) if plan else None
    if alloc is not None:
        body["allocation"] = {"seed": alloc.seed, "unit": alloc.unit,
                              "stratified_by_school": alloc.stratified,
                              "made_at": f"{alloc.made_at:%Y-%m-%d %H:%M} UTC",
                              "made_by": alloc.made_by,
                              "items": [i for i in alloc.items
                                        if school is None or i["school"] == school]}
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
