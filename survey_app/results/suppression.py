"""Small-number suppression that survives subtraction (secondary suppression).

Hiding a figure for fewer than `k` people is not enough when other figures can be
subtracted: the all-schools table minus every other school's table gives back the small
school. So every figure this app shows is a sum over whole **blocks**, and every block
holds at least `k` answers (or none). Subtracting shown figures can then only ever give
back sums of whole blocks, never fewer than `k` people. How the blocks are made, per figure
(one arm, phase and question; the pairs of one question; its written answers):

1. The partnership's answers form a tree: partnership -> school -> pupil group.
2. At each shown node, children with 1 to k-1 answers are hidden (primary suppression).
   If the hidden children add up to fewer than `k` (one hidden school, or two tiny ones),
   the smallest other child is hidden too, and so on until they reach `k` (secondary
   suppression). A hidden node hides everything under it.
3. A block is what a shown node holds beyond its shown children: the node itself for a
   shown group, the hidden children together otherwise (at least `k` by step 2).
4. A page filtered by school or group shows a figure only if that node is shown. Source
   and date filters cut across groups, so a filtered figure is shown only if the filter
   keeps each block whole or leaves it out entirely: otherwise the unfiltered figure minus
   the filtered one would give back the part left out. (One exception: a block whose phone
   and paper answers are each at least `k` may be shown by source.)

The same rule runs wherever figures come from (`analysis.build`): the results page under
any filter, the tables CSV, the report for one school or all, and the command line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from survey_app.extensions import db
from survey_app.models import TallyCount
from survey_app.results import answer_queries, queries, tally
from survey_app.results.queries import CollectionInfo, ResultsScope

#: Why a figure is hidden, as codes (`reason_words` says them; the page, the CSV and the
#: report say so in the reader's language).
TOO_FEW = "too_few"
PROTECTS = "protects"
SPLITS = "splits"

ROOT = ("all", 0)


def reason_words(reason: str, k: int) -> str:
    """Why a figure is hidden (`reason`: TOO_FEW, PROTECTS or SPLITS), in words."""
    if reason == PROTECTS:
        return gettext("hidden so that a smaller group's answers cannot be worked out by "
                       "subtraction from other figures")
    if reason == SPLITS:
        return gettext("hidden: this filter splits a group's answers, and the part left out "
                       "could be worked out by subtraction")
    return gettext("too few to show (fewer than %(k)s)", k=k)


def method_note() -> str:
    """The rule in words, for the report's method note."""
    return gettext(
        "Figures that could be worked out by subtraction are hidden too (secondary "
        "suppression, as official statistics do): if a school or group is hidden, the "
        "smallest other one beside it is hidden as well, so that the total minus the figures "
        "shown never gives back fewer people than the limit, and a filter that would split a "
        "group's answers hides the figure. A school's report can therefore hide a figure that "
        "the partnership's report shows.")


#: A figure: (kind, comparison arm, phase, question code). Kinds: "answer" (one phase's
#: answers to a column), "retro" (then/now pairs of a retrospective item), "pair" (the
#: same pupils at two time points; its phase is tally.pair_key), "text" (written answers,
#: both arms), "people" (people answering the retrospective items, for the report's
#: per-person figure).
Key = tuple[str, bool, str, str]
Node = tuple[str, int]


@dataclass
class Plan:
    """One figure's tree decided: which nodes are hidden (and why), and each group's block."""

    hidden: dict[Node, str] = field(default_factory=dict)
    block: dict[int, Node] = field(default_factory=dict)


def split(children: dict, k: int) -> dict:
    """Children of one shown node to hide, with why: those with 1..k-1 answers, then the
    smallest others until the hidden ones add up to at least k."""
    hidden = {c: TOO_FEW for c, n in children.items() if 0 < n < k}
    rest = sorted((n, c) for c, n in children.items() if n >= k)
    while hidden and sum(children[c] for c in hidden) < k and rest:
        _n, c = rest.pop(0)
        hidden[c] = PROTECTS
    return hidden


def plan(counts: dict[int, int], schools: dict[int, list[int]], k: int,
         only: set[int] | None = None) -> Plan:
    """Decide the tree for one figure from its answers per group (`schools`: school id ->
    its group ids); `only`: the shown schools whose groups a view needs (None: all)."""
    out = Plan()
    per_school = {s: sum(counts.get(g, 0) for g in gs) for s, gs in schools.items()}
    total = sum(per_school.values())

    def hide_under(school: int, why: str) -> None:
        out.hidden[("school", school)] = why
        for g in schools[school]:
            n = counts.get(g, 0)
            out.hidden[("group", g)] = TOO_FEW if 0 < n < k else why
            out.block[g] = ROOT

    if 0 < total < k:
        out.hidden[ROOT] = TOO_FEW
        for s in schools:
            hide_under(s, TOO_FEW)
        return out
    hidden_schools = split(per_school, k)
    for s, gs in schools.items():
        if s in hidden_schools:
            hide_under(s, hidden_schools[s])
            continue
        if only is not None and s not in only:
            continue
        hidden_groups = split({g: counts.get(g, 0) for g in gs}, k)
        for g in gs:
            if g in hidden_groups:
                out.hidden[("group", g)] = hidden_groups[g]
                out.block[g] = ("school", s)
            else:
                out.block[g] = ("group", g)
    return out


