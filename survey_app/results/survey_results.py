"""What one survey's results are: a bar per phase and arm (Row), a change between two time
points (Change), a question's figures and tests (QuestionResult) and the survey's
(SurveyResults). analysis.py computes them; the dashboard, the CSV, the report and the
plan's outcomes read them, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.definition import Question
from survey_app.models import TIME_POINTS, Survey
from survey_app.results import scores
from survey_app.results.difference_in_change import DiffInChange, share_change_interval
from survey_app.results.paired import PairedChange
from survey_app.results.queries import CollectionInfo, ResultsScope
from survey_app.results.stats import Distribution, TestResult, points_change

#: The two time points compared when the results say nothing else.
DEFAULT_POINTS = ("before", "after")


@dataclass
class Row:
    """One bar: a phase of one arm (the groups that took part, or the comparison groups)."""

    phase: str
    comparison: bool
    dist: Distribution
    suppressed: bool
    label: str = ""
    #: Why a row is hidden when it is not simply too few, in words and as a code
    #: (suppression.PROTECTS, SPLITS...; see suppression.py).
    why: str = ""
    why_code: str = ""


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
    scope: ResultsScope
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
    #: Time point -> pupil numbers given twice (or more) in one class there: their
    #: answers are left out of the pairs, and the page and report say how many.
    reused_numbers: dict[str, int] = field(default_factory=dict)

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
