"""Small-number suppression survives subtraction: the attacks an evaluator ran (the
all-schools CSV minus one school's, the survey minus one group, the all-schools PDF minus a
school's PDF), and a general one (any sum and difference of every filtered view of the
tables CSV) recover no group of fewer than k answers.

The data: Alder School has "Oak" (8 pupils) and "Elm" (2, who answered two days ago),
Birch School has "Ash" (7; after: 3 on phones, 4 on paper), Cedar School has "Nurture"
(3 pupils, before only). k = 5 (MIN_GROUP_PUPIL).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select, update

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import Group, Response, School, Survey
from survey_app.results import analysis, suppression
from survey_app.results.queries import ResultsScope
from survey_app.results.suppression import PROTECTS, SPLITS, TOO_FEW, plan, reason_words, split
from survey_app.results.tally import answers_changed
from tests.results.conftest import add

K = 5
SURVEY = """
code: sup_test
title: Suppression check
audience: pupil
questions:
  - {code: conf, text: I am good at science., scale: faces5}
  - {code: career, text: I would like a science job., scale: yesno}
  - {code: said, text: "What did you like?", scale: text}
"""
#: (school, group, phase) -> conf answers; career is "1" when conf >= 4.
DATA = {
    ("Alder School", "Oak", "before"): [1, 2, 2, 3, 3, 3, 4, 4],
    ("Alder School", "Oak", "after"): [2, 3, 3, 4, 4, 4, 5, 5],
    ("Alder School", "Elm", "before"): [5, 5],
    ("Alder School", "Elm", "after"): [5, 4],
    ("Birch School", "Ash", "before"): [1, 1, 1, 1, 2, 2, 4],
    ("Birch School", "Ash", "after"): [2, 2, 3, 3, 4, 4, 5],
    ("Cedar School", "Nurture", "before"): [5, 5, 5],
}
PAPER_AFTER = {("Birch School", "Ash"): 4}  # the first four after answers came on paper
OLD = {"Elm"}  # answered two days ago
TZ = ZoneInfo("Europe/London")


# --- the rule itself, worked by hand ---------------------------------------------------


def test_split_hides_the_small_and_then_the_smallest_other():
    assert split({"a": 10, "b": 7, "c": 3}, 5) == {"c": TOO_FEW, "b": PROTECTS}
    # two tiny ones that together reach k protect each other
    assert split({"a": 10, "b": 3, "c": 2}, 5) == {"b": TOO_FEW, "c": TOO_FEW}
    assert split({"a": 10, "b": 3, "c": 1}, 5) == {"b": TOO_FEW, "c": TOO_FEW, "a": PROTECTS}
    assert split({"a": 10, "b": 0, "c": 6}, 5) == {}


def test_plan_blocks_are_what_a_shown_node_holds_beyond_its_shown_children():
    schools = {1: [11, 12], 2: [21], 3: [31]}
    p = plan({11: 8, 12: 2, 21: 7, 31: 3}, schools, 5)
    assert p.hidden == {("school", 3): TOO_FEW, ("group", 31): TOO_FEW,
                        ("school", 2): PROTECTS, ("group", 21): PROTECTS,
                        ("group", 12): TOO_FEW, ("group", 11): PROTECTS}
    assert p.block == {11: ("school", 1), 12: ("school", 1), 21: suppression.ROOT,
                       31: suppression.ROOT}
    # fewer than k in all: nothing at all
    assert suppression.ROOT in plan({11: 2, 21: 1}, {1: [11], 2: [21]}, 5).hidden


# --- the data and the real pages --------------------------------------------------------


@pytest.fixture
def sup_data(app, partnership):
    load_survey_version(partnership, parse_survey(SURVEY))
    db.session.commit()
    pupils = itertools.count(1)
    numbers: dict[tuple[str, str], list[int]] = {}
    old: list[int] = []
    for (school, group, phase), values in DATA.items():
        c = create_collection(partnership, survey_code="sup_test", school_name=school,
                              group_name=group, phase=phase, ask_pupil_number=True)
        db.session.commit()
        ids = numbers.setdefault((school, group), [next(pupils) for _ in values])
        for i, v in enumerate(values):
            paper = phase == "after" and i < PAPER_AFTER.get((school, group), 0)
            said = f"{group} {phase} {i}" if phase == "before" else ""
            r = add(c, {"conf": str(v), "career": "1" if v >= 4 else "0", "said": said},
                    source="paper" if paper else "web", pupil=ids[i])
            if group in OLD:
                old.append(r.id)
    db.session.commit()
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    answers_changed(response_ids=old)
    db.session.execute(update(Response).where(Response.id.in_(old))
                       .values(submitted_at=two_days_ago))
    db.session.commit()
    return partnership


def _ids(model, name_col):
    return dict(db.session.execute(select(name_col, model.id)).all())


def _atoms():
    """Every (group id, source, day) an answer can fall in."""
    today = datetime.now(TZ).date()
    groups = db.session.execute(select(Group.id, Group.school_id)).all()
    return [(g, s, d) for g, _ in groups for s in ("web", "paper")
            for d in (today - timedelta(days=2), today)], dict(groups)


def _views():
    """Every filtered view the results page offers here: (query, atom predicate)."""
    today = datetime.now(TZ).date()
    schools = _ids(School, School.name)
    groups = _ids(Group, Group.name)
    places = [({}, lambda g, sch: True)]
    places += [({"school": sid}, lambda g, sch, sid=sid: sch == sid) for sid in
               schools.values()]
    places += [({"group": gid}, lambda g, sch, gid=gid: g == gid) for gid in groups.values()]
    sources = [({}, lambda s: True), ({"source": "web"}, lambda s: s == "web"),
               ({"source": "paper"}, lambda s: s == "paper")]
    dates = [({}, lambda d: True),
             ({"from": (today - timedelta(days=1)).isoformat()}, lambda d: d == today)]
    for (pq, pin), (sq, sin), (dq, din) in itertools.product(places, sources, dates):
        yield ({**pq, **sq, **dq},
               lambda g, sch, s, d, pin=pin, sin=sin, din=din: pin(g, sch) and sin(s)
               and din(d))


def _csv(client, query: dict) -> list[dict]:
    resp = client.get("/results/survey/sup_test/tables.csv", query_string=query)
    assert resp.status_code == 200
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def _shown(rows: list[dict]) -> dict[tuple, dict[str, int]]:
    """(question, arm, phase) -> category counts, for every distribution line shown."""
    out: dict[tuple, dict[str, int]] = {}
    for r in rows:
        if r["table"] == "distribution" and r["count"] != "":
            out.setdefault((r["question_code"], r["arm"], r["phase"]), {})[r["category"]] = \
                int(r["count"])
    return out


def _truth(partnership, atoms):
    """Answers per atom and figure, with suppression off (k = 1)."""
    survey = db.session.scalar(select(Survey).where(Survey.code == "sup_test"))
    out: dict[tuple, dict[tuple, int]] = {}
    for g, s, d in atoms:
        res = analysis.build(survey, ResultsScope(partnership.id, group_id=g, source=s, date_from=d,
                                           date_to=d), 1)
        for qr in res.questions:
            for row in qr.rows:
                arm = "comparison" if row.comparison else "participant"
                out.setdefault((qr.question.code, arm, row.phase), {})[(g, s, d)] = row.dist.n
    return out


def _leaks(views: list[set], n: dict, k: int) -> list[tuple[set, int]]:
    """Sets of answers with 1..k-1 in them that sums and differences of the shown views
    give exactly. Atoms that every view treats alike form classes; a union of classes is
    recoverable when its indicator lies in the span of the views' indicators."""
    atoms = sorted(a for a, m in n.items() if m)
    if not views or not atoms:
        return []
    matrix = np.array([[1.0 if a in v else 0.0 for a in atoms] for v in views])
    classes: dict[tuple, list] = {}
    for j, a in enumerate(atoms):
        classes.setdefault(tuple(matrix[:, j]), []).append(a)
    groups = list(classes.values())
    assert len(groups) <= 14, "too many classes to enumerate"
    rank = np.linalg.matrix_rank(matrix)
    out = []
    for size in range(1, len(groups) + 1):
        for combo in itertools.combinations(groups, size):
            members = {a for c in combo for a in c}
            total = sum(n[a] for a in members)
            if not 0 < total < k:
                continue
            target = np.array([1.0 if a in members else 0.0 for a in atoms])
            if np.linalg.matrix_rank(np.vstack([matrix, target])) == rank:
                out.append((members, total))
    return out


