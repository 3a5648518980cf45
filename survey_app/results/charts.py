"""A question's charts for the page and the PDF: what each is drawn from (a hashable spec,
so the slow SVG is made once per figures), the SVG made fit for a page with a strict CSP,
and the text alternative. The drawings themselves are in chart_drawing.py.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from html import escape

from flask_babel import get_locale, gettext
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing

from survey_app.results.chart_drawing import Bar, diverging_bar, option_bars, top_share_line
from survey_app.words import phase_heading

_ids = itertools.count(1)
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def _style_to_attributes(match: re.Match) -> str:
    """SVG presentation attributes instead of style="" (a strict CSP forbids inline styles;
    presentation attributes are not styles and are allowed)."""
    out = []
    for decl in match.group(1).split(";"):
        if ":" in decl:
            name, value = (p.strip() for p in decl.split(":", 1))
            out.append(f' {name}="{escape(value, quote=True)}"')
    return "".join(out)


def _titled(svg: str, title: str, description: str) -> str:
    """Inline SVG for one page: responsive, titled, its ids unique on the page."""
    uid = f"chart{next(_ids)}"
    svg = svg.replace('id="clip"', f'id="{uid}-clip"').replace("url(#clip)", f"url(#{uid}-clip)")
    svg = svg.replace('id="group"', f'id="{uid}-group"')
    svg = re.sub(r"<title>.*?</title>", f'<title id="{uid}-t">{escape(title)}</title>', svg,
                 count=1, flags=re.S)
    svg = re.sub(r"<desc>.*?</desc>", f'<desc id="{uid}-d">{escape(description)}</desc>', svg,
                 count=1, flags=re.S)
    return re.sub(r'<svg width="[^"]*" height="[^"]*"',
                  f'<svg role="img" aria-labelledby="{uid}-t {uid}-d" class="chart"', svg,
                  count=1)


def _spec(qr) -> tuple | None:
    """Everything a question's chart is drawn from, as a hashable value (or None)."""
    rows = qr.visible_rows
    if not rows:
        return None
    if qr.display == "rating":
        bars = tuple(Bar(r.label, None if r.suppressed else tuple(qr.band_shares(r.dist)),
                         r.dist.n, r.why_code) for r in rows)
        return ("rating", tuple(label for label, _codes in qr.bands), bars, qr.min_n)
    if qr.display == "options":
        bars = tuple(Bar(r.label, None if r.suppressed else
                         tuple(k / r.dist.n for k in r.dist.counts), r.dist.n, r.why_code)
                     for r in rows)
        return ("options", tuple(qr.labels), bars, qr.min_n)
    return None


def _language() -> str:
    """The language the drawings' own words are in: part of what a cached SVG is kept by,
    so a page in one language never gets a chart drawn for another."""
    locale = get_locale()
    return str(locale) if locale is not None else ""


def _draw(spec: tuple) -> Drawing:
    kind, labels, bars, min_n = spec
    if kind == "rating":
        return diverging_bar(bars, labels, min_n=min_n)
    return option_bars(labels, bars, min_n=min_n)


@lru_cache(maxsize=512)
def _cached_svg(spec: tuple, language: str) -> str:
    """reportlab's SVG of a chart spec, made fit for a page with a strict CSP (the slow
    part of a results page, so kept per spec and `language`, see `_language`)."""
    return _svg_markup(_draw(spec))


def _svg_markup(drawing: Drawing) -> str:
    raw = renderSVG.drawToString(drawing)
    svg = raw[raw.index("<svg"):]
    svg = _STYLE_ATTR.sub(_style_to_attributes, svg)
    # Browsers know no "Helvetica-Bold" family: name a bold weight and fallbacks instead.
    svg = svg.replace('font-family="Helvetica-Bold"',
                      'font-family="Helvetica, Arial, sans-serif" font-weight="bold"')
    # A label with a letter Helvetica lacks is drawn in DejaVu Sans (print.fonts).
    svg = svg.replace('font-family="DejaVuSans-Bold"',
                      'font-family="DejaVu Sans, sans-serif" font-weight="bold"')
    svg = svg.replace('font-family="DejaVuSans"', 'font-family="DejaVu Sans, sans-serif"')
    return svg.replace('font-family="Helvetica"', 'font-family="Helvetica, Arial, sans-serif"')


#: A trend is drawn from this many time points (two are the bars' before and after).
TREND_FROM = 3


def _trend_spec(qr) -> tuple | None:
    """What a question's trend line is drawn from (hashable), or None when it has fewer
    than TREND_FROM time points with answers."""
    if qr.display != "rating" or qr.question.retrospective:
        return None
    took = qr.top_trend(False)
    if len(took) < TREND_FROM:
        return None
    points = tuple(p for p, _s, _n in took)
    series = [(gettext("took part"), took)]
    cmp = {p: (s, n) for p, s, n in qr.top_trend(True)}
    if cmp:
        series.append((gettext("comparison"), [(p, *cmp.get(p, (None, 0))) for p in points]))
    return (tuple(phase_heading(p) for p in points),
            tuple((arm, tuple((s, n) for _p, s, n in values)) for arm, values in series))


@lru_cache(maxsize=256)
def _cached_trend_svg(spec: tuple, language: str) -> str:
    return _svg_markup(top_share_line(*spec))


def trend_svg(qr) -> str | None:
    """The line chart of the share at the top across all time points, as inline SVG with
    its text alternative, or None (fewer than three time points)."""
    spec = _trend_spec(qr)
    if spec is None:
        return None
    names, series = spec
    words = "; ".join(
        f"{arm}: " + ", ".join(f"{name} {gettext('hidden') if s is None else f'{s * 100:.0f}%'}"
                               for name, (s, _n) in zip(names, values, strict=True))
        for arm, values in series)
    return _titled(_cached_trend_svg(spec, _language()),
                   gettext("%(question)s: %(top)s over time", question=qr.question.text,
                           top=qr.top_label),
                   gettext("Share answering %(top)s at each time point.", top=qr.top_label)
                   + f" {words}.")


def chart_for(qr) -> Drawing | None:
    """The chart for one question's results (survey_results.QuestionResult), or None."""
    spec = _spec(qr)
    return None if spec is None else _draw(spec)


def chart_svg(qr) -> str | None:
    """The chart as inline SVG with its text alternative. Drawing SVG with reportlab is
    the slowest part of a results page, and the same figures give the same picture, so
    the markup is kept per chart spec (figures, labels, n) and only titled per page."""
    spec = _spec(qr)
    if spec is None:
        return None
    return _titled(_cached_svg(spec, _language()), qr.question.text, describe_chart(qr))


def describe_chart(qr) -> str:
    """A one-paragraph text alternative: each bar's n and top-box share."""
    parts = []
    for r in qr.visible_rows:
        if r.suppressed:
            parts.append(f"{r.label}: {r.why or gettext('too few to show')} (n = {r.dist.n})")
        elif r.dist.top_share is not None and qr.display == "rating":
            parts.append(f"{r.label}: {r.dist.top_share * 100:.0f}% {qr.top_label} "
                         f"(n = {r.dist.n})")
        else:
            parts.append(f"{r.label}: n = {r.dist.n}")
    return "; ".join(parts) + ". " + gettext("The table below the chart gives every figure.")
