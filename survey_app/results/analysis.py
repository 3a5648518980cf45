"""One survey's results: SQL counts (queries) turned into distributions, changes and tests
(stats), question by question, with small groups suppressed. The dashboard, the CSV and
the impact report all read these objects, so they always agree."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from forms.answers import MULTI_SEP
from forms.definition import NOW, THEN, Question
from forms.scales import MULTI, SINGLE, TEXT
from survey_app.extensions import db
from survey_app.models import PHASES, TIME_POINTS, Survey
from survey_app.results import queries, scores, suppression, tally
from survey_app.results.queries import CollectionInfo, Scope
from survey_app.results.stats import (
    MIN_TEST_N,
    DiffInChange,
    Distribution,
    PairedChange,
    TestResult,
    distribution,
    holm,
    mann_whitney,
    paired_change,
    paired_difference_in_change,
    points_change,
    share_change_interval,
    share_difference_in_change,
)

PHASE_LABELS = {"before": "Before", "during": "During", "after": "After",
                "follow-up": "Follow-up", "once": "Once", "then": "Then", "now": "Now"}
#: A time point in a sentence: "40% before, 60% at follow-up".
POINT_WORDS = {"before": "before", "during": "midway", "after": "after",
               "follow-up": "at follow-up"}
#: The two time points compared when the results say nothing else.
DEFAULT_POINTS = ("before", "after")


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


@dataclass
class Row:
    """One bar: a phase of one arm (the groups that took part, or the comparison groups)."""

    phase: str
    comparison: bool
    dist: Distribution
    suppressed: bool
    label: str = ""
    #: Why a row is hidden when it is not simply too few (see suppression.py).
    why: str = ""


@dataclass
class Change:
    """Before and after for one arm, compared on the same category."""

    comparison: bool
    before: Distribution
    after: Distribution
    test: TestResult | None
    #: "unpaired" (everyone before vs everyone after) or "retrospective" (then/now).
    design: str = "unpaired"

    @property
    def top_before(self) -> float | None:
        return self.before.top_share

    @property
    def top_after(self) -> float | None:
        return self.after.top_share

    @property
    def points(self) -> float | None:
        return points_change(self.top_before, self.top_after)


@dataclass
class QuestionResult:
    question: Question
    #: "rating" (diverging bar), "options" (bars per option), "text", or "other"
    display: str
    rows: list[Row] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: (comparison?, paired change) for arms with enough pairs
    paired: list[tuple[bool, PairedChange]] = field(default_factory=list)
    #: (comparison?, n) for arms whose pairs are too few to show
    paired_suppressed: list[tuple[bool, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    texts_suppressed: bool = False
    #: Write-in boxes cut from scanned sheets (ResponseImage ids), shown as pictures.
    images: list[int] = field(default_factory=list)
    #: Rows with fewer answers than this are "too few to show".
    min_n: int = 5
    #: Declared a primary outcome by the coordinator (headlined whatever it shows).
    primary: bool = False
    #: The groups that took part against the comparison group, where both have figures.
    did: DiffInChange | None = None
    #: The question's main test (see `main_test`) and its Holm-adjusted p within its
    #: family (primary outcomes, or exploratory findings).
    p_adjusted: float | None = None
    #: Who answered ("pupil", "teacher", "school"), for wording.
    audience: str = "pupil"
    #: The two time points compared (changes, pairs, tests): first and last by default.
    points: tuple[str, str] = DEFAULT_POINTS

    def top_trend(self, comparison: bool = False) -> list[tuple[str, float | None, int]]:
        """(time point, share at the top or None when hidden, n) at every time point with
        answers, in order: the line chart across all time points."""
        rows = {r.phase: r for r in self.rows if r.comparison == comparison}
        return [(p, None if rows[p].suppressed else rows[p].dist.top_share, rows[p].dist.n)
                for p in TIME_POINTS if p in rows and rows[p].dist.n]

    @property
    def family(self) -> str:
        return "primary" if self.primary else "exploratory"

    def arm_change(self, comparison: bool = False) -> Change | None:
        return next((c for c in self.changes if c.comparison == comparison), None)

    def arm_paired(self, comparison: bool = False) -> PairedChange | None:
        return next((pc for c, pc in self.paired if c == comparison), None)

    @property
    def main_test(self) -> tuple[str, float] | None:
        """(name, p) of the test a finding on this question rests on: the difference in
        change where there is a comparison group, else the paired Wilcoxon test of the
        groups that took part, else their Mann-Whitney test."""
        if self.did is not None and self.did.p is not None:
            return "difference in change", self.did.p
        pc = self.arm_paired()
        if pc is not None and pc.test.p is not None:
            return pc.test.test, pc.test.p
        change = self.arm_change()
        if change is not None and change.test is not None and change.test.p is not None:
            return change.test.test, change.test.p
        return None

    @property
    def change_interval(self) -> tuple[float, float] | None:
        """95% bootstrap interval of the top-box change of the groups that took part."""
        change = self.arm_change()
        if change is None or change.points is None:
            return None
        return share_change_interval(change.before, change.after)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.question.option_codes

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(o.label for o in self.question.options)

    @property
    def top_label(self) -> str:
        """The top box in the scale's own words: "'Quite a lot' or 'A lot'"."""
        top = self.question.scale_def.top_box
        return " or ".join(f"'{self.question.label(c)}'" for c in top)

    @property
    def bands(self) -> list[tuple[str, tuple[str, ...]]]:
        """Chart categories: every option, or three bands for long scales (the scale's
        own rule, forms.scales)."""
        return self.question.scale_def.chart_bands(self.codes, self.question.label)

    def band_shares(self, dist: Distribution) -> list[float]:
        return [sum(dist.share(c) or 0 for c in codes) for _label, codes in self.bands]

    @property
    def visible_rows(self) -> list[Row]:
        return [r for r in self.rows if r.dist.n]


