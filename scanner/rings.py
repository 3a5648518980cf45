"""The pieces `scanner.darkness` measures with: a square window of the page around each bubble,
the disc and ring geometry for a bubble radius (cached), line and blur filters, and the
baselines a whole page's bubbles share. Moved out of `scanner.measure` to keep it small;
public names, since `measure` and `darkness` both use them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from scanner import tuning

_DISCS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def darkness_of(grey: np.ndarray) -> np.ndarray:
    """255 - grey as float32 (what the ring kernel is correlated with), for one strip only:
    the bubbles' strips are under half the page."""
    return cv2.subtract(255, grey, dtype=cv2.CV_32F)


def subpixel_peak(line: np.ndarray, i: int) -> float:
    """Sub-pixel offset of a maximum from the parabola through it and its neighbours."""
    if i <= 0 or i >= len(line) - 1:
        return 0.0
    a, b, c = float(line[i - 1]), float(line[i]), float(line[i + 1])
    den = a - 2 * b + c
    return 0.0 if den >= 0 else max(-0.5, min(0.5, 0.5 * (a - c) / den))


def _disc_offsets(r_in: float) -> tuple[np.ndarray, np.ndarray]:
    key = round(r_in * 4)
    if key not in _DISCS:
        rr = key / 4
        half = int(np.ceil(rr))
        yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
        inside = np.hypot(xx, yy) <= rr
        _DISCS[key] = (yy[inside], xx[inside])
    return _DISCS[key]


@dataclass
class _Geometry:
    """Pixel offsets (relative to a bubble's centre) of what is measured around a bubble of
    one radius: the inner disc, four bands just outside the printed ring (for the local
    background), and the annulus where a child's circle around the bubble falls."""

    half: int
    inner: np.ndarray          # flat indices into the (2 half + 1)^2 window
    inner_x: np.ndarray        # column (0..nx-1) of each inner pixel in the inner square
    inner_y: np.ndarray
    inner_fx: np.ndarray       # 0 (left band) .. 1 (right band) across each inner pixel
    inner_fy: np.ndarray
    span: slice                # rows/columns of the inner square within the window
    band_near: slice           # rows above (columns left of) the ring, window coordinates
    band_far: slice            # rows below (columns right of) the ring
    ring: np.ndarray           # flat indices of the outer annulus, sorted by sector
    ring_starts: np.ndarray    # first index of each sector in `ring`
    ring_counts: np.ndarray
    disc: np.ndarray           # the inner pixels as a mask of the inner square
    fx: np.ndarray             # `inner_fx` per column of the inner square, `inner_fy` per row
    fy: np.ndarray
    hug: np.ndarray            # flat indices of the printed ring's own band, sorted by sector
    hug_starts: np.ndarray     # first index of each sector in `hug`
    crown: np.ndarray          # flat indices of the annulus's inner part, sorted by sector
    crown_starts: np.ndarray


_GEOMETRY: dict[tuple[int, int], _Geometry] = {}


