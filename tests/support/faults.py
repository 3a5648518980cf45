"""Copier and phone faults: noise, streaks, skew, fit-to-page, other paper, dithering,
hidden markers, shadow edges; `degrade` applies one condition's faults to a page."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

# --- Degrading ------------------------------------------------------------------------------
#: Share of copier pages with each fault (independently), and of phone photos with a hard
#: shadow edge: often enough that a few hundred pages hold every fault many times.
COPIER_FAULTS: dict[str, float] = {
    "streak": 0.35, "skew": 0.25, "fit_to_page": 0.15, "paper_mismatch": 0.12,
    "low_dpi": 0.2, "dithered": 0.08, "marker_hidden": 0.05,
}
PHOTO_FAULTS: dict[str, float] = {"shadow_edge": 0.45, "marker_hidden": 0.04}
CONDITIONS = ("clean", "copier", "photo")
LETTER_ASPECT = 792.0 / 612.0
A4_ASPECT = 841.89 / 595.28


def _noise(img: np.ndarray, sigma: float, rng) -> np.ndarray:
    n = np.empty(img.shape, np.int16)
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    cv2.randn(n, 0, sigma)
    return cv2.add(img, n, dtype=cv2.CV_8U)


def streak(img: np.ndarray, rng, vertical: bool | None = None) -> np.ndarray:
    """A dirty drum or scanner glass: a faint grey line 0.5-3 mm wide along the whole feed
    direction (a column of the image, sometimes a row), 8-40 grey levels darker."""
    out = img.astype(np.int16)
    h, w = img.shape[:2]
    vertical = rng.random() < 0.75 if vertical is None else vertical
    across = w if vertical else h
    mm = across / 210
    for _ in range(int(rng.integers(1, 3))):
        at = rng.uniform(0.1, 0.9) * across
        width = rng.uniform(0.5, 3.0) * mm
        depth = rng.uniform(8, 40)
        pos = np.arange(across)
        prof = depth * np.clip(1 - np.abs(pos - at) / (width / 2 + 1), 0, 1) ** 0.5
        along = 1 + 0.25 * np.sin(np.linspace(0, rng.uniform(2, 8), h if vertical else w))
        band = (along[:, None] * prof[None, :]) if vertical else (prof[:, None] * along[None, :])
        out -= band.astype(np.int16) if img.ndim == 2 else band.astype(np.int16)[:, :, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def hide_marker(img: np.ndarray, rng, paper: int = 245) -> tuple[np.ndarray, str]:
    """One corner marker lost: a folded corner, a staple over it, or the corner cut off by
    the scanner window."""
    h, w = img.shape[:2]
    corner = int(rng.integers(0, 4))
    mm = w / 210
    kind = ("fold", "staple", "cut")[int(rng.integers(0, 3))]
    out = img.copy()
    x = 0 if corner in (0, 3) else w
    y = 0 if corner in (0, 1) else h
    sx, sy = (1 if x == 0 else -1), (1 if y == 0 else -1)
    if kind in ("fold", "cut"):
        reach = rng.uniform(28, 36) * mm  # past the marker, short of the QR
        tri = np.array([[x, y], [x + sx * reach, y], [x, y + sy * reach]], np.int32)
        cv2.fillPoly(out, [tri], (paper,) * 3 if out.ndim == 3 else paper)
        if kind == "fold":
            cv2.line(out, tuple(tri[1]), tuple(tri[2]), (150,) * 3 if out.ndim == 3 else 150, 2)
        else:
            cv2.fillPoly(out, [tri], (20,) * 3 if out.ndim == 3 else 20)  # the scanner lid
    else:
        cx, cy = x + sx * 17 * mm, y + sy * 17 * mm
        pts = cv2.boxPoints(((cx, cy), (14 * mm, 2.5 * mm), rng.uniform(-60, 60)))
        cv2.fillPoly(out, [pts.astype(np.int32)], (110,) * 3 if out.ndim == 3 else 110)
        cv2.circle(out, (int(cx), int(cy)), int(6 * mm), (paper,) * 3 if out.ndim == 3
                   else paper, -1)  # the paper torn round the staple, the marker gone
        cv2.fillPoly(out, [pts.astype(np.int32)], (110,) * 3 if out.ndim == 3 else 110)
    return out, kind


def _on_other_paper(grey: np.ndarray, rng, paper: int) -> tuple[np.ndarray, str]:
    """A4 printed on Letter or the reverse: shrunk to fit (the printer's "fit to page"), or
    printed at 100 % and centred, so an edge strip of a few mm is lost."""
    h, w = grey.shape
    letter = h / w < (LETTER_ASPECT + A4_ASPECT) / 2
    # The other paper at the same resolution: Letter is 612 x 792 pt, A4 595 x 842.
    if letter:
        nw, nh = round(w * 595.28 / 612), round(h * 841.89 / 792)
    else:
        nw, nh = round(w * 612 / 595.28), round(h * 792 / 841.89)
    canvas = np.full((nh, nw), paper, np.uint8)
    if rng.random() < 0.5:
        f = min(nw / w, nh / h) * rng.uniform(0.97, 1.0)
        small = cv2.resize(grey, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        y0, x0 = (nh - small.shape[0]) // 2, (nw - small.shape[1]) // 2
        canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
        how = "fit"
    else:
        y0, x0 = (nh - h) // 2, (nw - w) // 2
        ys, xs = max(0, -y0), max(0, -x0)
        part = grey[ys:ys + nh, xs:xs + nw]
        canvas[max(0, y0):max(0, y0) + part.shape[0], max(0, x0):max(0, x0) + part.shape[1]] = part
        how = "centred"
    name = "A4 on Letter" if not letter else "Letter on A4"
    return canvas, f"{name} ({how})"


def degrade_copier(img: np.ndarray, rng, faults: list | None = None,
                   rates: dict[str, float] | None = None) -> np.ndarray:
    """A copier's "scan to PDF": rotation (a quarter upside down; some 3-7 degrees), 95-100 %
    scale, a shift, slight blur, grey paper, noise; greyscale. Then, at `COPIER_FAULTS`
    rates: faint streaks, fit-to-page shrinking, the other paper size, 100-150 dpi, 1-bit
    dithering, a lost corner marker. `faults` collects what was applied."""
    faults = [] if faults is None else faults
    rates = COPIER_FAULTS if rates is None else rates
    hit = {k: rng.random() < p for k, p in rates.items()}
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    paper = int(rng.uniform(225, 250))
    if hit.get("paper_mismatch"):
        grey, how = _on_other_paper(grey, rng, 255)
        faults.append(how)
    h, w = grey.shape
    angle = rng.uniform(-2.5, 2.5)
    if hit.get("skew"):
        angle = rng.uniform(3, 7) * (1 if rng.random() < 0.5 else -1)
        faults.append(f"skew {angle:.1f}")
    angle += 180 if rng.random() < 0.25 else 0
    scale = rng.uniform(0.95, 1.0)
    if hit.get("fit_to_page"):
        scale = rng.uniform(0.90, 0.95)
        faults.append(f"scaled {scale:.2f}")
    # The scanner's glass is a little larger than the sheet (3 % here): a sheet skewed by
    # 5-7 degrees still loses its corners past it, as on a real copier.
    gw, gh = round(w * 1.03), round(h * 1.03)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += rng.uniform(-0.015, 0.015, 2) * (w, h) + ((gw - w) / 2, (gh - h) / 2)
    out = cv2.warpAffine(grey, m, (gw, gh), flags=cv2.INTER_LINEAR, borderValue=paper)
    h, w = gh, gw
    if hit.get("marker_hidden"):
        out, kind = hide_marker(out, rng, paper)
        faults.append(f"marker {kind}")
    # Paper is not pure white and the toner not pure black.
    out = cv2.convertScaleAbs(out, alpha=(paper - 20) / 255, beta=20)
    if hit.get("streak"):
        out = streak(out, rng)
        faults.append("streak")
    sigma = rng.uniform(0.3, 0.9)
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    out = _noise(out, rng.uniform(1.5, 4.0), rng)
    if hit.get("low_dpi"):
        f = rng.uniform(100, 150) / 200
        out = cv2.resize(out, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        faults.append(f"{200 * f:.0f} dpi")
    if hit.get("dithered"):
        out = np.asarray(Image.fromarray(out).convert("1"), np.uint8) * 255
        faults.append("1-bit dithered")
    return out


def shadow_edge(img: np.ndarray, rng) -> np.ndarray:
    """A hard shadow across a photo (a hand, a head, the phone): a straight edge at any angle,
    25-45 % darker beyond it, soft over 1-6 mm."""
    h, w = img.shape[:2]
    mm = min(h, w) / 210
    yy, xx = np.mgrid[0:h:4, 0:w:4].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    px, py = rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h
    dist = (xx - px) * np.cos(ang) + (yy - py) * np.sin(ang)
    soft = rng.uniform(1, 6) * mm
    depth = rng.uniform(0.25, 0.45)
    light = 1 - depth / (1 + np.exp(-dist / (soft / 2)))
    light = cv2.resize(light.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if img.ndim == 3:
        light = cv2.merge([light] * 3)
    return cv2.multiply(img, light, dtype=cv2.CV_8U)


def degrade_photo(img: np.ndarray, rng, faults: list | None = None,
                  rates: dict[str, float] | None = None) -> np.ndarray:
    """A phone photo: perspective, the page on a darker desk, uneven light, blur, noise,
    colour kept; sometimes sideways. At `PHOTO_FAULTS` rates: a hard shadow edge, a lost
    corner marker."""
    faults = [] if faults is None else faults
    rates = PHOTO_FAULTS if rates is None else rates
    hit = {k: rng.random() < p for k, p in rates.items()}
    if hit.get("marker_hidden"):
        img, kind = hide_marker(img, rng)
        faults.append(f"marker {kind}")
    h, w = img.shape[:2]
    fw, fh = int(w * 1.15), int(h * 1.12)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-0.05, 0.05, (4, 2)) * (w, h)
    base = np.float32([[0.06 * fw, 0.05 * fh], [0.94 * fw, 0.05 * fh],
                       [0.94 * fw, 0.95 * fh], [0.06 * fw, 0.95 * fh]])
    dst = (base + jitter).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = tuple(int(v) for v in rng.uniform(60, 120, 3))
    out = cv2.warpPerspective(img, m, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=desk)
    # Light falling off across the page, with a soft shadow.
    yy, xx = np.mgrid[0:fh:8, 0:fw:8].astype(np.float32)
    gx, gy = rng.uniform(-1, 1, 2)
    light = 1.0 - 0.35 * (0.5 + 0.5 * (gx * (xx / fw - 0.5) + gy * (yy / fh - 0.5)) * 2) / 2
    light -= 0.12 * np.exp(-((xx / fw - rng.uniform()) ** 2 + (yy / fh - rng.uniform()) ** 2)
                           / 0.05)
    light = cv2.resize(np.clip(light, 0.45, 1.0).astype(np.float32), (fw, fh),
                       interpolation=cv2.INTER_LINEAR)
    out = cv2.multiply(out, cv2.merge([light] * 3), dtype=cv2.CV_8U)
    if hit.get("shadow_edge"):
        out = shadow_edge(out, rng)
        faults.append("shadow edge")
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.6, 1.4))
    out = _noise(out, rng.uniform(2.0, 5.0), rng)
    if rng.random() < 0.3:
        out = cv2.rotate(out, cv2.ROTATE_90_CLOCKWISE)
    return out


def degrade(img: np.ndarray, condition: str, rng, faults: list | None = None) -> np.ndarray:
    if condition == "clean":
        return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if condition == "copier":
        return degrade_copier(img, rng, faults)
    if condition == "photo":
        return degrade_photo(img, rng, faults)
    raise ValueError(condition)
