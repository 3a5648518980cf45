"""The statistics against figures worked out by hand (no database)."""

from __future__ import annotations

import pytest
from scipy import stats as sps

from survey_app.results.stats import (
    TOO_FEW,
    describe,
    distribution,
    effect_band,
    mann_whitney,
    paired_change,
    points_change,
    share_words,
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
    # before, so 8 had room to improve and 7 of those improved.
    pairs: dict[tuple[str, str], int] = {}
    for b, a in zip(CONF_BEFORE, CONF_AFTER, strict=True):
        pairs[(str(b), str(a))] = pairs.get((str(b), str(a)), 0) + 1
    pc = paired_change(pairs, FACES5)
    assert (pc.n, pc.improved, pc.same, pc.declined) == (10, 7, 2, 1)
    assert (pc.headroom, pc.improved_with_headroom) == (8, 7)
    assert pc.headroom_share == pytest.approx(0.875)
    # Ranks of |difference| with the two zeros kept (Pratt): zeros take ranks 1-2 (1.5
    # each), the eight 1s ranks 3-10 (6.5 each). R+ = 7 x 6.5 = 45.5, R- = 6.5, all ranks
    # sum to 55, so r = (45.5 - 6.5) / 55 = 0.709: large.
    assert pc.test.r == pytest.approx(39 / 55)
    assert pc.test.band == "large"
    # Ties: the normal approximation with continuity correction (as R's wilcox.test).
    expected_p = sps.wilcoxon([1, 1, -1, 1, 1, 1, 1, 1, 0, 0], zero_method="pratt",
                              correction=True, method="asymptotic").pvalue
    assert pc.test.p == pytest.approx(expected_p)
    assert 0.01 < pc.test.p < 0.05
    assert pc.test.sentence == "a large rise, unlikely to be chance (p < 0.05)"


def test_many_unchanged_pairs_shrink_the_effect():
    # 3 up by one, 1 down by one, 16 unchanged: zeros ranks 1-16 (8.5), the four 1s ranks
    # 17-20 (18.5). R+ = 55.5, R- = 18.5, total 210: r = 37 / 210 = 0.18, small.
    pc = paired_change({("2", "3"): 3, ("3", "2"): 1, ("3", "3"): 16}, FACES5)
    assert pc.test.r == pytest.approx(37 / 210)
    assert pc.test.band == "small"
    assert pc.test.sentence.startswith("a small rise, which could be chance")


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
    assert result.sentence == f"a small rise, which could be chance (p = {result.p:.2f})"
    # the comparison groups: U = 21 of 36 pairs, r = 0.17
    cmp = mann_whitney(distribution(_counts(CMP_BEFORE), FACES5, numeric=True),
                       distribution(_counts(CMP_AFTER), FACES5, numeric=True))
    assert cmp.r == pytest.approx(2 * 21 / 36 - 1)


def test_a_fall_is_negative():
    before = distribution({"5": 6, "4": 4}, FACES5, numeric=True)
    after = distribution({"1": 6, "2": 4}, FACES5, numeric=True)
    result = mann_whitney(before, after)
    assert result.r == pytest.approx(-1.0)  # every after answer below every before answer
    assert result.sentence == "a large fall, unlikely to be chance (p < 0.01)"


def test_too_few_and_no_change():
    few = distribution({"3": 4}, FACES5, numeric=True)
    many = distribution({"3": 9}, FACES5, numeric=True)
    assert mann_whitney(few, many).sentence == TOO_FEW
    assert mann_whitney(many, many).r == 0
    assert mann_whitney(many, many).sentence == "little or no change (p = 1.00)"
    assert paired_change({("2", "3"): 4}, FACES5).test.sentence == TOO_FEW
    same = paired_change({("2", "2"): 6, ("5", "5"): 3}, FACES5)
    assert (same.improved, same.same, same.headroom) == (0, 9, 6)
    assert same.test.r == 0
    assert paired_change({}, FACES5).n == 0


@pytest.mark.parametrize(("r", "band"), [
    (0.0, "negligible"), (0.099, "negligible"), (-0.1, "small"), (0.29, "small"),
    (0.3, "medium"), (-0.49, "medium"), (0.5, "large"), (-1.0, "large"),
])
def test_effect_bands(r, band):
    assert effect_band(r) == band


def test_wording():
    assert describe(0.6, 0.001) == "a large rise, unlikely to be chance (p < 0.01)"
    assert describe(-0.35, 0.03) == "a medium fall, unlikely to be chance (p < 0.05)"
    assert describe(0.2, 0.31) == "a small rise, which could be chance (p = 0.31)"
    assert describe(0.05, 0.6) == "little or no change (p = 0.60)"
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
