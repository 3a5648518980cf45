"""Painting one mark as a child makes it: fills, scribbles, ticks, crosses, circles,
pencil, and crayon over a printed face. Used by `tests.support.children`."""

from __future__ import annotations

import cv2
import numpy as np

PEN_BLACK = (35, 35, 40)
PEN_BLUE = (150, 60, 25)  # BGR: a ballpoint blue
PENCIL = (120, 120, 120)


def _px(v: float, dpi: float) -> float:
    return v * dpi / 72


def _stroke(img, pts, colour, width, rng) -> None:
    pts = np.asarray(pts, np.float64)
    cv2.polylines(img, [np.round(pts * 8).astype(np.int32)], False, colour,
                  max(1, int(round(width))), cv2.LINE_AA, 3)


def _fill(img, cx, cy, r, colour, rng, cover=1.0) -> None:
    """A child's fill: an irregular blob about the bubble's size, sometimes over the line."""
    n = 24
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rad = r * cover * rng.uniform(0.82, 1.08, n)
    rad = np.convolve(np.r_[rad[-2:], rad, rad[:2]], np.ones(5) / 5, "valid")
    ox, oy = rng.normal(0, 0.06 * r, 2)
    pts = np.c_[cx + ox + rad * np.cos(ang), cy + oy + rad * np.sin(ang)]
    cv2.fillPoly(img, [np.round(pts * 8).astype(np.int32)], colour, cv2.LINE_AA, 3)


def _pencil(img, cx, cy, r, rng, dpi, light: bool = False) -> None:
    """Pencil shading: parallel grey strokes with gaps, lighter than pen; `light`: a child
    who barely presses (pale, thin, gappy strokes)."""
    grey = int(rng.uniform(178, 200) if light else rng.uniform(140, 180))
    colour = (grey, grey, grey)
    w = _px(rng.uniform(0.5, 0.8) if light else rng.uniform(0.7, 1.2), dpi)
    angle = rng.uniform(0.5, 1.2)
    step = w * (rng.uniform(1.8, 2.6) if light else rng.uniform(1.0, 1.7))
    d, k = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    off = -r * 0.95
    while off < r * 0.95:
        half = np.sqrt(max(0.0, (r * 0.98) ** 2 - off ** 2))
        c = np.array([cx, cy]) + k * off
        _stroke(img, [c - d * half, c + d * half], colour, w, rng)
        off += step


def _scribble(img, cx, cy, r, colour, rng, dpi, dense: bool = False) -> None:
    """Zig-zag over the bubble; `dense`: scribbled out hard to cancel it, past the ring."""
    w = _px(rng.uniform(0.5, 0.9), dpi)
    n = int(rng.integers(16, 24) if dense else rng.integers(7, 13))
    reach = 1.25 if dense else 1.0
    ys = np.linspace(-0.8 * r, 0.8 * r, n) * reach
    xs = np.where(np.arange(n) % 2 == 0, -1, 1) * r * reach * np.sqrt(
        np.clip(1 - (ys / (r * reach)) ** 2, 0, 1)) * 0.95
    pts = np.c_[cx + xs + rng.normal(0, 0.08 * r, n), cy + ys + rng.normal(0, 0.05 * r, n)]
    _stroke(img, pts, colour, w, rng)


def _zigzag(img, cx, cy, r, colour, rng, dpi) -> None:
    """A tight zig-zag in a fine ballpoint (0.4-0.5 pt), its lines under 0.5 mm apart: the
    densest scribble a child draws, not in the mixes (tests paint it on purpose)."""
    n = int(rng.integers(13, 17))
    ys = np.linspace(-0.85 * r, 0.85 * r, n)
    xs = np.where(np.arange(n) % 2 == 0, -1, 1) * r * np.sqrt(np.clip(1 - (ys / r) ** 2, 0, 1))
    pts = np.c_[cx + xs + rng.normal(0, 0.04 * r, n), cy + ys + rng.normal(0, 0.03 * r, n)]
    _stroke(img, pts, colour, _px(rng.uniform(0.4, 0.5), dpi), rng)


def _tick(img, cx, cy, r, colour, rng, dpi) -> None:
    w = _px(rng.uniform(0.55, 0.9), dpi)
    s = r * rng.uniform(0.9, 1.25)
    a = (cx - 0.55 * s, cy + 0.0 * s)
    b = (cx - 0.15 * s, cy + 0.5 * s)
    c = (cx + 0.7 * s, cy - 0.65 * s)
    j = rng.normal(0, 0.05 * r, (3, 2))
    _stroke(img, np.array([a, b, c]) + j, colour, w, rng)


