"""The evaluation plan's editing pages (coordinators only, survey_app.access): the question and
time points, outcomes and their indicators, primary outcomes, the classes' arms, a plan
loaded from YAML and the random allocation. Routes on the plans blueprint (views.py, which
imports this module); every change goes through `operations.save_plan`, so the lock and
amendments hold here as on the command line.
"""

from __future__ import annotations

import copy

from flask import flash, redirect, request
from flask import url_for as flask_url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from survey_app import access
from survey_app.extensions import db
from survey_app.plans import document
from survey_app.plans.allocation import UNITS, allocate, group_rows
from survey_app.plans.document import PlanError
from survey_app.plans.operations import parse_yaml, plan_for, save_plan
from survey_app.plans.views import bp


def _body() -> dict:
    plan = plan_for(current_user.partnership_id)
    return copy.deepcopy(plan.body) if plan else document.empty()


def _measures() -> list[dict]:
    out = []
    for value in request.form.getlist("measure"):
        s, sep, q = value.partition(":")
        if sep:
            out.append({"survey": s, "question": q})
    written = " ".join(request.form.get("written", "").split())
    if written:
        out.append({"text": written})
    return out


def _save(body: dict, done: str):
    """Store the edited plan (with the reason given, once it is locked) and go back."""
    try:
        _plan_, amendment, changes = save_plan(current_user.partnership, body,
                                               current_user.email,
                                               request.form.get("why", ""))
    except PlanError as exc:
        db.session.rollback()
        for p in exc.problems:
            flash(p, "error")
        return redirect(flask_url_for("plans.show") + "#edit")
    db.session.commit()
    if not changes:
        flash(gettext("Nothing changed."), "info")
    else:
        flash(done + (" " + gettext("Kept as a dated amendment.") if amendment else ""), "info")
    return redirect(flask_url_for("plans.show"))


def _refuse(message: str):
    flash(message, "error")
    return redirect(flask_url_for("plans.show") + "#edit")


@bp.post("/edit")
@login_required
@access.coordinator_required
def edit():
    """The evaluation question and the time points."""
    if "evaluation_question" not in request.form:
        return _refuse(gettext(
            "Write the evaluation question (it may be left empty while you plan)."))
    body = _body()
    body["evaluation_question"] = request.form["evaluation_question"]
    body["time_points"] = request.form.getlist("time_point")
    return _save(body, gettext("Evaluation question and time points saved."))


@bp.post("/question")
@login_required
@access.coordinator_required
def add_question():
    """A contributory evaluation question."""
    text = " ".join(request.form.get("question_text", "").split())
    if not text:
        return _refuse(gettext("Write the evaluation question to add."))
    body = _body()
    taken = {q["code"] for q in body["questions"]}
    body["questions"].append({"code": document.slug(text, taken, "q"), "text": text,
                              "outcomes": []})
    return _save(body, gettext("Evaluation question added."))


def _outcome_codes(body: dict) -> set[str]:
    return {o["code"] for o in document.outcomes(body)}


@bp.post("/outcome")
@login_required
@access.coordinator_required
def add_outcome():
    """An outcome under an evaluation question, with its first indicator and the
    questions that measure it."""
    body = _body()
    title = " ".join(request.form.get("outcome_title", "").split())
    target = next((q for q in body["questions"]
                   if q["code"] == request.form.get("under_question")), None)
    if not title or target is None:
        return _refuse(gettext("Choose the evaluation question and write the outcome's title."))
    measures = _measures()
    category = request.form.get("category", "")
    if category not in document.CATEGORIES:
        category = _suggested_category(measures)
    outcome = {"code": document.slug(title, _outcome_codes(body)), "title": title,
               "category": category, "primary": request.form.get("primary") == "yes",
               "indicators": []}
    indicator = " ".join(request.form.get("indicator_text", "").split())
    if indicator or measures:
        outcome["indicators"].append({"text": indicator or title, "measures": measures})
    target["outcomes"].append(outcome)
    return _save(body, gettext("Outcome '%(title)s' added.", title=title))


def _suggested_category(measures: list[dict]) -> str:
    """The category the first chosen question's `measures` suggests, else 'own'."""
    from survey_app.builder.bank import bank_survey

    for m in measures:
        if not m.get("survey"):
            continue
        for survey in access.surveys():
            if survey.code == m["survey"]:
                for q in survey.latest.definition.questions:
                    if q.code == m["question"] and q.measures in document.MEASURE_CATEGORY:
                        return document.MEASURE_CATEGORY[q.measures]
        bank = bank_survey(m["survey"])
        for q in bank.questions if bank else ():
            if q.code == m["question"] and q.measures in document.MEASURE_CATEGORY:
                return document.MEASURE_CATEGORY[q.measures]
    return "own"


def _find_outcome(body: dict) -> dict | None:
    code = request.form.get("outcome_code")
    return next((o for q in body["questions"] for o in q["outcomes"] if o["code"] == code),
                None)


