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


def _scipy_stats():
    """SciPy's stats module, imported on first use: it alone costs ~2.5 s, which every
    CLI command and web worker would otherwise pay at start-up (`benchmarks/startup_bench.py`)."""
    from scipy import stats

    return stats


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
        p = float(_scipy_stats().mannwhitneyu(np.repeat(np.arange(x.size), x.astype(int)),
                                   np.repeat(np.arange(y.size), y.astype(int)),
                                   alternative="two-sided", method="exact").pvalue)
        return RankTest(u, p, r, "exact", int(nx + ny))
    n = nx + ny
    z = u - nx * ny / 2
    sigma = np.sqrt(nx * ny / 12 * ((n + 1) - np.sum(tot ** 3 - tot) / (n * (n - 1))))
    if sigma == 0:
        return RankTest(u, 1.0, r, NORMAL, int(n))
    z = (z - np.sign(z) * 0.5) / sigma
    p = float(min(1.0, 2 * _scipy_stats().norm.sf(abs(z))))
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
    return RankTest(r_plus, float(min(1.0, 2 * _scipy_stats().norm.sf(abs(z)))), r, NORMAL, n)


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
    #: Of the pairs with room to improve: stayed the same, went down.
    same_with_headroom: int = 0
    declined_with_headroom: int = 0
    #: {after - before (scale points): pairs}
    diffs: tuple[tuple[int, int], ...] = ()
    #: mean before over the pairs (scale positions from 0)
    mean_before: float | None = None
    #: answers before over the pairs, per option in scale order
    before_counts: tuple[int, ...] = ()

    def share(self, part: int) -> float | None:
        return part / self.n if self.n else None

    @property
    def headroom_share(self) -> float | None:
        return self.improved_with_headroom / self.headroom if self.headroom else None

    def headroom_shares(self) -> tuple[float, float, float] | None:
        """(rose, same, fell) among the pairs with room to improve."""
        h = self.headroom
        if not h:
            return None
        return (self.improved_with_headroom / h, self.same_with_headroom / h,
                self.declined_with_headroom / h)

    @property
    def mean_change(self) -> float | None:
        if not self.n:
            return None
        return sum(d * k for d, k in self.diffs) / self.n


def paired_change(pairs: Mapping[tuple[str, str], int], codes: Sequence[str],
                  test_name: str = "Wilcoxon signed-rank") -> PairedChange:
    """Improved / same / declined from (before code, after code) -> count, with a Wilcoxon
    signed-rank test and the matched-pairs rank-biserial r (see `signed_rank_counts`)."""
    pos = {c: i for i, c in enumerate(codes)}
    top = len(codes) - 1
    diffs: dict[int, int] = defaultdict(int)
    n = improved = declined = room = room_up = room_same = room_down = 0
    before_sum = 0
    before_counts = [0] * len(codes)
    for (b, a), k in pairs.items():
        if b not in pos or a not in pos or not k:
            continue
        k = int(k)
        d = pos[a] - pos[b]
        diffs[d] += k
        n += k
        before_sum += pos[b] * k
        before_counts[pos[b]] += k
        improved += k if d > 0 else 0
        declined += k if d < 0 else 0
        if pos[b] < top:
            room += k
            room_up += k if d > 0 else 0
            room_same += k if d == 0 else 0
            room_down += k if d < 0 else 0
    return PairedChange(
        n=n, improved=improved, same=n - improved - declined, declined=declined,
        headroom=room, improved_with_headroom=room_up, test=_wilcoxon(diffs, n, test_name),
        same_with_headroom=room_same, declined_with_headroom=room_down,
        diffs=tuple(sorted(diffs.items())), mean_before=before_sum / n if n else None,
        before_counts=tuple(before_counts))


def _wilcoxon(diffs: Mapping[int, int], n: int, name: str) -> TestResult:
    if n < MIN_TEST_N:
        return TestResult(name, n, n)
    res = signed_rank_counts(diffs)
    if res is None:  # nobody changed: no test to run, and no change
        return TestResult(name, n, n, 0.0, 1.0, "no pair changed", 0)
    return TestResult(name, n, n, res.r, res.p, res.method, res.n)


# --- difference in change (participants against the comparison group) -----------------

#: Resamples and seed of every bootstrap interval: the same data always give the same
#: interval.
BOOTSTRAP_RESAMPLES = 9999
BOOTSTRAP_SEED = 20261203


@dataclass(frozen=True)
class DiffInChange:
    """How much more the groups that took part changed than the comparison group."""

    estimate: float
    ci_low: float | None
    ci_high: float | None
    p: float | None
    method: str
    #: "scale points" (mean change of paired answers) or "percentage points" (top box)
    unit: str
    n_participants: int
    n_comparison: int
    #: Where each arm started (mean on the scale, or top-box share), and a test of the gap.
    start_participants: float | None = None
    start_comparison: float | None = None
    start_p: float | None = None

    @property
    def different_start(self) -> bool:
        return self.start_p is not None and self.start_p < 0.05

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "p": self.p, "method": self.method, "unit": self.unit,
                "n_participants": self.n_participants, "n_comparison": self.n_comparison}


PAIRED_DID_METHOD = ("difference in mean paired change (after minus before, scale points); "
                     "95% CI Welch t; p Mann-Whitney U on the change scores")