def _cross(img, cx, cy, r, colour, rng, dpi) -> None:
    w = _px(rng.uniform(0.55, 0.9), dpi)
    s = r * rng.uniform(0.75, 1.0)
    for sign in (1, -1):
        j = rng.normal(0, 0.06 * r, (2, 2))
        _stroke(img, np.array([(cx - s, cy - sign * s), (cx + s, cy + sign * s)]) + j,
                colour, w, rng)


def _circle(img, cx, cy, r, colour, rng, dpi) -> None:
    """A ring drawn AROUND the bubble instead of filling it: a wobbly ellipse 1.2-1.7 radii
    across, off-centre, often not quite closed or overlapping itself."""
    w = _px(rng.uniform(0.5, 0.9), dpi)
    ra, rb = r * rng.uniform(1.22, 1.65, 2)
    start = rng.uniform(0, 2 * np.pi)
    sweep = rng.uniform(1.85, 2.15) * np.pi
    t = np.linspace(start, start + sweep, 60)
    wob = 1 + np.convolve(rng.normal(0, 0.04, 64), np.ones(5) / 5, "same")[:60]
    ox, oy = rng.normal(0, 0.1 * r, 2)
    tilt = rng.uniform(0, np.pi)
    x, y = ra * np.cos(t) * wob, rb * np.sin(t) * wob
    pts = np.c_[cx + ox + x * np.cos(tilt) - y * np.sin(tilt),
                cy + oy + x * np.sin(tilt) + y * np.cos(tilt)]
    _stroke(img, pts, colour, w, rng)


#: Crayons (BGR) a child colours a face with; yellow is pale on a greyscale scan.
CRAYONS = [(40, 40, 200), (200, 90, 40), (60, 160, 60), (30, 140, 240), (150, 50, 150),
           (40, 210, 240)]


def colour_face(img, cx, cy, size, rng, colour=None) -> tuple[int, int, int]:
    """Colour a printed face in with crayon: strokes over most of the head, multiplied onto
    the page so the printed lines stay visible; sometimes over the outline."""
    colour = colour or CRAYONS[int(rng.integers(0, len(CRAYONS)))]
    head = 0.44 * size
    layer = np.zeros(img.shape[:2], np.uint8)
    w = max(2, int(head * rng.uniform(0.12, 0.2)))
    angle = rng.uniform(0, np.pi)
    d, k = np.array([np.cos(angle), np.sin(angle)]), np.array([-np.sin(angle), np.cos(angle)])
    reach = head * rng.uniform(0.85, 1.08)
    off = -reach
    while off < reach:
        half = np.sqrt(max(0.0, reach ** 2 - off ** 2)) * rng.uniform(0.8, 1.05)
        c = np.array([cx, cy]) + k * off + rng.normal(0, 0.03 * head, 2)
        _stroke(layer, [c - d * half, c + d * half], 255, w, rng)
        off += w * rng.uniform(0.7, 1.2)
    alpha = (layer.astype(np.float32) / 255 * rng.uniform(0.75, 1.0))[:, :, None]
    tint = np.array(colour, np.float32)[None, None, :] / 255
    img[:] = np.clip(img * (1 - alpha + alpha * tint), 0, 255).astype(np.uint8)
    return colour


def paint_mark(img, style: str, cx, cy, r, rng, dpi) -> None:
    """One mark of a style at a bubble (pixel coordinates)."""
    pen = PEN_BLUE if style == "blue" else PEN_BLACK
    if style in ("fill", "blue"):
        if style == "blue" and rng.random() < 0.4:
            _tick(img, cx, cy, r, pen, rng, dpi)
        else:
            _fill(img, cx, cy, r, pen, rng)
    elif style in ("pencil", "light_pencil"):
        _pencil(img, cx, cy, r, rng, dpi, light=style == "light_pencil")
    elif style == "scribble":
        _scribble(img, cx, cy, r, pen, rng, dpi)
    elif style == "scribble_out":
        _scribble(img, cx, cy, r, pen, rng, dpi, dense=True)
    elif style == "zigzag":
        _zigzag(img, cx, cy, r, pen, rng, dpi)
    elif style == "tick":
        _tick(img, cx, cy, r, pen, rng, dpi)
    elif style == "cross":
        _cross(img, cx, cy, r, pen, rng, dpi)
    elif style == "circle":
        _circle(img, cx, cy, r, PEN_BLUE if rng.random() < 0.3 else pen, rng, dpi)
    else:
        raise ValueError(style)
