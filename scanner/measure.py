"""Measure each bubble on the normalised page: level the light, find the bubble's printed
ring near where the layout puts it, and report how dark its inside is relative to this
page's own paper and printed black.

Levelling uses a paper-brightness map (a max filter over a coarse copy of the page: ink is
removed, paper stays), so a phone photo darker at one edge reads like a flat copier scan.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from scanner import tuning

#: Coarse map resolution: 1/8 of the normalised image (15 dpi at 120 dpi).
_COARSE = 8


@dataclass
class Levels:
    """Paper brightness map (coarse) and the contrast of printed black on this page."""

    paper_coarse: np.ndarray
    ink_contrast: float

    def paper_at(self, x: float, y: float) -> float:
        ph, pw = self.paper_coarse.shape
        return float(self.paper_coarse[min(ph - 1, max(0, int(y / _COARSE))),
                                       min(pw - 1, max(0, int(x / _COARSE)))])


def paper_map(half: np.ndarray) -> np.ndarray:
    """Paper brightness on a coarse grid, from the half-resolution page (`pyrDown`, which
    the ring fits need anyway): dark blobs up to ~12 mm (fills, markers) vanish."""
    f = _COARSE // 2
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
_DISCS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


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
    res = cv2.matchTemplate(_darkness_of(half[y0:y1, x0:x1]), t, cv2.TM_CCORR)
    _, best, _, (mx, my) = cv2.minMaxLoc(res)
    fx, fy = mx + _peak(res[my, :], mx), my + _peak(res[:, mx], my)
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
    res = cv2.matchTemplate(_darkness_of(half[y0:y1, x0:x1]), t, cv2.TM_CCORR)
    ring_px = float((t > 0).sum())
    out = []
    for x, sx in zip(xs, sxs, strict=True):
        c = sx - th - sr - x0
        win = res[:, c:c + 2 * sr + 1]
        _, best, _, (mx, my) = cv2.minMaxLoc(win)
        fx, fy = mx + _peak(win[my, :], mx), my + _peak(win[:, mx], my)
        out.append((2 * (fx - sr) + (2 * sx - x), 2 * (fy - sr) + (2 * sy - cy), best / ring_px))
    return out


def _darkness_of(grey: np.ndarray) -> np.ndarray:
    """255 - grey as float32 (what the ring kernel is correlated with), for one strip only:
    the bubbles' strips are under half the page."""
    return cv2.subtract(255, grey, dtype=cv2.CV_32F)


def _peak(line: np.ndarray, i: int) -> float:
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


_GEOMETRY: dict[tuple[int, int], _Geometry] = {}


def _geometry(r_px: float, gap_px: float = 1e9) -> _Geometry:
    """`gap_px`: distance to the nearest other bubble's centre; the background bands stay
    clear of its printed ring (the 0-10 row's bubbles are 2.4 radii apart on pupil sheets)."""
    key = (round(r_px * 4), min(round(gap_px * 2), 10_000))
    if key in _GEOMETRY:
        return _GEOMETRY[key]
    r = key[0] / 4
    outer = _ring_outer(r)
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
    mid = (b0 + b1) / 2
    steps = np.arange(-n_in, n_in + 1)
    g = _Geometry(half, inner, sq_x[in_sq] + n_in, sq_y[in_sq] + n_in,
                  (sq_x[in_sq] + mid) / (2 * mid), (sq_y[in_sq] + mid) / (2 * mid), span, near,
                  far, ring, starts, counts, in_sq, (steps + mid) / (2 * mid),
                  (steps + mid) / (2 * mid))
    _GEOMETRY[key] = g
    return g


def _ring_outer(r_px: float) -> float:
    """Outer radius (px) of the annulus searched for a drawn circle."""
    mm = tuning.NORMALISED_DPI / 25.4
    return min(tuning.RING_OUTER * r_px, r_px + tuning.RING_OUTER_MAX_MM * mm)


def _windows(img: np.ndarray, cx: np.ndarray, cy: np.ndarray, half: int) -> np.ndarray:
    """The (n, 2 half + 1, 2 half + 1) squares around each centre (the image's dtype)."""
    h, w = img.shape
    yc, xc = np.rint(cy).astype(np.intp), np.rint(cx).astype(np.intp)
    side = 2 * half + 1
    if len(cx) and yc.min() >= half and xc.min() >= half and yc.max() < h - half \
            and xc.max() < w - half:
        # A view of every square in the image, indexed at the centres: the squares are
        # copied straight out, without an index array of every pixel (4x faster).
        squares = np.lib.stride_tricks.sliding_window_view(img, (side, side))
        return squares[yc - half, xc - half]
    dy, dx = np.mgrid[-half:half + 1, -half:half + 1]
    ys = np.clip(yc[:, None] + dy.ravel()[None, :], 0, h - 1)
    xs = np.clip(xc[:, None] + dx.ravel()[None, :], 0, w - 1)
    return img[ys, xs].reshape(len(cx), side, side)


