"""One survey's results computed: SQL counts (queries) turned into distributions, changes
and tests (stats), question by question, with small groups suppressed. What it makes is
described in survey_results.py; the dashboard, the CSV and the impact report all read
those objects, so they always agree."""

from __future__ import annotations

from collections import Counter, defaultdict

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forms.answers import MULTI_SEP
from forms.definition import NOW, THEN, Question
from forms.scales import MULTI, SINGLE, TEXT
from survey_app.extensions import db
from survey_app.models import PHASES, TIME_POINTS, Survey
from survey_app.results import answer_queries, queries, scores, suppression, tally
from survey_app.results.difference_in_change import (
    DiffInChange,
    paired_difference_in_change,
    share_difference_in_change,
)
from survey_app.results.paired import paired_change
from survey_app.results.queries import ResultsScope
from survey_app.results.stats import MIN_TEST_N, Distribution, distribution, holm, mann_whitney
from survey_app.results.survey_results import (
    DEFAULT_POINTS,
    Change,
    QuestionResult,
    Row,
    SurveyResults,
)
from survey_app.words import phase_heading

#: A time point in a sentence: "40% before, 60% at follow-up".
POINT_WORDS = {"before": _l("before"), "during": _l("midway"), "after": _l("after"),
               "follow-up": _l("at follow-up")}


def time_points(phases: set[str]) -> list[str]:
    """The time points among these phases, in TIME_POINTS order."""
    return [p for p in TIME_POINTS if p in phases]


def choose_points(present: list[str], wanted: tuple[str, str] | None = None
                  ) -> tuple[str, str]:
    """The two time points to compare: `wanted` when it names two different time points
    (earlier first), else the first and the last there are, else before and after."""
    if wanted and len(set(wanted)) == 2 and all(p in TIME_POINTS for p in wanted):
        a, b = sorted(wanted, key=TIME_POINTS.index)
        return a, b
    if len(present) >= 2:
        return present[0], present[-1]
    return DEFAULT_POINTS


def min_group(config, audience: str) -> int:
    """The smallest group whose figures are shown, by audience (MIN_GROUP_* settings)."""
    key = {"pupil": "MIN_GROUP_PUPIL", "teacher": "MIN_GROUP_TEACHER",
           "parent": "MIN_GROUP_PARENT"}.get(audience, "MIN_GROUP_SCHOOL")
    return int(config[key])


def _display(q: Question) -> str:
    if q.scale_def.is_rating:
        return "rating"
    if q.kind in (SINGLE, MULTI):
        return "options"
    if q.kind == TEXT:
        return "text"
    return "other"


def primary_codes(survey: Survey) -> tuple[str, ...]:
    """The questions declared primary outcomes: those measuring the evaluation plan's
    primary outcomes when the plan declares any, else those marked per survey (in any
    version; `survey-app primary`)."""
    from survey_app.plans.operations import plan_primary_codes

    planned = plan_primary_codes(survey)
    if planned is not None:
        return planned
    out: list[str] = []
    for version in queries.versions(survey.id):
        out += [c for c in version.primary_codes if c not in out]
    return tuple(out)


def _questions(survey: Survey) -> list[Question]:
    """Questions of every version, matched by code; the newest wording wins."""
    seen: dict[str, Question] = {}
    for version in queries.versions(survey.id):
        for q in version.definition.questions:
            seen.setdefault(q.code, q)
    return list(seen.values())


def _columns(questions: list[Question]) -> tally.Columns:
    # Retrospective items' then/now distributions come from their then/now pairs (people
    # who answered both), which saves a second pass over the same answers.
    return tally.Columns(
        answers=tuple(q.code for q in questions if q.kind != TEXT and not q.retrospective),
        pairs=tuple(q.code for q in questions
                    if q.scale_def.is_rating and not q.retrospective),
        retro=tuple(q.code for q in questions if q.retrospective))


def refresh_tallies() -> int:
    """Bring the results tally of every survey up to date; returns blocks rebuilt."""
    rebuilt = 0
    for survey in db.session.scalars(select(Survey).order_by(Survey.id)).all():
        rebuilt += tally.refresh(survey.partnership_id, survey.id,
                                 _columns(_questions(survey)))
    return rebuilt


