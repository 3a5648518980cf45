"""Shared by the sheet tests: sample surveys, and pixel checks on rendered sheets (a PDF
page becomes a greyscale numpy array with pypdfium2; layout boxes in points become pixel
crops)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

from forms.definition import load_survey, parse_survey
from forms.layout import MM
from tests.qr_text import read_qr

BANK = Path(__file__).resolve().parents[2] / "forms" / "bank"
BANK_CODES = sorted(p.stem for p in BANK.glob("*.yaml"))

DPI = 150
SCALE = DPI / 72.0
INK, PAPER = 110, 235


def bank(code: str):
    return load_survey(BANK / f"{code}.yaml")


def long_teacher_survey(n: int = 30):
    """More agree5 questions than fit on one page, and a write-in at the end."""
    qs = "\n".join(f"  - {{code: q{i}, text: 'Statement number {i} about teaching science "
                   f"in a primary classroom', scale: agree5}}" for i in range(1, n + 1))
    return parse_survey(f"code: long\ntitle: Long teacher survey\naudience: teacher\n"
                        f"questions:\n{qs}\n  - {{code: notes, text: 'Anything else?', "
                        f"scale: text}}\n")


def render_pages(pdf: bytes, dpi: int = DPI) -> list[np.ndarray]:
    """Every page of `pdf` as a greyscale uint8 array (row 0 = top of the page)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=dpi / 72.0, grayscale=True)
            arr = np.array(bitmap.to_numpy(), copy=True)
            if arr.ndim == 3:
                arr = arr[..., 0]
            out.append(arr)
            bitmap.close()
            page.close()
        return out
    finally:
        doc.close()


def px(v: float) -> int:
    return int(round(v * SCALE))


@dataclass
class BubbleCheck:
    ring_dark: float  # fraction of angles with ink at the radius
    inside: float  # mean grey level inside


def check_bubble(img: np.ndarray, cx: float, cy: float, r: float) -> BubbleCheck:
    """Sample the ring at the radius (darkest pixel within +-1.5 pt) and the inside."""
    hits, angles = 0, 36
    for k in range(angles):
        a = 2 * math.pi * k / angles
        darkest = 255
        for dr in np.linspace(-1.5, 1.5, 7):
            x = (cx + (r + dr) * math.cos(a)) * SCALE
            y = (cy + (r + dr) * math.sin(a)) * SCALE
            darkest = min(darkest, int(img[int(round(y)), int(round(x))]))
        hits += darkest < INK
    inner = (r - 2.5) * SCALE
    y0, y1 = px(cy) - int(inner), px(cy) + int(inner)
    x0, x1 = px(cx) - int(inner), px(cx) + int(inner)
    yy, xx = np.mgrid[y0:y1 + 1, x0:x1 + 1]
    disc = (yy - cy * SCALE) ** 2 + (xx - cx * SCALE) ** 2 <= inner ** 2
    return BubbleCheck(hits / angles, float(img[y0:y1 + 1, x0:x1 + 1][disc].mean()))


def decode_qr(img: np.ndarray, box: dict) -> str:
    """The QR text read by OpenCV from a crop of the layout's QR box. The crop reaches
    7 mm beyond the box: OpenCV's detector misses ~2% of codes cropped tighter."""
    pad = px(20)
    crop = img[max(px(box["y"]) - pad, 0):px(box["y"] + box["size"]) + pad,
               max(px(box["x"]) - pad, 0):px(box["x"] + box["size"]) + pad]
    return read_qr(crop)


def find_markers(img: np.ndarray) -> dict[int, tuple[float, float]]:
    """ArUco DICT_4X4_50 markers found on the page: id -> centre in points."""
    detector = cv2.aruco.ArucoDetector(
        cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50),
        cv2.aruco.DetectorParameters())
    corners, ids, _ = detector.detectMarkers(img)
    found = {}
    for c, i in zip(corners, [] if ids is None else ids.ravel(), strict=True):
        centre = c.reshape(4, 2).mean(axis=0) / SCALE
        found[int(i)] = (float(centre[0]), float(centre[1]))
    return found


def edge_ink(img: np.ndarray, margin_mm: float = 10.0) -> int:
    """How many pixels nearer the edge than `margin_mm` are not white."""
    m = int(margin_mm * MM * SCALE) - 1
    band = np.ones_like(img, dtype=bool)
    band[m:-m, m:-m] = False
    return int((img[band] < 250).sum())
