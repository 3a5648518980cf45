"""The chart drawings, as reportlab Drawings in points: diverging bars for rating questions,
bars per option, and the share at the top over time. One drawing goes into the PDF and, as
SVG (charts.py), into the web page. Readable in black and white: the low end of a scale is
hatched, the middle light grey, the high end solid, and segments carry their percentage as
text; every chart also has a table beside it (in the page and the CSV).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Path, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from print.fonts import font_for
from survey_app.results.suppression import TOO_FEW

WIDTH_PT = 480
#: Room for the row names ("Before, comparison" is 85 pt in 9 pt bold) and for "n = 1000".
LABEL_W = 96
N_W = 40
#: Every segment of at least this share carries its percentage (the README promises 6%).
LABEL_FROM = 0.055
#: Every diverging chart runs from 100% to 100% either side of the centre line, so bars
#: can be compared across charts (one axis for all charts of a kind).
AXIS_EXTENT = 1.0
ROW_H = 20
ROW_GAP = 7
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#505a5f")
DARK = colors.HexColor("#1d4f91")
MID = colors.HexColor("#6f94c7")
LIGHT = colors.HexColor("#d9d9d9")
WHITE = colors.white


def _string(x: float, y: float, text: str, **kw) -> String:
    """A String in its font, or in the TrueType font print.fonts falls back to when the text
    has a letter Helvetica lacks (a Welsh label's ŵ, a translation's words)."""
    kw["fontName"] = font_for(text, kw.get("fontName", FONT))
    return String(x, y, text, **kw)


@dataclass(frozen=True)
class Bar:
    """One row of a chart: its label, shares (0..1, in category order) and n; `shares`
    None means the row is suppressed (too few to show)."""

    label: str
    shares: Sequence[float] | None
    n: int
    #: Why a suppressed row is hidden, as a code (results.suppression: PROTECTS, SPLITS;
    #: empty or TOO_FEW when simply too few).
    why: str = ""


def _hidden_note(b: Bar, min_n: int) -> str:
    """The words on a hidden row, short enough for the chart: a row hidden only so that
    a smaller group cannot be worked out by subtraction must not say "too few"."""
    if b.why and b.why != TOO_FEW:
        return gettext("hidden to protect a small group")
    return gettext("too few to show (fewer than %(k)s)", k=min_n)


@dataclass(frozen=True)
class BarStyle:
    fill: colors.Color
    hatch: float = 0.0  # spacing of diagonal lines in pt; 0 = none
    text: colors.Color = INK


def category_styles(k: int) -> list[BarStyle]:
    """Styles from the lowest to the highest of k ordered categories (k <= 5)."""
    half = k // 2
    neg = [BarStyle(WHITE, 2.5), BarStyle(WHITE, 5.0)][:half]
    pos = [BarStyle(MID, 0, INK), BarStyle(DARK, 0, WHITE)][-half:] if half else []
    middle = [BarStyle(LIGHT)] if k % 2 else []
    return [*neg, *middle, *pos]


def _hatch(x: float, y: float, w: float, h: float, spacing: float) -> Path:
    """Diagonal lines (45 degrees) clipped to the rectangle, as one path of plain strokes so
    the pattern survives any renderer and any printer (and stays one SVG element)."""
    path = Path(strokeColor=INK, strokeWidth=0.6, fillColor=None)
    c = -h
    while c < w:
        # line: X = x + c + t, Y = y + t for t in [0, h]; clip to x..x+w
        t0, t1 = max(0.0, -c), min(h, w - c)
        if t1 > t0:
            path.moveTo(x + c + t0, y + t0)
            path.lineTo(x + c + t1, y + t1)
        c += spacing
    return path


def _segment(g: Group, x: float, y: float, w: float, h: float, style: BarStyle,
             share: float) -> None:
    if w <= 0:
        return
    g.add(Rect(x, y, w, h, fillColor=style.fill, strokeColor=INK, strokeWidth=0.6))
    if style.hatch:
        g.add(_hatch(x, y, w, h, style.hatch))
    if share < LABEL_FROM:
        return
    label = f"{share * 100:.0f}%"
    size = next((f for f in (8, 7, 6.5) if stringWidth(label, FONT, f) <= w - 1), 6)
    tw = stringWidth(label, FONT, size)
    if style.hatch:  # a white box behind the figure keeps it readable over hatching
        g.add(Rect(x + w / 2 - tw / 2 - 1, y + h / 2 - size / 2 - 1, tw + 2, size + 1.5,
                   fillColor=WHITE, strokeColor=None))
    g.add(_string(x + w / 2, y + h / 2 - size * 0.36, label, fontName=FONT, fontSize=size,
                 fillColor=style.text, textAnchor="middle"))


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis to fit `width` pt (the table beside has it in full)."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, font: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    """`text` in lines no wider than `width` pt (the last one cut if it is still too long)."""
    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [" ".join(lines[max_lines - 1:])]
    return [_fit(line, font, size, width) for line in lines] or [""]


def _legend(d: Drawing, labels: Sequence[str], styles: Sequence[BarStyle], top: float) -> float:
    """Swatches with labels, wrapped across lines; returns the y below the legend."""
    x, y = LABEL_W, top - 14
    for label, style in zip(labels, styles, strict=True):
        label = _fit(label, FONT, 8, WIDTH_PT - LABEL_W - 18)
        w = 14 + 4 + stringWidth(label, FONT, 8) + 12
        if x + w > WIDTH_PT and x > LABEL_W:
            x, y = LABEL_W, y - 15
        g = Group()
        _segment(g, x, y, 14, 10, style, 0)
        d.add(g)
        d.add(_string(x + 18, y + 2, label, fontName=FONT, fontSize=8, fillColor=INK))
        x += w
    return y - 6


def _legend_lines(labels: Sequence[str]) -> int:
    """How many lines `_legend` takes (same arithmetic, nothing drawn)."""
    x, lines = LABEL_W, 1
    for label in labels:
        label = _fit(label, FONT, 8, WIDTH_PT - LABEL_W - 18)
        w = 14 + 4 + stringWidth(label, FONT, 8) + 12
        if x + w > WIDTH_PT and x > LABEL_W:
            x, lines = LABEL_W, lines + 1
        x += w
    return lines


def diverging_bar(bars: Sequence[Bar], labels: Sequence[str], *, min_n: int) -> Drawing:
    """The standard chart for rating scales: low answers left of the centre line, high
    answers right, the middle answer split across it. At most 5 categories (group wider
    scales first)."""
    k = len(labels)
    styles = category_styles(k)
    half, odd = k // 2, k % 2
    legend_lines = _legend_lines(labels)
    height = len(bars) * (ROW_H + ROW_GAP) + 34 + 15 * legend_lines
    d = Drawing(WIDTH_PT, height, hAlign="LEFT")
    plot_w = WIDTH_PT - LABEL_W - N_W
    centre = LABEL_W + plot_w / 2
    extent = AXIS_EXTENT
    unit = (plot_w / 2) / extent  # pt per share (1.0 = 100%)
    axis_bottom = height - 8 - len(bars) * (ROW_H + ROW_GAP) + ROW_GAP - 4
    # The centre line first, so the bars (and the notes on suppressed rows) cover it.
    d.add(Line(centre, height - 4, centre, axis_bottom, strokeColor=INK, strokeWidth=1.2))
    y = height - 8
    for b in bars:
        y -= ROW_H
        d.add(_string(LABEL_W - 6, y + ROW_H / 2 - 3, _fit(b.label, FONT_BOLD, 9, LABEL_W - 8),
                     fontName=FONT_BOLD, fontSize=9, fillColor=INK, textAnchor="end"))
        d.add(_string(WIDTH_PT - N_W + 6, y + ROW_H / 2 - 3, f"n = {b.n}", fontName=FONT,
                     fontSize=8.5, fillColor=INK))
        if b.shares is None:
            d.add(Rect(centre - 95, y + 2, 190, ROW_H - 4, fillColor=WHITE, strokeColor=None))
            d.add(_string(centre, y + ROW_H / 2 - 3, _hidden_note(b, min_n),
                         fontName=FONT, fontSize=8.5, fillColor=MUTED, textAnchor="middle"))
        else:
            g = Group()
            mid = b.shares[half] if odd else 0.0
            x = centre - (sum(b.shares[:half]) + mid / 2) * unit
            for share, style in zip(b.shares, styles, strict=True):
                _segment(g, x, y, share * unit, ROW_H, style, share)
                x += share * unit
            d.add(g)
        y -= ROW_GAP
    ticks = [t / 4 for t in range(1, int(round(extent * 4)) + 1)]
    for value in ticks + [-t for t in ticks]:
        x = centre + value * unit
        d.add(Line(x, axis_bottom, x, axis_bottom - 3, strokeColor=MUTED, strokeWidth=0.6))
        d.add(_string(x, axis_bottom - 12, f"{abs(value) * 100:.0f}%", fontName=FONT,
                     fontSize=7.5, fillColor=MUTED, textAnchor="middle"))
    d.add(_string(centre, axis_bottom - 12, "0", fontName=FONT, fontSize=7.5, fillColor=MUTED,
                 textAnchor="middle"))
    _legend(d, labels, styles, axis_bottom - 16)
    return d


SERIES_STYLES = (BarStyle(WHITE, 3.0), BarStyle(DARK, 0, WHITE), BarStyle(LIGHT), BarStyle(MID))


def option_bars(options: Sequence[str], bars: Sequence[Bar], *, min_n: int) -> Drawing:
    """One cluster per option (multi, choice, yes/no): a bar per row (before, after, ...)
    showing the share who chose it, labelled with the share and the row's name. Option
    names are wrapped above their cluster, clear of the axis; the axis runs 0-100%."""
    bar_h, gap, line_h = 13, 10, 11
    series = list(bars)
    names = [_wrap(option, FONT_BOLD, 9, WIDTH_PT) for option in options]
    height = sum(len(lines) * line_h + 4 + len(series) * (bar_h + 2) + gap
                 for lines in names) + 10
    d = Drawing(WIDTH_PT, height, hAlign="LEFT")
    plot_x, plot_w = LABEL_W, WIDTH_PT - LABEL_W - N_W
    y = height - 4
    for i, lines in enumerate(names):
        for line in lines:
            y -= line_h
            d.add(_string(0, y, line, fontName=FONT_BOLD, fontSize=9, fillColor=INK))
        y -= 4
        cluster_top = y
        for s, b in enumerate(series):
            y -= bar_h + 2
            d.add(_string(plot_x - 6, y + 3, _fit(b.label, FONT, 8.5, plot_x - 8),
                         fontName=FONT, fontSize=8.5, fillColor=INK, textAnchor="end"))
            if b.shares is None:
                d.add(_string(plot_x + 4, y + 3, _hidden_note(b, min_n),
                             fontName=FONT, fontSize=8.5, fillColor=MUTED))
                continue
            share = b.shares[i]
            g = Group()
            style = SERIES_STYLES[s % len(SERIES_STYLES)]
            w = share * plot_w
            if w > 0:
                g.add(Rect(plot_x, y, w, bar_h, fillColor=style.fill, strokeColor=INK,
                           strokeWidth=0.6))
                if style.hatch:
                    g.add(_hatch(plot_x, y, w, bar_h, style.hatch))
            d.add(g)
            d.add(_string(plot_x + w + 4, y + 3, f"{share * 100:.0f}%", fontName=FONT,
                         fontSize=8.5, fillColor=INK))
        # the axis beside this cluster's bars only, so it never runs through a name
        d.add(Line(plot_x, y - 1, plot_x, cluster_top, strokeColor=INK, strokeWidth=1))
        y -= gap
    return d


TREND_H = 150
LEGEND_W = 76


def top_share_line(points: Sequence[str], series: Sequence[tuple[str, tuple]]) -> Drawing:
    """The share at the top at every time point, one line per arm (took part solid and
    dark, comparison dashed), each point labelled with its percentage; a hidden point
    leaves a gap and says so. `series`: (arm name, ((share or None, n), ...) per point)."""
    d = Drawing(WIDTH_PT, TREND_H, hAlign="LEFT")
    # Room on the right for the last point's label, and for the legend of two arms.
    right = WIDTH_PT - (LEGEND_W if len(series) > 1 else N_W)
    left, bottom, top = LABEL_W, 34, TREND_H - 12
    step = (right - left) / max(len(points) - 1, 1)
    xs = [left + i * step for i in range(len(points))]

    def y(share: float) -> float:
        return bottom + share * (top - bottom)

    for tick in (0, 0.5, 1):
        d.add(Line(left, y(tick), right, y(tick), strokeColor=LIGHT, strokeWidth=0.6))
        d.add(_string(left - 6, y(tick) - 3, f"{tick * 100:.0f}%", fontName=FONT,
                     fontSize=7.5, fillColor=MUTED, textAnchor="end"))
    for x, name in zip(xs, points, strict=True):
        d.add(_string(x, bottom - 16, name, fontName=FONT_BOLD, fontSize=8.5, fillColor=INK,
                     textAnchor="middle"))
    for s, (arm, values) in enumerate(series):
        colour, dash = (DARK, None) if s == 0 else (MUTED, [3, 2])
        run: list[float] = []
        for x, (share, n) in zip(xs, values, strict=True):
            if share is None:
                if n:
                    d.add(_string(x, bottom - 27 - 9 * s, gettext("hidden"), fontName=FONT,
                                 fontSize=7,
                                 fillColor=MUTED, textAnchor="middle"))
                if len(run) > 2:
                    d.add(PolyLine(run, strokeColor=colour, strokeWidth=1.6,
                                   strokeDashArray=dash))
                run = []
                continue
            run += [x, y(share)]
            d.add(Circle(x, y(share), 2.6, fillColor=colour, strokeColor=colour))
            d.add(_string(x + 4, y(share) + 4 - 12 * s, f"{share * 100:.0f}%", fontName=FONT,
                         fontSize=8, fillColor=colour))
        if len(run) > 2:
            d.add(PolyLine(run, strokeColor=colour, strokeWidth=1.6, strokeDashArray=dash))
        if len(series) > 1:
            d.add(Line(right + 6, top - 12 * s, right + 18, top - 12 * s, strokeColor=colour,
                       strokeWidth=1.6, strokeDashArray=dash))
            d.add(_string(right + 20, top - 12 * s - 3, arm, fontName=FONT, fontSize=7,
                         fillColor=INK))
    return d
