"""Results pages: login, scope (a teacher never sees another school's numbers), filters,
the CSV behind the charts, the report as HTML and PDF, and the `report` command."""

from __future__ import annotations

import csv
import io
import json
import re

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import School
from survey_app.results.chart_tables import HEADER
from tests.conftest import csrf_from, login_as, make_user
from tests.results.test_results_analysis import HAND

HEADLINE = ("Pupils' own answers to 'I am good at science.': 'Quite a lot' or 'A lot' 40% "
            "before, 70% after; it rose by 30 percentage points (n = 10 before, 10 after).")


def _school(name: str) -> int:
    return db.session.scalar(select(School.id).where(School.name == name))


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def _no_inline_code(html: str) -> None:
    """A strict CSP is coming: no inline scripts, style blocks or style attributes."""
    assert "<script" not in html
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)


def test_login_required(client, results_data):
    for url in ("/results/", "/results/survey/res_test", "/results/report.pdf",
                "/results/survey/res_test/tables.csv"):
        assert client.get(url).status_code == 302


def test_coordinator_overview(coordinator_client, results_data):
    html = coordinator_client.get("/results/").get_data(as_text=True)
    _no_inline_code(html)
    for text in ("Alder School", "Birch School", "Cedar School", "Science and me",
                 "Awaiting review", "comparison"):
        assert text in html
    assert "24 phone, 12 paper" in html


def test_coordinator_survey_page(coordinator_client, results_data):
    html = coordinator_client.get(
        f"/results/survey/res_test?school={_school('Alder School')}").get_data(as_text=True)
    _no_inline_code(html)
    assert html.count("<svg") == 4  # conf, career, know, tools
    assert 'role="img"' in html
    assert "<desc" in html
    # zeros dropped: 7 of 8 changed pupils rose, p = 0.041 by the normal approximation
    assert "Wilcoxon signed-rank: a large rise (p = 0.041)" in html
    assert "no comparison group for this survey" in html
    assert "(ages" not in html
    assert "Magnets" in html
    # the group filter offers this school's groups; the comparison school is filtered out
    assert "Alder School: Year 5 Oak" in html
    assert "Birch School: Year 5 Ash" not in html
    assert "comparison" not in html.split("<h2", 1)[1]


def test_filters_and_bad_dates(coordinator_client, results_data):
    html = coordinator_client.get("/results/survey/res_test?from=2001-01-01&to=2001-01-31"
                                  ).get_data(as_text=True)
    assert "No answers to this survey yet in these filters" in html
    html = coordinator_client.get("/results/survey/res_test?from=yesterday").get_data(
        as_text=True)
    assert "is not a date" in html


def test_suppressed_group_shows_too_few(coordinator_client, results_data):
    html = coordinator_client.get(
        f"/results/survey/res_test?school={_school('Cedar School')}").get_data(as_text=True)
    assert "too few to show" in html
    # Cedar's three pupils all answered 5 and Yes: no share of theirs is ever shown (the
    # axis's own 100% ticks, in 7.5 pt type, aside)
    shown = re.sub(r'<text[^>]*font-size="7.5px"[^>]*>[^<]*</text>', "", html)
    assert not re.search(r">\s*100%", shown)
    assert ">n = 3<" in html


