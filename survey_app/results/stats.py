"""Before/after statistics over aggregated counts (never over database rows).

Everything here takes counts that SQL has already grouped (option code -> number of
answers, or (before code, after code) -> number of pupils) so it is cheap at any size, and
pure, so the tests can check it against figures worked out by hand.

The rank tests follow R's `wilcox.test` conventions exactly as they stood up to R 4.5 (zero
differences dropped; exact p under 50 with no ties or zeros, otherwise the normal
approximation with tie and continuity corrections; R 4.6.0 added exact conditional p-values
with ties, which `exact = FALSE` turns off), computed here from counts; effect sizes are
rank-biserial correlations (Kerby 2014), sized by Cohen's (1988) bands for r.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from survey_app.results.stat_words import describe, effect_band

if TYPE_CHECKING:
    import numpy as np


class _NumpyOnFirstUse:
    """Stands for `numpy` until a test is first run, then puts the real module in its place.

    The results pages import this module, and numpy costs ~0.1 s of every start-up (the
    `survey-app` commands, each web worker) that most of them never use."""

    def __getattr__(self, name: str):
        import numpy

        globals()["np"] = numpy
        return getattr(numpy, name)


np = _NumpyOnFirstUse()  # noqa: F811  (the TYPE_CHECKING import is for annotations only)


def scipy_stats():
    """SciPy's stats module, imported on first use: it alone costs ~2.5 s, which every
    CLI command and web worker would otherwise pay at start-up (`benchmarks/startup_bench.py`).
    Shared with `difference_in_change.py`, which needs the same lazy import."""
    from scipy import stats

    return stats


#: Fewer answers than this on either side (or fewer pairs) and no test is run: with so few,
#: even a real change cannot be told from chance.
MIN_TEST_N = 5


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
    #: How p was computed ("exact", or the normal approximation), named beside the figure.
    method: str | None = None
    #: Pairs the test used (non-zero differences), for the paired test.
    n_used: int | None = None

    @property
    def band(self) -> str | None:
        return effect_band(self.r) if self.r is not None else None

    @property
    def sentence(self) -> str:
        return describe(self.r, self.p)


def mann_whitney(before: Distribution, after: Distribution,
                 name: str = "Mann-Whitney U") -> TestResult:
    """Unpaired before/after: Mann-Whitney U, r = 2U/(n1 n2) - 1 (positive: after higher)."""
    nb, na = before.n, after.n
    if nb < MIN_TEST_N or na < MIN_TEST_N:
        return TestResult(name, nb, na)
    res = mann_whitney_counts(np.asarray(after.counts), np.asarray(before.counts))
    return TestResult(name, nb, na, res.r, res.p, res.method)


@dataclass(frozen=True)
class RankTest:
    statistic: float
    p: float
    #: The rank-biserial correlation (positive: the first sample / the differences higher).
    r: float
    #: "exact" or "normal approximation with continuity and tie corrections"
    method: str
    n: int


NORMAL = "normal approximation with continuity and tie corrections"


def mann_whitney_counts(x: np.ndarray, y: np.ndarray) -> RankTest:
    """Mann-Whitney U of x against y, given as counts per ordered category (the same
    categories for both), two-sided, with R's `wilcox.test` conventions: exact when both
    samples are under 50 and there are no ties, otherwise the normal approximation with
    tie and continuity corrections. r = 2U/(nx ny) - 1 (Kerby 2014)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    nx, ny = float(x.sum()), float(y.sum())
    below_y = np.concatenate(([0.0], np.cumsum(y)[:-1]))
    u = float(np.sum(x * (below_y + y / 2)))  # pairs with x above y, ties counted half
    r = 2 * u / (nx * ny) - 1
    tot = x + y
    ties = bool(np.any(tot > 1))
    if nx < 50 and ny < 50 and not ties:
        p = float(scipy_stats().mannwhitneyu(np.repeat(np.arange(x.size), x.astype(int)),
                                   np.repeat(np.arange(y.size), y.astype(int)),
                                   alternative="two-sided", method="exact").pvalue)
        return RankTest(u, p, r, "exact", int(nx + ny))
    n = nx + ny
    z = u - nx * ny / 2
    sigma = np.sqrt(nx * ny / 12 * ((n + 1) - np.sum(tot ** 3 - tot) / (n * (n - 1))))
    if sigma == 0:
        return RankTest(u, 1.0, r, NORMAL, int(n))
    z = (z - np.sign(z) * 0.5) / sigma
    p = float(min(1.0, 2 * scipy_stats().norm.sf(abs(z))))
    return RankTest(u, p, r, NORMAL, int(n))


def signed_rank_counts(diffs: Mapping[int, int]) -> RankTest | None:
    """Wilcoxon signed-rank test of paired differences given as {difference: pairs}, as R's
    `wilcox.test(x, y, paired = TRUE)` does it: zero differences dropped; exact when fewer
    than 50 pairs remain and there were no ties and no zeros, otherwise the normal
    approximation with tie and continuity corrections. r is the matched-pairs rank-biserial
    correlation on the same (non-zero) pairs: (R+ - R-) / (R+ + R-) (Kerby 2014). None when
    every difference is zero."""
    items = sorted((abs(d), d, int(k)) for d, k in diffs.items() if d and k)
    zeros = any(k for d, k in diffs.items() if not d)
    n = sum(k for _a, _d, k in items)
    if not n:
        return None
    # midranks per |difference|
    size: dict[int, int] = defaultdict(int)
    for a, _d, k in items:
        size[a] += k
    rank: dict[int, float] = {}
    done = 0
    for a in sorted(size):
        rank[a] = done + (size[a] + 1) / 2
        done += size[a]
    r_plus = sum(rank[a] * k for a, d, k in items if d > 0)
    total = n * (n + 1) / 2
    r = (2 * r_plus - total) / total
    ties = any(t > 1 for t in size.values())
    if n < 50 and not ties and not zeros:
        dist = _signrank_distribution(n)
        v = int(round(r_plus))
        if r_plus > n * (n + 1) / 4:
            p = dist[v:].sum()
        else:
            p = dist[:v + 1].sum()
        return RankTest(r_plus, float(min(1.0, 2 * p)), r, "exact", n)
    z = r_plus - n * (n + 1) / 4
    t = np.array(list(size.values()), dtype=float)
    sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(t ** 3 - t) / 48)
    if sigma == 0:
        return RankTest(r_plus, 1.0, r, NORMAL, n)
    z = (z - np.sign(z) * 0.5) / sigma
    return RankTest(r_plus, float(min(1.0, 2 * scipy_stats().norm.sf(abs(z)))), r, NORMAL, n)


def _signrank_distribution(n: int) -> np.ndarray:
    """P(V = v) for v = 0..n(n+1)/2 under the null: each rank 1..n counted in V with
    probability 1/2 (what R's psignrank tabulates)."""
    ways = np.zeros(n * (n + 1) // 2 + 1)
    ways[0] = 1
    for k in range(1, n + 1):
        ways[k:] = ways[k:] + ways[:-k].copy()
    return ways / 2 ** n


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment (Holm 1979), as R's p.adjust(method = "holm"); None
    stays None and does not count as a test."""
    idx = [i for i, p in enumerate(pvalues) if p is not None]
    m = len(idx)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda i: pvalues[i])):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


