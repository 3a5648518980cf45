"""The report's charts, read back from the drawing: labels stay inside the plot and clear
of the axis, every chart of a kind shares one axis, segments from 6% carry their figure."""

from __future__ import annotations

from reportlab.graphics.shapes import Group, Line, String
from reportlab.pdfbase.pdfmetrics import stringWidth

from survey_app.results.chart_drawing import WIDTH_PT, Bar, diverging_bar, option_bars

FIVE = ("Not at all", "Not really", "In between", "Quite a lot", "A lot")


def _items(node, kind):
    for item in getattr(node, "contents", []):
        if isinstance(item, kind):
            yield item
        if isinstance(item, Group):
            yield from _items(item, kind)


def _extent(s: String) -> tuple[float, float]:
    w = stringWidth(s.text, s.fontName, s.fontSize)
    start = {"start": s.x, "middle": s.x - w / 2, "end": s.x - w}[s.textAnchor]
    return start, start + w


def test_segments_from_six_percent_are_labelled():
    shares = (0.086, 0.06, 0.05, 0.404, 0.4)
    d = diverging_bar([Bar("Before, comparison", shares, 500)], FIVE, min_n=5)
    texts = {s.text for s in _items(d, String)}
    assert {"9%", "6%", "40%"} <= texts
    assert "5%" not in texts
    for s in _items(d, String):
        low, high = _extent(s)
        assert low >= 0
        assert high <= WIDTH_PT + 0.5, s.text
    # the longest row name fits whole
    assert "Before, comparison" in texts


def test_one_axis_for_every_rating_chart():
    small = diverging_bar([Bar("Before", (0.1, 0.1, 0.6, 0.1, 0.1), 20)], FIVE, min_n=5)
    big = diverging_bar([Bar("After", (0.0, 0.0, 0.0, 0.1, 0.9), 20)], FIVE, min_n=5)

    def ticks(d):
        return sorted((round(s.x, 1), s.text) for s in _items(d, String) if s.text.endswith("%")
                      and s.fontSize == 7.5)

    assert ticks(small) == ticks(big)
    assert ("100%" in {t for _x, t in ticks(small)})


def test_long_option_names_wrap_clear_of_the_axis():
    long = ("Stronger links with other schools in the partnership, including visits, shared "
            "training days and joint science events for pupils and staff alike")
    d = option_bars([long, "No"], [Bar("Before, took part", (0.5, 0.5), 10),
                                   Bar("After, took part", (1.0, 0.0), 10)], min_n=5)
    strings = list(_items(d, String))
    names = [s for s in strings if s.fontName == "Helvetica-Bold"]
    assert len(names) >= 3  # the long name took two lines or more
    for s in strings:
        low, high = _extent(s)
        assert low >= 0
        assert high <= WIDTH_PT + 0.5, s.text
    axes = [line for line in _items(d, Line)]
    for s in names:
        for axis in axes:
            bottom, top = sorted((axis.y1, axis.y2))
            crosses_x = _extent(s)[0] <= axis.x1 <= _extent(s)[1]
            assert not (crosses_x and bottom <= s.y + 3 <= top), s.text