def ring_geometry(r_px: float, gap_px: float = 1e9) -> _Geometry:
    """`gap_px`: distance to the nearest other bubble's centre; the background bands stay
    clear of its printed ring (the 0-10 row's bubbles are 2.4 radii apart on pupil sheets)."""
    key = (round(r_px * 4), min(round(gap_px * 2), 10_000))
    if key in _GEOMETRY:
        return _GEOMETRY[key]
    r = key[0] / 4
    outer = ring_outer(r)
    half = int(np.ceil(max(outer, tuning.BAND_TO * r))) + 1
    side = 2 * half + 1
    yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
    d = np.hypot(xx, yy)
    ri = r * tuning.INNER_RADIUS_FRACTION
    n_in = int(np.ceil(ri))
    span = slice(half - n_in, half + n_in + 1)
    sq_y, sq_x = np.mgrid[-n_in:n_in + 1, -n_in:n_in + 1]
    in_sq = np.hypot(sq_x, sq_y) <= ri
    inner = ((sq_y[in_sq] + half) * side + (sq_x[in_sq] + half)).ravel()
    b1 = int(round(min(tuning.BAND_TO * r, gap_px - r - 2.5)))
    b0 = int(round(min(tuning.BAND_FROM * r, max(r + 2.5, b1 - 0.35 * r))))
    near, far = slice(half - b1, half - b0 + 1), slice(half + b0, half + b1 + 1)
    ring_in = max(tuning.RING_INNER * r, r + 2.5)  # clear of the printed ring's blurred edge
    in_ring = (d >= ring_in) & (d <= outer)
    sector = ((np.arctan2(yy, xx) + np.pi) / (2 * np.pi) * tuning.RING_SECTORS).astype(int)
    sector = np.minimum(sector, tuning.RING_SECTORS - 1)
    flat = (yy + half) * side + (xx + half)
    order = np.argsort(sector[in_ring], kind="stable")
    ring = flat[in_ring][order]
    counts = np.bincount(sector[in_ring], minlength=tuning.RING_SECTORS)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    # The printed ring's own band, up to where the annulus starts: a circle drawn on the
    # ring shows only as a thicker ring there.
    on_ring = (d >= r - 2.5) & (d < ring_in)
    hug_order = np.argsort(sector[on_ring], kind="stable")
    hug_counts = np.bincount(sector[on_ring], minlength=tuning.RING_SECTORS)
    # ... and the annulus's inner part, where a circle drawn tight passes above the ring.
    near_ring = (d >= ring_in) & (d < min(tuning.CIRCLE_CROWN_TO * r, outer))
    crown_order = np.argsort(sector[near_ring], kind="stable")
    crown_counts = np.bincount(sector[near_ring], minlength=tuning.RING_SECTORS)
    mid = (b0 + b1) / 2
    steps = np.arange(-n_in, n_in + 1)
    g = _Geometry(half, inner, sq_x[in_sq] + n_in, sq_y[in_sq] + n_in,
                  (sq_x[in_sq] + mid) / (2 * mid), (sq_y[in_sq] + mid) / (2 * mid), span, near,
                  far, ring, starts, counts, in_sq, (steps + mid) / (2 * mid),
                  (steps + mid) / (2 * mid), flat[on_ring][hug_order],
                  np.r_[0, np.cumsum(hug_counts)[:-1]], flat[near_ring][crown_order],
                  np.r_[0, np.cumsum(crown_counts)[:-1]])
    _GEOMETRY[key] = g
    return g


def ring_outer(r_px: float) -> float:
    """Outer radius (px) of the annulus searched for a drawn circle."""
    mm = tuning.NORMALISED_DPI / 25.4
    return min(tuning.RING_OUTER * r_px, r_px + tuning.RING_OUTER_MAX_MM * mm)


def windows_around(img: np.ndarray, cx: np.ndarray, cy: np.ndarray, half: int) -> np.ndarray:
    """The (n, 2 half + 1, 2 half + 1) squares around each centre (the image's dtype)."""
    h, w = img.shape
    yc, xc = np.rint(cy).astype(np.intp), np.rint(cx).astype(np.intp)
    side = 2 * half + 1
    if len(cx) and yc.min() >= half and xc.min() >= half and yc.max() < h - half \
            and xc.max() < w - half:
        # A view of every square in the image, indexed at the centres: the squares are
        # copied straight out, without an index array of every pixel (4x faster). The view
        # is made with `as_strided` itself: `sliding_window_view`'s checks cost a third of
        # the call for the few squares of a page.
        s0, s1 = img.strides
        squares = np.lib.stride_tricks.as_strided(
            img, (h - side + 1, w - side + 1, side, side), (s0, s1, s0, s1), writeable=False)
        return squares[yc - half, xc - half]
    dy, dx = np.mgrid[-half:half + 1, -half:half + 1]
    ys = np.clip(yc[:, None] + dy.ravel()[None, :], 0, h - 1)
    xs = np.clip(xc[:, None] + dx.ravel()[None, :], 0, w - 1)
    return img[ys, xs].reshape(len(cx), side, side)


def line_darkness(stack: np.ndarray, k: int) -> np.ndarray:
    """How much darker each pixel is than what closes over it within k px (a black top-hat:
    dark on both sides), after a slight blur: a pen line stands out; a shadow's edge (dark
    on one side only) and sensor noise in a dark shadow do not. `stack` holds the windows
    one above another; the result is laid out alike (computed `transposed`)."""
    wide = transposed(stack)
    return transposed(cv2.morphologyEx(softened(wide), cv2.MORPH_BLACKHAT, square(k)))


def transposed(stack: np.ndarray) -> np.ndarray:
    """A stack of windows (n side, side: one above another) transposed into a (side, n side)
    image for OpenCV's filters, and a result back. They work a row at a time, and such a
    stack is thousands of rows of 40-90 px, where each row's own cost is most of the work
    (a 37 px maximum along the rows: 380 us on such a stack, 46 us on it transposed).
    Every filter used on it is symmetric in x and y and exact (minimum, maximum, and
    OpenCV's bit-exact 3 x 3 blur of 8-bit images), so `transposed(f(transposed(s)))` is
    `f(s)`, pixel for pixel, neighbouring windows and edges included. `cv2.transpose`: 8x
    faster than numpy's copy of a transposed view."""
    return cv2.transpose(stack)


