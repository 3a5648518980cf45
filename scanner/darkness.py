"""How dark each bubble is, and how (filled, ticked, crossed, circled): `darkness` reports a
bubble's `Features` on the levelled page, `ink_at` finds marks between bubbles, and
`face_darkness` reads a coloured-in face. Uses `scanner.rings` for the geometry."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from scanner import one_bit, tuning
from scanner.measure import COARSE, Levels
from scanner.rings import (
    band_median,
    least_above,
    less_baselines,
    line_darkness,
    ring_baseline,
    ring_geometry,
    ring_outer,
    softened,
    square,
    transposed,
    windows_around,
)


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
    #: On a 1-bit page only (else None): the circle looked for with every bubble's line
    #: threshold at least the one its neighbours' light gives (`one_bit.steady_light`).
    steady_circle: np.ndarray | None = None


@functools.lru_cache(maxsize=256)
def face_sectors(r_px: float, dx: float, dy: float, head_px: float) -> np.ndarray:
    """Which of a bubble's annulus sectors a printed face (centre dx, dy from the bubble's,
    head radius `head_px`) covers: they cannot show a circle drawn round the bubble."""
    n = tuning.RING_SECTORS
    ang = -np.pi + (np.arange(n) + 0.5) * 2 * np.pi / n
    radii = np.linspace(tuning.RING_INNER * r_px, ring_outer(r_px), 5)
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
    for rad in np.linspace(tuning.RING_INNER * r_px, ring_outer(r_px), 5):
        px, py = np.cos(ang) * rad, np.sin(ang) * rad
        out |= ((np.abs(px) <= half_width_px) & (py >= r_px)).any(axis=1)
    return out


def _longest_arc(drawn: np.ndarray) -> np.ndarray:
    """Per bubble (row), the longest run of consecutive True sectors, round the circle.
    Twice round (a run may pass the last sector to the first): at each place the run is
    how far back the last False was, found for every place at once."""
    n, k = drawn.shape
    twice = np.concatenate([drawn, drawn], axis=1)
    places = np.arange(2 * k)
    last_false = np.maximum.accumulate(np.where(twice, -1, places[None, :]), axis=1)
    best = (places[None, :] - last_false).max(axis=1) if n else np.zeros(0, int)
    return np.minimum(best, k)


def _sides(a: np.ndarray) -> np.ndarray:
    """Per bubble, the sum of (n, 16) sector figures over the left and the right quarter
    (sectors centred on left, top, right, bottom): (n, 2)."""
    return np.roll(a, 2, axis=1).reshape(len(a), 4, -1).sum(axis=2)[:, [0, 2]]


def _hugged(every_line: np.ndarray, g, thr: np.ndarray, seen: np.ndarray,
            inked: np.ndarray, worded: np.ndarray, r_px: float) -> np.ndarray:
    """The seen sectors of a faces-row bubble's side where a circle drawn round it runs ON the
    printed ring: (n, 16), True there. Only the left and the right of such a bubble show a
    circle in the annulus (its face above, its words below); drawn tight and off-centre, one
    side of the circle falls on the printed ring and shows no line of its own there, so the
    circle looked like ink on one side only, as a mark between two answers does. Three
    things together tell the circle: every seen sector of the other side is inked; the ring
    on this side is thicker than the row's (`CIRCLE_HUG`: its line pixels from 2.5 px
    inside the ring to the annulus); and a line passes over the top of the bubble, in the
    annulus's inner part under the face (`CIRCLE_CROWN`), where a mark between two answers
    never reaches (a copier streak through the ring, or a photo's blur, thickens one side
    of the ring too, but draws nothing over the top). Each is less the row's faces-row
    bubbles' median (the printed ring, the face's outline)."""
    n = len(inked)

    def excess(idx: np.ndarray, starts: np.ndarray) -> np.ndarray:
        per = np.add.reduceat((every_line[:, idx] >= thr).astype(np.float32), starts, axis=1)
        return (per - ring_baseline(per[worded])) / r_px

    thick = excess(g.hug, g.hug_starts)
    crown = excess(g.crown, g.crown_starts)
    side_seen = _sides(seen.astype(int))
    side_ink = _sides((inked & seen).astype(int))
    side_thick = _sides(np.where(seen, thick, 0.0))
    full = (side_seen >= 2) & (side_ink >= side_seen)
    top = np.roll(crown, 2, axis=1).reshape(n, 4, -1)[:, 1].sum(axis=1)  # sectors 2-5
    hug = (worded[:, None] & (side_ink == 0) & full[:, ::-1]
           & (side_thick >= tuning.CIRCLE_HUG) & (top >= tuning.CIRCLE_CROWN)[:, None])
    quarter = np.roll(np.arange(tuning.RING_SECTORS) // (tuning.RING_SECTORS // 4), -2)
    out = (hug[:, 0:1] & (quarter == 0)[None, :]) | (hug[:, 1:2] & (quarter == 2)[None, :])
    return out & seen


def _lightest(raw: np.ndarray, g, rel: Callable[[np.ndarray], np.ndarray], local: np.ndarray,
              worded: np.ndarray | None) -> list[np.ndarray]:
    """Per row of the inner square, the lightest pixel of the left and of the right band, as
    relative darkness above the bubble's own paper, less the median over the bubbles
    measured together (faces rows apart, as their profiles are): (n, ny) each. Printed words
    darken a band's mean by however much of each row their letters cover; its lightest
    pixel is the paper between them, so only what darkens the whole band row (a streak, a
    shadow) shows."""
    sp = g.span
    profiles = [rel(raw[:, sp, g.band_near].max(axis=2)) - local[:, None],
                rel(raw[:, sp, g.band_far].max(axis=2)) - local[:, None]]
    if worded is not None and worded.any() and not worded.all():
        out = [np.empty_like(p) for p in profiles]
        for part in (worded, ~worded):
            for o, p in zip(out, less_baselines([p[part] for p in profiles]), strict=True):
                o[part] = p
        return out
    return less_baselines(profiles)


def _circle(every_line: np.ndarray, lines: np.ndarray, g, thr: np.ndarray, r_px: float,
            blind: np.ndarray | None, worded: np.ndarray | None) -> np.ndarray:
    """Per bubble, the share of the ring's sectors a drawn line goes round (`Features.circle`),
    with annulus pixels at least `thr` (n, 1) dark counted as line."""
    n = len(lines)
    ring = lines >= thr
    per_sector = np.add.reduceat(ring, g.ring_starts, axis=1).astype(np.float32)
    base = ring_baseline(per_sector)
    inked = (per_sector - base) > tuning.SECTOR_INK * r_px
    # Sectors mostly covered by print on every bubble (the face above a bubble) cannot show
    # a drawn line: they are left out rather than counted as empty.
    seen = np.broadcast_to(base <= 0.25 * g.ring_counts, inked.shape)
    if blind is not None:
        seen = seen & ~blind
    if worded is not None and worded.any():
        inked = inked | _hugged(every_line, g, thr, seen, inked, worded, r_px)
    circle = (inked & seen).sum(axis=1) / np.maximum(1, seen.sum(axis=1))
    # A circle goes all the way round; a streak or a straight stroke through the annulus
    # inks two opposite quarters at most (quarters centred on left, top, right, bottom).
    round_all = np.roll(inked | ~seen, 2, axis=1).reshape(n, 4, -1).any(axis=2).all(axis=1)
    # ... or, drawn tight, it runs on the printed ring for a while, where no line of its own
    # shows: one unbroken inked arc round most of the bubble is round too (no stroke or
    # streak draws one).
    arc = _longest_arc(inked & seen)
    round_all |= arc >= tuning.CIRCLE_ARC_SECTORS
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
    # Not round: at most unsure; and at least unsure when most of the seen sectors are
    # inked all the same (`CIRCLE_MOSTLY_UNSURE`), or half a circle or more is one unbroken
    # arc, the rest on the printed ring: a person looks (a stroke never draws either; read
    # as no answer, each was a silent blank).
    mostly = ~quarters & (circle >= tuning.CIRCLE_MOSTLY_UNSURE)
    circle = np.where(quarters, circle, np.minimum(circle, tuning.CIRCLE_UNSURE - 0.05))
    circle = np.where((arc >= tuning.CIRCLE_ARC_UNSURE) | mostly,
                      np.maximum(circle, tuning.CIRCLE_UNSURE), circle)
    return circle


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
    mark spilling over the ring is never taken for background.

    On a page whose thin lines are faint (a 1-bit page: `Levels.line_gain`) the circle
    round each bubble is looked for twice (`_circle`): with a greyscale scan's line
    threshold, which alone may read it as marked, and with the page's lower one, which may
    only make it unsure. At the lower threshold the dither's noise, an option's words or a
    mark between two answers can look like a circle too (read as marked, the mark between
    two answers was stored as one of them, tuning seeds 0-60), but a circle drawn in a thin
    pen, blurred back from its dots to half its contrast, is only seen there (read as no
    answer, with no flag)."""
    g = ring_geometry(r_px, gap_px)
    n = len(cx)
    raw = windows_around(img, cx, cy, g.half)
    ph, pw = lv.paper_coarse.shape
    paper = lv.paper_coarse[np.clip((cy / COARSE).astype(int), 0, ph - 1),
                            np.clip((cx / COARSE).astype(int), 0, pw - 1)]
    scale = 1.0 / max(lv.ink_contrast, 1.0)

    def rel(px: np.ndarray) -> np.ndarray:
        """Relative darkness (unclipped) of some of each window's pixels."""
        shape = (n,) + (1,) * (px.ndim - 1)
        return (paper.reshape(shape) - px.astype(np.float32)) * scale

    sp = g.span
    top, bottom = rel(raw[:, g.band_near, sp]), rel(raw[:, g.band_far, sp])
    left, right = rel(raw[:, sp, g.band_near]), rel(raw[:, sp, g.band_far])
    local = band_median(raw, g, paper, scale)
    profiles = [top.mean(axis=1), bottom.mean(axis=1), left.mean(axis=2), right.mean(axis=2)]
    profiles = [p - local[:, None] for p in profiles]
    if worded is not None and worded.any() and not worded.all():
        # A faces row prints a face above each bubble and its words below: their bubbles
        # get a baseline of their own (with the rest, when most bubbles of the size have
        # no face, the face stayed in: light pencil shading a whole bubble read 0.01-0.03
        # instead of 0.13, a blank; tuning seeds 535 and 635).
        t, b, lf, rt = (np.empty_like(p) for p in profiles)
        for part in (worded, ~worded):
            for out, p in zip((t, b, lf, rt), less_baselines([p[part] for p in profiles]),
                              strict=True):
                out[part] = p
    else:
        t, b, lf, rt = less_baselines(profiles)
    cap = tuning.LOCAL_CAP
    col = np.clip(np.minimum(t, b), -cap, cap)   # (n, nx)
    row = np.clip(np.minimum(lf, rt), -cap, cap)  # (n, ny)
    # An option's words start just right of its bubble, each option's its own letters: the
    # right band's mean, less the median of the row's bubbles (other words), can read far
    # lighter than the paper there and hide a streak along the row (paper walk, seed 1500:
    # a grey streak across an empty "The Moon" read 0.06, stored as the answer). The
    # lightest pixel of each band row is paper, whatever letter is printed across it (no
    # letter fills a band's row), so a streak darkens it on both sides and a mark spilling
    # over one side does not: per row, the lighter side of these is background too.
    row = np.maximum(row, np.clip(np.minimum(*_lightest(raw, g, rel, local, worded)),
                                  -cap, cap))
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
    every_line = line_darkness(stack, k).reshape(n, side * side)
    lines = every_line[:, g.ring]
    # In a shadow a line is as much fainter as the paper is darker: judged against the light
    # here, so a shadowed bubble's printed ring and a bright one's compare alike.
    here = np.clip((paper - local * lv.ink_contrast) / max(float(lv.paper_coarse.max()), 1.0),
                   0.3, 1.0)
    thr = least_above(scale / here, tuning.RING_INK)[:, None]
    circle = _circle(every_line, lines, g, thr, r_px, blind, worded)
    steady_circle = None
    if lv.line_gain < 1.0:  # a 1-bit page: a circle seen only below makes it unsure at most
        low = least_above(scale / here, tuning.RING_INK * lv.line_gain)[:, None]
        faint = _circle(every_line, lines, g, low, r_px, blind, worded)
        circle = np.maximum(circle, np.minimum(faint, tuning.CIRCLE_UNSURE))
        steady = least_above(scale / one_bit.steady_light(here), tuning.RING_INK)[:, None]
        steady_circle = _circle(every_line, lines, g, steady, r_px, blind, worded)
    # Strokes: line pixels inside the disc, less what runs on through the bands of both
    # sides (a streak along a row or column is a line too, across the whole bubble).
    stroke = (every_line.reshape(n, side, side) * (scale / here)[:, None, None]
              > tuning.STROKE_INK * lv.line_gain)
    strokes = stroke.reshape(n, -1)[:, g.inner].mean(axis=1)
    t_b = np.minimum(stroke[:, g.band_near, sp].mean(axis=(1, 2)),
                     stroke[:, g.band_far, sp].mean(axis=(1, 2)))
    l_r = np.minimum(stroke[:, sp, g.band_near].mean(axis=(1, 2)),
                     stroke[:, sp, g.band_far].mean(axis=(1, 2)))
    t_b = t_b - ring_baseline(t_b)
    if worded is not None:
        t_b = np.where(worded, 0.0, t_b)  # a face above, its words below: each its own
    strokes = strokes - ring_baseline(strokes) - np.maximum(
        np.maximum(t_b, l_r - ring_baseline(l_r)), 0.0)
    # In radii of line (a line across the disc is about 1.5 radii long per pixel of its
    # width): a thin tick draws as much in a big bubble as in a small one.
    strokes = strokes * len(g.inner) / r_px
    return Features(inner.mean(axis=1), (inner > tuning.INK_PIXEL).mean(axis=1), circle,
                    local, strokes, steady_circle)


