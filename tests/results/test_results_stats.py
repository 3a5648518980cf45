"""The statistics against figures worked out by hand (no database)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats as sps

from survey_app.results.difference_in_change import (
    paired_difference_in_change,
    share_difference_in_change,
)
from survey_app.results.paired import paired_change
from survey_app.results.stat_words import (
    describe,
    effect_band,
    judgement,
    share_words,
    too_few,
)
from survey_app.results.stats import (
    NORMAL,
    distribution,
    holm,
    mann_whitney,
    mann_whitney_counts,
    points_change,
    signed_rank_counts,
)
from tests.results.conftest import CMP_AFTER, CMP_BEFORE, CONF_AFTER, CONF_BEFORE

FACES5 = ("1", "2", "3", "4", "5")


def _counts(values: list[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out


def test_top_box_mean_and_points():
    before = distribution(_counts(CONF_BEFORE), FACES5, top_box=("4", "5"), numeric=True)
    after = distribution(_counts(CONF_AFTER), FACES5, top_box=("4", "5"), numeric=True)
    # before 1,2,2,3,3,3,4,4,5,5: four of ten answered 4 or 5; sum 32
    assert before.n == 10
    assert before.top_share == pytest.approx(0.4)
    assert before.mean == pytest.approx(3.2)
    assert before.bottom_share == pytest.approx(0.1)
    # after 2,3,1,4,4,4,5,5,5,5: seven of ten; sum 38
    assert after.top_share == pytest.approx(0.7)
    assert after.mean == pytest.approx(3.8)
    assert points_change(before.top_share, after.top_share) == pytest.approx(30)


def test_empty_distribution_has_no_shares():
    d = distribution({}, FACES5, top_box=("4", "5"), numeric=True)
    assert d.n == 0
    assert d.top_share is None
    assert d.mean is None
    assert points_change(d.top_share, 0.5) is None


def test_paired_change_by_hand():
    # pupil i answered CONF_BEFORE[i] then CONF_AFTER[i]; differences
    # +1 +1 -1 +1 +1 +1 +1 +1 0 0: 7 up, 2 same, 1 down. Pupils 9 and 10 were at the top (5)
    # before, so 8 had room to improve: 7 of those rose, none stayed, 1 fell.
    pairs: dict[tuple[str, str], int] = {}
    for b, a in zip(CONF_BEFORE, CONF_AFTER, strict=True):
        pairs[(str(b), str(a))] = pairs.get((str(b), str(a)), 0) + 1
    pc = paired_change(pairs, FACES5)
    assert (pc.n, pc.improved, pc.same, pc.declined) == (10, 7, 2, 1)
    assert (pc.headroom, pc.improved_with_headroom) == (8, 7)
    assert pc.headroom_shares() == (pytest.approx(7 / 8), 0, pytest.approx(1 / 8))
    assert pc.headroom_share == pytest.approx(0.875)
    assert pc.mean_change == pytest.approx(0.6)
    # Zeros dropped (R's default): eight pairs, all |d| = 1, midrank 4.5 each.
    # R+ = 7 x 4.5 = 31.5, R- = 4.5, total 36: matched-pairs r = (31.5 - 4.5) / 36 = 0.75.
    assert pc.test.r == pytest.approx(0.75)
    assert pc.test.n_used == 8
    assert pc.test.band == "large"
    # Ties, so the normal approximation: z = (31.5 - 18 - 0.5) / sqrt(51 - (8^3 - 8)/48)
    assert pc.test.p == pytest.approx(2 * sps.norm.sf(13 / math.sqrt(51 - 504 / 48)))
    assert pc.test.method == NORMAL
    assert 0.01 < pc.test.p < 0.05
    assert pc.test.sentence == f"a large rise (p = {pc.test.p:.3f})"


def test_unchanged_pairs_do_not_dilute_the_effect():
    # 3 up by one, 1 down by one, 16 unchanged: the 16 zeros are dropped, the four 1s share
    # ranks 1-4 (2.5): R+ = 7.5, R- = 2.5, r = 5 / 10 = 0.5 (the old Pratt r was 0.18).
    pc = paired_change({("2", "3"): 3, ("3", "2"): 1, ("3", "3"): 16}, FACES5)
    assert pc.test.r == pytest.approx(0.5)
    # V = 7.5, z = (7.5 - 5 - 0.5) / sqrt(7.5 - 60/48) = 2 / 2.5
    assert pc.test.p == pytest.approx(2 * sps.norm.sf(0.8))
    assert pc.test.sentence == "a large rise (p = 0.424)"


def test_wilcoxon_against_r_documentation_example():
    # R's ?wilcox.test, Hollander & Wolfe (1973) p. 29, depression scale before/after:
    # wilcox.test(x, y, paired = TRUE, alternative = "greater") gives V = 40,
    # p-value = 0.01953 (exact, n = 9 < 50, no ties, no zeros); two-sided is twice that.
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    diffs = Counter(round(a - b, 3) for a, b in zip(x, y, strict=True))
    res = signed_rank_counts(diffs)
    assert res.statistic == 40
    assert res.method == "exact"
    assert res.p == pytest.approx(2 * 0.01953, abs=5e-5)
    # by enumeration: V >= 40 in 10 of the 2^9 = 512 sign patterns
    assert res.p == pytest.approx(2 * 10 / 512)
    assert res.r == pytest.approx((40 - 5) / 45)


def test_wilcoxon_r_convention_zeros_force_the_normal_approximation():
    # R (stats:::wilcox.test.default): zeros dropped, and because there WERE zeros the exact
    # test is not used even without ties: d = 0, 1, -2, 3, 4, 5, 6, 7 -> n = 7, V = 26,
    # z = (26 - 14 - 0.5) / sqrt(7 * 8 * 15 / 24), p = 2 * (1 - pnorm(z)).
    res = signed_rank_counts({0: 1, 1: 1, -2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1})
    assert res.statistic == 26
    assert res.method == NORMAL
    assert res.p == pytest.approx(2 * sps.norm.sf(11.5 / math.sqrt(35)))
    # the same without the zero: exact, P(V >= 26 | n = 7) doubled
    exact = signed_rank_counts({1: 1, -2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1})
    patterns = [sum(r for r, bit in zip(range(1, 8), f"{m:07b}", strict=True) if bit == "1")
                for m in range(128)]
    assert exact.method == "exact"
    assert exact.p == pytest.approx(2 * sum(v >= 26 for v in patterns) / 128)


def test_mann_whitney_against_r_documentation_example():
    # R's ?wilcox.test, Hollander & Wolfe (1973) p. 69: wilcox.test(x, y, alternative = "g")
    # gives W = 35, p-value = 0.1272 (exact: 10 and 5 values, no ties); two-sided 0.2544.
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    grid = sorted(set(x + y))
    res = mann_whitney_counts(np.array([x.count(v) for v in grid]),
                              np.array([y.count(v) for v in grid]))
    assert res.statistic == 35
    assert res.method == "exact"
    assert res.p == pytest.approx(0.2544, abs=1e-4)
    assert res.r == pytest.approx(2 * 35 / 50 - 1)


def test_holm_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4): x4, x3, x2, x1, then running maximum
    assert holm([0.01, 0.04, 0.03, None, 0.005]) == pytest.approx(
        [0.03, 0.06, 0.06, None, 0.02])
    assert holm([0.9, 0.8]) == [1.0, 1.0]
    assert holm([]) == []


def test_share_difference_in_change_is_seeded_and_centred():
    # took part: 3/10 -> 8/10 top box (+50 points); comparison 4/10 -> 5/10 (+10): +40 more
    b, a = distribution({"1": 7, "2": 3}, ("1", "2"), top_box=("2",)), \
        distribution({"1": 2, "2": 8}, ("1", "2"), top_box=("2",))
    cb, ca = distribution({"1": 6, "2": 4}, ("1", "2"), top_box=("2",)), \
        distribution({"1": 5, "2": 5}, ("1", "2"), top_box=("2",))
    did = share_difference_in_change(b, a, cb, ca)
    assert did.estimate == pytest.approx(40)
    assert did.unit == "percentage points"
    assert did.ci_low < 40 < did.ci_high
    # the analytic standard error sqrt(sum p(1-p)/n) = sqrt(0.086): about +/- 57 points
    se = math.sqrt((0.21 + 0.16 + 0.24 + 0.25) / 10) * 100
    assert did.ci_high - did.ci_low == pytest.approx(2 * 1.96 * se, rel=0.1)
    assert share_difference_in_change(b, a, cb, ca) == did  # same data, same interval
    assert 0 < did.p < 1
    # everyone moved in one arm and no one in the other, five each: the interval still has
    # width (each group resampled from (k + 1) / (n + 2)), and five pupils cannot give a
    # p of 1 in 5,000
    zero = distribution({"1": 5}, ("1", "2"), top_box=("2",))
    full = distribution({"2": 5}, ("1", "2"), top_box=("2",))
    extreme = share_difference_in_change(zero, full, zero, zero)
    assert extreme.estimate == 100
    assert extreme.ci_high - extreme.ci_low > 40
    assert extreme.p > 0.001
    none = share_difference_in_change(b, b, cb, cb)
    assert none.estimate == 0
    assert none.p == 1.0


def test_paired_difference_in_change_by_hand():
    # took part: changes +2, +1, +1, +1, 0 (mean 1); comparison 0, 0, +1, 0, -1 (mean 0)
    took = paired_change({("1", "3"): 1, ("2", "3"): 3, ("3", "3"): 1}, ("1", "2", "3"))
    cmp = paired_change({("2", "2"): 3, ("1", "2"): 1, ("3", "2"): 1}, ("1", "2", "3"))
    did = paired_difference_in_change(took, cmp, 3)
    assert did.estimate == pytest.approx(1.0)
    ci = sps.ttest_ind([2, 1, 1, 1, 0], [0, 0, 1, 0, -1], equal_var=False
                       ).confidence_interval(0.95)
    assert (did.ci_low, did.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    # U by hand: each took-part change against each comparison change, ties half:
    # 5 + 3 x 4.5 + 2.5 = 21 of 25
    u = sum((p > q) + 0.5 * (p == q) for p in [2, 1, 1, 1, 0] for q in [0, 0, 1, 0, -1])
    assert u == 21
    assert did.p == pytest.approx(sps.mannwhitneyu([2, 1, 1, 1, 0], [0, 0, 1, 0, -1],
                                                   method="asymptotic").pvalue)
    # both started at 'the middle' on average (mean position 1 of 0..2)
    assert (did.start_participants, did.start_comparison) == (1.0, 1.0)
    assert not did.different_start


def test_mann_whitney_by_hand():
    before = distribution(_counts(CONF_BEFORE), FACES5, numeric=True)
    after = distribution(_counts(CONF_AFTER), FACES5, numeric=True)
    # U for 'after': over all 100 (after, before) pairs, count after > before, ties half.
    u = sum((a > b) + 0.5 * (a == b) for a in CONF_AFTER for b in CONF_BEFORE)
    assert u == 64
    result = mann_whitney(before, after)
    assert result.r == pytest.approx(2 * 64 / 100 - 1)  # 0.28: small
    assert result.band == "small"
    assert result.p == pytest.approx(sps.mannwhitneyu(CONF_AFTER, CONF_BEFORE).pvalue)
    assert result.sentence == f"a small rise (p = {result.p:.3f})"
    # the comparison groups: U = 21 of 36 pairs, r = 0.17
    cmp = mann_whitney(distribution(_counts(CMP_BEFORE), FACES5, numeric=True),
                       distribution(_counts(CMP_AFTER), FACES5, numeric=True))
    assert cmp.r == pytest.approx(2 * 21 / 36 - 1)


def test_a_fall_is_negative():
    before = distribution({"5": 6, "4": 4}, FACES5, numeric=True)
    after = distribution({"1": 6, "2": 4}, FACES5, numeric=True)
    result = mann_whitney(before, after)
    assert result.r == pytest.approx(-1.0)  # every after answer below every before answer
    assert result.sentence == "a large fall (p < 0.001)"


def test_too_few_and_no_change():
    few = distribution({"3": 4}, FACES5, numeric=True)
    many = distribution({"3": 9}, FACES5, numeric=True)
    assert mann_whitney(few, many).sentence == too_few()
    assert mann_whitney(many, many).r == 0
    assert mann_whitney(many, many).sentence == "little or no change (p = 1.000)"
    assert paired_change({("2", "3"): 4}, FACES5).test.sentence == too_few()
    same = paired_change({("2", "2"): 6, ("5", "5"): 3}, FACES5)
    assert (same.improved, same.same, same.headroom) == (0, 9, 6)
    assert same.test.r == 0
    assert same.test.p == 1.0
    assert paired_change({}, FACES5).n == 0


@pytest.mark.parametrize(("r", "band"), [
    (0.0, "negligible"), (0.099, "negligible"), (-0.1, "small"), (0.29, "small"),
    (0.3, "medium"), (-0.49, "medium"), (0.5, "large"), (-1.0, "large"),
])
def test_effect_bands(r, band):
    assert effect_band(r) == band


def test_wording():
    assert describe(0.6, 0.0004) == "a large rise (p < 0.001)"
    assert describe(-0.35, 0.03) == "a medium fall (p = 0.030)"
    assert describe(0.2, 0.31) == "a small rise (p = 0.310)"
    assert describe(0.05, 0.6) == "little or no change (p = 0.600)"
    # 'chance' is judged once per question, on the Holm-adjusted p
    assert judgement(0.049) == "unlikely to be chance alone"
    assert judgement(0.05) == "could be chance"
    assert describe(None, None) == "too few answers to tell"


@pytest.mark.parametrize(("share", "words"), [
    (0, "none"), (0.2, "one in five"), (0.21, "about one in five"), (0.5, "one in two"),
    (2 / 3, "two in three"), (0.1, "one in ten"), (0.7, "seven in ten"), (1, "all"),
    (0.37, "37%"), (0.05, "5%"),
])
def test_share_words(share, words):
    assert share_words(share) == words


def test_multi_share_uses_people_not_ticks():
    from survey_app.results.stats import Distribution

    d = Distribution(("a", "b"), (6, 2), total=6)
    assert d.n == 6
    assert d.share("a") == 1
    assert d.share("b") == pytest.approx(1 / 3)
