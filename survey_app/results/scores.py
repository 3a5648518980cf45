"""Knowledge scores in the results: how many knowledge checks each pupil got right
(forms.scoring, the rule the export uses too), their distribution before and after, the
change in the mean, and "the number and percentage of pupils who can do more" (pupils
paired by their number who got more right after than before), with the paired Wilcoxon
signed-rank test of `stats` (R's conventions).

A score needs every knowledge answer of a response at once, so it is computed per response
here (one query over the knowledge checks' answers), not from the results tally. Its
figures go through the same small-number suppression as every other figure: the counts
per group feed `suppression.build` as the figures ("score", arm, phase, "*") and
("scorepair", arm, "", "*").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import and_, case, func, or_, select

from forms.scoring import right_values
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response, Survey
from survey_app.results import queries
from survey_app.results.paired import PairedChange, paired_change
from survey_app.results.queries import CollectionInfo, ResultsScope
from survey_app.results.stat_words import judgement, test_words
from survey_app.results.stats import Distribution, TestResult, distribution, mann_whitney

#: The phases compared when no other pair is asked for (results follow the page's pair).
FIRST, LAST = "before", "after"
ANSWER, PAIR = "score", "scorepair"


class Scored(NamedTuple):
    """One response's score, with where it belongs (a tuple: there are many)."""

    collection_id: int
    pupil_number: int | None
    right: int


@dataclass
class ScoreRow:
    """The scores of one arm in one phase."""

    phase: str
    comparison: bool
    dist: Distribution
    suppressed: bool = False
    why: str = ""


@dataclass
class ScoreResults:
    """Everything the results page, the report and `results --json` say about scores."""

    #: The most knowledge checks any version of the survey has.
    score_max: int
    min_n: int
    rows: list[ScoreRow] = field(default_factory=list)
    #: (comparison?, the same pupils' scores before and after) for arms that may be shown
    paired: list[tuple[bool, PairedChange]] = field(default_factory=list)
    #: (comparison?, pairs) for arms whose pairs are hidden
    paired_suppressed: list[tuple[bool, int]] = field(default_factory=list)
    #: (comparison?, Mann-Whitney of everyone before against everyone after)
    unpaired: list[tuple[bool, TestResult]] = field(default_factory=list)
    #: The paired test's p adjusted (Holm) with the survey's exploratory findings.
    p_adjusted: float | None = None
    #: The two time points compared, as for the questions (analysis.choose_points).
    points: tuple[str, str] = (FIRST, LAST)

    @property
    def main_p(self) -> float | None:
        """p of the paired test of the pupils who took part (the score's finding)."""
        pc = self.arm_paired(False)
        return pc.test.p if pc is not None else None

    def row(self, phase: str, comparison: bool = False) -> ScoreRow | None:
        return next((r for r in self.rows if r.phase == phase and r.comparison == comparison),
                    None)

    def shown(self, phase: str, comparison: bool = False) -> Distribution | None:
        r = self.row(phase, comparison)
        return r.dist if r is not None and not r.suppressed else None

    def arm_paired(self, comparison: bool = False) -> PairedChange | None:
        return next((pc for c, pc in self.paired if c == comparison), None)

    def mean_change(self, comparison: bool = False) -> float | None:
        """Mean score after minus mean score before (everyone who answered, both shown)."""
        b, a = self.shown(self.points[0], comparison), self.shown(self.points[1], comparison)
        if b is None or a is None or b.mean is None or a.mean is None:
            return None
        return a.mean - b.mean

    def can_do_more(self, comparison: bool = False) -> tuple[int, int] | None:
        """(pupils who got more right after than before, pairs), or None when hidden."""
        pc = self.arm_paired(comparison)
        return (pc.improved, pc.n) if pc is not None else None

    def figures(self, has_comparison: bool) -> dict:
        """The numbers scripts read (`survey-app results --json`)."""
        def arm(cmp: bool) -> dict:
            pc = self.arm_paired(cmp)
            out: dict = {"score_max": self.score_max}
            for key, phase in zip(("before", "after"), self.points, strict=True):
                r, d = self.row(phase, cmp), self.shown(phase, cmp)
                out[f"n_{key}"] = r.dist.n if r else 0
                out[f"mean_{key}"] = d.mean if d else None
                out[f"distribution_{key}"] = list(d.counts) if d else None
            out["mean_change"] = self.mean_change(cmp)
            out["n_pairs"] = pc.n if pc else next((n for c, n in self.paired_suppressed
                                                   if c == cmp), 0)
            out["can_do_more"] = pc.improved if pc else None
            out["can_do_more_share"] = pc.share(pc.improved) if pc else None
            out["same"] = pc.same if pc else None
            out["fewer"] = pc.declined if pc else None
            out["paired_mean_change"] = pc.mean_change if pc else None
            out["wilcoxon_p"] = pc.test.p if pc else None
            out["rank_biserial"] = pc.test.r if pc else None
            out["wilcoxon_method"] = pc.test.method if pc else None
            out["p_adjusted"] = self.p_adjusted if pc and not cmp else None
            return out

        return {"participants": arm(False),
                "comparison": arm(True) if has_comparison else None}