@dataclass
class Guard:
    """The suppression decisions for one results view: build it once per `analysis.build`,
    then `apply` it to each question."""

    k: int
    #: Key -> why it is hidden in this view; keys absent are shown.
    hidden: dict[Key, str] = field(default_factory=dict)

    @classmethod
    def off(cls, k: int = 1) -> Guard:
        return cls(k)

    def why(self, key: Key) -> str:
        """Why the figure `key` is hidden in this view, in words ("" when it is shown)."""
        reason = self.hidden.get(key)
        return reason_words(reason, self.k) if reason else ""

    def reason(self, key: Key) -> str:
        """Why the figure `key` is hidden, as a code (TOO_FEW...; "" when it is shown)."""
        return self.hidden.get(key, "")

    def apply(self, qr) -> None:
        """Hide what this view may not show of one question (a survey_results.QuestionResult):
        rows, the changes and tests built on them, pairs, written answers."""
        code = qr.question.code
        retro = qr.question.retrospective
        for row in qr.rows:
            key = (("retro", row.comparison, "", code) if retro
                   else ("answer", row.comparison, row.phase, code))
            why = self.why(key)
            if why and not row.suppressed:
                row.suppressed = True
                row.why = why
                row.why_code = self.reason(key)
        hidden_rows = {(r.comparison, r.phase) for r in qr.rows if r.suppressed}
        first, last = ("then", "now") if retro else qr.points
        qr.changes[:] = [c for c in qr.changes
                         if not {(c.comparison, first), (c.comparison, last)} & hidden_rows]
        kept = []
        for cmp, pc in qr.paired:
            if self.why(("retro", cmp, "", code) if retro
                        else ("pair", cmp, tally.pair_key(*qr.points), code)):
                qr.paired_suppressed.append((cmp, pc.n))
            else:
                kept.append((cmp, pc))
        qr.paired[:] = kept
        if self.why(("text", False, "", code)):
            qr.texts_suppressed = True
            qr.texts, qr.images = [], []

    def people(self, figure: tuple[int, int]) -> tuple[int, int]:
        """The report's per-person retrospective figure, or nothing when hidden."""
        return (0, 0) if self.why(("people", False, "", "*")) else figure


def build(survey_id: int, scope: ResultsScope, k: int, infos: list[CollectionInfo], cols,
          text_columns: Iterable[str] = (), *, use_tally: bool = True,
          extra: Callable[[ResultsScope, list[CollectionInfo]], Counts] | None = None,
          pair: tuple[str, str] = ("before", "after")) -> Guard:
    """The decisions for a view (`infos`: its collections; `cols`: tally.Columns; `pair`:
    the two time points whose pupils are paired). `extra` gives more figures' counts per
    group for a scope (the knowledge scores: results.scores.group_counts), decided by the
    same rule."""
    if k <= 1:
        return Guard.off(k)
    everything = ResultsScope(scope.partnership_id, timezone=scope.timezone)
    all_infos = queries.collections(everything, survey_id)
    text_columns = list(text_columns)
    full = None
    if use_tally:
        try:
            full = _from_tally(scope.partnership_id, survey_id, cols, all_infos)
        except (OperationalError, IntegrityError):
            # Another request was rebuilding the same blocks: count live, as tally.counts does.
            db.session.rollback()
    if full is None:
        full = _live(everything, all_infos, cols, pair)
    full.update(_texts(everything, all_infos, text_columns))
    _add_people(full, cols)
    if extra is not None:
        full.update(extra(everything, all_infos))
    filtered = by_source = None
    if scope.response_filters() and infos:
        filtered = _counts(scope, infos, cols, text_columns, extra, pair)
        by_source = filtered
        if scope.source and (scope.date_from or scope.date_to):
            by_source = _counts(replace(scope, date_from=None, date_to=None), infos, cols,
                                text_columns, extra, pair)
    schools: dict[int, list[int]] = defaultdict(list)
    for c in all_infos:
        if c.group_id not in schools[c.school_id]:
            schools[c.school_id].append(c.group_id)
    view = _node(scope)
    view_groups = {c.group_id for c in infos}
    # The schools whose groups this view needs decided (the partnership's view needs none).
    needed = {c.school_id for c in infos} if view != ROOT or filtered is not None else set()
    guard = Guard(k)
    for key in set(full) | set(filtered or {}):
        p = plan(full.get(key, {}), schools, k, needed)
        if view in p.hidden:
            guard.hidden[key] = p.hidden[view]
        elif filtered is not None and _cuts(p, k, full.get(key, {}), filtered.get(key, {}),
                                            (by_source or {}).get(key, {}) if scope.source
                                            else None, view_groups):
            guard.hidden[key] = SPLITS
    return guard


