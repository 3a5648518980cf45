"""Figures in words: effect sizes as Cohen's bands, p-values as written beside a figure, what an
adjusted p means, and shares as people say them. Apart from the tests (stats.py) so that the
wording can be read and changed without the arithmetic.

The figures keep codes ("small", "Wilcoxon signed-rank", "exact") for scripts and the CSV's
code columns; the words a person reads are made from them here through Flask-Babel, at the
moment they are written, so a page speaks its reader's language and the command line (no
request) stays English. See docs/coordinator/languages-on-screen.md.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

#: |r| upper bounds of each effect-size band (Cohen's conventions for r).
EFFECT_BANDS = ((0.1, "negligible"), (0.3, "small"), (0.5, "medium"))

#: Each band's code in words.
BAND_WORDS = {"negligible": _l("negligible"), "small": _l("small"), "medium": _l("medium"),
              "large": _l("large")}

#: The tests' names (TestResult.test, QuestionResult.main_test) in words.
TEST_WORDS = {"Mann-Whitney U": _l("Mann-Whitney U"),
              "Wilcoxon signed-rank": _l("Wilcoxon signed-rank"),
              "Wilcoxon signed-rank (then/now)": _l("Wilcoxon signed-rank (then/now)"),
              "difference in change": _l("difference in change")}

#: How a p-value was computed (TestResult.method) in words.
METHOD_WORDS = {"exact": _l("exact"),
                "normal approximation with continuity and tie corrections":
                    _l("normal approximation with continuity and tie corrections"),
                "no pair changed": _l("no pair changed")}


def too_few() -> str:
    """What is said instead of a test's result when there are too few answers."""
    return gettext("too few answers to tell")


def effect_band(r: float) -> str:
    """'negligible', 'small', 'medium' or 'large' for a rank-biserial r (a code: see
    `band_words`)."""
    size = abs(r)
    for bound, name in EFFECT_BANDS:
        if size < bound:
            return name
    return "large"


def _words(table: dict, code: str | None) -> str:
    return str(table[code]) if code in table else (code or "")


def band_words(band: str | None) -> str:
    """An effect-size band's code in words."""
    return _words(BAND_WORDS, band)


def test_words(name: str | None) -> str:
    """A test's name in words."""
    return _words(TEST_WORDS, name)


def method_words(method: str | None) -> str:
    """How a p-value was computed, in words."""
    return _words(METHOD_WORDS, method)


def p_words(p: float) -> str:
    """A p-value as written beside a figure; whether it is 'unlikely to be chance' is said
    once per question, on the p adjusted for multiple tests (see `judgement`)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def judgement(p_adjusted: float | None) -> str:
    """What an adjusted p-value means, in words."""
    if p_adjusted is None:
        return too_few()
    if p_adjusted < 0.05:
        return gettext("unlikely to be chance alone")
    return gettext("could be chance")


def describe(r: float | None, p: float | None) -> str:
    """The result in plain words: 'a large rise (p = 0.003)'. Size words are Cohen's bands
    for r; the p is the test's own (not adjusted). One whole message per band and
    direction, so that a language can put the words in its own order."""
    if r is None or p is None:
        return too_few()
    band = effect_band(r)
    words = p_words(p)
    if band == "negligible":
        return gettext("little or no change (%(p)s)", p=words)
    if r > 0:
        return {"small": gettext("a small rise (%(p)s)", p=words),
                "medium": gettext("a medium rise (%(p)s)", p=words),
                "large": gettext("a large rise (%(p)s)", p=words)}[band]
    return {"small": gettext("a small fall (%(p)s)", p=words),
            "medium": gettext("a medium fall (%(p)s)", p=words),
            "large": gettext("a large fall (%(p)s)", p=words)}[band]


def share_words(share: float) -> str:
    """A share as people say it: 'none', 'one in five', 'about two in three', else '37%'."""
    if share <= 0:
        return gettext("none")
    if share >= 1:
        return gettext("all")
    err, denom, num = min((abs(round(share * d) / d - share), d, round(share * d))
                          for d in (2, 3, 4, 5, 10))
    if 0 < num < denom and err <= 0.015:
        if err > 0.001:
            return gettext("about %(num)s in %(denom)s", num=_number_word(num),
                           denom=_number_word(denom))
        return gettext("%(num)s in %(denom)s", num=_number_word(num), denom=_number_word(denom))
    return pct(share)


_WORDS = (_l("zero"), _l("one"), _l("two"), _l("three"), _l("four"), _l("five"), _l("six"),
          _l("seven"), _l("eight"), _l("nine"), _l("ten"))


def _number_word(n: int) -> str:
    return str(_WORDS[n])


def pct(share: float | None) -> str:
    """A share as a whole percentage ('71%'), or an en dash when there is none."""
    return "–" if share is None else f"{share * 100:.0f}%"


def signed_points(points: float | None) -> str:
    """A change in percentage points with its sign ('+12 percentage points')."""
    if points is None:
        return "–"
    value = round(points)
    if not value:
        return gettext("no change in percentage points")
    return ngettext("%(signed)s percentage point", "%(signed)s percentage points", abs(value),
                    signed=f"{value:+d}")