def knowledge_codes(survey: Survey) -> list[str]:
    """The knowledge checks' question codes in any version of the survey."""
    codes: list[str] = []
    for version in queries.versions(survey.id):
        codes += [q.code for q in version.definition.knowledge_questions if q.code not in codes]
    return codes


def scored(scope: ResultsScope, ids: list[int], codes: list[str],
           definitions: dict[int, object], memo: dict | None = None) -> list[Scored]:
    """Each response's score in the collections `ids` (scope's source and date filters
    applied), counted in SQL: one row per response that answered a knowledge check, its
    right answers summed with `forms.scoring.right_values` (the rule the export applies
    per response). Responses with a knowledge answer waiting for review are left out, as
    the export leaves their score blank. `memo` (one per results view) lets the
    suppression counts and the figures share a pass when their scopes are the same."""
    if not ids or not codes:
        return []
    key = (scope, tuple(ids), tuple(codes), tuple(sorted(definitions)))
    memo = {} if memo is None else memo
    if key in memo:
        return memo[key]
    stmt = _score_select(codes, definitions)
    rows = (select(Response.collection_id, Response.pupil_number, stmt.c.k, stmt.c.unsure)
            .join(stmt, stmt.c.rid == Response.id)
            .where(Response.collection_id.in_(ids), *scope.response_filters()))
    out = [Scored(cid, pupil, int(k)) for cid, pupil, k, unsure in db.session.execute(rows)
           if not unsure]
    memo[key] = out
    return out


def _score_select(codes: list[str], definitions: dict[int, object]):
    """Per response (rid): right answers (k) and answers waiting for review (unsure), over
    the knowledge checks' answers. Where every version agrees on each code's right answers
    (the usual case) the answers alone decide, grouped by response (the fast path: no
    join before grouping); otherwise the answer's survey version is looked up too."""
    agreed: dict[str, frozenset[str]] = {}
    consistent = True
    for d in definitions.values():
        for q in d.questions:
            if q.code in codes and agreed.setdefault(q.code, right_values(q)) != \
                    right_values(q):
                consistent = False
    stmt = select(Answer.response_id.label("rid"))
    if consistent:
        right = or_(*[and_(Answer.question_code == code, Answer.value.in_(sorted(values)))
                      for code, values in agreed.items() if values])
    else:
        right = or_(*[and_(Collection.survey_version_id == vid, Answer.question_code == q.code,
                           Answer.value.in_(sorted(right_values(q))))
                      for vid, d in definitions.items() for q in d.knowledge_questions])
        stmt = (stmt.join(Response, Response.id == Answer.response_id)
                .join(Collection, Collection.id == Response.collection_id))
    return (stmt.add_columns(func.sum(case((right, 1), else_=0)).label("k"),
                             func.sum(case((Answer.status != "ok", 1), else_=0))
                             .label("unsure"))
            .where(Answer.question_code.in_(codes))
            .group_by(Answer.response_id).subquery("scores"))


def _pairs(rows: list[Scored], by_id: dict[int, CollectionInfo],
           points: tuple[str, str] = (FIRST, LAST)) -> dict[tuple[bool, int], Counter]:
    """(comparison?, group id) -> Counter of (score at the first point, at the last) over
    pupils with exactly one scored response at each of the two `points` in their group (a
    number used twice at a point is ambiguous and left out, as for the questions' pairs)."""
    first, last = points
    where = {cid: (c.group_id, c.is_comparison, c.phase) for cid, c in by_id.items()}
    phases: dict[str, dict[tuple, int | None]] = {first: {}, last: {}}
    for cid, pupil, right in rows:
        gid, cmp, phase = where[cid]
        seen = phases.get(phase)
        if pupil is None or seen is None:
            continue
        key = (gid, cmp, pupil)
        seen[key] = None if key in seen else right  # None: ambiguous
    out: dict[tuple[bool, int], Counter] = defaultdict(Counter)
    after = phases[last]
    for (gid, cmp, pupil), b in phases[first].items():
        a = after.get((gid, cmp, pupil))
        if b is not None and a is not None:
            out[(cmp, gid)][(str(b), str(a))] += 1
    return out


