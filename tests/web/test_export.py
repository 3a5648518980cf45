"""Export round trips: store known answers, export through the command line and the
download route, parse with `csv`, compare cell by cell."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.operations import record_response
from survey_app.export.tables import FIXED_COLUMNS, LONG_COLUMNS
from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.conftest import csrf_from, login_as, make_user

SURVEY_YAML = """
code: export_test
title: Export test
audience: teacher
questions:
  - {code: rating, text: "How good?", scale: agree5}
  - {code: count, text: "How many?", scale: number}
  - code: pets
    text: Which pets?
    scale: multi
    options: [{code: cat, label: Cat}, {code: dog, label: Dog}, {code: fish, label: Fish}]
  - code: colour
    text: Favourite colour?
    scale: choice
    options: [{code: red, label: Red}, {code: blue, label: "=Blue"}]
  - {code: knows, text: Knowledge, scale: faces3, retrospective: true, measures: knowledge}
  - {code: note, text: "Anything else?", scale: text}
"""
COLUMNS = ["rating", "count", "pets", "colour", "knows_then", "knows_now", "note"]
SUBMITTED = [
    {"rating": "4", "count": "12", "pets": "cat;fish", "colour": "blue", "knows_then": "1",
     "knows_now": "3", "note": "Lovely, thanks"},
    {"rating": "1", "count": "0", "note": "=HYPERLINK(\"http://x\",\"click\")"},
    {"pets": "dog", "note": "-3 degrees, \"quoted\"\nsecond line"},
    {},
]


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _load(partnership, yaml_text: str = SURVEY_YAML):
    version = load_survey_version(partnership, parse_survey(yaml_text, "<test>")).version
    db.session.commit()
    return version


@pytest.fixture
def survey_data(app, partnership):
    """The test survey with four responses at Oak Primary (pupil numbers on the first two)."""
    _load(partnership)
    c = create_collection(partnership, survey_code="export_test", school_name="Oak Primary",
                          group_name="Staff", phase="once")
    db.session.commit()
    responses = []
    for i, values in enumerate(SUBMITTED):
        r, _ = record_response(c, values, source="paper" if i == 2 else "web",
                               submission_key=f"k{i}", pupil_number=i + 1 if i < 2 else None,
                               sheet_id=f"{c.id}-{i}" if i == 2 else None)
        responses.append(r)
    return c, responses


def _export(runner, *args) -> tuple[int, str]:
    result = runner.invoke(args=["export", *args])
    return result.exit_code, result.output


def test_wide_round_trip_cli_and_download(app, runner, survey_data, coordinator_client,
                                          tmp_path):
    c, responses = survey_data
    out = tmp_path / "out.csv"
    code, output = _export(runner, "--survey", "export_test", "-o", str(out))
    assert code == 0, output
    assert "Wrote 4 responses" in output
    raw = out.read_bytes()
    assert b"\r\n" in raw  # RFC 4180 line ends
    rows = _read(out)
    assert rows[0] == [*FIXED_COLUMNS, *COLUMNS]
    assert len(rows) == 1 + len(SUBMITTED)
    for row, submitted, response in zip(rows[1:], SUBMITTED, responses, strict=True):
        cells = dict(zip(rows[0], row, strict=True))
        assert cells["response_id"] == str(response.id)
        assert cells["survey"] == "export_test"
        assert cells["survey_version"] == "1"
        assert cells["collection_id"] == str(c.id)
        assert (cells["school"], cells["group"], cells["phase"]) == ("Oak Primary", "Staff",
                                                                     "once")
        assert cells["needs_review"] == ""
        assert cells["submitted_at"].endswith("Z")
        assert "T" in cells["submitted_at"]
        for col in COLUMNS:
            expected = submitted.get(col, "")
            if col == "note" and expected[:1] in ("=", "-"):
                expected = "'" + expected
            assert cells[col] == expected, col
    col = {name: rows[0].index(name) for name in FIXED_COLUMNS}
    assert [r[col["source"]] for r in rows[1:]] == ["web", "web", "paper", "web"]
    assert [r[col["sheet_id"]] for r in rows[1:]] == ["", "", f"{c.id}-2", ""]
    assert [r[col["pupil_number"]] for r in rows[1:]] == ["1", "2", "", ""]
    # the design, coded: who took part and when (asked once: no time point)
    assert {(r[col["partnership"]], r[col["arm"]], r[col["time_point"]])
            for r in rows[1:]} == {("Riverside Science Partnership", "participant", "")}

    resp = coordinator_client.get("/admin/export/responses.csv?survey=export_test")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="export_test-')
    assert resp.data == raw  # the same bytes whichever door


def test_labels(runner, survey_data, tmp_path):
    out = tmp_path / "labels.csv"
    assert _export(runner, "--survey", "export_test", "--labels", "-o", str(out))[0] == 0
    header, first, second = _read(out)[:3]
    cells = dict(zip(header, first, strict=True))
    assert cells["rating"] == "Agree"
    assert cells["pets"] == "Cat;Fish"
    assert cells["colour"] == "'=Blue"  # a label is words from a file: made formula-safe
    assert cells["knows_then"] == "No"
    assert cells["knows_now"] == "Yes"
    assert cells["count"] == "12"
    assert dict(zip(header, second, strict=True))["rating"] == "Strongly disagree"


def test_formula_injection_only_touches_free_text(app, runner, partnership, tmp_path):
    _load(partnership)
    c = create_collection(partnership, survey_code="export_test", school_name="+Plus School",
                          group_name="@group", phase="once")
    db.session.commit()
    record_response(c, {"count": "7", "rating": "5", "note": "@SUM(A1)"}, source="web",
                    submission_key="f1")
    record_response(c, {"note": "\tTAB", "colour": "red"}, source="web", submission_key="f2")
    out = tmp_path / "f.csv"
    assert _export(runner, "--survey", "export_test", "-o", str(out))[0] == 0
    header, one, two = _read(out)
    one, two = dict(zip(header, one, strict=True)), dict(zip(header, two, strict=True))
    assert one["school"] == "'+Plus School"
    assert one["group"] == "'@group"
    assert one["note"] == "'@SUM(A1)"
    assert two["note"] == "'\tTAB"
    assert one["count"] == "7"
    assert one["rating"] == "5"
    assert two["colour"] == "red"


def test_needs_review_and_unreadable_cells_stay_blank(app, runner, survey_data, tmp_path):
    _, responses = survey_data
    r = responses[3]
    db.session.add_all([
        Answer(response_id=r.id, question_code="rating", value="4", status="needs_review"),
        Answer(response_id=r.id, question_code="knows_now", value="", status="needs_review"),
        Answer(response_id=r.id, question_code="count", value="3", status="unreadable"),
        Answer(response_id=r.id, question_code="colour", value="red", status="ok"),
    ])
    db.session.commit()
    out = tmp_path / "r.csv"
    assert _export(runner, "--survey", "export_test", "-o", str(out))[0] == 0
    header, *rows = _read(out)
    cells = dict(zip(header, rows[3], strict=True))
    assert cells["needs_review"] == "rating;knows_now"  # in column order
    assert cells["rating"] == ""
    assert cells["knows_now"] == ""
    assert cells["count"] == ""
    assert cells["colour"] == "red"

    long_out = tmp_path / "long.csv"
    assert _export(runner, "--long", "-o", str(long_out))[0] == 0
    header, *rows = _read(long_out)
    mine = [dict(zip(header, row, strict=True)) for row in rows
            if row[header.index("response_id")] == str(r.id)]
    assert [(a["question_code"], a["value"], a["status"]) for a in mine] == [
        ("rating", "", "needs_review"), ("count", "", "unreadable"), ("colour", "red", "ok"),
        ("knows_now", "", "needs_review"),
    ]


def test_long_format(app, runner, survey_data, loaded_bank, partnership, tmp_path):
    c2 = create_collection(partnership, survey_code="pupil_attitudes_5_7",
                           school_name="Willow Primary", group_name="Year 1", phase="before")
    db.session.commit()
    record_response(c2, {"enjoy": "3", "like_me": "2"}, source="web", submission_key="p1",
                    pupil_number=9)
    out = tmp_path / "long.csv"
    code, output = _export(runner, "--long", "-o", str(out))
    assert code == 0, output
    header, *rows = _read(out)
    assert header == list(LONG_COLUMNS)
    answers = [dict(zip(header, row, strict=True)) for row in rows]
    total = sum(len(v) for v in SUBMITTED) + 2
    assert len(answers) == total
    assert {a["survey"] for a in answers} == {"export_test", "pupil_attitudes_5_7"}
    pupil = [a for a in answers if a["survey"] == "pupil_attitudes_5_7"]
    assert [(a["question_code"], a["value"], a["status"], a["pupil_number"]) for a in pupil] \
        == [("enjoy", "3", "ok", "9"), ("like_me", "2", "ok", "9")]
    first = [a for a in answers if a["survey"] == "export_test"][:7]
    assert [a["question_code"] for a in first] == COLUMNS  # definition order
    assert [a["value"] for a in first] == [SUBMITTED[0][col] for col in COLUMNS]


def test_several_surveys_need_a_choice_or_a_directory(app, runner, survey_data, loaded_bank,
                                                      partnership, tmp_path):
    c2 = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                           school_name="Oak Primary", group_name="Year 5", phase="before")
    db.session.commit()
    record_response(c2, {"enjoy": "5"}, source="web", submission_key="p1")
    code, output = _export(runner, "-o", str(tmp_path / "x.csv"))
    assert code == 1
    assert "several surveys (export_test, pupil_attitudes_7_11)" in output
    assert "--survey" in output
    assert not (tmp_path / "x.csv").exists()

    code, output = _export(runner, "-o", str(tmp_path / "all") + "/", "--codebook",
                           str(tmp_path / "codebook.csv"))
    assert code == 0, output
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "export_test.csv", "pupil_attitudes_7_11.csv"]
    pupil = _read(tmp_path / "all" / "pupil_attitudes_7_11.csv")
    assert len(pupil) == 2
    assert pupil[1][pupil[0].index("enjoy")] == "5"
    assert len(_read(tmp_path / "all" / "export_test.csv")) == 1 + len(SUBMITTED)
    assert (tmp_path / "codebook.csv").exists()


def test_versions_union_in_newest_order(app, runner, partnership, tmp_path):
    _load(partnership)
    c1 = create_collection(partnership, survey_code="export_test", school_name="Oak Primary",
                           group_name="Staff", phase="before")
    db.session.commit()
    record_response(c1, {"rating": "2", "note": "old"}, source="web", submission_key="v1")
    # Version 2 drops `count`, adds `extra` first.
    v2 = SURVEY_YAML.replace('  - {code: count, text: "How many?", scale: number}\n', '') \
        .replace("questions:\n", "questions:\n  - {code: extra, text: 'New?', scale: yesno}\n")
    assert _load(partnership, v2).version == 2
    c2 = create_collection(partnership, survey_code="export_test", school_name="Oak Primary",
                           group_name="Staff", phase="after", pair_with=c1.id)
    db.session.commit()
    record_response(c2, {"rating": "5", "extra": "1"}, source="web", submission_key="v2")
    out = tmp_path / "v.csv"
    assert _export(runner, "--survey", "export_test", "-o", str(out))[0] == 0
    header, old, new = _read(out)
    assert header[len(FIXED_COLUMNS):] == ["extra", "rating", "pets", "colour", "knows_then",
                                           "knows_now", "note", "count"]
    old, new = dict(zip(header, old, strict=True)), dict(zip(header, new, strict=True))
    assert (old["survey_version"], old["rating"], old["note"], old["extra"]) == ("1", "2",
                                                                                 "old", "")
    assert (new["survey_version"], new["rating"], new["extra"]) == ("2", "5", "1")

    code, output = _export(runner, "--survey", "export_test", "--phase", "after", "-o",
                           str(tmp_path / "after.csv"))
    assert code == 0, output
    assert len(_read(tmp_path / "after.csv")) == 2


def test_partnership_column_always_there(app, runner, survey_data, tmp_path):
    from survey_app.admin.operations import resolve_partnership

    other = resolve_partnership("Hillside Partnership", create=True)
    _load(other)
    c = create_collection(other, survey_code="export_test", school_name="Hill School",
                          group_name="Staff", phase="once")
    db.session.commit()
    record_response(c, {"rating": "3"}, source="web", submission_key="h1")

    out = tmp_path / "both.csv"
    assert _export(runner, "--survey", "export_test", "-o", str(out))[0] == 0
    header, *rows = _read(out)
    assert header[:len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    assert [r[0] for r in rows] == ["Riverside Science Partnership"] * 4 + [
        "Hillside Partnership"]
    long_out = tmp_path / "long.csv"
    assert _export(runner, "--long", "-o", str(long_out))[0] == 0
    assert _read(long_out)[0][0] == "partnership"

    one = tmp_path / "one.csv"
    code, output = _export(runner, "--survey", "export_test", "--partnership",
                           "Hillside Partnership", "-o", str(one))
    assert code == 0, output
    header, *rows = _read(one)
    assert header[0] == "partnership"
    assert len(rows) == 1
    assert rows[0][header.index("school")] == "Hill School"
    assert rows[0][0] == "Hillside Partnership"


def test_codebook(app, runner, survey_data, tmp_path):
    out = tmp_path / "cb.csv"
    code, output = _export(runner, "--survey", "export_test", "-o", str(tmp_path / "r.csv"),
                           "--codebook", str(out))
    assert code == 0, output
    header, *rows = _read(out)
    assert header == ["survey", "survey_version", "question_code", "question_text", "scale",
                      "measures", "value", "label"]
    design = [r for r in rows if r[0] == ""]
    rows = [r for r in rows if r[0] != ""]
    assert [(r[2], r[6], r[7]) for r in design if r[2] in ("arm", "time_point")] == [
        ("arm", "participant", "Took part"),
        ("arm", "comparison", "Comparison group (did not take part)"),
        ("time_point", "1", "Before"), ("time_point", "2", "During"),
        ("time_point", "3", "After"), ("time_point", "4", "Follow-up")]
    assert {r[2] for r in design} == {"partnership", "arm", "phase", "time_point", "pilot",
                                      "source"}
    by_col: dict[str, list[list[str]]] = {}
    for row in rows:
        assert row[:2] == ["export_test", "1"]
        by_col.setdefault(row[2], []).append(row)
    assert list(by_col) == COLUMNS
    assert [(r[6], r[7]) for r in by_col["rating"]] == [
        ("1", "Strongly disagree"), ("2", "Disagree"), ("3", "Neither agree nor disagree"),
        ("4", "Agree"), ("5", "Strongly agree")]
    assert by_col["rating"][0][3:6] == ["How good?", "agree5", ""]
    assert by_col["knows_then"][0][5] == "knowledge"
    assert [(r[6], r[7]) for r in by_col["pets"]] == [("cat", "Cat"), ("dog", "Dog"),
                                                      ("fish", "Fish")]
    assert by_col["colour"][1][7] == "'=Blue"
    assert [r[6:] for r in by_col["knows_then"]] == [["1", "No"], ["2", "A bit"],
                                                     ["3", "Yes"]]
    assert len(by_col["knows_now"]) == 3
    assert by_col["count"] == [["export_test", "1", "count", "How many?", "number", "", "",
                                ""]]
    assert by_col["note"] == [["export_test", "1", "note", "Anything else?", "text", "", "",
                               ""]]


def test_download_scope_for_teacher(app, client, survey_data, partnership):
    c_willow = create_collection(partnership, survey_code="export_test",
                                 school_name="Willow Primary", group_name="Staff",
                                 phase="once")
    db.session.commit()
    record_response(c_willow, {"rating": "2"}, source="web", submission_key="w1")
    assert client.get("/admin/export/responses.csv").status_code == 302  # login first

    make_user(partnership, "teacher@willow.example.org", "teacher", school="Willow Primary")
    login_as(client, "teacher@willow.example.org")
    resp = client.get("/admin/export/responses.csv?survey=export_test")
    assert resp.status_code == 200
    header, *rows = _parse(resp.get_data(as_text=True))
    assert [r[header.index("school")] for r in rows] == ["Willow Primary"]
    oak_collection = survey_data[0].id
    resp = client.get(f"/admin/export/responses.csv?collection={oak_collection}")
    assert resp.status_code == 400  # another school's collection is not theirs to export
    resp = client.get("/admin/export/responses.csv?long=1")
    header, *rows = _parse(resp.get_data(as_text=True))
    assert {r[header.index("school")] for r in rows} == {"Willow Primary"}
    resp = client.get("/admin/export/codebook.csv?survey=export_test")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == \
        'attachment; filename="export_test-codebook.csv"'
    questions = [r for r in _parse(resp.get_data(as_text=True))[1:] if r[0]]
    assert questions[0][:3] == ["export_test", "1", "rating"]


def test_download_with_several_surveys_offers_a_choice(app, coordinator_client, survey_data,
                                                       loaded_bank, partnership):
    c2 = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                           school_name="Oak Primary", group_name="Year 5", phase="before")
    db.session.commit()
    record_response(c2, {"enjoy": "5"}, source="web", submission_key="p1")
    resp = coordinator_client.get("/admin/export/responses.csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert "survey=export_test" in page
    assert "survey=pupil_attitudes_7_11" in page
    resp = coordinator_client.get("/admin/export/responses.csv?survey=nope")
    assert resp.status_code == 400
    assert "no survey with code 'nope'" in resp.get_data(as_text=True)
    resp = coordinator_client.get(f"/admin/export/responses.csv?collection={c2.id}&labels=1")
    header, row = _parse(resp.get_data(as_text=True))
    assert row[header.index("enjoy")] == "A lot"
    assert resp.headers["Content-Disposition"].startswith(
        'attachment; filename="pupil_attitudes_7_11-')


def test_responses_without_answers_still_export(app, runner, survey_data, tmp_path):
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 4
    out = tmp_path / "o.csv"
    assert _export(runner, "--survey", "export_test", "--school", "Oak Primary", "-o",
                   str(out))[0] == 0
    assert _read(out)[-1][len(FIXED_COLUMNS):] == [""] * len(COLUMNS)
    code, output = _export(runner, "--school", "Nowhere", "-o", str(out))
    assert code == 1
    assert "no school called 'Nowhere'" in output


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert m, f"no hidden field {name}"
    return m.group(1)


def test_answers_from_the_web_form_come_out_as_sent(app, partnership, coordinator_client):
    _load(partnership)
    c = create_collection(partnership, survey_code="export_test", school_name="Oak Primary",
                          group_name="Staff", phase="after", ask_pupil_number=True)
    db.session.commit()
    sent = [
        {"rating": "5", "count": "3", "pets": ["dog", "cat"], "colour": "red",
         "knows_then": "2", "knows_now": "3", "note": "+44 is the code", "pupil_number": "7"},
        {"rating": "2", "note": "Ça va, merci", "pupil_number": "12"},
    ]
    # A fresh app context per pupil: the fixture's one caches the CSRF token on `g`.
    for data in sent:
        with app.app_context():
            pupil = app.test_client()
            html = pupil.get(f"/s/{c.public_token}").get_data(as_text=True)
            resp = pupil.post(f"/s/{c.public_token}", data={
                **data, "csrf_token": csrf_from(html),
                "submission_id": _hidden(html, "submission_id")})
            errors = re.findall(r'class="error"[^>]*>([^<]+)', resp.get_data(as_text=True))
            assert resp.status_code == 303, errors
    resp = coordinator_client.get(f"/admin/export/responses.csv?collection={c.id}")
    header, *rows = _parse(resp.get_data(as_text=True))
    got = [dict(zip(header, row, strict=True)) for row in rows]
    assert [g["source"] for g in got] == ["web", "web"]
    assert [g["pupil_number"] for g in got] == ["7", "12"]
    assert {k: got[0][k] for k in COLUMNS} == {
        "rating": "5", "count": "3", "pets": "cat;dog", "colour": "red", "knows_then": "2",
        "knows_now": "3", "note": "'+44 is the code"}
    assert {k: got[1][k] for k in COLUMNS} == {**dict.fromkeys(COLUMNS, ""), "rating": "2",
                                              "note": "Ça va, merci"}
