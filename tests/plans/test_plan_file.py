"""The plan file contract: `survey-app plan export -o plan.yaml` / `plan load plan.yaml`
round-trip the plan, and bad files are refused with a sentence per problem."""

from __future__ import annotations

import yaml

from survey_app.extensions import db
from survey_app.plans.operations import plan_for


def test_load_then_export_round_trips(app, runner, partnership, classes, plan_file, tmp_path):
    out = runner.invoke(args=["plan", "load", str(plan_file)])
    assert out.exit_code == 0, out.output
    assert "Outcome added: 'Pupils enjoy science more'" in out.output
    exported = tmp_path / "again.yaml"
    out = runner.invoke(args=["plan", "export", "-o", str(exported)])
    assert out.exit_code == 0, out.output
    original = yaml.safe_load(plan_file.read_text())
    # The canonical form spells out every default (primary: false, measures in order).
    for q in original["questions"]:
        for o in q["outcomes"]:
            o.setdefault("primary", False)
    assert yaml.safe_load(exported.read_text()) == original
    # Loading the exported file changes nothing.
    out = runner.invoke(args=["plan", "load", str(exported)])
    assert out.exit_code == 0, out.output
    assert "unchanged" in out.output


def test_export_into_another_partnership_gives_the_same_plan(app, runner, partnership,
                                                             classes, plan_file, tmp_path):
    from forms.definition import load_survey
    from survey_app.admin.operations import (
        create_collection,
        load_survey_version,
        resolve_partnership,
    )
    from tests.conftest import BANK

    assert runner.invoke(args=["plan", "load", str(plan_file)]).exit_code == 0
    first = tmp_path / "first.yaml"
    runner.invoke(args=["plan", "export", "-o", str(first), "--partnership", partnership.name])
    other = resolve_partnership("Second Partnership", create=True)
    for path in sorted(BANK.glob("*.yaml")):
        load_survey_version(other, load_survey(path))
    for school, group in (("Alderley Primary", "Year 5 Oak"), ("Alderley Primary", "Year 5 Ash")):
        create_collection(other, survey_code="pupil_attitudes_7_11", school_name=school,
                          group_name=group, phase="before")
    db.session.commit()
    out = runner.invoke(args=["plan", "load", str(first), "--partnership", other.name])
    assert out.exit_code == 0, out.output
    second = tmp_path / "second.yaml"
    runner.invoke(args=["plan", "export", "-o", str(second), "--partnership", other.name])
    body = lambda p: [ln for ln in p.read_text().splitlines() if not ln.startswith("#")]  # noqa: E731
    assert body(first) == body(second)


def _load(runner, tmp_path, text: str):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["plan", "load", str(path)])


def test_bad_files_are_refused_with_reasons_and_nothing_is_stored(app, runner, partnership,
                                                                  classes, tmp_path):
    from tests.plans.conftest import PLAN_YAML

    cases = {
        "anchors and aliases": "evaluation_question: &q x\nquestions: *q\n",
        "unknown category 'happiness'": PLAN_YAML.replace("category: pupils_attitudes",
                                                          "category: happiness", 1),
        "survey 'pupil_attitudes_7_11' has no question 'enjoyy'": PLAN_YAML.replace(
            "question: enjoy}", "question: enjoyy}"),
        "no survey 'nonesuch'": PLAN_YAML.replace("survey: teacher_confidence",
                                                  "survey: nonesuch"),
        "No group called 'Year 9 Fir' at Alderley Primary": PLAN_YAML.replace(
            "group: Year 5 Ash", "group: Year 9 Fir"),
        "the code 'enjoyment' is used twice": PLAN_YAML.replace("code: careers",
                                                                "code: enjoyment"),
        "'primary' must be true or false": PLAN_YAML.replace("primary: true",
                                                             "primary: maybe"),
        "unknown field 'outcome'": PLAN_YAML.replace("    outcomes:\n      - code: enjoy",
                                                     "    outcome:\n      - code: enjoy"),
        "not valid YAML": "questions: [unclosed\n",
        "must be a mapping": "- just\n- a list\n",
    }
    for expected, text in cases.items():
        out = _load(runner, tmp_path, text)
        assert out.exit_code == 1, (expected, out.output)
        assert expected in out.output, (expected, out.output)
        assert "Traceback" not in out.output
    assert plan_for(partnership.id) is None


def test_a_problem_names_its_line(app, runner, partnership, classes, tmp_path):
    from tests.plans.conftest import PLAN_YAML

    out = _load(runner, tmp_path, PLAN_YAML.replace("arm: comparison", "arm: control"))
    line = next(i for i, ln in enumerate(PLAN_YAML.splitlines(), 1) if "arm: comparison" in ln)
    assert f"bad.yaml:{line}: group 2: 'arm' must be taking_part or comparison" in out.output