def _node(scope: ResultsScope) -> Node:
    if scope.group_id:
        return ("group", scope.group_id)
    if scope.school_id:
        return ("school", scope.school_id)
    return ROOT


def _cuts(p: Plan, k: int, full: dict[int, int], part: dict[int, int],
          source: dict[int, int] | None, groups: set[int]) -> bool:
    """Whether a source or date filter keeps part of a block and leaves out the rest.

    Filters only ever remove answers, so keeping as many answers as the block has means
    keeping the block itself. One exception: a block whose phone and paper answers are
    both at least `k` may be split by source (`source`: the chosen source's answers per
    group, without any date filter), since a source has only two sides."""
    whole: dict[Node, int] = defaultdict(int)
    kept: dict[Node, int] = defaultdict(int)
    side: dict[Node, int] = defaultdict(int)
    for g in groups:
        b = p.block.get(g, ("group", g))
        whole[b] += full.get(g, 0)
        kept[b] += part.get(g, 0)
        if source is not None:
            side[b] += source.get(g, 0)
    for b, n in whole.items():
        allowed = {0, n}
        if source is not None and side[b] >= k and n - side[b] >= k:
            allowed.add(side[b])
        if kept[b] not in allowed:
            return True
    return False


Counts = dict[Key, dict[int, int]]


def _add(out: Counts, key: Key, gid: int, n: int) -> None:
    out.setdefault(key, {})
    out[key][gid] = out[key].get(gid, 0) + int(n)


def _add_people(out: Counts, cols) -> None:
    """People answering retrospective items, per group: at least the most answering any
    one of them (a lower bound keeps the rule on the safe side)."""
    people: dict[int, int] = {}
    for code in cols.retro:
        for gid, n in out.get(("retro", False, "", code), {}).items():
            people[gid] = max(people.get(gid, 0), n)
    if people:
        out[("people", False, "", "*")] = people


def _from_tally(partnership_id: int, survey_id: int, cols, infos) -> Counts:
    """Answers per group and figure for the whole partnership, from the results tally
    (brought up to date first, as the pages do)."""
    out: Counts = {}
    if not infos:
        return out
    tally.refresh(partnership_id, survey_id, cols)
    codes = [*cols.answers, *cols.pairs, *(f"{c}_then" for c in cols.retro)]
    if not codes:
        return out
    stmt = (select(TallyCount.group_id, TallyCount.value, TallyCount.comparison,
                   TallyCount.phase, TallyCount.question_code, func.sum(TallyCount.n))
            .where(TallyCount.survey_id == survey_id, TallyCount.kind == "total",
                   TallyCount.question_code.in_(codes))
            .group_by(TallyCount.group_id, TallyCount.value, TallyCount.comparison,
                      TallyCount.phase, TallyCount.question_code))
    for gid, kind, cmp, phase, code, n in db.session.execute(stmt):
        if kind == "answer":
            _add(out, ("answer", bool(cmp), phase, code), gid, n)
        elif kind == "pair":
            _add(out, ("pair", bool(cmp), phase, code), gid, n)
        elif kind == "retro":
            _add(out, ("retro", bool(cmp), "", code.removesuffix("_then")), gid, n)
    return out


def _live(scope: ResultsScope, infos: list[CollectionInfo], cols,
          pair: tuple[str, str] = ("before", "after")) -> Counts:
    """The same per-group counts straight from the answers, under the scope's filters."""
    by_id = {c.id: c for c in infos}
    ids = list(by_id)
    out: Counts = {}
    for (cid, col, _v), n in answer_queries.answer_counts(scope, ids, list(cols.answers)).items():
        c = by_id[cid]
        _add(out, ("answer", c.is_comparison, c.phase, col), c.group_id, n)
    for (cid, code, _t, _n), n in answer_queries.retro_counts(scope, ids, list(cols.retro)).items():
        c = by_id[cid]
        _add(out, ("retro", c.is_comparison, "", code), c.group_id, n)
    paired_counts = answer_queries.paired_counts(scope, ids, list(cols.pairs), *pair)
    for (gid, cmp, col, _b, _a), n in paired_counts.items():
        _add(out, ("pair", cmp, tally.pair_key(*pair), col), gid, n)
    return out


def _counts(scope: ResultsScope, infos: list[CollectionInfo], cols, text_columns: list[str],
            extra=None, pair: tuple[str, str] = ("before", "after")) -> Counts:
    out = _live(scope, infos, cols, pair)
    out.update(_texts(scope, infos, text_columns))
    _add_people(out, cols)
    if extra is not None:
        out.update(extra(scope, infos))
    return out


def _texts(scope: ResultsScope, infos: list[CollectionInfo], columns: list[str]) -> Counts:
    by_id = {c.id: c for c in infos}
    out: Counts = {}
    for (cid, col), n in answer_queries.text_counts(scope, list(by_id), columns).items():
        _add(out, ("text", False, "", col), by_id[cid].group_id, n)
    return out