def _label(phase: str, comparison: bool, has_comparison: bool) -> str:
    base = phase_heading(phase)
    if has_comparison:
        return (gettext("%(phase)s, comparison", phase=base) if comparison
                else gettext("%(phase)s, took part", phase=base))
    return base


def build(survey: Survey, scope: ResultsScope, min_n: int, *, people: bool = False,
          use_tally: bool = True, points: tuple[str, str] | None = None) -> SurveyResults:
    """Everything the results page shows for one survey, in a handful of queries (counts
    from the results tally where it can answer); `people` adds the per-person
    retrospective figure the impact report quotes; `points`: the two time points to
    compare (default: the first and the last with collections)."""
    infos = queries.collections(scope, survey.id)
    present = time_points(queries.phases_answered(scope, survey.id)) if infos else []
    pair = choose_points(present, points)
    by_id = {c.id: c for c in infos}
    ids = list(by_id)
    questions = _questions(survey)
    primary = primary_codes(survey)
    has_cmp = any(c.is_comparison for c in infos)
    retro = [q for q in questions if q.retrospective]
    counts = tally.counts(scope, survey.id, infos, _columns(questions), use_tally=use_tally,
                          pair=pair)
    per: dict[tuple[bool, str, str], Counter] = defaultdict(Counter)
    multi_cols = {q.code for q in questions if q.kind == MULTI}
    for (cmp, phase, col, value), k in counts.answers.items():
        key = (cmp, phase, col)
        if col in multi_cols:
            per[key]["\0n"] += k  # respondents to a multi item
            for code in value.split(MULTI_SEP):
                per[key][code] += k
        else:
            per[key][value] += k
    pairs, retro_pairs = counts.pairs, counts.retro
    for (cmp, code, then, now), k in retro_pairs.items():
        per[(cmp, "retro", f"{code}{THEN}")][then] += k
        per[(cmp, "retro", f"{code}{NOW}")][now] += k
    text_codes = [q.code for q in questions if q.kind == TEXT]
    texts = answer_queries.text_answers(scope, ids, text_codes)
    images = answer_queries.writein_images(scope, ids, text_codes)
    knowledge = bool(scores.knowledge_codes(survey))
    memo: dict = {}  # the knowledge scores' pass, shared by suppression and figures
    guard = suppression.build(survey.id, scope, min_n, infos, _columns(questions),
                              [q.code for q in questions if q.kind == TEXT], use_tally=use_tally,
                              extra=(lambda sc, inf: scores.group_counts(sc, inf, survey, memo,
                                                                         pair))
                              if knowledge else None, pair=pair)
    respondents: dict[tuple[bool, str], int] = Counter()
    for cid, k in counts.respondents.items():
        respondents[(by_id[cid].is_comparison, by_id[cid].phase)] += k
    results = []
    for q in questions:
        qr = QuestionResult(q, _display(q), min_n=min_n, audience=survey.audience,
                            points=pair)
        if qr.display in ("rating", "options"):
            _rows(qr, per, min_n, has_cmp)
            _changes(qr, min_n)
        if qr.display == "rating":
            _paired(qr, pairs, retro_pairs, min_n)
        guard.apply(qr)
        if qr.display == "text":
            answers = [v for (cid, col), vals in sorted(texts.items()) if col == q.code
                       for v in vals]
            n_text = sum(len(v) for (_cid, col), v in texts.items() if col == q.code)
            n_text += len(images.get(q.code, ()))
            qr.texts_suppressed = qr.texts_suppressed or 0 < n_text < min_n
            qr.texts = [] if qr.texts_suppressed else answers
            qr.images = [] if qr.texts_suppressed else images.get(q.code, [])
        qr.primary = q.code in primary
        qr.did = _did(qr)
        results.append(qr)
    knowledge_results = (scores.build(survey, scope, infos, min_n, guard, memo, pair)
                         if knowledge else None)
    _adjust(results, knowledge_results)
    retro_people = (0, 0)
    if people:
        tops = {q.code: q.option_codes[-1] for q in retro}
        retro_people = answer_queries.retro_people(
            scope, [c.id for c in infos if not c.is_comparison], tops)
        retro_people = guard.people(retro_people)
    reused = (answer_queries.reused_pupil_numbers(scope, ids, tuple(dict.fromkeys(pair)))
              if pair[0] != pair[1] else {})
    return SurveyResults(survey, scope, min_n, infos, dict(respondents), results,
                         retro_people, primary, knowledge_results, pair, tuple(present),
                         {p: reused[p] for p in pair if reused.get(p)})