def test_teacher_sees_only_their_school(client, partnership, results_data):
    make_user(partnership, "teacher@cedar.example", "teacher", "Cedar School")
    login_as(client, "teacher@cedar.example")
    alder = _school("Alder School")
    for url in ("/results/", f"/results/?school={alder}", "/results/survey/res_test",
                f"/results/survey/res_test?school={alder}", f"/results/report?school={alder}"):
        html = client.get(url).get_data(as_text=True)
        assert "Alder School" not in html, url
        assert "Birch School" not in html, url
        assert "Magnets" not in html, url
    html = client.get(f"/results/survey/res_test?school={alder}").get_data(as_text=True)
    assert "too few to show" in html  # Cedar's own three answers, suppressed
    body = client.get(f"/results/survey/res_test/tables.csv?school={alder}").get_data(
        as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows
    assert {r["table"] for r in rows} <= {"distribution", "text"}
    assert all(r["count"] == "" and r["suppressed"] for r in rows)  # only "too few to show"
    pdf = client.get(f"/results/report.pdf?school={alder}")
    text = _pdf_text(pdf.data)
    assert "Cedar School only" in text
    assert "Alder" not in text


def test_teacher_cannot_open_another_schools_survey(client, partnership, results_data):
    from forms.definition import parse_survey
    from survey_app.admin.operations import get_or_create_school, load_survey_version

    alder = get_or_create_school(partnership, "Alder School")
    load_survey_version(partnership, parse_survey(
        "code: alder_own\ntitle: Alder only\naudience: pupil\nquestions:\n"
        "  - {code: q1, text: Is it fun, scale: faces3}\n"), school=alder)
    db.session.commit()
    make_user(partnership, "teacher@cedar.example", "teacher", "Cedar School")
    login_as(client, "teacher@cedar.example")
    assert client.get("/results/survey/alder_own").status_code == 404
    assert client.get("/results/survey/no_such_survey").status_code == 404


def test_chart_tables_csv(app, coordinator_client, results_data):
    app.config["MIN_GROUP_PUPIL"] = HAND
    resp = coordinator_client.get(
        f"/results/survey/res_test/tables.csv?school={_school('Alder School')}")
    assert resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == HEADER
    conf_after = {r["category"]: r for r in rows if r["table"] == "distribution"
                  and r["question_code"] == "conf" and r["phase"] == "after"}
    assert conf_after["A lot"]["count"] == "4"
    assert conf_after["A lot"]["percent"] == "40.0"
    assert conf_after["A lot"]["arm"] == "participant"
    summary = {r["phase"]: r for r in rows if r["table"] == "summary"
               and r["question_code"] == "conf"}
    assert (summary["before"]["top_box_percent"], summary["after"]["mean"]) == ("40.0", "3.80")
    (paired,) = [r for r in rows if r["table"] == "paired" and r["question_code"] == "conf"]
    assert (paired["n_pairs"], paired["improved"], paired["same"], paired["declined"]) == (
        "10", "7", "2", "1")
    assert paired["improved_with_room_percent"] == "87.5"
    assert paired["test"] == "Wilcoxon signed-rank"
    assert float(paired["p"]) < 0.05
    (change,) = [r for r in rows if r["table"] == "change" and r["question_code"] == "conf"]
    # one statistic per column, each a number (a signed figure stays a number)
    assert (change["top_box_before"], change["top_box_after"], change["change_points"]) == (
        "40.0", "70.0", "+30.0")
    assert change["test"] == "Mann-Whitney U"
    assert float(change["rank_biserial_r"]) == pytest.approx(0.28)
    assert change["effect_size"] == "small"
    one = coordinator_client.get("/results/survey/res_test/tables.csv?question=career")
    codes = {r["question_code"] for r in csv.DictReader(io.StringIO(one.get_data(as_text=True)))}
    assert codes == {"career"}


def test_export_links_only_when_export_exists(app, coordinator_client, results_data):
    html = coordinator_client.get("/results/survey/res_test").get_data(as_text=True)
    has_export = "export.responses_csv" in app.view_functions
    assert ("Every response (CSV)" in html) is has_export


def test_report_html_and_pdf(app, coordinator_client, results_data):
    app.config["MIN_GROUP_PUPIL"] = HAND
    alder = _school("Alder School")
    html = coordinator_client.get(f"/results/report?school={alder}").get_data(as_text=True)
    _no_inline_code(html)
    assert HEADLINE.replace("'", "&#39;") in html
    # headroom told both ways, not only the rises
    assert ("of 8 answers with room to improve, 75% rose, 25% stayed the same and 0% fell"
            in html)
    assert "No primary outcomes were declared for this survey" in html
    # no survey codes in what a funder reads (tags and ids aside)
    assert "res_test" not in re.sub(r"<[^>]+>", "", html)
    assert "How these figures were made" in html
    resp = coordinator_client.get(f"/results/report.pdf?school={alder}")
    assert resp.mimetype == "application/pdf"
    text = " ".join(_pdf_text(resp.data).split())
    assert "Impact report" in text
    assert "Riverside Science Partnership" in text
    assert "40% before, 70% after" in text
    assert "Wilcoxon" in text


def test_report_for_partnership_with_no_answers(coordinator_client, loaded_bank):
    resp = coordinator_client.get("/results/report.pdf")
    text = _pdf_text(resp.data)
    assert "There are not enough answers yet to report a change." in text
    html = coordinator_client.get("/results/").get_data(as_text=True)
    assert "No collections match these filters." in html


def test_report_command(app, runner, results_data, tmp_path):
    app.config["MIN_GROUP_PUPIL"] = HAND
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "--survey", "res_test", "--school", "Alder School",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(_pdf_text(out.read_bytes()).split())
    assert "40% before, 70% after" in text
    html_out = tmp_path / "report.html"
    result = runner.invoke(args=["report", "-o", str(html_out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in html_out.read_text()
    result = runner.invoke(args=["report", "--school", "Nowhere", "-o", str(out)])
    assert result.exit_code != 0
    assert "No school called 'Nowhere'" in result.output


@pytest.mark.parametrize("code", ["nope"])
def test_report_command_unknown_survey(runner, results_data, tmp_path, code):
    result = runner.invoke(args=["report", "--survey", code, "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code != 0
    assert f"No survey with code '{code}'" in result.output


def test_written_answers_cannot_become_spreadsheet_formulas(coordinator_client, results_data):
    from tests.results.conftest import add

    for _ in range(5):
        add(results_data["tiny"], {"said": '=HYPERLINK("http://evil.example","x")'})
    db.session.commit()
    body = coordinator_client.get("/results/survey/res_test/tables.csv?question=said").get_data(
        as_text=True)
    notes = {r["text"] for r in csv.DictReader(io.StringIO(body))}
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in notes
    assert not any(n.startswith("=") for n in notes)


def test_primary_outcomes_are_the_only_headlines(coordinator_client, results_data, runner):
    page = coordinator_client.get("/results/survey/res_test").get_data(as_text=True)
    assert 'name="primary" value="conf"' in page
    assert 'name="primary" value="said"' not in page  # written answers are not outcomes
    resp = coordinator_client.post("/results/survey/res_test/primary",
                                   data={"primary": ["career", "conf"],
                                         "csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    html = coordinator_client.get("/results/report").get_data(as_text=True)
    head = html.split("Exploratory findings")[0]
    # the declared outcomes are the headlines, whatever they show; 'know' (the biggest
    # paired change) is not, and is exploratory with a Holm-adjusted p
    assert "I would like a science job." in head
    assert "I am good at science." in head
    assert "How light travels" not in head
    assert "Holm-adjusted" in html.split("Exploratory findings")[1]
    # both groups were asked conf: its headline carries the difference in change
    assert "Pupils who took part rose 0.4 points more than the comparison group" in head
    # the comparison group was not asked career: said plainly
    assert "comparison group has too few answers to this question" in head
    result = runner.invoke(args=["results", "--survey", "res_test", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_code = {q["code"]: q for q in data["questions"]}
    assert by_code["career"]["primary"] is True
    assert by_code["conf"]["primary"] is True
    assert by_code["know"]["primary"] is False
    assert by_code["know"]["comparison"]["n_pairs"] == 0
    conf = by_code["conf"]
    assert set(conf["participants"]) >= {
        "n_before", "n_after", "n_pairs", "top_box_before", "top_box_after", "mean_before",
        "mean_after", "wilcoxon_p", "rank_biserial", "mann_whitney_p", "suppressed"}
    assert conf["participants"]["n_pairs"] == 10
    assert conf["participants"]["rank_biserial"] == pytest.approx(0.75)
    assert conf["comparison"]["n_pairs"] == 6
    assert conf["difference_in_change"]["estimate"] == pytest.approx(0.6 - 1 / 6)
    assert conf["difference_in_change"]["method"].startswith("difference in mean paired")
    assert conf["p_adjusted"] >= conf["p"]


def test_teachers_cannot_declare_primary_outcomes(client, partnership, results_data):
    make_user(partnership, "teacher@alder.example", "teacher", "Alder School")
    login_as(client, "teacher@alder.example")
    page = client.get("/results/survey/res_test").get_data(as_text=True)
    assert 'name="primary"' not in page
    resp = client.post("/results/survey/res_test/primary",
                               data={"primary": ["conf"], "csrf_token": csrf_from(page)})
    assert resp.status_code == 403
    assert 'name="quote"' not in page
    resp = client.post("/results/survey/res_test/quotes",
                       data={"shown": ["1"], "quote": ["1"], "csrf_token": csrf_from(page)})
    assert resp.status_code == 403


def test_results_command_suppresses_small_groups(runner, results_data):
    result = runner.invoke(args=["results", "--survey", "res_test", "--school", "Cedar School",
                                 "--json"])
    assert result.exit_code == 0, result.output
    conf = next(q for q in json.loads(result.output)["questions"] if q["code"] == "conf")
    part = conf["participants"]
    assert part["n_before"] == 3
    assert part["top_box_before"] is None
    assert part["mean_before"] is None
    assert "fewer than 5" in part["suppressed"]
    assert conf["difference_in_change"] is None
    bad = runner.invoke(args=["results", "--survey", "nope", "--json"])
    assert bad.exit_code != 0


def test_quotes_only_when_chosen(coordinator_client, results_data, partnership):
    alder = _school("Alder School")
    before = coordinator_client.get(f"/results/report?school={alder}").get_data(as_text=True)
    assert "In their own words" not in before  # none by default
    assert "Magnets" not in before
    page = coordinator_client.get(f"/results/survey/res_test?school={alder}").get_data(
        as_text=True)
    shown = re.findall(r'name="shown" value="(\d+)"', page)
    assert len(shown) == 8  # six "Magnets", two "Prisms"
    prisms = re.findall(r'value="(\d+)" id="quote-\d+">\s*<label[^>]*>Prisms<', page)
    assert len(prisms) == 2
    resp = coordinator_client.post(
        f"/results/survey/res_test/quotes?school={alder}",
        data={"shown": shown, "quote": prisms[:1], "question": "said",
              "csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    html = coordinator_client.get(f"/results/report?school={alder}").get_data(as_text=True)
    assert "In their own words" in html
    assert "“Prisms”" in html
    assert "Magnets" not in html
    pdf = " ".join(_pdf_text(coordinator_client.get(
        f"/results/report.pdf?school={alder}").data).split())
    assert "“Prisms”" in pdf
    # unticking removes it; an answer id from elsewhere is refused
    coordinator_client.post(f"/results/survey/res_test/quotes?school={alder}",
                            data={"shown": shown, "question": "said",
                                  "csrf_token": csrf_from(page)})
    assert "Prisms" not in coordinator_client.get(
        f"/results/report?school={alder}").get_data(as_text=True)
    resp = coordinator_client.post("/results/survey/res_test/quotes",
                                   data={"shown": ["999999"], "quote": ["999999"],
                                         "csrf_token": csrf_from(page)},
                                   follow_redirects=True)
    assert "not written answers to this survey" in resp.get_data(as_text=True)


def test_erasing_an_answer_erases_its_quote(coordinator_client, results_data):
    from survey_app.erasure.operations import erase_collection
    from survey_app.models import Answer, ReportQuote, Response, Survey
    from survey_app.results.operations import set_report_quotes

    survey = db.session.scalar(select(Survey).where(Survey.code == "res_test"))
    ids = list(db.session.scalars(select(Answer.id).join(Response).where(
        Response.collection_id == results_data["after"].id, Answer.question_code == "said")))
    set_report_quotes(survey, ids, ids)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 2
    erase_collection(results_data["after"], "test")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 0


def test_the_survey_pages_downloads_follow_its_school_filter(app, coordinator_client,
                                                             results_data):
    """A coordinator looking at one school's results downloads that school's answers: every
    download link carries the school chosen on the page (the codebook has no answers)."""
    alder = _school("Alder School")
    html = coordinator_client.get(f"/results/survey/res_test?school={alder}"
                                  ).get_data(as_text=True)
    block = re.search(r'<ul class="downloads">(.*?)</ul>', html, re.S).group(1)
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', block)]
    assert len(links) >= 4, links  # tables, report and its PDF at the least
    for link in links:
        if "codebook" not in link:
            assert f"school={alder}" in link, link
    if "export.responses_csv" in app.view_functions:
        csv_link = next(h for h in links if "responses.csv" in h and "excel" not in h)
        rows = list(csv.DictReader(io.StringIO(
            coordinator_client.get(csv_link).get_data(as_text=True))))
        assert rows
        assert {r["school"] for r in rows} == {"Alder School"}


def test_a_pupil_number_given_twice_is_said_not_dropped(app, coordinator_client,
                                                        results_data, runner):
    """Two "after" answers with pupil number 3 (and two more with 4) cannot be paired: the
    page, the report and its PDF say how many numbers were left out and where."""
    from tests.results.conftest import add

    note = "pupil numbers were given more than once in one class in the “after” survey"
    html = coordinator_client.get("/results/survey/res_test").get_data(as_text=True)
    assert "given more than once" not in html  # every number once: nothing to say
    for pupil in (3, 4):
        add(results_data["after"], {"conf": "5"}, pupil=pupil)
    db.session.commit()
    html = coordinator_client.get("/results/survey/res_test").get_data(as_text=True)
    assert f"2 {note}: those answers are not paired." in html
    report = coordinator_client.get("/results/report").get_data(as_text=True)
    assert f"2 {note}" in report
    pdf = " ".join(_pdf_text(coordinator_client.get("/results/report.pdf").data).split())
    assert f"2 {note}" in pdf
    out = runner.invoke(args=["results", "--survey", "res_test", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["pupil_numbers_given_twice"] == {"after": 2}