def _lines(stack: np.ndarray, k: int) -> np.ndarray:
    """How much darker each pixel is than what closes over it within k px (a black top-hat:
    dark on both sides), after a slight blur: a pen line stands out; a shadow's edge (dark
    on one side only) and sensor noise in a dark shadow do not."""
    return cv2.morphologyEx(_soft(stack), cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8))


def _soft(stack: np.ndarray) -> np.ndarray:
    """The slight blur before looking for lines (a fixed 3 x 3 kernel: `LINE_BLUR_PX`)."""
    return cv2.GaussianBlur(stack, (3, 3), tuning.LINE_BLUR_PX)


def _baseline(a: np.ndarray) -> np.ndarray:
    """What every bubble of this size on the page shows at the same place (printed faces,
    labels and neighbouring rings), taken as the median over bubbles: most bubbles on a
    page are empty, and a streak or shadow touches only some of them."""
    if len(a) >= tuning.BASELINE_MIN_BUBBLES:
        return np.median(a, axis=0)
    if len(a) >= 2:
        # A few bubbles (one question of a size of its own): at most one of them is marked,
        # so the least at each place is what is printed there.
        return np.min(a, axis=0)
    return np.zeros(a.shape[1:], a.dtype)


def _less_baselines(profiles: list[np.ndarray]) -> list[np.ndarray]:
    """Each profile less its `_baseline`; profiles of one shape share one median call."""
    if all(p.shape == profiles[0].shape for p in profiles):
        base = _baseline(np.stack(profiles, axis=1))  # (n, 4, k): one median for the four
        return [p - base[j] for j, p in enumerate(profiles)]
    return [p - _baseline(p) for p in profiles]


