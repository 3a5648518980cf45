"""The counts behind a survey's results, from the tally when it can answer, else live.

Reading every answer of a big survey takes seconds (100,000 responses are close to a
million answer rows), and the answers of a group rarely change once its sessions are over.
So the counts are kept per group and survey (models.tally) under a signature: the group's
collections with their phase, arm and `revision`, how many responses each has and its
highest response id, and the columns counted. A page compares signatures (one GROUP BY
over the response table), rebuilds only the blocks that changed with the same SQL as the
live path, and adds up the stored counts in SQL.

Why the signature is enough: a new response changes its collection's count and highest
id; every other change to stored answers or pupil numbers raises `Collection.revision`
in the same transaction (`answers_changed`, called by the scan operations and erasure);
and the signature is always read before the data it labels, so a change that lands in
between leaves a signature that no longer matches (rebuilt on the next view), never a
stale block that looks fresh. Filters the tally cannot answer (source, dates) use the live
queries.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from forms.definition import THEN
from survey_app.extensions import db
from survey_app.models import TIME_POINTS, Collection, Response, TallyBlock, TallyCount
from survey_app.results import answer_queries, queries
from survey_app.results.queries import CollectionInfo, ResultsScope

log = logging.getLogger(__name__)

#: Groups rebuilt per round of queries (bounds the IN lists and the rows held at once).
REBUILD_CHUNK = 1000


@dataclass(frozen=True)
class Columns:
    """The answer columns one results page counts."""

    #: Distributions: every non-text, non-retrospective column.
    answers: tuple[str, ...]
    #: Rating items paired before/after by pupil number.
    pairs: tuple[str, ...]
    #: Retrospective items (their then/now columns are paired within one response).
    retro: tuple[str, ...]

    def digest(self) -> str:
        # "v2": blocks carry "total" rows (suppression.py); "v3": pairs of any two time
        # points, keyed by pair_key. Older blocks are rebuilt.
        text = "v3|" + "|".join(",".join(part) for part in (self.answers, self.pairs,
                                                             self.retro))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def pair_key(first: str, last: str) -> str:
    """How the tally names a pair of time points in its `phase` column (String(10)):
    their positions in TIME_POINTS, "1>3" for before and after."""
    return f"{TIME_POINTS.index(first) + 1}>{TIME_POINTS.index(last) + 1}"


def time_point_pairs(phases: Iterable[str]) -> list[tuple[str, str]]:
    """Every (earlier, later) pair of the time points among `phases`."""
    present = [p for p in TIME_POINTS if p in set(phases)]
    return [(a, b) for i, a in enumerate(present) for b in present[i + 1:]]


@dataclass
class Counts:
    """Counts summed over the collections in scope, in the shapes `analysis` reads."""

    #: (comparison, phase, column, value) -> answers
    answers: dict[tuple[bool, str, str, str], int]
    #: (comparison, column, first value, last value) -> pupils, for the chosen pair of time
    #: points (before and after by default)
    pairs: dict[tuple[bool, str, str, str], int]
    #: (comparison, question code, then value, now value) -> responses
    retro: dict[tuple[bool, str, str, str], int]
    #: collection id -> responses
    respondents: dict[int, int]


def counts(scope: ResultsScope, survey_id: int, infos: list[CollectionInfo], cols: Columns,
           *, use_tally: bool = True, pair: tuple[str, str] = ("before", "after")) -> Counts:
    """The survey's counts in scope: from the tally unless the scope filters by source or
    date (or the tally could not be brought up to date), else straight from the answers;
    pupils are paired between the two time points of `pair`."""
    if use_tally and not scope.response_filters() and infos:
        for attempt in (1, 2):
            try:
                return _from_tally(scope, survey_id, cols, pair)
            except (OperationalError, IntegrityError) as exc:
                # Another request rebuilt the same block, or SQLite's snapshot moved on
                # before this one could write: start again from fresh data, then go live.
                db.session.rollback()
                log.info("tally rebuild attempt %d failed: %s", attempt, exc)
    return live(scope, infos, cols, pair)


def live(scope: ResultsScope, infos: list[CollectionInfo], cols: Columns,
         pair: tuple[str, str] = ("before", "after")) -> Counts:
    """The counts straight from the answers (any filters)."""
    by_id = {c.id: c for c in infos}
    ids = list(by_id)
    answers: dict = defaultdict(int)
    answer_counts = answer_queries.answer_counts(scope, ids, list(cols.answers))
    for (cid, col, value), n in answer_counts.items():
        answers[(by_id[cid].is_comparison, by_id[cid].phase, col, value)] += n
    retro: dict = defaultdict(int)
    retro_counts = answer_queries.retro_counts(scope, ids, list(cols.retro))
    for (cid, code, then, now), n in retro_counts.items():
        retro[(by_id[cid].is_comparison, code, then, now)] += n
    pairs: dict = defaultdict(int)
    paired_counts = answer_queries.paired_counts(scope, ids, list(cols.pairs), *pair)
    for (_gid, cmp, col, bv, av), n in paired_counts.items():
        pairs[(cmp, col, bv, av)] += n
    return Counts(dict(answers), dict(pairs), dict(retro), answer_queries.respondents(scope, ids))


def answers_changed(*, response_ids: Iterable[int] = (),
                    collection_ids: Iterable[int] = ()) -> None:
    """Mark the collections of these responses as changed, in the caller's transaction:
    call it wherever stored answers or pupil numbers change other than by a new response
    (before deleting the responses, so they can still be found)."""
    response_ids, collection_ids = list(response_ids), set(collection_ids)
    if response_ids:
        collection_ids |= set(db.session.scalars(
            select(Response.collection_id).where(Response.id.in_(response_ids)).distinct()))
    if collection_ids:
        db.session.execute(update(Collection).where(Collection.id.in_(collection_ids))
                           .values(revision=Collection.revision + 1)
                           .execution_options(synchronize_session=False))


# --- the tally -------------------------------------------------------------------------


def _signatures(scope: ResultsScope, survey_id: int, cols: Columns
                ) -> tuple[dict[int, str], dict[int, list[tuple[int, str]]], dict[int, int]]:
    """(group id -> signature, group id -> its (collection, phase), collection id ->
    responses),
    read before any data. The rebuild takes its collections from here too, so a block
    never carries a signature for a collection its counts did not include."""
    stmt = (select(Collection.id, Collection.group_id, Collection.phase,
                   Collection.is_comparison, Collection.revision, func.count(Response.id),
                   func.max(Response.id))
            .outerjoin(Response, Response.collection_id == Collection.id)
            .where(Collection.id.in_(queries.collection_ids(scope, survey_id)))
            .group_by(Collection.id, Collection.group_id, Collection.phase,
                      Collection.is_comparison, Collection.revision)
            .order_by(Collection.id))
    parts: dict[int, list[str]] = defaultdict(list)
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    respondents = {}
    for cid, gid, phase, cmp, revision, n, top in db.session.execute(stmt):
        parts[gid].append(f"{cid}:{phase}:{int(cmp)}:{revision}:{n}:{top or 0}")
        members[gid].append((cid, phase))
        if n:
            respondents[cid] = n
    digest = cols.digest()
    signatures = {gid: digest + "|" + ";".join(p) for gid, p in parts.items()}
    return signatures, dict(members), respondents


def refresh(partnership_id: int, survey_id: int, cols: Columns) -> int:
    """Rebuild whatever is out of date in one survey's tally and commit; returns the
    blocks rebuilt. The worker calls this when idle, so the first page after a bulk
    import or a busy morning of answers does not pay for the rebuild."""
    try:
        rebuilt, _respondents = _sync(ResultsScope(partnership_id), survey_id, cols)
    except (OperationalError, IntegrityError) as exc:
        # SQLite: another process wrote first; whoever did has brought it up to date.
        db.session.rollback()
        log.info("tally refresh skipped: %s", exc)
        return 0
    return rebuilt


def _from_tally(scope: ResultsScope, survey_id: int, cols: Columns,
                pair: tuple[str, str]) -> Counts:
    _rebuilt, respondents = _sync(scope, survey_id, cols)
    # Every stored row belongs to a collection (ON DELETE CASCADE), so the blocks of a
    # survey hold exactly its groups' counts; a narrower scope picks its groups.
    groups = None
    if scope.school_id or scope.group_id:
        groups = select(Collection.group_id).where(
            Collection.id.in_(queries.collection_ids(scope, survey_id)))
    return Counts(
        _summed("answer", survey_id, groups, cols.answers, TallyCount.comparison,
                TallyCount.phase, TallyCount.question_code, TallyCount.value),
        _summed("pair", survey_id, groups, cols.pairs, TallyCount.comparison,
                TallyCount.question_code, TallyCount.value, TallyCount.value_after,
                phase=pair_key(*pair)),
        {(cmp, col.removesuffix(THEN), then, now): n for (cmp, col, then, now), n in
         _summed("retro", survey_id, groups, tuple(f"{c}{THEN}" for c in cols.retro),
                 TallyCount.comparison, TallyCount.question_code, TallyCount.value,
                 TallyCount.value_after).items()},
        respondents)


def _sync(scope: ResultsScope, survey_id: int, cols: Columns) -> tuple[int, dict[int, int]]:
    """Rebuild the stale blocks in scope; (blocks rebuilt, collection id -> responses)."""
    signatures, members, respondents = _signatures(scope, survey_id, cols)
    stored = dict(db.session.execute(
        select(TallyBlock.group_id, TallyBlock.signature)
        .where(TallyBlock.survey_id == survey_id)).all())
    stale = [g for g in sorted(signatures) if stored.get(g) != signatures[g]]
    locked = bool(stale) and _wait_for_other_rebuilds(survey_id)
    if locked:
        # Another server or worker may have rebuilt these blocks while this one waited:
        # read both again (signatures first, as always).
        signatures, members, respondents = _signatures(scope, survey_id, cols)
        stored = dict(db.session.execute(
            select(TallyBlock.group_id, TallyBlock.signature)
            .where(TallyBlock.survey_id == survey_id)).all())
        stale = [g for g in sorted(signatures) if stored.get(g) != signatures[g]]
    narrowed = bool(scope.school_id or scope.group_id)
    # Blocks of groups that no longer have this survey (none today: collections never
    # change group, and erasing one takes its rows) are dropped, never added up.
    gone = [] if narrowed else sorted(set(stored) - set(signatures))
    for start in range(0, len(stale), REBUILD_CHUNK):
        chunk = stale[start:start + REBUILD_CHUNK]
        _rebuild(scope.partnership_id, survey_id, {g: members[g] for g in chunk}, cols,
                 {g: signatures[g] for g in chunk})
    if gone:
        _drop(survey_id, gone)
    if stale or gone or locked:
        db.session.commit()  # (also ends the transaction that holds the lock)
    return len(stale), respondents


#: First key of the PostgreSQL advisory lock that serialises rebuilds of one survey's tally.
_LOCK_KEY = 0x7A11


def _wait_for_other_rebuilds(survey_id: int) -> bool:
    """PostgreSQL, several app servers and workers: take this survey's rebuild lock (held
    until the transaction ends) so that two processes never rebuild the same blocks at
    once, which would fail on the blocks' primary key. Returns whether it waited for one.
    SQLite has one writer at a time already."""
    if db.engine.dialect.name != "postgresql":
        return False
    db.session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY, survey_id)))
    return True


_COLUMNS = ["group_id", "survey_id", "kind", "collection_id", "comparison", "phase",
            "question_code", "value", "value_after", "n"]


def _rebuild(partnership_id: int, survey_id: int, members: dict[int, list[tuple[int, str]]],
             cols: Columns, signatures: dict[int, str]) -> None:
    """Replace these groups' blocks with counts from the answers (all of them: blocks hold
    no filters). The counts go straight from the live queries into the tally with
    INSERT ... SELECT, so both paths count alike and nothing passes through Python."""
    everything = ResultsScope(partnership_id)
    ids = [cid for cids in members.values() for cid, _phase in cids]
    phases = {phase for cids in members.values() for _cid, phase in cids}
    _drop(survey_id, list(signatures))
    db.session.execute(insert(TallyBlock), [
        {"group_id": gid, "survey_id": survey_id, "signature": sig}
        for gid, sig in signatures.items()])
    sid = literal(survey_id)
    if cols.answers:
        a = answer_queries.answer_counts_select(everything, ids, list(cols.answers)).subquery()
        _insert(select(Collection.group_id, sid, literal("answer"), a.c.collection_id,
                       Collection.is_comparison, Collection.phase, a.c.question_code,
                       a.c.value, null(), a.c.n)
                .select_from(a).join(Collection, Collection.id == a.c.collection_id))
    if cols.retro:
        r = answer_queries.retro_counts_select(everything, ids, list(cols.retro)).subquery()
        _insert(select(Collection.group_id, sid, literal("retro"), r.c.collection_id,
                       Collection.is_comparison, Collection.phase, r.c.question_code,
                       r.c.then, r.c.now, r.c.n)
                .select_from(r).join(Collection, Collection.id == r.c.collection_id))
    # Pairs of every two time points the groups have (one pair, before and after, for
    # most), so any two can be compared from the tally.
    for first, last in time_point_pairs(phases) if cols.pairs else ():
        p = answer_queries.paired_counts_select(everything, ids, list(cols.pairs), first,
                                                last).subquery()
        # A pair's rows hang on the group's first collection of the earlier time point
        # (erased with it).
        anchor = (select(Collection.group_id.label("gid"), func.min(Collection.id).label("cid"))
                  .where(Collection.id.in_(ids), Collection.phase == first)
                  .group_by(Collection.group_id).subquery())
        _insert(select(p.c.gid, sid, literal("pair"), anchor.c.cid, p.c.cmp,
                       literal(pair_key(first, last)), p.c.question_code, p.c.before,
                       p.c.after, p.c.n)
                .select_from(p).join(anchor, anchor.c.gid == p.c.gid)
                .where(p.c.responses == 2))
    # Answers per collection and column whatever their value ("total", the counted kind in
    # `value`): small-number suppression reads these per group, a tenth of the rows.
    _insert(select(TallyCount.group_id, TallyCount.survey_id, literal("total"),
                   TallyCount.collection_id, TallyCount.comparison, TallyCount.phase,
                   TallyCount.question_code, TallyCount.kind, null(), func.sum(TallyCount.n))
            .where(TallyCount.survey_id == survey_id, TallyCount.group_id.in_(list(members)),
                   TallyCount.kind != "total")
            .group_by(TallyCount.group_id, TallyCount.survey_id, TallyCount.collection_id,
                      TallyCount.comparison, TallyCount.phase, TallyCount.question_code,
                      TallyCount.kind))


def _insert(rows) -> None:
    db.session.execute(insert(TallyCount).from_select(_COLUMNS, rows))


def _drop(survey_id: int, gids: list[int]) -> None:
    # Counts first: the foreign key's cascade would remove them too, but only where
    # foreign keys are enforced (SQLite needs PRAGMA foreign_keys, which this app sets).
    db.session.execute(delete(TallyCount).where(TallyCount.survey_id == survey_id,
                                                TallyCount.group_id.in_(gids)))
    db.session.execute(delete(TallyBlock).where(TallyBlock.survey_id == survey_id,
                                                TallyBlock.group_id.in_(gids)))


def _summed(kind: str, survey_id: int, groups, columns: tuple[str, ...], *keys,
            phase: str | None = None) -> dict:
    """Stored counts of one kind added up in SQL by `keys` (groups: None for all; phase:
    only rows with this phase, a pair_key for pairs)."""
    if not columns:
        return {}
    stmt = (select(*keys, func.sum(TallyCount.n))
            .where(TallyCount.survey_id == survey_id, TallyCount.kind == kind,
                   TallyCount.question_code.in_(columns))
            .group_by(*keys))
    if phase is not None:
        stmt = stmt.where(TallyCount.phase == phase)
    if groups is not None:
        stmt = stmt.where(TallyCount.group_id.in_(groups))
    return {tuple(key): int(n) for *key, n in db.session.execute(stmt)}