def _did(qr: QuestionResult) -> DiffInChange | None:
    """The difference in change: paired change scores where both arms have enough pairs,
    else the difference in the change of the top-box share."""
    if qr.display not in ("rating", "options"):
        return None
    took, cmp = qr.arm_paired(False), qr.arm_paired(True)
    if (qr.display == "rating" and took is not None and cmp is not None
            and min(took.n, cmp.n) >= MIN_TEST_N):
        return paired_difference_in_change(took, cmp, len(qr.codes))
    a, b = qr.arm_change(False), qr.arm_change(True)
    if a is None or b is None or a.top_before is None or b.top_before is None:
        return None
    return share_difference_in_change(a.before, a.after, b.before, b.after)


def _adjust(results: list[QuestionResult], knowledge: scores.ScoreResults | None = None
            ) -> None:
    """Holm-adjusted p of each question's main test, within its family; the knowledge
    score's paired test counts as one more exploratory test."""
    for family in ("primary", "exploratory"):
        members = [q for q in results if q.family == family and q.main_test is not None]
        pvalues = [q.main_test[1] for q in members]
        extra = knowledge.main_p if family == "exploratory" and knowledge else None
        adjusted = holm(pvalues + ([extra] if extra is not None else []))
        for q, p in zip(members, adjusted, strict=False):
            q.p_adjusted = p
        if extra is not None:
            knowledge.p_adjusted = adjusted[-1]


def _dist(q: Question, counter: Counter) -> Distribution:
    top = q.scale_def.top_box
    if q.kind == MULTI:
        d = distribution(counter, q.option_codes, top_box=top)
        return Distribution(d.codes, d.counts, d.top_box, False, total=counter["\0n"])
    return distribution(counter, q.option_codes, top_box=top, numeric=q.scale_def.is_rating)


def _rows(qr: QuestionResult, per: dict, min_n: int, has_cmp: bool) -> None:
    q = qr.question
    for cmp in (False, True):
        if q.retrospective:
            phases = [("then", f"{q.code}{THEN}"), ("now", f"{q.code}{NOW}")]
            sums = {label: Counter() for label, _ in phases}
            for (c, _phase, col), counter in per.items():
                for label, column in phases:
                    if c == cmp and col == column:
                        sums[label].update(counter)
            items = [(label, sums[label]) for label, _ in phases]
        else:
            items = [(phase, per.get((cmp, phase, q.code), Counter())) for phase in PHASES]
        for phase, counter in items:
            dist = _dist(q, counter)
            if dist.n:
                qr.rows.append(Row(phase, cmp, dist, dist.n < min_n,
                                   _label(phase, cmp, has_cmp)))


def _changes(qr: QuestionResult, min_n: int) -> None:
    first, last = ("then", "now") if qr.question.retrospective else qr.points
    for cmp in (False, True):
        rows = {r.phase: r for r in qr.rows if r.comparison == cmp}
        b, a = rows.get(first), rows.get(last)
        if b is None or a is None or b.suppressed or a.suppressed:
            continue
        test = None
        if qr.display == "rating" and not qr.question.retrospective:
            test = mann_whitney(b.dist, a.dist)
        qr.changes.append(Change(cmp, b.dist, a.dist, test,
                                 "retrospective" if qr.question.retrospective else "unpaired"))


def _paired(qr: QuestionResult, pairs: dict, retro_pairs: dict, min_n: int) -> None:
    q = qr.question
    for cmp in (False, True):
        matrix: Counter = Counter()
        if q.retrospective:
            for (c, code, tv, nv), k in retro_pairs.items():
                if code == q.code and c == cmp:
                    matrix[(tv, nv)] += k
            name = "Wilcoxon signed-rank (then/now)"
        else:
            for (c, code, bv, av), k in pairs.items():
                if code == q.code and c == cmp:
                    matrix[(bv, av)] += k
            name = "Wilcoxon signed-rank"
        if not matrix:
            continue
        pc = paired_change(matrix, q.option_codes, name)
        if pc.n < min_n:
            qr.paired_suppressed.append((cmp, pc.n))
            continue
        qr.paired.append((cmp, pc))
        if q.retrospective:
            for change in qr.changes:
                if change.comparison == cmp:
                    change.test = pc.test
