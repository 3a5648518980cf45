"""The same people before and after (or 'then' and 'now' in one sitting): how many rose,
stayed the same or fell, with room to improve counted apart, and the Wilcoxon signed-rank
test on their differences (stats.py), all from (before, after) pair counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey_app.results.stats import MIN_TEST_N, TestResult, signed_rank_counts


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
