"""What is wrong with a page that cannot be placed or identified, said so a person can fix it.

A teacher photographing a class pack needs to know at once, while the sheet is still in
hand, whether to take the photo again and what to change: "the bottom-left corner is cut
off", "too blurry", "too dark". The same words help with a copier page. These checks run
only on a page that has already failed (no markers, or no readable sheet code), so they
cost nothing on the pages that read.

The focus threshold comes from the generator's photos and copier pages of three bank surveys
(seeds 50-52), blurred step by step until the scanner stopped reading them: as made, they
measure 140-340 on `sharpness`; blurred until they no longer read, 19-72. Only a page that
failed is judged, so the threshold sits above the blurred ones and well below the sharp ones.
"""

from __future__ import annotations

import cv2
import numpy as np

from scanner import locate

#: Marker ids in the sheet's own corners (forms.layout.MARKER_IDS: TL, TR, BR, BL).
CORNERS = {0: "top-left", 1: "top-right", 2: "bottom-right", 3: "bottom-left"}
#: Long side (px) the page is reduced to before judging focus, so a 12-megapixel photo and
#: a 150 dpi scan are judged at the same scale.
JUDGE_LONG_SIDE = 1000
#: A failed page below this is called blurry: 99.5th percentile of |Laplacian| per 255 of
#: the page's contrast (sharp pages 140-340, blurred failures 19-72; module docstring).
MIN_SHARPNESS = 90.0
#: The paper's brightness (90th percentile, 0-255) below which a failed photo is called too
#: dark: a generator photo darkened to paper level 71 still read, at 47 it no longer did.
MIN_PAPER_LEVEL = 60.0

TOO_DARK = ("Take it again: the photo is too dark. Turn the lights on or move nearer a window, "
            "and keep the phone's shadow off the sheet. Or enter its answers by hand.")
TOO_BLURRY = ("Take it again: the photo is too blurry to read. Hold the phone still, a little "
              "further from the sheet, and tap the screen to focus first. Or enter its answers "
              "by hand.")
CUT_OFF = ("Take it again: the {corners} of the sheet {verb} cut off or covered (the black "
           "square there was not found). Show the whole page, with a little table around it. "
           "Or enter its answers by hand.")


def _small(img: np.ndarray) -> np.ndarray:
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return locate.reduce(img, JUDGE_LONG_SIDE)[0]


def paper_level(img: np.ndarray) -> float:
    """How bright the paper is (the 90th percentile of the reduced page)."""
    return float(np.percentile(_small(img), 90))


def sharpness(img: np.ndarray) -> float:
    """How crisp the page's edges are, independent of its size and contrast: the 99.5th
    percentile of the Laplacian's magnitude, per 255 of the page's grey range."""
    small = _small(img)
    lo, hi = np.percentile(small, (1, 99))
    edges = float(np.percentile(np.abs(cv2.Laplacian(small, cv2.CV_32F)), 99.5))
    return edges * 255.0 / max(float(hi - lo), 1.0)


def missing_corners(found: locate.Markers) -> list[str]:
    """The sheet's corners whose marker was not seen, in the sheet's own orientation."""
    return [name for i, name in CORNERS.items() if i not in found.corners]


def _corner_words(names: list[str]) -> tuple[str, str]:
    if len(names) == 1:
        return f"{names[0]} corner", "is"
    return " and ".join((", ".join(names[:-1]), names[-1])) + " corners", "are"


def what_is_wrong(img: np.ndarray, found: locate.Markers | None = None) -> str | None:
    """The one thing to change before taking the photo again, or None when nothing shows.

    Light comes first (a dark photo also looks soft and loses its markers), then focus,
    then framing. Framing is named only when some of the sheet's markers were seen: with
    none at all it may not be one of our sheets."""
    if paper_level(img) < MIN_PAPER_LEVEL:
        return TOO_DARK
    if sharpness(img) < MIN_SHARPNESS:
        return TOO_BLURRY
    if found is not None and 0 < len(found) < len(CORNERS):
        corners, verb = _corner_words(missing_corners(found))
        return CUT_OFF.format(corners=corners, verb=verb)
    return None


#: How far (in layout points) a bubble may lie outside the picture before the page is
#: called cut off: a bubble's own radius plus a little paper around it.
OUTSIDE_MARGIN_PT = 4.0
CUT_OFF_EDGE = ("Take it again: the {side} of the sheet, where there are answers, is outside "
                "the photo or scan. Show the whole page, with a little table around it. Or "
                "enter its answers by hand.")


def answers_outside(template: dict, h: np.ndarray, shape: tuple[int, ...]) -> str | None:
    """Why the page must be taken again when some of its bubbles fall outside the image, or
    None. Each bubble out of the picture would read as a dark block of five marks, and a
    row of those sends every answer there to review; a retake reads them all."""
    bubbles = template.get("bubbles") or []
    if not bubbles:
        return None
    pts = np.array([[b["cx"], b["cy"]] for b in bubbles], np.float64)
    reach = np.array([b["r"] for b in bubbles], np.float64) + OUTSIDE_MARGIN_PT
    # A bubble is inside when the whole square around it lands in the picture.
    corners = np.concatenate([pts + np.stack([dx * reach, dy * reach], axis=1)
                              for dx in (-1, 1) for dy in (-1, 1)])
    img_pts = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), h).reshape(-1, 2)
    height, width = shape[:2]
    out = ((img_pts[:, 0] < 0) | (img_pts[:, 1] < 0) | (img_pts[:, 0] >= width)
           | (img_pts[:, 1] >= height))
    if not out.any():
        return None
    # Name the side of the sheet that is lost: each lost point's way out of the picture,
    # turned into the sheet's own directions (the photo may be sideways or upside down).
    lost = img_pts[out]
    step = np.stack([np.where(lost[:, 0] < 0, -1.0, np.where(lost[:, 0] >= width, 1.0, 0.0)),
                     np.where(lost[:, 1] < 0, -1.0, np.where(lost[:, 1] >= height, 1.0, 0.0))],
                    axis=1)
    back = np.linalg.inv(h)
    a = cv2.perspectiveTransform(lost.reshape(-1, 1, 2), back).reshape(-1, 2)
    b = cv2.perspectiveTransform((lost + step).reshape(-1, 1, 2), back).reshape(-1, 2)
    way = (b - a) / np.maximum(np.linalg.norm(b - a, axis=1, keepdims=True), 1e-9)
    dx, dy = way.sum(axis=0)
    side = ("bottom" if dy > 0 else "top") if abs(dy) >= abs(dx) else (
        "right" if dx > 0 else "left")
    return CUT_OFF_EDGE.format(side=side)
