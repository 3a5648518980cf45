"""Figures in words: effect sizes as Cohen's bands, p-values as written beside a figure, what an
adjusted p means, and shares as people say them. Apart from the tests (stats.py) so that the
wording can be read and changed without the arithmetic.
"""

from __future__ import annotations

#: |r| upper bounds of each effect-size band (Cohen's conventions for r).
EFFECT_BANDS = ((0.1, "negligible"), (0.3, "small"), (0.5, "medium"))


TOO_FEW = "too few answers to tell"


def effect_band(r: float) -> str:
    """'negligible', 'small', 'medium' or 'large' for a rank-biserial r."""
    size = abs(r)
    for bound, name in EFFECT_BANDS:
        if size < bound:
            return name
    return "large"


def p_words(p: float) -> str:
    """A p-value as written beside a figure; whether it is 'unlikely to be chance' is said
    once per question, on the p adjusted for multiple tests (see `judgement`)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def judgement(p_adjusted: float | None) -> str:
    """What an adjusted p-value means, in words."""
    if p_adjusted is None:
        return TOO_FEW
    if p_adjusted < 0.05:
        return "unlikely to be chance alone"
    return "could be chance"


def describe(r: float | None, p: float | None) -> str:
    """The result in plain words: 'a large rise (p = 0.003)'. Size words are Cohen's bands
    for r; the p is the test's own (not adjusted)."""
    if r is None or p is None:
        return TOO_FEW
    band = effect_band(r)
    if band == "negligible":
        return f"little or no change ({p_words(p)})"
    direction = "rise" if r > 0 else "fall"
    return f"a {band} {direction} ({p_words(p)})"


def share_words(share: float) -> str:
    """A share as people say it: 'none', 'one in five', 'about two in three', else '37%'."""
    if share <= 0:
        return "none"
    if share >= 1:
        return "all"
    err, denom, num = min((abs(round(share * d) / d - share), d, round(share * d))
                          for d in (2, 3, 4, 5, 10))
    if 0 < num < denom and err <= 0.015:
        return f"{'about ' if err > 0.001 else ''}{_WORDS[num]} in {_WORDS[denom]}"
    return f"{share * 100:.0f}%"


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def pct(share: float | None) -> str:
    """A share as a whole percentage ('71%'), or an en dash when there is none."""
    return "–" if share is None else f"{share * 100:.0f}%"


def signed_points(points: float | None) -> str:
    if points is None:
        return "–"
    value = round(points)
    return f"{value:+d} percentage points" if value else "no change in percentage points"
