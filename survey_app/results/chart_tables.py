"""The tables behind every chart, as rows for the CSV download (the page shows the same
figures beside each chart). The columns naming a table, arm, phase, test or effect size hold
codes, the same in every language; the words (categories, why a figure is hidden, a test in
words) are in the reader's language."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext

from survey_app.results.suppression import PROTECTS, TOO_FEW, reason_words
from survey_app.results.survey_results import SurveyResults

#: One statistic per column (tidy: each line is one figure's observation; a column that
#: does not apply to a line's table is blank). `suppressed` says why a line has no figures.
HEADER = [
    "table", "question_code", "question", "arm", "phase", "category",
    "n", "count", "percent", "top_box_percent", "mean",
    "n_before", "n_after", "top_box_before", "top_box_after", "change_points",
    "n_pairs", "improved", "same", "declined", "room_to_improve", "improved_with_room",
    "improved_with_room_percent",
    "test", "rank_biserial_r", "p", "effect_size", "in_words", "suppressed", "text",
]



#: A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (pupils'
    written answers and survey wording are not trusted)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _arm(comparison: bool) -> str:
    return "comparison" if comparison else "participant"


def _pct(part: int, whole: int | None) -> str:
    return f"{part / whole * 100:.1f}" if whole else ""


def _share(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def _num(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _line(table: str, qr, **cells) -> list:
    """One CSV line: the named cells in HEADER order, the rest blank."""
    cells.update(table=table, question_code=qr.question.code, question=qr.question.text)
    unknown = set(cells) - set(HEADER)
    assert not unknown, unknown
    return ["" if cells.get(h) is None else cells[h] for h in HEADER]


def _test_cells(test) -> dict:
    if test is None:
        return {}
    return {"test": test.test, "rank_biserial_r": _num(test.r, 3), "p": _num(test.p, 4),
            "effect_size": test.band or "", "in_words": test.sentence}


def _why(qr, why: str = "") -> str:
    return why or reason_words(TOO_FEW, qr.min_n)


def _top_box(qr) -> str:
    return gettext("top box: %(label)s", label=qr.top_label)


def chart_tables(res: SurveyResults, only: str | None = None) -> Iterator[list]:
    """Header, then one line per figure: distributions, summaries (top box, mean), changes
    with their test, paired changes with theirs, and written answers. Suppressed lines keep
    their n and say why in `suppressed`, with no figures."""
    yield HEADER
    if res.knowledge is not None and only in (None, SCORE_CODE):
        yield from _score_lines(res)
    for qr in res.questions:
        if only and qr.question.code != only:
            continue
        yield from _question_lines(qr)


#: The knowledge score's lines carry this in `question_code` (export's column name too).
SCORE_CODE = "score"


def _score_lines(res: SurveyResults) -> Iterator[list]:
    """The knowledge score (results.scores): pupils per score, the mean, and the same
    pupils before and after ("can do more") with the paired test."""
    ks = res.knowledge
    title = gettext("Knowledge score (questions right, out of %(max)s)", max=ks.score_max)

    def line(table: str, **cells) -> list:
        cells.update(table=table, question_code=SCORE_CODE, question=title)
        return ["" if cells.get(h) is None else cells[h] for h in HEADER]

    for r in ks.rows:
        where = {"arm": _arm(r.comparison), "phase": r.phase, "n": r.dist.n}
        if r.suppressed:
            yield line("score_distribution", **where,
                       suppressed=r.why or reason_words(TOO_FEW, ks.min_n))
            continue
        for code, count in zip(r.dist.codes, r.dist.counts, strict=True):
            yield line("score_distribution", **where, category=gettext("%(k)s right", k=code),
                       count=count,
                       percent=_pct(count, r.dist.n))
        yield line("score_summary", **where, category=gettext("mean score"),
                   mean=_num(r.dist.mean, 2))
    for cmp, pc in ks.paired:
        yield line("score_paired", arm=_arm(cmp), phase="before/after, same pupils",
                   category=gettext("can do more: more right after than before"), n_pairs=pc.n,
                   improved=pc.improved, same=pc.same, declined=pc.declined,
                   percent=_pct(pc.improved, pc.n), **_test_cells(pc.test))
    for cmp, n in ks.paired_suppressed:
        yield line("score_paired", arm=_arm(cmp), phase="before/after, same pupils",
                   n_pairs=n, suppressed=reason_words(PROTECTS if n >= ks.min_n else TOO_FEW,
                                                      ks.min_n))


def _question_lines(qr) -> Iterator[list]:
    q = qr.question
    for r in qr.visible_rows:
        where = {"arm": _arm(r.comparison), "phase": r.phase, "n": r.dist.n}
        if r.suppressed:
            yield _line("distribution", qr, **where, suppressed=_why(qr, r.why))
            continue
        for code, count in zip(r.dist.codes, r.dist.counts, strict=True):
            yield _line("distribution", qr, **where, category=q.label(code), count=count,
                        percent=_pct(count, r.dist.n))
        if qr.display == "rating":
            yield _line("summary", qr, **where, category=_top_box(qr),
                        top_box_percent=_share(r.dist.top_share), mean=_num(r.dist.mean, 2))
    first, last = ("then", "now") if q.retrospective else qr.points
    for c in qr.changes:
        yield _line("change", qr, arm=_arm(c.comparison), phase=f"{first} to {last}",
                    category=_top_box(qr) if c.points is not None else "",
                    n_before=c.before.n, n_after=c.after.n,
                    top_box_before=_share(c.top_before), top_box_after=_share(c.top_after),
                    change_points="" if c.points is None else f"{c.points:+.1f}",
                    **_test_cells(c.test))
    # The phase column's value, as "before/after, same pupils" above.
    phase = "then/now" if q.retrospective else f"{first}/{last}, same pupils"  # code, not words
    for cmp, pc in qr.paired:
        yield _line("paired", qr, arm=_arm(cmp), phase=phase, n_pairs=pc.n,
                    improved=pc.improved, same=pc.same, declined=pc.declined,
                    room_to_improve=pc.headroom, improved_with_room=pc.improved_with_headroom,
                    improved_with_room_percent=_pct(pc.improved_with_headroom, pc.headroom),
                    **_test_cells(pc.test))
    for cmp, n in qr.paired_suppressed:
        yield _line("paired", qr, arm=_arm(cmp), phase=phase, n_pairs=n,
                    suppressed=_why(qr, reason_words(PROTECTS, qr.min_n)
                                    if n >= qr.min_n else ""))
    if qr.texts_suppressed:
        yield _line("text", qr, suppressed=gettext("%(too_few)s, or %(protects)s",
                                                   too_few=_why(qr),
                                                   protects=reason_words(PROTECTS, qr.min_n)))
    for text in qr.texts:
        yield _line("text", qr, text=text)