@functools.lru_cache(maxsize=64)
def _ink_disc(half: int, r_px: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For `ink_at`'s (2 half + 1)-square windows: the disc of radius `r_px` as a mask of the
    flattened window, and its pixels' x and y offsets from the centre. A page asks for the
    same few radii every time: made once, not twice for each group of discs."""
    yy, xx = np.mgrid[-half:half + 1, -half:half + 1]
    disc = np.hypot(xx, yy).ravel() <= r_px
    out = (disc, xx.ravel()[disc], yy.ravel()[disc])
    for a in out:
        a.flags.writeable = False  # shared by every later call
    return out


def ink_at(img: np.ndarray, lv: Levels, cx: np.ndarray, cy: np.ndarray,
           r_px: float, solid: bool = False, away: np.ndarray | None = None,
           solid_from: float = tuning.BETWEEN_SOLID,
           blot_from: float = tuning.BETWEEN_BLOT) -> np.ndarray:
    """Inked pixels in a disc of radius `r_px` at each point, in radii (a line across the
    disc is about two), less the page's median over the same points: what is printed
    between bubbles (nothing, usually) is not a mark. Ink is a line, or a blot up to twice
    as wide, far darker than what closes over it (a shadow's edge closes over nothing);
    with `solid`, also any pixel darker than the paper by `solid_from`. A blot counts from
    `blot_from` darker than what closes over it, or from `BETWEEN_BLOT` times the line gain
    where that is lower (a 1-bit page). `away` (n, m, 3):
    per disc, m circles (x, y, radius) whose pixels are not counted (bubbles it overlaps)."""
    if len(cx) == 0:
        return np.zeros(0)
    k = tuning.LINE_WINDOW_PX
    # Each window holds the page round the disc as far as the blot's closing reaches, so it
    # never closes over a neighbour's window in the stack, or the stack's replicated edge
    # (a fill then read as nothing, or not, by where its window fell in the stack).
    half = int(np.ceil(r_px)) + 1 + 2 * k + 1
    win = windows_around(img, cx, cy, half)
    disc, px, py = _ink_disc(half, r_px)
    n, side = len(cx), 2 * half + 1
    # The windows one above another, each filter computed across them (`transposed`).
    wide = transposed(win.reshape(n * side, side))
    soft = softened(wide)
    lines = cv2.morphologyEx(soft, cv2.MORPH_BLACKHAT, square(k))
    lines = transposed(lines).reshape(n, -1)[:, disc].astype(np.float32)
    blots = cv2.morphologyEx(soft, cv2.MORPH_BLACKHAT, square(4 * k + 1))
    blots = transposed(blots).reshape(n, -1)[:, disc].astype(np.float32)
    # A hatch or a tight zig-zag (thin lines 2-4 px apart) is neither: the blur greys it
    # into one pale patch that the line window closes over whole, too pale for a blot; a
    # small window on the unblurred page sees each line.
    j = tuning.BETWEEN_HATCH_PX
    hatch = cv2.morphologyEx(wide, cv2.MORPH_BLACKHAT, square(j))
    hatch = transposed(hatch).reshape(n, -1)[:, disc].astype(np.float32)
    scale = 1.0 / max(lv.ink_contrast, 1.0)
    gain = one_bit.between_gain(lv)
    ink = ((np.maximum(lines, hatch) * scale > tuning.BETWEEN_LINE * gain)
           | (blots * scale > min(blot_from, tuning.BETWEEN_BLOT * gain)))
    if solid:
        # Clear paper by design (an option row's gap): a fill there is ink however wide it
        # spreads (it may join the words and the next ring, past what a top-hat closes).
        ph, pw = lv.paper_coarse.shape
        paper = lv.paper_coarse[np.clip((cy / COARSE).astype(int), 0, ph - 1),
                                np.clip((cx / COARSE).astype(int), 0, pw - 1)]
        rel = (paper[:, None] - win.reshape(n, -1)[:, disc].astype(np.float32)) * scale
        ink |= rel > solid_from
    if away is not None:
        gx = np.rint(cx)[:, None, None] + px[None, None, :]  # as `windows_around` places them
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