def _attack_every_view(client, partnership) -> list:
    atoms, school_of = _atoms()
    truth = _truth(partnership, atoms)
    shown_by_key: dict[tuple, list[set]] = {}
    for query, inside in _views():
        for key in _shown(_csv(client, query)):
            shown_by_key.setdefault(key, []).append(
                {a for a in atoms if inside(a[0], school_of[a[0]], a[1], a[2])})
    leaks = []
    for key, n in truth.items():
        leaks += [(key, members, total)
                  for members, total in _leaks(shown_by_key.get(key, []), n, K)]
    return leaks, shown_by_key


def test_no_sum_or_difference_of_filtered_views_gives_a_small_group(coordinator_client,
                                                                      sup_data):
    leaks, shown = _attack_every_view(coordinator_client, sup_data)
    assert leaks == []
    # and the page still shows what it safely can: all schools, Alder, Birch after
    assert len(shown[("conf", "participant", "before")]) >= 2
    assert len(shown[("conf", "participant", "after")]) >= 4


def test_without_secondary_suppression_the_attack_works(coordinator_client, sup_data,
                                                        monkeypatch):
    """The control: with only "fewer than k" hiding (as before), the same attack finds
    Cedar's three, so the test above can fail."""
    monkeypatch.setattr(suppression, "build", lambda *a, **kw: suppression.Guard.off())
    leaks, _shown = _attack_every_view(coordinator_client, sup_data)
    assert any(total == 3 and {a[0] for a in members} == {_ids(Group, Group.name)["Nurture"]}
               for _key, members, total in leaks)