SHARE_DID_METHOD = ("difference in the change of the top-box share (percentage points); "
                    "95% percentile bootstrap CI (each group resampled from its share with "
                    f"one answer added each way; {BOOTSTRAP_RESAMPLES} resamples, seed "
                    f"{BOOTSTRAP_SEED}); p from the bootstrap (smallest level whose interval "
                    "excludes zero)")


def paired_difference_in_change(took_part: PairedChange, comparison: PairedChange,
                                codes_count: int) -> DiffInChange | None:
    """Change scores (after - before of the same pupil) compared between the arms: the
    difference in mean change with a Welch interval, and a Mann-Whitney test on the change
    scores (R's conventions). The starting points are compared the same way."""
    if took_part.n < MIN_TEST_N or comparison.n < MIN_TEST_N:
        return None
    span = 2 * (codes_count - 1) + 1
    grid = np.arange(-(codes_count - 1), codes_count)
    x = np.zeros(span)
    y = np.zeros(span)
    for d, k in took_part.diffs:
        x[d + codes_count - 1] += k
    for d, k in comparison.diffs:
        y[d + codes_count - 1] += k
    est, low, high = _welch(grid, x, y)
    mw = mann_whitney_counts(x, y)
    start = mann_whitney_counts(np.asarray(took_part.before_counts),
                                np.asarray(comparison.before_counts))
    return DiffInChange(est, low, high, mw.p, PAIRED_DID_METHOD, "scale points",
                        took_part.n, comparison.n, took_part.mean_before,
                        comparison.mean_before, start.p)


def _welch(values: np.ndarray, x: np.ndarray, y: np.ndarray
           ) -> tuple[float, float | None, float | None]:
    """Difference of means of two samples given as counts over `values`, with the Welch
    95% interval (None when neither sample varies)."""
    nx, ny = x.sum(), y.sum()
    mx, my = (values * x).sum() / nx, (values * y).sum() / ny
    vx = ((values - mx) ** 2 * x).sum() / (nx - 1)
    vy = ((values - my) ** 2 * y).sum() / (ny - 1)
    se2 = vx / nx + vy / ny
    est = float(mx - my)
    if se2 <= 0:
        return est, None, None
    df = se2 ** 2 / ((vx / nx) ** 2 / (nx - 1) + (vy / ny) ** 2 / (ny - 1))
    half = float(_scipy_stats().t.ppf(0.975, df) * np.sqrt(se2))
    return est, est - half, est + half


def _top_counts(d: Distribution) -> tuple[int, int]:
    top = sum(d.counts[d.codes.index(c)] for c in d.top_box)
    return top, d.n


def share_difference_in_change(before: Distribution, after: Distribution,
                               cmp_before: Distribution, cmp_after: Distribution
                               ) -> DiffInChange | None:
    """Difference-in-differences of the top-box share (percentage points) for four
    independent samples (no pupil numbers to pair), with a seeded percentile bootstrap
    (see `_bootstrap_did`), 9,999 times; p is the smallest level whose interval leaves out
    zero."""
    groups = [_top_counts(d) for d in (before, after, cmp_before, cmp_after)]
    if any(n < MIN_TEST_N for _k, n in groups) or not before.top_box:
        return None
    shares = [k / n for k, n in groups]
    est = ((shares[1] - shares[0]) - (shares[3] - shares[2])) * 100
    boot = _bootstrap_did(groups) + est
    low, high = (float(v) for v in np.percentile(boot, [2.5, 97.5]))
    below, above = int((boot <= 0).sum()), int((boot >= 0).sum())
    p = min(1.0, 2 * (min(below, above) + 1) / (BOOTSTRAP_RESAMPLES + 1))
    start = mann_whitney_counts(np.asarray(before.counts), np.asarray(cmp_before.counts))
    return DiffInChange(float(est), low, high, p, SHARE_DID_METHOD, "percentage points",
                        before.n + after.n, cmp_before.n + cmp_after.n, shares[0],
                        shares[2], start.p)


def _bootstrap_did(groups: list[tuple[int, int]]) -> np.ndarray:
    """Resampled differences in change (percentage points), centred on zero: each group
    drawn with replacement (a binomial draw) from its share with one answer added each way
    ((k + 1) / (n + 2), Agresti & Caffo 2000), so that a group where everyone (or no one)
    gave the top answer still varies instead of making the interval falsely narrow."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    smoothed = [(k + 1) / (n + 2) for k, n in groups]
    draws = [rng.binomial(n, q, BOOTSTRAP_RESAMPLES) / n - q
             for (_k, n), q in zip(groups, smoothed, strict=True)]
    if len(draws) == 2:
        return (draws[1] - draws[0]) * 100
    return ((draws[1] - draws[0]) - (draws[3] - draws[2])) * 100


def share_change_interval(before: Distribution, after: Distribution
                          ) -> tuple[float, float] | None:
    """95% percentile bootstrap interval of the change in the top-box share (percentage
    points) between two independent samples, seeded like every bootstrap here."""
    groups = [_top_counts(d) for d in (before, after)]
    if any(n < MIN_TEST_N for _k, n in groups) or not before.top_box:
        return None
    est = (groups[1][0] / groups[1][1] - groups[0][0] / groups[0][1]) * 100
    low, high = np.percentile(_bootstrap_did(groups) + est, [2.5, 97.5])
    return float(low), float(high)


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
