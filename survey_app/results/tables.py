"""The tables behind every chart, as rows for the CSV download (the page shows the same
figures beside each chart)."""

from __future__ import annotations

from collections.abc import Iterator

from survey_app.results.analysis import SurveyResults

HEADER = ["table", "question_code", "question", "arm", "row", "n", "category", "count",
          "percent", "note"]


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
    return "comparison" if comparison else "took part"


def _pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}" if whole else ""


def chart_tables(res: SurveyResults, only: str | None = None) -> Iterator[list]:
    """Header, then one line per figure: distributions, changes, paired changes, tests and
    text answers; suppressed rows say so instead of giving numbers."""
    yield HEADER
    for qr in res.questions:
        q = qr.question
        if only and q.code != only:
            continue
        base = [q.code, q.text]
        for r in qr.visible_rows:
            if r.suppressed:
                yield ["distribution", *base, _arm(r.comparison), r.label, r.dist.n, "", "", "",
                       f"too few to show (fewer than {qr.min_n})"]
                continue
            for code, count in zip(r.dist.codes, r.dist.counts, strict=True):
                yield ["distribution", *base, _arm(r.comparison), r.label, r.dist.n,
                       q.label(code), count, _pct(count, r.dist.n), ""]
            if qr.display == "rating":
                top = r.dist.top_share
                yield ["summary", *base, _arm(r.comparison), r.label, r.dist.n,
                       f"top box: {qr.top_label}", "", f"{top * 100:.1f}" if top is not None
                       else "", ""]
                yield ["summary", *base, _arm(r.comparison), r.label, r.dist.n, "mean", "",
                       "", f"{r.dist.mean:.2f}" if r.dist.mean is not None else ""]
        for c in qr.changes:
            if c.points is not None:
                yield ["change", *base, _arm(c.comparison), "top box, percentage points",
                       f"{c.before.n}/{c.after.n}", qr.top_label, "", "", f"{c.points:+.1f}"]
            if c.test is not None:
                yield ["test", *base, _arm(c.comparison), c.test.test,
                       f"{c.test.n_before}/{c.test.n_after}", "r (rank-biserial)", "", "",
                       "" if c.test.r is None else f"{c.test.r:.3f}"]
                yield ["test", *base, _arm(c.comparison), c.test.test,
                       f"{c.test.n_before}/{c.test.n_after}", "p", "", "",
                       "" if c.test.p is None else f"{c.test.p:.4f}"]
                yield ["test", *base, _arm(c.comparison), c.test.test,
                       f"{c.test.n_before}/{c.test.n_after}", "in words", "", "",
                       c.test.sentence]
        for cmp, pc in qr.paired:
            row = "then/now" if q.retrospective else "same pupils before/after"
            for category, count, whole in (
                ("improved", pc.improved, pc.n), ("same", pc.same, pc.n),
                ("declined", pc.declined, pc.n), ("room to improve", pc.headroom, pc.n),
                ("improved, of those with room", pc.improved_with_headroom, pc.headroom),
            ):
                yield ["paired", *base, _arm(cmp), row, pc.n, category, count,
                       _pct(count, whole), ""]
            yield ["paired", *base, _arm(cmp), pc.test.test, pc.n, "in words", "", "",
                   pc.test.sentence + ("" if pc.test.r is None else
                                       f" (r = {pc.test.r:.3f}, p = {pc.test.p:.4f})")]
        for cmp, n in qr.paired_suppressed:
            yield ["paired", *base, _arm(cmp), "same pupils", n, "", "", "",
                   f"too few to show (fewer than {qr.min_n})"]
        if qr.texts_suppressed:
            yield ["text", *base, "", "", "", "", "", "", "too few to show"]
        for text in qr.texts:
            yield ["text", *base, "", "", "", "", "", "", text]