def group_counts(scope: ResultsScope, infos: list[CollectionInfo], survey: Survey,
                 memo: dict | None = None, points: tuple[str, str] = (FIRST, LAST)
                 ) -> dict[tuple, dict[int, int]]:
    """Scores per group and figure, for `suppression.build` (its `extra` counts)."""
    codes = knowledge_codes(survey)
    if not codes:
        return {}
    rows = scored(scope, [c.id for c in infos], codes, definitions_by_version(survey), memo)
    by_id = {c.id: c for c in infos}
    out: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for s in rows:
        c = by_id[s.collection_id]
        out[(ANSWER, c.is_comparison, c.phase, "*")][c.group_id] += 1
    for (cmp, gid), pairs in _pairs(rows, by_id, points).items():
        out[(PAIR, cmp, "", "*")][gid] += sum(pairs.values())
    return {k: dict(v) for k, v in out.items()}


def definitions_by_version(survey: Survey) -> dict[int, object]:
    """Each version id of `survey` -> its definition (the scores and their tests read
    answers against the version they were given in)."""
    return {v.id: v.definition for v in queries.versions(survey.id)}


def build(survey: Survey, scope: ResultsScope, infos: list[CollectionInfo], min_n: int,
          guard, memo: dict | None = None, points: tuple[str, str] = (FIRST, LAST)
          ) -> ScoreResults | None:
    """The score figures of one results view, or None when the survey has no knowledge
    checks. `guard` is the view's `suppression.Guard` (built with `group_counts`)."""
    codes = knowledge_codes(survey)
    if not codes:
        return None
    definitions = definitions_by_version(survey)
    top = max(len(d.knowledge_questions) for d in definitions.values())
    values = [str(k) for k in range(top + 1)]
    by_id = {c.id: c for c in infos}
    rows = scored(scope, list(by_id), codes, definitions, memo)
    per: dict[tuple[bool, str], Counter] = defaultdict(Counter)
    for s in rows:
        c = by_id[s.collection_id]
        per[(c.is_comparison, c.phase)][str(s.right)] += 1
    out = ScoreResults(top, min_n, points=points)
    for (cmp, phase), counter in sorted(per.items(), key=lambda kv: (kv[0][0], _order(kv[0][1]))):
        dist = distribution(counter, values, numeric=True)
        why = guard.why((ANSWER, cmp, phase, "*"))
        small = dist.n < min_n
        out.rows.append(ScoreRow(phase, cmp, dist, small or bool(why),
                                 gettext("fewer than %(n)s pupils", n=min_n) if small else why))
    pairs: dict[bool, Counter] = defaultdict(Counter)
    for (cmp, _gid), counter in _pairs(rows, by_id, points).items():
        pairs[cmp].update(counter)
    for cmp, counter in sorted(pairs.items()):
        pc = paired_change(counter, values, "Wilcoxon signed-rank")
        if pc.n < min_n or guard.why((PAIR, cmp, "", "*")):
            out.paired_suppressed.append((cmp, pc.n))
        else:
            out.paired.append((cmp, pc))
    for cmp in (False, True):
        b, a = out.shown(points[0], cmp), out.shown(points[1], cmp)
        if b is not None and a is not None:
            out.unpaired.append((cmp, mann_whitney(b, a)))
    return out


def _order(phase: str) -> int:
    order = ("before", "during", "after", "follow-up", "once")
    return order.index(phase) if phase in order else len(order)


def sentence(res: ScoreResults, people: str | None = None) -> str | None:
    """The report's line on knowledge scores, in words, or None when nothing is shown
    (`people`: who answered, in words; pupils unless said)."""
    people = people or gettext("pupils")
    pc = res.arm_paired(False)
    change = res.mean_change(False)
    parts = []
    b, a = res.shown(res.points[0]), res.shown(res.points[1])
    if change is not None:
        parts.append(gettext("The mean knowledge score went from %(before)s to %(after)s out "
                             "of %(max)s (%(n_before)s %(people)s before, %(n_after)s after).",
                             before=f"{b.mean:.1f}", after=f"{a.mean:.1f}", max=res.score_max,
                             n_before=b.n, people=people, n_after=a.n))
    if pc is not None:
        share = pc.share(pc.improved) or 0
        words = gettext("%(improved)s of the %(n)s %(people)s who answered both times "
                        "(%(pct)s%%) can do more: they got more questions right after than "
                        "before", improved=pc.improved, n=pc.n, people=people,
                        pct=round(100 * share))
        if pc.test.p is not None:
            test = dict(test=test_words("Wilcoxon signed-rank"), p=f"{pc.test.p:.3g}",
                        r=f"{pc.test.r:.2f}")
            words += (" " + gettext("(%(test)s p = %(p)s, r = %(r)s; Holm-adjusted p = "
                                    "%(p_adjusted)s: %(judgement)s)", **test,
                                    p_adjusted=f"{res.p_adjusted:.3g}",
                                    judgement=judgement(res.p_adjusted))
                      if res.p_adjusted is not None else
                      " " + gettext("(%(test)s p = %(p)s, r = %(r)s)", **test))
        parts.append(words + ".")
    return " ".join(parts) or None


__all__ = ["ScoreResults", "ScoreRow", "build", "group_counts", "knowledge_codes", "sentence"]