@dataclass
class SurveyResults:
    survey: Survey
    scope: Scope
    min_n: int
    collections: list[CollectionInfo]
    respondents: dict[tuple[bool, str], int]
    questions: list[QuestionResult]
    #: Retrospective items, per person: (had room in some area, improved in some area)
    retro_people: tuple[int, int] = (0, 0)
    primary_codes: tuple[str, ...] = ()
    #: Knowledge scores (results.scores), None when the survey has no knowledge checks.
    knowledge: scores.ScoreResults | None = None
    #: The two time points compared, and every time point with collections in scope.
    points: tuple[str, str] = DEFAULT_POINTS
    present: tuple[str, ...] = ()

    @property
    def has_comparison(self) -> bool:
        return any(c.is_comparison for c in self.collections)

    @property
    def n_responses(self) -> int:
        return sum(self.respondents.values())

    @property
    def primary(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.primary]

    def headroom_both_ways(self, retrospective: bool, comparison: bool = False
                           ) -> tuple[int, int, int, int]:
        """(answers with room to improve, of those: rose, stayed the same, fell) over the
        paired (or retrospective) rating items."""
        room = up = same = down = 0
        for q in self.questions:
            if q.question.retrospective != retrospective:
                continue
            for cmp, pc in q.paired:
                if cmp == comparison:
                    room += pc.headroom
                    up += pc.improved_with_headroom
                    same += pc.same_with_headroom
                    down += pc.declined_with_headroom
        return room, up, same, down

    def headroom(self, retrospective: bool, comparison: bool = False) -> tuple[int, int]:
        """(answers with room to improve, of those improved) over the paired (or the
        retrospective) rating items: "knowledge improved in 85% of the areas with room"."""
        room, better, _same, _fell = self.headroom_both_ways(retrospective, comparison)
        return room, better


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
    base = PHASE_LABELS[phase]
    if has_comparison:
        return f"{base}, comparison" if comparison else f"{base}, took part"
    return base


