"""The plan locks when the first after answer to a survey it names arrives; later changes
are kept as dated amendments (who, when, what, why). Pilot collections never lock it."""

from __future__ import annotations

import copy

import pytest

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.plans.document import PlanError
from survey_app.plans.operations import amendments, parse_yaml, plan_for, save_plan
from tests.plans.conftest import PLAN_YAML


@pytest.fixture
def plan(app, partnership, classes):
    p, amendment, changes = save_plan(partnership, parse_yaml(PLAN_YAML), "coord@x.org")
    db.session.commit()
    assert amendment is None
    assert changes
    return p


def _demote_enjoyment(body: dict) -> dict:
    body = copy.deepcopy(body)
    body["questions"][0]["outcomes"][0]["primary"] = False
    return body


def test_before_answers_leave_the_plan_open(app, partnership, classes, plan):
    record_response(classes[("Alderley Primary", "Year 5 Oak")], {"enjoy": "4"},
                    source="web", submission_key="b1")
    p, amendment, changes = save_plan(partnership, _demote_enjoyment(plan.body), "coord@x.org")
    assert p.locked_at is None
    assert amendment is None
    assert changes == ["Outcome 'Pupils enjoy science more' no longer primary."]


def test_first_after_answer_locks_and_changes_become_amendments(app, partnership, classes,
                                                                plan):
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    resp, _ = record_response(after, {"enjoy": "5"}, source="paper", submission_key="a1")
    with pytest.raises(PlanError, match="say why"):
        save_plan(partnership, _demote_enjoyment(plan.body), "coord@x.org")
    db.session.rollback()
    assert plan_for(partnership.id).body["questions"][0]["outcomes"][0]["primary"] is True
    p, amendment, changes = save_plan(partnership, _demote_enjoyment(plan.body),
                                      "coord@x.org", why="The enjoyment item was misprinted.")
    db.session.commit()
    assert p.locked_at == resp.submitted_at
    assert amendment is not None
    assert amendment.touches_primary
    [stored] = amendments(p)
    assert stored.made_by == "coord@x.org"
    assert stored.why == "The enjoyment item was misprinted."
    assert "no longer primary" in stored.changes
    assert stored.made_at >= p.locked_at
    # A change to a secondary outcome is an amendment too, not touching the primary ones.
    body = p.body
    body["questions"][0]["outcomes"][1]["title"] = "More pupils would like a science job"
    _p, second, _c = save_plan(partnership, body, "coord@x.org", why="Clearer wording.")
    assert second is not None
    assert not second.touches_primary
    assert len(amendments(p)) == 2


def test_answers_to_surveys_the_plan_does_not_name_do_not_lock(app, partnership, classes,
                                                               plan):
    after = create_collection(partnership, survey_code="partner_school",
                              school_name="Alderley Primary", group_name="Leaders",
                              phase="after")
    record_response(after, {"recommend": "9"}, source="web", submission_key="x1")
    p, amendment, _ = save_plan(partnership, _demote_enjoyment(plan.body), "c")
    assert p.locked_at is None
    assert amendment is None


def test_pilot_after_answers_do_not_lock(app, partnership, classes, plan):
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    after.pilot = True
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="p1")
    p, amendment, _ = save_plan(partnership, _demote_enjoyment(plan.body), "c")
    assert p.locked_at is None
    assert amendment is None


def test_cli_load_of_a_locked_plan_needs_why(app, runner, partnership, classes, plan,
                                             tmp_path):
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Birch Primary", group_name="Year 6 Elm",
                              phase="after")
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="a2")
    path = tmp_path / "p.yaml"
    path.write_text(PLAN_YAML.replace("primary: true", "primary: false"), encoding="utf-8")
    out = runner.invoke(args=["plan", "load", str(path)])
    assert out.exit_code == 1
    assert "say why" in out.output
    out = runner.invoke(args=["plan", "load", str(path), "--why", "Agreed with the funder"])
    assert out.exit_code == 0, out.output
    assert "dated amendment" in out.output
    shown = runner.invoke(args=["plan", "show"]).output
    assert "Locked: since" in shown
    assert "Agreed with the funder" in shown


def test_a_plan_written_after_the_after_answers_says_so(app, partnership, classes):
    from survey_app.plans.operations import written_late

    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="a1")
    p, _a, _c = save_plan(partnership, parse_yaml(PLAN_YAML), "c")
    assert p.locked_at is not None
    assert "were not declared before the results could be seen" in written_late(p)


def test_a_plan_written_in_time_has_no_late_note(app, partnership, classes, plan):
    from survey_app.plans.operations import refresh_lock, written_late

    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="a1")
    assert refresh_lock(plan)
    assert written_late(plan) is None


def test_erasing_the_partnership_erases_its_plan(app, partnership, classes, plan, runner):
    from sqlalchemy import func, select

    from survey_app.erasure.operations import erase_partnership
    from survey_app.models import EvaluationPlan, PlanAllocation, PlanAmendment

    assert runner.invoke(args=["plan", "allocate", "--seed", "3"]).exit_code == 0
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="a1")
    save_plan(partnership, _demote_enjoyment(plan_for(partnership.id).body), "c", why="x")
    db.session.commit()
    erase_partnership(partnership, "test")
    db.session.commit()
    for model in (EvaluationPlan, PlanAmendment, PlanAllocation):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