def _band_median(raw: np.ndarray, g: _Geometry, paper: np.ndarray,
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


def _least_above(factor: np.ndarray, threshold: float) -> np.ndarray:
    """Per bubble, the least grey step v (0-255) with v * factor > threshold, computed as
    that product is (float32), so `steps >= it` is exactly `steps * factor > threshold`
    for uint8 steps (the product only grows with v); 256 when none is."""
    table = np.arange(256, dtype=np.float32)[None, :] * factor[:, None] > threshold
    return np.where(table.any(axis=1), table.argmax(axis=1), 256)


@dataclass
class Features:
    """Per bubble (arrays over the bubbles measured together)."""

    #: Mean relative darkness of the inner disc above its own local background.
    darkness: np.ndarray
    #: Fraction of the inner disc inked.
    coverage: np.ndarray
    #: Fraction of the sectors around the ring with new ink: a circle drawn round the bubble.
    circle: np.ndarray
    #: This bubble's local paper level above the page map (relative): its background.
    background: np.ndarray
    #: Drawn line inside the inner disc (darker than what closes over it), in pixels per
    #: radius, above what the page's bubbles of this size show: faint pencil or a thin tick
    #: is structured, where noise and a streak's broad darkening are not.
    strokes: np.ndarray | None = None


@functools.lru_cache(maxsize=256)
def face_sectors(r_px: float, dx: float, dy: float, head_px: float) -> np.ndarray:
    """Which of a bubble's annulus sectors a printed face (centre dx, dy from the bubble's,
    head radius `head_px`) covers: they cannot show a circle drawn round the bubble."""
    n = tuning.RING_SECTORS
    ang = -np.pi + (np.arange(n) + 0.5) * 2 * np.pi / n
    radii = np.linspace(tuning.RING_INNER * r_px, _ring_outer(r_px), 5)
    px = np.cos(ang)[:, None] * radii[None, :]
    py = np.sin(ang)[:, None] * radii[None, :]
    return (np.hypot(px - dx, py - dy) < head_px + 3).any(axis=1)


@functools.lru_cache(maxsize=256)
def word_sectors(r_px: float, half_width_px: float) -> np.ndarray:
    """Which of a bubble's annulus sectors the answer's words printed under it (faces rows:
    centred, at most a pitch wide, starting just below the ring) can cover. Each bubble's
    words have their own width, so no baseline over the page's bubbles takes them away."""
    n = tuning.RING_SECTORS
    ang = -np.pi + (np.arange(n) + 0.5) * 2 * np.pi / n
    half = np.pi / n
    ang = ang[:, None] + np.linspace(-0.8 * half, 0.8 * half, 5)[None, :]
    out = np.zeros(n, bool)
    for rad in np.linspace(tuning.RING_INNER * r_px, _ring_outer(r_px), 5):
        px, py = np.cos(ang) * rad, np.sin(ang) * rad
        out |= ((np.abs(px) <= half_width_px) & (py >= r_px)).any(axis=1)
    return out


def darkness(img: np.ndarray, lv: Levels, cx: np.ndarray, cy: np.ndarray,
             r_px: float, gap_px: float = 1e9, blind: np.ndarray | None = None,
             rings: bool = True, worded: np.ndarray | None = None) -> Features:
    """Measure bubbles of one radius, all at once, each against its OWN background.

    The page map gives the paper level at a coarse scale; each bubble then corrects it
    from four bands just outside its printed ring. First their median (the paper right
    here: a dithered scan's grey, a shadow's level). Then per column the lighter of the
    bands above and below, per row the lighter of those left and right, each less what
    every bubble of this size shows there (printed faces, labels): a streak along a column
    or a shadow edge darkens both bands of one direction and is taken away, while ink on
    one side only (a label, a neighbour's mark) is not. The correction is capped, so a
    mark spilling over the ring is never taken for background."""
    g = _geometry(r_px, gap_px)
    n = len(cx)
    raw = _windows(img, cx, cy, g.half)
    ph, pw = lv.paper_coarse.shape
    paper = lv.paper_coarse[np.clip((cy / _COARSE).astype(int), 0, ph - 1),
                            np.clip((cx / _COARSE).astype(int), 0, pw - 1)]
    scale = 1.0 / max(lv.ink_contrast, 1.0)

    def rel(px: np.ndarray) -> np.ndarray:
        """Relative darkness (unclipped) of some of each window's pixels."""
        shape = (n,) + (1,) * (px.ndim - 1)
        return (paper.reshape(shape) - px.astype(np.float32)) * scale

    sp = g.span
    top, bottom = rel(raw[:, g.band_near, sp]), rel(raw[:, g.band_far, sp])
    left, right = rel(raw[:, sp, g.band_near]), rel(raw[:, sp, g.band_far])
    local = _band_median(raw, g, paper, scale)
    profiles = [top.mean(axis=1), bottom.mean(axis=1), left.mean(axis=2), right.mean(axis=2)]
    profiles = [p - local[:, None] for p in profiles]
    if worded is not None and worded.any() and not worded.all():
        # A faces row prints a face above each bubble and its words below: their bubbles
        # get a baseline of their own (with the rest, when most bubbles of the size have
        # no face, the face stayed in: light pencil shading a whole bubble read 0.01-0.03
        # instead of 0.13, a blank; tuning seeds 535 and 635).
        t, b, lf, rt = (np.empty_like(p) for p in profiles)
        for part in (worded, ~worded):
            for out, p in zip((t, b, lf, rt), _less_baselines([p[part] for p in profiles]),
                              strict=True):
                out[part] = p
    else:
        t, b, lf, rt = _less_baselines(profiles)
    cap = tuning.LOCAL_CAP
    col = np.clip(np.minimum(t, b), -cap, cap)   # (n, nx)
    row = np.clip(np.minimum(lf, rt), -cap, cap)  # (n, ny)
    side = 2 * g.half + 1
    # Over the inner square (n, y, x), by broadcasting rather than gathering per pixel (the
    # same figures, computed alike, in a third of the time); the disc is taken at the end.
    bg = np.maximum(col[:, None, :], row[:, :, None])
    # A shadow edge across the bubble at a slant: the bands of both directions see part of
    # it, so the bands are also interpolated across the disc (above to below, left to
    # right, averaged); where that says darker, it is the background.
    fy, fx = g.fy[None, :, None], g.fx[None, None, :]
    across = lf[:, :, None] * (1 - fx) + rt[:, :, None] * fx
    interp = 0.5 * ((t[:, None, :] * (1 - fy) + b[:, None, :] * fy) + across)
    if worded is not None:
        # The words below a faces-row bubble are its own: interpolated from them, the
        # bottom of the bubble would take them for background.
        interp = np.where(worded[:, None, None], across, interp)
    bg = (np.maximum(bg, np.clip(interp, 0.0, cap)) + local[:, None, None])[:, g.disc]
    # Light multiplies: in a shadow the paper and the ink are both darker by the same
    # factor, so what is left above the background is scaled back up by it.
    lit = np.clip(1.0 - bg * (lv.ink_contrast / np.maximum(paper, 1.0))[:, None], 0.4, 1.0)
    inner = (rel(raw[:, sp, sp][:, g.disc]) - bg) / lit
    np.clip(inner, 0.0, 1.0, out=inner)
    # Lines in the annulus: darker than the lightest pixel within a few pixels (a pen or
    # pencil line is 1-8 px wide at 120 dpi), so neither a streak's nor a shadow's broad
    # darkening counts, however dark.
    if not rings:
        return Features(inner.mean(axis=1), (inner > tuning.INK_PIXEL).mean(axis=1),
                        np.zeros(n), local)
    stack = raw.reshape(n * side, side)
    k = tuning.LINE_WINDOW_PX
    every_line = _lines(stack, k).reshape(n, side * side)
    lines = every_line[:, g.ring]
    # In a shadow a line is as much fainter as the paper is darker: judged against the light
    # here, so a shadowed bubble's printed ring and a bright one's compare alike.
    here = np.clip((paper - local * lv.ink_contrast) / max(float(lv.paper_coarse.max()), 1.0),
                   0.3, 1.0)
    ring = lines >= _least_above(scale / here, tuning.RING_INK)[:, None]
    per_sector = np.add.reduceat(ring, g.ring_starts, axis=1).astype(np.float32)
    base = _baseline(per_sector)
    inked = (per_sector - base) > tuning.SECTOR_INK * r_px
    # Sectors mostly covered by print on every bubble (the face above a bubble) cannot show
    # a drawn line: they are left out rather than counted as empty.
    seen = np.broadcast_to(base <= 0.25 * g.ring_counts, inked.shape)
    if blind is not None:
        seen = seen & ~blind
    circle = (inked & seen).sum(axis=1) / np.maximum(1, seen.sum(axis=1))
    # A circle goes all the way round; a streak or a straight stroke through the annulus
    # inks two opposite quarters at most (quarters centred on left, top, right, bottom).
    round_all = np.roll(inked | ~seen, 2, axis=1).reshape(n, 4, -1).any(axis=2).all(axis=1)
    open_quarters = (np.roll(seen, 2, axis=1).reshape(n, 4, -1).sum(axis=2) >= 2).sum(axis=1)
    quarters = round_all & (open_quarters >= 3)
    if worded is not None:
        # A face above and its words below leave only the left and right of the ring to
        # see: a circle must ink both (a stroke on one side, or a label, does not).
        per_q = np.roll(inked & seen, 2, axis=1).reshape(n, 4, -1).sum(axis=2)
        need = tuning.CIRCLE_SIDE_SECTORS
        round_lr = round_all & (per_q[:, 0] >= need) & (per_q[:, 2] >= need)
        # Not round on both sides (a copier's skew or low dpi breaks a drawn circle up, a
        # mark between two answers inks one side): at most unsure, never taken as empty.
        circle = np.where(worded & ~round_lr, np.minimum(circle, tuning.CIRCLE_MARKED - 0.05),
                          circle)
        quarters = np.where(worded, True, quarters)
    circle = np.where(quarters, circle, np.minimum(circle, tuning.CIRCLE_UNSURE - 0.05))
    # Strokes: line pixels inside the disc, less what runs on through the bands of both
    # sides (a streak along a row or column is a line too, across the whole bubble).
    stroke = every_line.reshape(n, side, side) * (scale / here)[:, None, None] > tuning.STROKE_INK
    strokes = stroke.reshape(n, -1)[:, g.inner].mean(axis=1)
    t_b = np.minimum(stroke[:, g.band_near, sp].mean(axis=(1, 2)),
                     stroke[:, g.band_far, sp].mean(axis=(1, 2)))
    l_r = np.minimum(stroke[:, sp, g.band_near].mean(axis=(1, 2)),
                     stroke[:, sp, g.band_far].mean(axis=(1, 2)))
    t_b = t_b - _baseline(t_b)
    if worded is not None:
        t_b = np.where(worded, 0.0, t_b)  # a face above, its words below: each its own
    strokes = strokes - _baseline(strokes) - np.maximum(np.maximum(t_b, l_r - _baseline(l_r)),
                                                        0.0)
    # In radii of line (a line across the disc is about 1.5 radii long per pixel of its
    # width): a thin tick draws as much in a big bubble as in a small one.
    strokes = strokes * len(g.inner) / r_px
    return Features(inner.mean(axis=1), (inner > tuning.INK_PIXEL).mean(axis=1), circle,
                    local, strokes)


def ink_at(img: np.ndarray, lv: Levels, cx: np.ndarray, cy: np.ndarray,
           r_px: float, solid: bool = False, away: np.ndarray | None = None,
           solid_from: float = tuning.BETWEEN_SOLID) -> np.ndarray:
    """Inked pixels in a disc of radius `r_px` at each point, in radii (a line across the
    disc is about two), less the page's median over the same points: what is printed
    between bubbles (nothing, usually) is not a mark. Ink is a line, or a blot up to twice
    as wide, far darker than what closes over it (a shadow's edge closes over nothing);
    with `solid`, also any pixel darker than the paper by `solid_from`. `away` (n, m, 3):
    per disc, m circles (x, y, radius) whose pixels are not counted (bubbles it overlaps)."""
    if len(cx) == 0:
        return np.zeros(0)
    k = tuning.LINE_WINDOW_PX
    # Each window holds the page round the disc as far as the blot's closing reaches, so it
    # never closes over a neighbour's window in the stack, or the stack's replicated edge
    # (a fill then read as nothing, or not, by where its window fell in the stack).
    half = int(np.ceil(r_px)) + 1 + 2 * k + 1
    win = _windows(img, cx, cy, half)
    yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
    disc = np.hypot(xx, yy).ravel() <= r_px
    n, side = len(cx), 2 * half + 1
    stack = win.reshape(n * side, side)
    soft = _soft(stack)
    lines = cv2.morphologyEx(soft, cv2.MORPH_BLACKHAT, np.ones((k, k), np.uint8))
    lines = lines.reshape(n, -1)[:, disc].astype(np.float32)
    blots = cv2.morphologyEx(soft, cv2.MORPH_BLACKHAT, np.ones((4 * k + 1, 4 * k + 1), np.uint8))
    blots = blots.reshape(n, -1)[:, disc].astype(np.float32)
    # A hatch or a tight zig-zag (thin lines 2-4 px apart) is neither: the blur greys it
    # into one pale patch that the line window closes over whole, too pale for a blot; a
    # small window on the unblurred page sees each line.
    j = tuning.BETWEEN_HATCH_PX
    hatch = cv2.morphologyEx(stack, cv2.MORPH_BLACKHAT, np.ones((j, j), np.uint8))
    hatch = hatch.reshape(n, -1)[:, disc].astype(np.float32)
    scale = 1.0 / max(lv.ink_contrast, 1.0)
    ink = ((np.maximum(lines, hatch) * scale > tuning.BETWEEN_LINE)
           | (blots * scale > tuning.BETWEEN_BLOT))
    if solid:
        # Clear paper by design (an option row's gap): a fill there is ink however wide it
        # spreads (it may join the words and the next ring, past what a top-hat closes).
        ph, pw = lv.paper_coarse.shape
        paper = lv.paper_coarse[np.clip((cy / _COARSE).astype(int), 0, ph - 1),
                                np.clip((cx / _COARSE).astype(int), 0, pw - 1)]
        rel = (paper[:, None] - win.reshape(n, -1)[:, disc].astype(np.float32)) * scale
        ink |= rel > solid_from
    if away is not None:
        px, py = xx.ravel()[disc], yy.ravel()[disc]
        gx = np.rint(cx)[:, None, None] + px[None, None, :]  # as `_windows` places them
        gy = np.rint(cy)[:, None, None] + py[None, None, :]
        inside = ((gx - away[:, :, 0:1]) ** 2 + (gy - away[:, :, 1:2]) ** 2
                  <= away[:, :, 2:3] ** 2).any(axis=1)
        ink &= ~inside
    inked = ink.sum(axis=1) / r_px
    base = np.median(inked) if len(inked) >= tuning.BASELINE_MIN_BUBBLES else 0.0
    return inked - base


def face_darkness(img: np.ndarray, lv: Levels, faces: list[tuple[float, float, float]]
                  ) -> np.ndarray:
    """How much darker each printed face is than a clean one: measured as a bubble the size
    of the head (its inside against bands just outside it, so a streak or a shadow edge
    across the face is background, not colouring), less the palest faces' on this page (the
    printed eyes and mouth; a page where a child coloured every face has clean ones too, the
    faces not chosen)."""
    if not faces:
        return np.zeros(0)
    size = float(np.median([f[2] for f in faces]))  # one face size per sheet
    head = 0.44 * size
    # The measured disc is 0.85 of the head (inside its printed outline).
    f = darkness(img, lv, np.array([f[0] for f in faces]), np.array([f[1] for f in faces]),
                 0.85 * head / tuning.INNER_RADIUS_FRACTION, rings=False)
    return f.darkness - np.percentile(f.darkness, 10)


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
