"""Rules that hold on a 1-bit (dithered) page only (`Levels.line_gain` under 1): its dots,
blurred back into grey, leave every empty bubble a little dark and a drawn line faint.
A greyscale page computes exactly as without them."""

from __future__ import annotations

import numpy as np

from scanner import tuning
from scanner.measure import Levels


def is_one_bit(lv: Levels) -> bool:
    """Whether the page was scanned 1-bit (its line searches' thresholds are lowered)."""
    return lv.line_gain < 1.0


def faint_from(dark: np.ndarray, lv: Levels) -> float:
    """The darkness from which faint shading with a weak ring is at least unsure
    (`decide.score`): `FAINT_FROM`, counted on a 1-bit page from its median bubble (most of
    a page's bubbles are empty, and the dither's noise makes every one read 0.009-0.024)."""
    if not is_one_bit(lv) or not np.isfinite(dark).any():
        return tuning.FAINT_FROM
    return tuning.FAINT_FROM + float(np.nanmedian(dark))


def lifted(dark: np.ndarray, shares: np.ndarray, lv: Levels) -> np.ndarray:
    """Per bubble, whether a 1-bit page reads its inside lighter than its empty bubbles
    (`DITHER_LIGHTER` under their median, or no darker than `DITHER_CLEAN` on a page
    whose dots leave its bubbles clean) with a ring weaker than its row's
    (`DITHER_LIGHTER_RING_SHARE`): a circle drawn round it, or a mark between it and a
    neighbour, darkens the bands its inside is measured against and the paper its ring is
    compared with. Such a bubble is at least unsure (`decide.score`)."""
    out = np.zeros(len(dark), bool)
    if not is_one_bit(lv) or not np.isfinite(dark).any():
        return out
    light = max(float(np.nanmedian(dark)) - tuning.DITHER_LIGHTER, tuning.DITHER_CLEAN)
    with np.errstate(invalid="ignore"):  # NaN: the ring not seen, never lifted
        return (dark <= light) & (shares < tuning.DITHER_LIGHTER_RING_SHARE)


def between_gain(lv: Levels) -> float:
    """The line gain of the search for marks between two answers (`darkness.ink_at`):
    `DITHER_BETWEEN_GAIN` on a 1-bit page, whose dots leave a thin line fainter still
    in the small discs between two bubbles; a greyscale page's own (1)."""
    return tuning.DITHER_BETWEEN_GAIN if is_one_bit(lv) else lv.line_gain


def steady_light(here: np.ndarray) -> np.ndarray:
    """The light each bubble's lines are judged against (`darkness.darkness`'s `here`, per
    bubble of one size), none below the median of the bubbles measured with it. A copier
    casts no shadow: what darkens a bubble's bands there is a mark beside it, and the line
    threshold it lowers makes the dither's texture round the bubble a circle."""
    if len(here) == 0:
        return here
    return np.maximum(here, np.median(here))