@functools.lru_cache(maxsize=8)
def square(side: int) -> np.ndarray:
    """A square structuring element of ones, `side` px (made once per size)."""
    out = np.ones((side, side), np.uint8)
    out.flags.writeable = False
    return out


def softened(stack: np.ndarray) -> np.ndarray:
    """The slight blur before looking for lines (a fixed 3 x 3 kernel: `LINE_BLUR_PX`)."""
    return cv2.GaussianBlur(stack, (3, 3), tuning.LINE_BLUR_PX)


def ring_baseline(a: np.ndarray) -> np.ndarray:
    """What every bubble of this size on the page shows at the same place (printed faces,
    labels and neighbouring rings), taken as the median over bubbles: most bubbles on a
    page are empty, and a streak or shadow touches only some of them."""
    if len(a) >= tuning.BASELINE_MIN_BUBBLES:
        return median0(a)
    if len(a) >= 2:
        # A few bubbles (one question of a size of its own): at most one of them is marked,
        # so the least at each place is what is printed there.
        return np.min(a, axis=0)
    return np.zeros(a.shape[1:], a.dtype)


def median0(a: np.ndarray) -> np.ndarray:
    """`np.median(a, axis=0)`, the same figures computed the same way (one partition, then
    the mean of the middle two in the array's own precision), without `np.median`'s general
    machinery: half the time on a page's few dozen bubbles, and it runs some twenty times a
    page. Arrays other than float32 and float64, and any holding NaN, go to `np.median`."""
    n = len(a)
    if a.dtype not in (np.float32, np.float64) or n == 0:
        return np.median(a, axis=0)
    k = n // 2
    part = np.partition(a, [k - 1, k, -1] if n % 2 == 0 else [k, -1], axis=0)
    mid = (part[k - 1] + part[k]) / 2 if n % 2 == 0 else part[k] / 1
    if np.isnan(part[-1]).any():  # NaN sorts last: np.median's own NaN handling
        return np.median(a, axis=0)
    return mid


def less_baselines(profiles: list[np.ndarray]) -> list[np.ndarray]:
    """Each profile less its `ring_baseline`; profiles of one shape share one median call."""
    if all(p.shape == profiles[0].shape for p in profiles):
        base = ring_baseline(np.stack(profiles, axis=1))  # (n, 4, k): one median for the four
        return [p - base[j] for j, p in enumerate(profiles)]
    return [p - ring_baseline(p) for p in profiles]


def band_median(raw: np.ndarray, g: _Geometry, paper: np.ndarray,
                 scale: float) -> np.ndarray:
    """The median of each window's four background bands in relative darkness, found among
    the grey levels (uint8) and converted after: relative darkness falls as grey rises, so
    the middle values are the same pixels, and the figure is the one the median of the
    converted bands gives (the mean of the middle two), in a third of the time."""
    n, sp = len(raw), g.span
    px = np.concatenate([raw[:, g.band_near, sp].reshape(n, -1),
                         raw[:, g.band_far, sp].reshape(n, -1),
                         raw[:, sp, g.band_near].reshape(n, -1),
                         raw[:, sp, g.band_far].reshape(n, -1)], axis=1)
    m = px.shape[1]
    if m < 2:  # no bands (bubbles packed too tight): what the plain median gives
        return np.median((paper[:, None] - px.astype(np.float32)) * scale, axis=1)
    k = m // 2
    middle = np.partition(px, (k - 1, k), axis=1)[:, k - 1:k + 1]
    rel = (paper[:, None] - middle.astype(np.float32)) * scale
    return np.mean(rel, axis=1) if m % 2 == 0 else rel[:, 1]


def least_above(factor: np.ndarray, threshold: float) -> np.ndarray:
    """Per bubble, the least grey step v (0-255) with v * factor > threshold, computed as
    that product is (float32), so `steps >= it` is exactly `steps * factor > threshold`
    for uint8 steps (the product only grows with v); 256 when none is."""
    table = np.arange(256, dtype=np.float32)[None, :] * factor[:, None] > threshold
    return np.where(table.any(axis=1), table.argmax(axis=1), 256)