def test_all_schools_csv_minus_one_school(coordinator_client, sup_data):
    schools = _ids(School, School.name)
    everything = _shown(_csv(coordinator_client, {}))
    parts = {name: _shown(_csv(coordinator_client, {"school": sid}))
             for name, sid in schools.items()}
    key = ("conf", "participant", "before")
    assert sum(everything[key].values()) == 20
    # Alder's ten are shown; Cedar's three are too few, and Birch's seven are hidden too,
    # or all minus Alder minus Birch would be Cedar.
    assert sum(parts["Alder School"][key].values()) == 10
    assert key not in parts["Cedar School"]
    assert key not in parts["Birch School"]
    rows = _csv(coordinator_client, {"school": schools["Birch School"]})
    (birch,) = [r for r in rows if r["table"] == "distribution" and r["question_code"] == "conf"
                and r["phase"] == "before"]
    assert birch["suppressed"] == reason_words(PROTECTS, 5)
    html = coordinator_client.get("/results/survey/sup_test",
                                  query_string={"school": schools["Birch School"]}).get_data(
        as_text=True)
    assert "cannot be worked out by subtraction" in html  # the page says why
    # after: no small school, so both schools show (and Alder's tiny Elm is inside Alder)
    assert {name for name, p in parts.items() if ("conf", "participant", "after") in p} == {
        "Alder School", "Birch School"}


def test_survey_minus_one_group(coordinator_client, sup_data):
    groups = _ids(Group, Group.name)
    key = ("conf", "participant", "after")
    oak = _shown(_csv(coordinator_client, {"group": groups["Oak"]}))
    elm = _shown(_csv(coordinator_client, {"group": groups["Elm"]}))
    # Oak minus Alder would be Elm's two: both group views are hidden, Alder is shown
    assert key not in oak
    assert key not in elm
    assert key in _shown(_csv(coordinator_client, {"school": _ids(School, School.name)[
        "Alder School"]}))


