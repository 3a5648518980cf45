"""Before/after statistics over aggregated counts (never over database rows).

Everything here takes counts that SQL has already grouped (option code -> number of
answers, or (before code, after code) -> number of pupils) so it is cheap at any size, and
pure, so the tests can check it against figures worked out by hand. The tests themselves
come from SciPy; only the effect size (rank-biserial r, a one-line formula over ranks) and
the wording are ours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

#: Fewer answers than this on either side (or fewer pairs) and no test is run: with so few,
#: even a real change cannot be told from chance.
MIN_TEST_N = 5

#: |r| upper bounds of each effect-size band (Cohen's conventions for r).
EFFECT_BANDS = ((0.1, "negligible"), (0.3, "small"), (0.5, "medium"))

TOO_FEW = "too few answers to tell"


@dataclass(frozen=True)
class Distribution:
    """One question's answers in one phase: counts per option code, in scale order."""

    codes: tuple[str, ...]
    counts: tuple[int, ...]
    top_box: tuple[str, ...] = ()
    numeric: bool = False
    #: People who answered, when it differs from the sum of counts (tick-all-that-apply).
    total: int | None = None

    @property
    def n(self) -> int:
        return self.total if self.total is not None else sum(self.counts)

    def share(self, code: str) -> float | None:
        if not self.n:
            return None
        return self.counts[self.codes.index(code)] / self.n

    @property
    def shares(self) -> tuple[float, ...]:
        n = self.n
        return tuple(c / n for c in self.counts) if n else tuple(0.0 for _ in self.counts)

    @property
    def top_share(self) -> float | None:
        if not self.n or not self.top_box:
            return None
        return sum(self.counts[self.codes.index(c)] for c in self.top_box) / self.n

    @property
    def bottom_share(self) -> float | None:
        return self.share(self.codes[0]) if self.n and self.codes else None

    @property
    def mean(self) -> float | None:
        if not self.numeric or not self.n:
            return None
        return sum(int(c) * k for c, k in zip(self.codes, self.counts, strict=True)) / self.n

    def values(self) -> np.ndarray:
        """The answers as numbers (scale position), one per answer, for SciPy."""
        return np.repeat(np.arange(len(self.codes), dtype=float), self.counts)


def distribution(counts: Mapping[str, int], codes: Sequence[str], *,
                 top_box: Sequence[str] = (), numeric: bool = False) -> Distribution:
    """A distribution over `codes` (in scale order); codes outside the scale are ignored."""
    return Distribution(tuple(codes), tuple(int(counts.get(c, 0)) for c in codes),
                        tuple(top_box), numeric)


def points_change(before: float | None, after: float | None) -> float | None:
    """The change in percentage points between two shares (0..1)."""
    if before is None or after is None:
        return None
    return (after - before) * 100


@dataclass(frozen=True)
class TestResult:
    """A before/after test in numbers and in words."""

    test: str
    n_before: int
    n_after: int
    r: float | None = None
    p: float | None = None

    @property
    def band(self) -> str | None:
        return effect_band(self.r) if self.r is not None else None

    @property
    def sentence(self) -> str:
        return describe(self.r, self.p)


def effect_band(r: float) -> str:
    """'negligible', 'small', 'medium' or 'large' for a rank-biserial r."""
    size = abs(r)
    for bound, name in EFFECT_BANDS:
        if size < bound:
            return name
    return "large"


def p_words(p: float) -> str:
    if p < 0.01:
        return "unlikely to be chance (p < 0.01)"
    if p < 0.05:
        return "unlikely to be chance (p < 0.05)"
    return f"which could be chance (p = {p:.2f})"


def describe(r: float | None, p: float | None) -> str:
    """The result in plain words: 'a large rise, unlikely to be chance (p < 0.01)'."""
    if r is None or p is None:
        return TOO_FEW
    band = effect_band(r)
    if band == "negligible":
        return f"little or no change (p = {p:.2f})" if p >= 0.05 else \
            f"a negligible change, though {p_words(p)}"
    direction = "rise" if r > 0 else "fall"
    return f"a {band} {direction}, {p_words(p)}"


