"""Set-up commands: forms, collections, users and partnerships, through the real CLI runner."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Collection, Partnership, SurveyVersion, User
from tests.conftest import BANK

GOOD = """code: club_feedback
title: Science club
audience: pupil
questions:
  - code: enjoy
    text: Did you enjoy the club?
    scale: faces3
"""


def test_forms_check_accepts_the_bank(runner):
    result = runner.invoke(args=["forms", "check", str(BANK)])
    assert result.exit_code == 0, result.output
    assert f"{len(list(BANK.glob('*.yaml')))} file(s) valid" in result.output


def test_forms_check_lists_every_error_with_file_and_line(runner, tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD + "  - code: enjoy\n    text: Again\n    scale: faces4\n")
    result = runner.invoke(args=["forms", "check", str(tmp_path / "good.yaml"), str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{bad}:8: question 'enjoy': duplicate code 'enjoy' (first used on line 5)" in lines
    assert any(line.startswith(f"{bad}:10: question 'enjoy': unknown scale 'faces4'")
               for line in lines)


def test_forms_check_a_directory_with_no_surveys_fails(runner, tmp_path):
    result = runner.invoke(args=["forms", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "no .yaml files" in result.output


def test_forms_load_outcomes(runner, partnership, tmp_path):
    path = tmp_path / "club.yaml"
    path.write_text(GOOD)
    out = runner.invoke(args=["forms", "load", str(path)])
    assert out.exit_code == 0
    assert out.output.split() == ["club_feedback", "version", "1", "created"]
    assert runner.invoke(args=["forms", "load", str(path)]).output.split()[-1] == "unchanged"
    path.write_text(GOOD.replace("the club", "our club"))
    assert runner.invoke(args=["forms", "load", str(path)]).output.split()[-1] == "updated"
    created = runner.invoke(args=["collections", "create", "--survey", "club_feedback",
                                  "--school", "Oak", "--group", "Club", "--phase", "once"])
    assert created.exit_code == 0
    path.write_text(GOOD.replace("the club", "science club"))
    out = runner.invoke(args=["forms", "load", str(path)])
    assert out.output.split() == ["club_feedback", "version", "2", "new_version"]
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 2


def test_forms_load_refuses_invalid_files_and_loads_nothing(runner, partnership, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text("code: x\n")
    result = runner.invoke(args=["forms", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "b.yaml" in result.output
    assert "Nothing was loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 0


def test_collections_create_json_and_list(runner, loaded_bank):
    result = runner.invoke(args=[
        "collections", "create", "--survey", "pupil_attitudes_7_11", "--school", "Oak Primary",
        "--group", "Year 5", "--phase", "before", "--pupil-number", "--expected", "30",
        "--json"])
    assert result.exit_code == 0, result.output
    before = json.loads(result.output)
    collection = db.session.get(Collection, before["id"])
    assert before["url"] == "http://survey.test/s/" + collection.public_token
    assert collection.ask_pupil_number
    assert collection.expected_size == 30
    plain = runner.invoke(args=[
        "collections", "create", "--survey", "pupil_attitudes_7_11", "--school", "Oak Primary",
        "--group", "Year 5", "--phase", "after", "--pair-with", str(before["id"]),
        "--comparison"])
    assert plain.exit_code == 0
    after_id, url = plain.output.split()
    assert url.startswith("http://survey.test/s/")
    listed = json.loads(runner.invoke(args=["collections", "list", "--json"]).output)
    assert [c["id"] for c in listed] == [before["id"], int(after_id)]
    assert listed[1]["paired_with"] == before["id"]
    assert listed[1]["is_comparison"]
    assert listed[0]["responses"] == {"web": 0, "paper": 0}
    text = runner.invoke(args=["collections", "list"]).output
    assert "Oak Primary" in text
    assert "Year 5" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--survey", "nope"], "No survey with code 'nope'"),
    (["--survey", "pupil_attitudes_5_7", "--pair-with", "999"], "no collection 999"),
    (["--survey", "pupil_attitudes_5_7", "--expected", "0"], "between 1 and 1000"),
])
def test_collections_create_errors_exit_1_without_traceback(runner, loaded_bank, args, message):
    result = runner.invoke(args=["collections", "create", "--school", "Oak", "--group", "Y1",
                                 "--phase", "before", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Collection)) == 0


def test_partnership_is_required_when_there_are_several(runner, loaded_bank):
    assert runner.invoke(args=["partnerships", "create", "Hillside"]).exit_code == 0
    again = runner.invoke(args=["partnerships", "create", "Hillside"])
    assert again.exit_code == 0
    assert "already exists" in again.output
    assert db.session.scalar(select(func.count()).select_from(Partnership)) == 2
    result = runner.invoke(args=["collections", "list"])
    assert result.exit_code == 1
    assert "--partnership NAME" in result.output
    ok = runner.invoke(args=["collections", "list", "--partnership",
                             "Riverside Science Partnership", "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.output) == []
    wrong = runner.invoke(args=["collections", "list", "--partnership", "Nowhere"])
    assert wrong.exit_code == 1
    assert "No partnership called 'Nowhere'" in wrong.output


def test_users_create_and_reset_password_print_working_links(app, runner, client, partnership):
    result = runner.invoke(args=["users", "create", "T@Oak.example", "--role", "teacher",
                                 "--school", "Oak Primary"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://survey.test/set-password/")
    user = db.session.scalar(select(User).where(User.email == "t@oak.example"))
    assert user.role == "teacher"
    assert user.school.name == "Oak Primary"
    path = link.removeprefix("http://survey.test")
    assert client.get(path).status_code == 200
    reset = runner.invoke(args=["users", "reset-password", "t@oak.example"])
    assert reset.exit_code == 0
    assert client.get(path).status_code == 404
    assert client.get(reset.output.strip().splitlines()[-1]
                      .removeprefix("http://survey.test")).status_code == 200


def test_users_links_default_to_localhost(app, runner, partnership):
    app.config["PUBLIC_BASE_URL"] = ""
    result = runner.invoke(args=["users", "create", "c@example.org", "--role", "coordinator"])
    assert result.output.strip().splitlines()[-1].startswith(
        "http://127.0.0.1:5000/set-password/")
    assert "PUBLIC_BASE_URL is not set" in result.output


def test_users_links_say_nothing_more_when_the_address_is_set(runner, partnership):
    result = runner.invoke(args=["users", "reset-password", "nobody@example.org"])
    assert "PUBLIC_BASE_URL" not in result.output
    result = runner.invoke(args=["users", "create", "c@example.org", "--role", "coordinator"])
    assert "PUBLIC_BASE_URL" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("http://survey.test/set-password/")


@pytest.mark.parametrize(("args", "message"), [
    (["users", "create", "t@example.org", "--role", "teacher"], "give --school NAME"),
    (["users", "create", "not-an-email", "--role", "coordinator"], "does not look like"),
    (["users", "reset-password", "nobody@example.org"], "No account for"),
])
def test_users_errors_exit_1(runner, partnership, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_forms_check_warns_about_a_missing_language_and_strict_fails(runner, tmp_path):
    path = tmp_path / "club.yaml"
    path.write_text(GOOD.replace("audience: pupil\n", "audience: pupil\nlanguages: [en, cy]\n"))
    result = runner.invoke(args=["forms", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert (f"{path}:7: warning: question 'enjoy': 'text' has no cy text (it shows in 'en' "
            "instead)") in result.stdout.splitlines()
    assert "1 file(s) valid" in result.stdout
    assert runner.invoke(args=["forms", "check", "--strict", str(path)]).exit_code == 1


def test_a_bilingual_definition_round_trips_through_the_database(runner, partnership,
                                                                  tmp_path):
    from forms.definition import load_survey

    path = tmp_path / "club.yaml"
    path.write_text(GOOD.replace("audience: pupil\n", "audience: pupil\nlanguages: [en, cy]\n")
                    .replace("text: Did you enjoy the club?", "text:\n      en: Did you enjoy "
                             "the club?\n      cy: Wnest ti fwynhau'r clwb?"))
    assert runner.invoke(args=["forms", "load", str(path)]).exit_code == 0
    version = db.session.scalars(select(SurveyVersion)).one()
    stored = version.definition
    assert stored == load_survey(path)
    assert stored.in_language("cy").questions[0].text == "Wnest ti fwynhau'r clwb?"
    assert stored.in_language("cy").questions[0].options[2].label == "Ie"
