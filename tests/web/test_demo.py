"""`survey-app demo` on an empty database: the objects, the answers and the logins."""

from __future__ import annotations

import csv
import stat
import time
from pathlib import Path
from statistics import mean

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, Collection, Partnership, Response, School, Survey, User
from tests.conftest import BANK, login_as


def _mean_change(survey: str, comparison: bool) -> float:
    """Mean 'enjoy' after minus before, over the collections of one kind."""
    by_phase = {}
    for phase in ("before", "after"):
        stmt = (select(Answer.value).join(Response).join(Collection)
                .join(Collection.survey_version).join(Survey)
                .where(Survey.code == survey, Collection.phase == phase,
                       Collection.is_comparison.is_(comparison), Answer.question_code == "enjoy",
                       Answer.status == "ok"))
        by_phase[phase] = mean(int(v) for v in db.session.scalars(stmt))
    return by_phase["after"] - by_phase["before"]


def test_demo_on_an_empty_database(app, runner, client):
    started = time.perf_counter()
    result = runner.invoke(args=["demo", "--seed", "3"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 30  # "a few seconds" on a normal machine; slack for a busy CI box

    p = db.session.scalar(select(Partnership))
    assert p.name == "Riverside Science Partnership"
    assert [s.name for s in db.session.scalars(select(School).order_by(School.name))] == [
        "Oak Primary", "St Anne's High (lead school)", "Willow Primary"]
    codes = set(db.session.scalars(select(Survey.code)))
    assert codes == {path.stem for path in BANK.glob("*.yaml")}

    collections = list(db.session.scalars(select(Collection)))
    phases = {(c.survey_version.survey.code, c.phase, c.is_comparison) for c in collections}
    assert ("pupil_attitudes_7_11", "after", True) in phases  # a comparison group
    assert ("workshop_knowledge", "once", False) in phases
    assert {("teacher_confidence", "before", False), ("teacher_confidence", "after", False),
            ("partner_school", "once", False)} <= phases
    paired = [c for c in collections if c.phase == "after"]
    assert paired
    assert all(c.paired_with and c.paired_with.phase == "before" for c in paired)
    assert all(c.ask_pupil_number for c in paired if c.survey_version.definition.audience
               == "pupil")

    responses = db.session.scalar(select(func.count()).select_from(Response))
    assert 200 <= responses <= 600
    assert f"{responses} responses" in result.output
    sources = dict(db.session.execute(
        select(Response.source, func.count()).group_by(Response.source)).all())
    assert sources["web"] > sources["paper"] > 0
    assert db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.source == "paper", Response.sheet_id.is_(None))) == 0
    # Pairs exist: the same pupil number in a before and its after collection.
    pairs = 0
    for after in paired:
        numbers = {r for r in db.session.scalars(
            select(Response.pupil_number).where(Response.collection_id == after.id))
            if r is not None}
        before = set(db.session.scalars(select(Response.pupil_number).where(
            Response.collection_id == after.paired_with_id)))
        pairs += len(numbers & before)
    assert pairs > 50
    # Took part: clearly better after; comparison group: about flat.
    assert _mean_change("pupil_attitudes_7_11", comparison=False) > 0.5
    assert abs(_mean_change("pupil_attitudes_7_11", comparison=True)) < 0.4

    # The logins printed and kept (0600) work.
    login_file = Path(app.instance_path) / "demo-login.txt"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    text = login_file.read_text()
    assert text.strip() in result.output
    logins = {}
    for line in text.splitlines()[1:]:
        role, rest = line.strip().split(": ", 1)
        email, password = rest.split("  password: ")
        logins[role] = (email, password)
    assert logins["coordinator"][0] == "coordinator@example.org"
    teacher_email = logins["teacher at Oak Primary"][0]
    teacher = db.session.scalar(select(User).where(User.email == teacher_email))
    assert teacher.role == "teacher"
    assert teacher.school.name == "Oak Primary"
    for email, password in logins.values():
        # A fresh app context each: the fixture's one would carry the signed-in user and
        # the CSRF token (both cached on `g`) from one client to the next.
        with app.app_context():
            login_as(app.test_client(), email, password)
    # Its export has real numbers in it.
    login_as(client, *logins["coordinator"])
    resp = client.get("/admin/export/responses.csv?survey=pupil_attitudes_7_11")
    rows = list(csv.reader(resp.get_data(as_text=True).splitlines()))
    assert len(rows) > 100


def test_demo_if_empty_is_a_no_op_the_second_time(app, runner):
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count()).select_from(Response))
    second = runner.invoke(args=["demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "no demo loaded" in second.output
    assert db.session.scalar(select(func.count()).select_from(Response)) == count
    third = runner.invoke(args=["demo"])
    assert third.exit_code == 1
    assert "already a partnership called 'Riverside Science Partnership'" in third.output


def test_same_seed_same_answers(app, runner):
    assert runner.invoke(args=["demo", "--seed", "7"]).exit_code == 0
    first = sorted(db.session.execute(
        select(Answer.question_code, Answer.value, Response.submission_key).join(Response)).all())
    other = runner.invoke(args=["demo", "--seed", "7", "--partnership", "Second Demo"])
    assert other.exit_code == 0, other.output
    assert "coordinator+second-demo@example.org" in other.output
    p2 = db.session.scalar(select(Partnership.id).where(Partnership.name == "Second Demo"))
    second = db.session.execute(
        select(Answer.question_code, Answer.value).join(Response).join(Collection)
        .join(Collection.group).join(School).where(School.partnership_id == p2)
        .order_by(Response.id, Answer.question_code)).all()
    assert len(second) == len(first)
    assert sorted(second) == sorted((c, v) for c, v, _ in first)
