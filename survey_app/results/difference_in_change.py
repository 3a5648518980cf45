"""Difference in change: did the groups that took part change more than the comparison group?
From paired change scores (mean difference, Welch interval, Mann-Whitney p) or else from the
top-box shares (percentile bootstrap with a fixed seed). numpy and SciPy are loaded on first
use, as in stats.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.results.paired import PairedChange

# numpy and SciPy on first use: the proxy and loader live in stats.py.
from survey_app.results.stats import MIN_TEST_N, Distribution, mann_whitney_counts, np, scipy_stats

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


#: The method as scripts read it (`results --json`), in English.
SHARE_DID_METHOD = ("difference in the change of the top-box share (percentage points); "
                    "95% percentile bootstrap CI (each group resampled from its share with "
                    f"one answer added each way; {BOOTSTRAP_RESAMPLES} resamples, seed "
                    f"{BOOTSTRAP_SEED}); p from the bootstrap (smallest level whose interval "
                    "excludes zero)")  # code, not words


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
    half = float(scipy_stats().t.ppf(0.975, df) * np.sqrt(se2))
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
