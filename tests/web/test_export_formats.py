"""Analysis-ready exports: the design columns (partnership, arm, time point), the Excel
CSV (byte-order mark), SPSS and Stata files read back with pyreadstat (values, variable and
value labels), the datapackage.json against the CSV it describes, and the downloads through
a real server."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import math
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import pyreadstat
import pytest

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.operations import record_response
from survey_app.export.tables import FIXED_COLUMNS
from survey_app.extensions import db
from tests.browser.conftest import serving
from tests.conftest import csrf_from

SURVEY_YAML = """
code: design_test
title: Design test
audience: pupil
questions:
  - {code: conf, text: "I am good at science.", scale: faces5, measures: confidence}
  - {code: career, text: "I would like a science job.", scale: yesno}
  - code: club
    text: Which club?
    scale: choice
    options: [{code: chess, label: Chess}, {code: coding, label: Coding club}]
  - code: tools
    text: Which did you use?
    scale: multi
    options: [{code: a, label: Magnifier}, {code: b, label: Prism}]
  - {code: know, text: How light travels, scale: faces3, retrospective: true,
     measures: knowledge}
  - {code: said, text: "What did you like?", scale: text}
"""
SCHOOL = "École Sainte-Thérèse"
#: (school, group, phase, comparison) -> answers of pupils 1, 2
ANSWERS = {
    (SCHOOL, "Year 5", "before", False): [
        {"conf": "2", "career": "0", "club": "chess", "tools": "a", "said": "Ça va"},
        {"conf": "3", "career": "1", "club": "coding"}],
    (SCHOOL, "Year 5", "after", False): [
        {"conf": "5", "career": "1", "club": "coding", "tools": "a;b", "know_then": "1",
         "know_now": "3", "said": "=1+1"},
        {"conf": "4"}],
    ("Birch School", "Year 5 Ash", "before", True): [{"conf": "3"}, {"conf": "2"}],
    ("Birch School", "Year 5 Ash", "after", True): [{"conf": "3"}, {"conf": "3"}],
}


@pytest.fixture
def design_data(app, partnership):
    load_survey_version(partnership, parse_survey(SURVEY_YAML))
    db.session.commit()
    keys = iter(range(1000))
    for (school, group, phase, comparison), answers in ANSWERS.items():
        c = create_collection(partnership, survey_code="design_test", school_name=school,
                              group_name=group, phase=phase, is_comparison=comparison,
                              ask_pupil_number=True)
        db.session.commit()
        for pupil, values in enumerate(answers, start=1):
            record_response(c, values, source="web", submission_key=f"d{next(keys)}",
                            pupil_number=pupil)
    db.session.commit()
    return partnership


def _export(runner, *args) -> str:
    result = runner.invoke(args=["export", "--survey", "design_test", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_wide_and_long_say_arm_time_point_and_partnership(runner, design_data, tmp_path):
    _export(runner, "-o", str(tmp_path / "w.csv"))
    rows = _csv_rows((tmp_path / "w.csv").read_text(encoding="utf-8"))
    got = {(r["school"], r["phase"], r["arm"], r["time_point"], r["pupil_number"])
           for r in rows}
    assert got == {
        (SCHOOL, "before", "participant", "1", "1"), (SCHOOL, "before", "participant", "1", "2"),
        (SCHOOL, "after", "participant", "3", "1"), (SCHOOL, "after", "participant", "3", "2"),
        ("Birch School", "before", "comparison", "1", "1"),
        ("Birch School", "before", "comparison", "1", "2"),
        ("Birch School", "after", "comparison", "3", "1"),
        ("Birch School", "after", "comparison", "3", "2")}
    assert {r["partnership"] for r in rows} == {"Riverside Science Partnership"}
    runner.invoke(args=["export", "--long", "-o", str(tmp_path / "l.csv")])
    long_rows = _csv_rows((tmp_path / "l.csv").read_text(encoding="utf-8"))
    assert {(r["arm"], r["time_point"]) for r in long_rows if r["school"] == "Birch School"} \
        == {("comparison", "1"), ("comparison", "3")}
    assert {r["pilot"] for r in rows} == {r["pilot"] for r in long_rows} == {"false"}


def test_excel_csv_starts_with_a_byte_order_mark(runner, design_data, tmp_path):
    _export(runner, "--format", "excel", "-o", str(tmp_path / "x.csv"))
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    plain = tmp_path / "p.csv"
    _export(runner, "-o", str(plain))
    assert raw[3:] == plain.read_bytes()  # the same bytes after the mark
    assert SCHOOL in raw.decode("utf-8-sig")
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def _read(path, kind):
    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    return reader(str(path))


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_spss_and_stata_read_back_with_labels(runner, design_data, tmp_path, kind):
    out = tmp_path / f"d.{kind}"
    output = _export(runner, "-o", str(out))
    assert "Wrote 8 responses" in output
    df, meta = _read(out, kind)
    _export(runner, "-o", str(tmp_path / "same.csv"))
    rows = _csv_rows((tmp_path / "same.csv").read_text(encoding="utf-8"))
    assert len(df) == len(rows) == 8
    assert list(df.columns)[:len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["conf"] == "I am good at science."
    assert labels["know_then"] == "How light travels [before]"
    assert labels["pupil_number"].startswith("Pupil number")
    values = meta.variable_value_labels
    assert values["conf"] == {1: "Not at all", 2: "Not really", 3: "In between",
                              4: "Quite a lot", 5: "A lot"}
    assert values["career"] == {1: "Yes", 0: "No"}
    assert values["arm"] == {1: "Took part", 2: "Comparison group (did not take part)"}
    assert values["club"] == {1: "Chess", 2: "Coding club"}
    assert values["time_point"] == {1: "Before", 2: "During", 3: "After", 4: "Follow-up"}
    # every value equals the CSV's, through its label where it was coded
    arm_code = {"participant": 1, "comparison": 2}
    club_code = {"chess": 1, "coding": 2}
    for (_, got), want in zip(df.iterrows(), rows, strict=True):
        assert int(got["response_id"]) == int(want["response_id"])
        assert got["school"] == want["school"]
        assert int(got["arm"]) == arm_code[want["arm"]]
        assert int(got["time_point"]) == int(want["time_point"])
        for col in ("conf", "career", "know_then", "know_now"):
            if want[col] == "":
                assert math.isnan(got[col]), col
            else:
                assert int(got[col]) == int(want[col]), col
        if want["club"]:
            assert int(got["club"]) == club_code[want["club"]]
        assert got["tools"] == want["tools"]
        assert got["said"] == want["said"]
        assert got["submitted_at"].strftime("%Y-%m-%dT%H:%M:%SZ") == want["submitted_at"]
    assert SCHOOL in set(df["school"])


def test_datapackage_describes_the_csv(runner, design_data, tmp_path):
    _export(runner, "-o", str(tmp_path / "d.csv"), "--datapackage")
    package = json.loads((tmp_path / "d.datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    (resource,) = package["resources"]
    assert resource["path"] == "d.csv"
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    header = next(csv.reader(io.StringIO((tmp_path / "d.csv").read_text(encoding="utf-8"))))
    assert list(fields) == header
    assert fields["conf"]["type"] == "integer"
    assert fields["conf"]["measures"] == "confidence"
    assert fields["conf"]["constraints"]["enum"] == [1, 2, 3, 4, 5]
    assert fields["club"]["type"] == "string"
    assert fields["club"]["categories"] == [{"value": "chess", "label": "Chess"},
                                            {"value": "coding", "label": "Coding club"}]
    assert fields["arm"]["constraints"]["enum"] == ["participant", "comparison"]
    assert fields["submitted_at"]["type"] == "datetime"
    assert "Magnifier" in fields["tools"]["description"]
    # every cell is valid for its field
    for row in _csv_rows((tmp_path / "d.csv").read_text(encoding="utf-8")):
        for name, value in row.items():
            f = fields[name]
            if value == "":
                continue
            if f["type"] == "integer":
                int(value)
            enum = f.get("constraints", {}).get("enum")
            if enum:
                assert (int(value) if f["type"] == "integer" else value) in enum, name


def test_sav_needs_a_wide_file(runner, design_data, tmp_path):
    result = runner.invoke(args=["export", "--long", "-o", str(tmp_path / "l.sav")])
    assert result.exit_code != 0
    assert "leave out --long" in result.output


# --- downloads through a real server ------------------------------------------------------


def _session(url: str, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{url}/login") as resp:
        page = resp.read().decode()
    data = urllib.parse.urlencode({"email": email, "password": "correct horse battery",
                                   "csrf_token": csrf_from(page)}).encode()
    with opener.open(f"{url}/login", data=data) as resp:
        resp.read()
    return opener


def _get(web, url: str) -> tuple[dict, bytes]:
    with web.open(url) as resp:
        return dict(resp.headers), resp.read()


def test_downloads_through_a_real_server(app, coordinator, design_data, tmp_path):
    email = coordinator.email
    db.session.close()  # this thread's connection goes back before `serving` closes the pool
    with serving(app) as url:
        web = _session(url, email)
        headers, data = _get(web, f"{url}/admin/export/responses.sav?survey=design_test")
        assert headers["Content-Disposition"].endswith('.sav"')
        (tmp_path / "w.sav").write_bytes(data)
        _headers, data = _get(web, f"{url}/admin/export/responses.dta?survey=design_test")
        (tmp_path / "w.dta").write_bytes(data)
        headers, raw = _get(web, f"{url}/admin/export/responses.csv?survey=design_test&excel=1")
        assert headers["Content-Disposition"].endswith('-excel.csv"')
        _headers, data = _get(web, f"{url}/admin/export/datapackage.json?survey=design_test")
        package = json.loads(data)
        tables = _get(web, f"{url}/results/survey/design_test/tables.csv")[1].decode()
        page = _get(web, f"{url}/results/survey/design_test")[1].decode()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert SCHOOL in raw.decode("utf-8-sig")
    for kind in ("sav", "dta"):
        df, meta = _read(tmp_path / f"w.{kind}", kind)
        assert len(df) == 8
        assert meta.variable_value_labels["arm"][2].startswith("Comparison")
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]][:3] == [
        "partnership", "response_id", "survey"]
    assert "top_box_percent" in tables.splitlines()[0]
    for link in ("responses.sav", "responses.dta", "datapackage.json", "excel=1"):
        assert link in page


def test_teacher_downloads_only_their_school(app, client, design_data):
    from tests.conftest import login_as, make_user

    make_user(design_data, "t@birch.example.org", "teacher", school="Birch School")
    login_as(client, "t@birch.example.org")
    resp = client.get("/admin/export/responses.sav?survey=design_test")
    assert resp.status_code == 200
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.sav"
        path.write_bytes(resp.data)
        df, _meta = pyreadstat.read_sav(str(path))
    assert set(df["school"]) == {"Birch School"}
    assert client.get("/admin/export/datapackage.json?survey=nope").status_code == 400