def test_source_and_date_filters_may_not_cut_a_block(coordinator_client, sup_data):
    today = datetime.now(TZ).date()
    rows = _csv(coordinator_client, {"from": (today - timedelta(days=1)).isoformat()})
    before = [r for r in rows if r["table"] == "distribution" and r["question_code"] == "conf"
              and r["phase"] == "before"]
    # leaving out Elm's two (answered two days ago) would give them back by subtraction
    assert before
    assert all(r["suppressed"] == reason_words(SPLITS, 5) for r in before)
    birch = _ids(School, School.name)["Birch School"]
    paper = _shown(_csv(coordinator_client, {"school": birch, "source": "paper"}))
    assert ("conf", "participant", "after") not in paper  # 4 paper vs 3 phone


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range() for page in pdf).split())
    finally:
        pdf.close()


BEFORE_FIGURE = re.compile(r"(\d+)% before, \d+% after \([^;]*; n = (\d+) before")


def test_all_schools_pdf_minus_one_schools_pdf(coordinator_client, sup_data):
    schools = _ids(School, School.name)
    texts = {None: _pdf_text(coordinator_client.get("/results/report.pdf").data)}
    for name, sid in schools.items():
        texts[name] = _pdf_text(coordinator_client.get(f"/results/report.pdf?school={sid}").data)
    n_before = {name: {int(n) for _pct, n in BEFORE_FIGURE.findall(t)}
                for name, t in texts.items()}
    # the control: the figures are there to read where they are safe
    assert 20 in n_before[None]
    assert 10 in n_before["Alder School"]
    # all (20) minus Alder (10) is Birch and Cedar together (10): Birch's own figure
    # (7 before), which would give Cedar's three, is in no report
    assert all(7 not in ns and 3 not in ns for ns in n_before.values())
    assert "Nurture before" not in texts["Cedar School"]
    # Birch's seven are hidden to protect Cedar, not for being too few: its chart says so
    assert "hidden to protect a small group" in texts["Birch School"]
    assert "secondary suppression" in texts[None]  # the method note says how


def test_cli_report_follows_the_same_rule(app, runner, sup_data, tmp_path):
    out = tmp_path / "birch.pdf"
    result = runner.invoke(args=["report", "--school", "Birch School", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = _pdf_text(out.read_bytes())
    assert not any(n == "7" for _pct, n in BEFORE_FIGURE.findall(text))


def test_a_threshold_of_one_hides_nothing(partnership, sup_data):
    survey = db.session.scalar(select(Survey).where(Survey.code == "sup_test"))
    cedar = _ids(School, School.name)["Cedar School"]
    res = analysis.build(survey, ResultsScope(partnership.id, school_id=cedar), 1)
    conf = next(q for q in res.questions if q.question.code == "conf")
    assert [(r.dist.n, r.suppressed) for r in conf.rows] == [(3, False)]


def test_the_tally_and_the_answers_give_the_same_decisions(partnership, sup_data):
    survey = db.session.scalar(select(Survey).where(Survey.code == "sup_test"))
    schools = _ids(School, School.name)
    scopes = [ResultsScope(partnership.id),
              ResultsScope(partnership.id, school_id=schools["Alder School"]),
              ResultsScope(partnership.id, school_id=schools["Birch School"], source="paper")]
    for scope in scopes:
        tallied = analysis.build(survey, scope, K)
        live = analysis.build(survey, scope, K, use_tally=False)
        assert [(q.rows, q.paired, q.paired_suppressed, q.texts_suppressed)
                for q in tallied.questions] == [
            (q.rows, q.paired, q.paired_suppressed, q.texts_suppressed) for q in live.questions]
    birch = ResultsScope(partnership.id, school_id=schools["Birch School"])
    hidden = [r for q in analysis.build(survey, birch, K).questions for r in q.rows if r.why]
    assert hidden  # Birch's before rows protect Cedar's three
    assert figures_of(analysis.build(survey, birch, K)) == figures_of(
        analysis.build(survey, birch, K, use_tally=False))


def figures_of(res):
    return [(q.rows, q.paired, q.paired_suppressed, q.texts_suppressed) for q in res.questions]