@bp.post("/indicator")
@login_required
@access.coordinator_required
def add_indicator():
    body = _body()
    outcome = _find_outcome(body)
    text = " ".join(request.form.get("indicator_text", "").split())
    if outcome is None or not text:
        return _refuse(gettext("Choose the outcome and write the indicator."))
    outcome["indicators"].append({"text": text, "measures": _measures()})
    return _save(body, gettext("Indicator added."))


@bp.post("/outcome/change")
@login_required
@access.coordinator_required
def change_outcome():
    """Rename an outcome, change its category, or remove one of its indicators."""
    body = _body()
    outcome = _find_outcome(body)
    if outcome is None:
        return _refuse(gettext("Choose the outcome to change."))
    title = " ".join(request.form.get("new_title", "").split())
    if title:
        outcome["title"] = title
    category = request.form.get("new_category", "")
    if category in document.CATEGORIES:
        outcome["category"] = category
    drop = request.form.get("drop_indicator", "")
    if drop.isdigit() and int(drop) < len(outcome["indicators"]):
        del outcome["indicators"][int(drop)]
    return _save(body, gettext("Outcome '%(title)s' changed.", title=outcome["title"]))


@bp.post("/outcome/remove")
@login_required
@access.coordinator_required
def remove_outcome():
    body = _body()
    outcome = _find_outcome(body)
    if outcome is None:
        return _refuse(gettext("Choose the outcome to remove."))
    for q in body["questions"]:
        q["outcomes"] = [o for o in q["outcomes"] if o["code"] != outcome["code"]]
    return _save(body, gettext("Outcome '%(title)s' removed.", title=outcome["title"]))


@bp.post("/primary")
@login_required
@access.coordinator_required
def primary():
    """Which outcomes are primary (the report headlines them, whatever they show)."""
    if request.form.get("primary_form") != "1":
        return _refuse(gettext("Tick the primary outcomes and save."))
    chosen = set(request.form.getlist("primary_outcome"))
    body = _body()
    for q in body["questions"]:
        for o in q["outcomes"]:
            o["primary"] = o["code"] in chosen
    return _save(body, gettext("Primary outcomes saved."))


@bp.post("/groups")
@login_required
@access.coordinator_required
def groups():
    """Each class: taking part, comparison, or not in the plan."""
    if request.form.get("groups_form") != "1":
        return _refuse(gettext("Choose each class's arm and save."))
    body = _body()
    out = []
    for gid, school, group in group_rows(current_user.partnership_id):
        arm = request.form.get(f"arm-{gid}", "")
        if arm in document.ARMS:
            out.append({"school": school, "group": group, "arm": arm})
    body["groups"] = out
    return _save(body, gettext("Groups saved."))


@bp.post("/upload")
@login_required
@access.coordinator_required
def upload():
    """Replace the plan with a YAML file (as `survey-app plan load`)."""
    file = request.files.get("plan_file")
    if file is None or not file.filename:
        return _refuse(gettext("Choose a plan file (.yaml) to load."))
    raw = file.read(512 * 1024)
    try:
        body = parse_yaml(raw.decode("utf-8"), file.filename)
    except UnicodeDecodeError:
        return _refuse(gettext("The file is not UTF-8 text; save it as UTF-8."))
    except PlanError as exc:
        # The file check's own lines name the file's keys and lines, as
        # `survey-app plan load` prints them (English, like `survey-app forms check`).
        flash(gettext("The plan file was not loaded: nothing has changed. Each line below "
                      "names the place in the file to put right."), "error")
        for p in exc.problems:
            flash(p, "error")
        return redirect(flask_url_for("plans.show") + "#edit")
    return _save(body, gettext("Plan loaded from the file."))


@bp.post("/allocate")
@login_required
@access.coordinator_required
def allocate_view():
    """Randomly allocate the ticked classes (or pupil numbers within them)."""
    unit = request.form.get("unit", "")
    if unit not in UNITS:
        return _refuse(gettext(
            "Choose whole classes or pupil numbers, and the classes to allocate."))
    known = {gid: (school, group) for gid, school, group in
             group_rows(current_user.partnership_id)}
    ticked = {int(v) for v in request.form.getlist("alloc_group") if v.isdigit()}
    chosen = [known[gid] for gid in sorted(known) if gid in ticked]
    sizes = {}
    for gid, key in known.items():
        value = request.form.get(f"size-{gid}", "").strip()
        if value.isdigit():
            sizes[key] = int(value)
    seed_text = request.form.get("seed", "").strip()
    if seed_text and not seed_text.isdigit():
        return _refuse(gettext(
            "The seed must be a whole number (or leave it empty for a new one)."))
    try:
        alloc, changed = allocate(current_user.partnership, current_user.email, unit=unit,
                                  groups=chosen, sizes=sizes,
                                  seed=int(seed_text) if seed_text else None,
                                  stratify=request.form.get("stratify") == "yes")
    except PlanError as exc:
        db.session.rollback()
        for p in exc.problems:
            flash(p, "error")
        return redirect(flask_url_for("plans.show") + "#allocation")
    db.session.commit()
    flash(gettext("Allocated with seed %(seed)s; %(n)s collection(s) set to their arm. "
                  "Print the allocation and keep it with the plan.", seed=alloc.seed, n=changed),
          "info")
    return redirect(flask_url_for("plans.show") + "#allocation")
