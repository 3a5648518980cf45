"""Measure each bubble on the normalised page: level the light, find the bubble's printed
ring near where the layout puts it, and report how dark its inside is relative to this
page's own paper and printed black.

Levelling uses a paper-brightness map (a max filter over a coarse copy of the page: ink is
removed, paper stays), so a phone photo darker at one edge reads like a flat copier scan.
How dark and how marked each bubble is, given these levels, is `scanner.darkness`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from scanner import tuning
from scanner.rings import darkness_of, subpixel_peak

#: Coarse map resolution: 1/8 of the normalised image (15 dpi at 120 dpi). Also for
#: `darkness.py`, which reads the paper level from the same coarse map.
COARSE = 8


@dataclass
class Levels:
    """Paper brightness map (coarse) and the contrast of printed black on this page."""

    paper_coarse: np.ndarray
    ink_contrast: float
    #: How much of a thin drawn line's contrast the page keeps, as a share of a greyscale
    #: scan's: 1, or `tuning.DITHER_LINE_GAIN` on a 1-bit page, whose dots are blurred back
    #: into grey (the line searches' thresholds are this much lower there).
    line_gain: float = 1.0

    def paper_at(self, x: float, y: float) -> float:
        ph, pw = self.paper_coarse.shape
        return float(self.paper_coarse[min(ph - 1, max(0, int(y / COARSE))),
                                       min(pw - 1, max(0, int(x / COARSE)))])


def paper_map(half: np.ndarray) -> np.ndarray:
    """Paper brightness on a coarse grid, from the half-resolution page (`pyrDown`, which
    the ring fits need anyway): dark blobs up to ~12 mm (fills, markers) vanish."""
    f = COARSE // 2
    h, w = half.shape[0] // f * f, half.shape[1] // f * f
    # An exact integer factor keeps OpenCV on its fast block-averaging path.
    coarse = cv2.resize(half[:h, :w], (w // f, h // f), interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(coarse, np.ones((11, 11), np.uint8))
    return cv2.blur(paper, (7, 7)).astype(np.float32)


def levels(img: np.ndarray, half: np.ndarray,
           marker_boxes_px: list[tuple[float, float, float]]) -> Levels:
    """Paper map plus ink contrast, measured on the markers' solid black border (the one
    thing on every page that is certainly full printed black). `half` is `pyrDown(img)`."""
    paper = paper_map(half)
    lv = Levels(paper, 0.0)
    samples = []
    for x, y, s in marker_boxes_px:
        # The middle of the border ring (1/6 of the side wide in a 4x4 ArUco marker).
        inset = s / 12
        x0, y0, x1, y1 = (round(x + inset), round(y + inset), round(x + s - inset),
                          round(y + s - inset))
        if x0 < 0 or y0 < 0 or x1 >= img.shape[1] or y1 >= img.shape[0]:
            continue
        edge = np.concatenate([img[y0, x0:x1], img[y1, x0:x1], img[y0:y1, x0], img[y0:y1, x1]])
        samples.append(lv.paper_at(x + s / 2, y + s / 2) - float(np.median(edge)))
    lv.ink_contrast = float(np.median(samples)) if samples else 0.0
    return lv


def _ring_template(r_px: float) -> np.ndarray:
    """Correlation kernel: +1 on the printed ring, -1 just outside it, 0 inside (a fill or
    scribble inside the bubble must not pull the fit)."""
    size = int(np.ceil(r_px + 4)) * 2 + 1
    c = size // 2
    yy, xx = np.mgrid[:size, :size]
    d = np.hypot(xx - c, yy - c)
    t = np.zeros((size, size), np.float32)
    t[np.abs(d - r_px) <= 1.0] = 1.0
    outer = (d > r_px + 1.5) & (d <= r_px + 3.5)
    t[outer] = -t.sum() / max(1, outer.sum())
    return t


_TEMPLATES: dict[int, np.ndarray] = {}


def _template(r_px: float) -> np.ndarray:
    key = round(r_px * 4)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _ring_template(key / 4)
    return _TEMPLATES[key]


def register(half: np.ndarray, cx: float, cy: float, r_px: float,
             search_px: int) -> tuple[float, float, float]:
    """Where the printed ring really is near (cx, cy), as (dx, dy) in full-resolution px,
    and how much darker the ring is than just outside it (grey levels; about 0 when the
    ring cannot be seen: a fold, a hand, a damaged part of the image).
    Matched on the half-resolution page (`half`, pyrDown) turned into darkness (255 - grey):
    a quarter of the work, and the parabola through the peak gives back sub-pixel
    precision."""
    t = _template(r_px / 2)
    th = t.shape[0] // 2  # the kernel's half-width
    sx, sy, sr = round(cx / 2), round(cy / 2), max(1, (search_px + 1) // 2)
    x0, y0 = sx - th - sr, sy - th - sr
    x1, y1 = sx + th + sr + 1, sy + th + sr + 1
    if x0 < 0 or y0 < 0 or x1 > half.shape[1] or y1 > half.shape[0]:
        return 0.0, 0.0, 0.0
    res = cv2.matchTemplate(darkness_of(half[y0:y1, x0:x1]), t, cv2.TM_CCORR)
    _, best, _, (mx, my) = cv2.minMaxLoc(res)
    fx, fy = mx + subpixel_peak(res[my, :], mx), my + subpixel_peak(res[:, mx], my)
    ring = best / float((t > 0).sum())
    return 2 * (fx - sr) + (2 * sx - cx), 2 * (fy - sr) + (2 * sy - cy), ring


def register_row(half: np.ndarray, xs: list[float], cy: float, r_px: float,
                 search_px: int) -> list[tuple[float, float, float]]:
    """`register` for bubbles of one radius on one line, with one `matchTemplate` over the
    strip that holds them all instead of one per bubble: the per-call cost (~50 us) was most
    of the time, and each bubble's search window is then a slice of the one result, so the
    fits are the same as `register`'s."""
    t = _template(r_px / 2)
    th = t.shape[0] // 2  # the kernel's half-width
    sy, sr = round(cy / 2), max(1, (search_px + 1) // 2)
    sxs = [round(x / 2) for x in xs]
    x0, y0 = min(sxs) - th - sr, sy - th - sr
    x1, y1 = max(sxs) + th + sr + 1, sy + th + sr + 1
    if len(xs) < 2 or x0 < 0 or y0 < 0 or x1 > half.shape[1] or y1 > half.shape[0]:
        return [register(half, x, cy, r_px, search_px) for x in xs]
    res = cv2.matchTemplate(darkness_of(half[y0:y1, x0:x1]), t, cv2.TM_CCORR)
    ring_px = float((t > 0).sum())
    out = []
    for x, sx in zip(xs, sxs, strict=True):
        c = sx - th - sr - x0
        win = res[:, c:c + 2 * sr + 1]
        _, best, _, (mx, my) = cv2.minMaxLoc(win)
        fx, fy = mx + subpixel_peak(win[my, :], mx), my + subpixel_peak(win[:, mx], my)
        out.append((2 * (fx - sr) + (2 * sx - x), 2 * (fy - sr) + (2 * sy - cy), best / ring_px))
    return out


def is_blank(img: np.ndarray) -> bool:
    """True for an empty page (the back of a duplex scan): almost nothing darker than the
    paper around it, ignoring the scanner's dark edges and faint show-through."""
    small, _ = _shrink(img, 600)
    h, w = small.shape
    inner = small[h // 25:h - h // 25, w // 25:w - w // 25]
    paper = cv2.dilate(inner, np.ones((15, 15), np.uint8))
    dark = inner.astype(np.float32) < paper.astype(np.float32) * 0.6
    return float(dark.mean()) < tuning.BLANK_DARK_FRACTION


def _shrink(img: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    f = min(1.0, long_side / max(img.shape[:2]))
    if f == 1.0:
        return img, f
    return cv2.resize(img, (max(1, round(img.shape[1] * f)), max(1, round(img.shape[0] * f))),
                      interpolation=cv2.INTER_AREA), f