def mann_whitney(before: Distribution, after: Distribution) -> TestResult:
    """Unpaired before/after: Mann-Whitney U, r = 2U/(n1 n2) - 1 (positive: after higher)."""
    nb, na = before.n, after.n
    if nb < MIN_TEST_N or na < MIN_TEST_N:
        return TestResult("Mann-Whitney U", nb, na)
    x, y = after.values(), before.values()
    if np.all(x == x[0]) and np.all(y == x[0]):
        return TestResult("Mann-Whitney U", nb, na, 0.0, 1.0)
    res = sps.mannwhitneyu(x, y, alternative="two-sided")
    r = 2 * float(res.statistic) / (na * nb) - 1
    return TestResult("Mann-Whitney U", nb, na, r, float(res.pvalue))


@dataclass(frozen=True)
class PairedChange:
    """The same people before and after (or 'then' and 'now' in one sitting)."""

    n: int
    improved: int
    same: int
    declined: int
    #: Pairs that could improve: not already at the top of the scale before.
    headroom: int
    improved_with_headroom: int
    test: TestResult

    def share(self, part: int) -> float | None:
        return part / self.n if self.n else None

    @property
    def headroom_share(self) -> float | None:
        return self.improved_with_headroom / self.headroom if self.headroom else None


def paired_change(pairs: Mapping[tuple[str, str], int], codes: Sequence[str],
                  test_name: str = "Wilcoxon signed-rank") -> PairedChange:
    """Improved / same / declined from (before code, after code) -> count, with a Wilcoxon
    signed-rank test and the matched-pairs rank-biserial r (see `_wilcoxon`)."""
    pos = {c: i for i, c in enumerate(codes)}
    top = len(codes) - 1
    before_idx, after_idx, weights = [], [], []
    for (b, a), k in pairs.items():
        if b in pos and a in pos and k:
            before_idx.append(pos[b])
            after_idx.append(pos[a])
            weights.append(int(k))
    b_arr, a_arr = np.array(before_idx, dtype=int), np.array(after_idx, dtype=int)
    w = np.array(weights, dtype=int)
    diff = a_arr - b_arr
    n = int(w.sum())
    improved, declined = int(w[diff > 0].sum()), int(w[diff < 0].sum())
    room = b_arr < top
    result = PairedChange(
        n=n, improved=improved, same=n - improved - declined, declined=declined,
        headroom=int(w[room].sum()), improved_with_headroom=int(w[room & (diff > 0)].sum()),
        test=_wilcoxon(np.repeat(diff, w), n, test_name),
    )
    return result


def _wilcoxon(d: np.ndarray, n: int, name: str) -> TestResult:
    """Wilcoxon signed-rank with Pratt's treatment of zeros: pupils who gave the same answer
    twice are ranked (lowest) and so count against a large effect, instead of being dropped
    as if they had not answered. r = (R+ - R-) / (sum of all ranks)."""
    if n < MIN_TEST_N:
        return TestResult(name, n, n)
    if not np.any(d):
        return TestResult(name, n, n, 0.0, 1.0)
    ranks = sps.rankdata(np.abs(d))
    r_plus, r_minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    r = float((r_plus - r_minus) / ranks.sum())
    # Exact for small samples without ties or zeros; otherwise the normal approximation with
    # tie and continuity corrections (as R's wilcox.test does). SciPy's default for small
    # samples with ties is a permutation test: 100x slower for the same conclusion.
    exact = d.size <= 50 and np.all(d) and np.unique(np.abs(d)).size == d.size
    res = sps.wilcoxon(d, zero_method="pratt", correction=not exact,
                       method="exact" if exact else "asymptotic")
    return TestResult(name, n, n, r, float(res.pvalue))


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