def build(survey: Survey, scope: Scope, min_n: int, *, people: bool = False,
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
    texts = queries.text_answers(scope, ids, [q.code for q in questions if q.kind == TEXT])
    images = queries.writein_images(scope, ids, [q.code for q in questions if q.kind == TEXT])
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
        retro_people = queries.retro_people(
            scope, [c.id for c in infos if not c.is_comparison], tops)
        retro_people = guard.people(retro_people)
    return SurveyResults(survey, scope, min_n, infos, dict(respondents), results,
                         retro_people, primary, knowledge_results, pair, tuple(present))


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


@dataclass
class CollectionRow:
    info: CollectionInfo
    web: int
    paper: int

    @property
    def total(self) -> int:
        return self.web + self.paper

    @property
    def rate(self) -> float | None:
        """Responses against the expected group size (None when no size was given)."""
        size = self.info.expected_size
        return self.total / size if size else None


@dataclass
class Overview:
    rows: list[CollectionRow]
    review: int

    @property
    def schools(self) -> int:
        return len({r.info.school_id for r in self.rows})

    @property
    def groups(self) -> int:
        return len({r.info.group_id for r in self.rows})

    @property
    def web(self) -> int:
        return sum(r.web for r in self.rows)

    @property
    def paper(self) -> int:
        return sum(r.paper for r in self.rows)

    @property
    def rate(self) -> float | None:
        sized = [r for r in self.rows if r.info.expected_size]
        expected = sum(r.info.expected_size for r in sized)
        return sum(r.total for r in sized) / expected if expected else None

    def reached(self, audience: str) -> int:
        """People reached (groups that took part): per group, the most responses any one
        collection of that audience had, so before and after are not counted twice."""
        best: dict[int, int] = defaultdict(int)
        for r in self.rows:
            if r.info.audience == audience and not r.info.is_comparison:
                best[r.info.group_id] = max(best[r.info.group_id], r.total)
        return sum(best.values())

    @property
    def schools_reached(self) -> int:
        return len({r.info.school_id for r in self.rows
                    if r.total and not r.info.is_comparison})

    @property
    def sessions(self) -> int:
        """Survey sessions held: collections (not comparison) with at least one response."""
        return sum(1 for r in self.rows if r.total and not r.info.is_comparison)


def overview(scope: Scope, survey_id: int | None = None) -> Overview:
    infos = queries.collections(scope, survey_id)
    ids = [c.id for c in infos]
    counts = queries.response_counts(scope, ids)
    rows = [CollectionRow(c, counts.get((c.id, "web"), 0), counts.get((c.id, "paper"), 0))
            for c in infos]
    return Overview(rows, queries.review_count(scope, ids))


def _hidden_reason(n: int, min_n: int) -> str:
    if n < min_n:
        return f"fewer than {min_n} answers"
    return "hidden so that a smaller group cannot be worked out from other figures"


def _arm_figures(qr: QuestionResult, comparison: bool) -> dict:
    """One arm's figures for `question_figures`; suppressed figures are None with a reason."""
    first, last = ("then", "now") if qr.question.retrospective else qr.points
    rows = {r.phase: r for r in qr.rows if r.comparison == comparison}
    pc = qr.arm_paired(comparison)
    hidden = next((n for c, n in qr.paired_suppressed if c == comparison), None)
    change = qr.arm_change(comparison)
    mw = change.test if change is not None and change.design == "unpaired" else None
    test = pc.test if pc else None
    out: dict = {}
    reasons = []
    for key, phase in (("before", first), ("after", last)):
        row = rows.get(phase)
        out[f"n_{key}"] = row.dist.n if row else 0
        if row is not None and row.suppressed:
            reasons.append(f"{key}: {_hidden_reason(row.dist.n, qr.min_n)}")
    out["n_pairs"] = pc.n if pc else (hidden or 0)
    if hidden:
        reasons.append(f"pairs: {_hidden_reason(hidden, qr.min_n)}")
    for figure in ("top_box", "mean"):
        for key, phase in (("before", first), ("after", last)):
            row = rows.get(phase)
            shown = row is not None and not row.suppressed
            value = (row.dist.top_share if figure == "top_box" else row.dist.mean) \
                if shown else None
            out[f"{figure}_{key}"] = value
    out["wilcoxon_p"] = test.p if test else None
    out["rank_biserial"] = test.r if test else None
    out["mann_whitney_p"] = mw.p if mw else None
    out["mann_whitney_rank_biserial"] = mw.r if mw else None
    out["wilcoxon_method"] = test.method if test else None
    out["wilcoxon_changed_pairs"] = test.n_used if test else None
    out["mann_whitney_method"] = mw.method if mw else None
    out["headroom"] = None
    if pc and pc.headroom:
        out["headroom"] = {"room": pc.headroom, "rose": pc.improved_with_headroom,
                           "same": pc.same_with_headroom, "fell": pc.declined_with_headroom}
    out["suppressed"] = "; ".join(reasons) or None
    out["top_box_by_time_point"] = {p: share for p, share, _n in qr.top_trend(comparison)}
    return out


def question_figures(res: SurveyResults) -> list[dict]:
    """Per question, the figures scripts read (`survey-app results --json`): the same
    objects the page and the report are written from."""
    out = []
    for qr in res.questions:
        if qr.display not in ("rating", "options"):
            continue
        main = qr.main_test
        out.append({
            "code": qr.question.code,
            "text": qr.question.text,
            "retrospective": bool(qr.question.retrospective),
            "participants": _arm_figures(qr, False),
            "comparison": _arm_figures(qr, True) if res.has_comparison else None,
            "difference_in_change": qr.did.as_dict() if qr.did else None,
            "primary": qr.primary,
            "main_test": main[0] if main else None,
            "p": main[1] if main else None,
            "p_adjusted": qr.p_adjusted,
        })
    return out
