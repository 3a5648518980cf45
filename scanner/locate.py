"""Find the page in the picture: ArUco markers, the homography from layout points to image
pixels, and the sheet code (QR) read at the place the layout says it is.

Markers come first because they are cheap in reduced corner cut-outs (~2 ms) and their ids
fix the orientation (upside down, sideways) and perspective; the QR is then cut out where a
known layout puts it and decoded in ~1.5 ms, instead of searched for over the whole page
(~300 ms).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from scanner import tuning

_ARUCO_DICT = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


def _marker_params(windows: tuple[int, ...]) -> cv2.aruco.DetectorParameters:
    p = cv2.aruco.DetectorParameters()
    # Sub-pixel corners make the homography good to ~0.1 mm at 100 dpi.
    p.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    p.adaptiveThreshWinSizeMin = windows[0]
    p.adaptiveThreshWinSizeMax = windows[-1]
    p.adaptiveThreshWinSizeStep = max(1, windows[-1] - windows[0])
    return p


#: Corners: markers are 25-45 px at the search resolution and one threshold window between
#: the two below finds all of them on the benchmark's scans and photos; each window is a
#: whole pass (a third of the search time).
_DETECTOR = cv2.aruco.ArucoDetector(_ARUCO_DICT, _marker_params((21,)))
#: The whole image, when a corner had no marker: two windows (15 and 25 px) instead of
#: OpenCV's three, a wider net for the pages that need it.
_DETECTOR_WIDE = cv2.aruco.ArucoDetector(_ARUCO_DICT, _marker_params((15, 25)))
_QR = cv2.QRCodeDetector()
_QR_ARUCO = cv2.QRCodeDetectorAruco()


@dataclass
class Markers:
    """Marker id -> its 4 corners (image px, clockwise from the marker's own top-left)."""

    corners: dict[int, np.ndarray]

    def __len__(self) -> int:
        return len(self.corners)


def reduce(img: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """The image shrunk so its long side is about `long_side`, and the factor used.
    Halving with pyrDown, then a linear step: INTER_AREA at odd factors is 10x slower."""
    small = img
    while max(small.shape[:2]) >= 1.6 * long_side:
        small = cv2.pyrDown(small)
    f = long_side / max(small.shape[:2])
    if f < 0.8:
        small = cv2.resize(small, (round(small.shape[1] * f), round(small.shape[0] * f)),
                           interpolation=cv2.INTER_LINEAR)
    return small, small.shape[1] / img.shape[1]


def find_markers(img: np.ndarray) -> Markers:
    """Markers 0-3 on the page; when an id is seen twice (a doodle that looks like one), the
    larger wins."""
    h, w = img.shape[:2]
    ch, cw = round(h * tuning.MARKER_CORNER_FRACTION), round(w * tuning.MARKER_CORNER_FRACTION)
    # Each corner is cut out first and reduced on its own to the scale the whole image would
    # have at `MARKER_SEARCH_LONG_SIDE`: reducing the whole page cost as much as the search.
    corner_side = round(tuning.MARKER_SEARCH_LONG_SIDE * max(ch, cw) / max(h, w))
    found: dict[int, np.ndarray] = {}
    # Scans: the markers sit in the page's corners, whichever way up; a fifth of the pixels.
    for y0, x0 in ((0, 0), (0, w - cw), (h - ch, w - cw), (h - ch, 0)):
        small, f = reduce(img[y0:y0 + ch, x0:x0 + cw], corner_side)
        _collect(found, small, (x0 * f, y0 * f), f)
    if len(found) < 4:  # photos: the page may be anywhere in the frame
        small, f = reduce(img, tuning.MARKER_SEARCH_LONG_SIDE)
        _collect(found, small, (0, 0), f, _DETECTOR_WIDE)
    return Markers(found)


def _collect(found: dict[int, np.ndarray], img: np.ndarray, offset: tuple[float, float],
             f: float, detector: cv2.aruco.ArucoDetector = _DETECTOR) -> None:
    """Markers 0-3 in `img`, a cut-out reduced by `f` whose top-left is at `offset` (px of
    the reduced image), added to `found` in full-image px."""
    corners, ids, _ = detector.detectMarkers(img)
    if ids is None:
        return
    for c, i in zip(corners, ids.ravel(), strict=True):
        if i > 3:
            continue
        pts = (c.reshape(4, 2).astype(np.float64) + offset) / f
        if i in found and cv2.contourArea(found[i].astype(np.float32)) >= cv2.contourArea(
                pts.astype(np.float32)):
            continue
        found[int(i)] = pts


def marker_points(template: dict) -> dict[int, np.ndarray]:
    """Each marker's corners in layout points, in ArUco's corner order."""
    out = {}
    for m in template["markers"]:
        x, y, s = m["x"], m["y"], m["size"]
        out[int(m["id"])] = np.array([[x, y], [x + s, y], [x + s, y + s], [x, y + s]], float)
    return out


def homography(template: dict, markers: Markers) -> tuple[np.ndarray, float] | None:
    """Layout points -> image pixels, from every corner of every marker found, and the mean
    reprojection error in image px. None when fewer than `MIN_MARKERS` are shared."""
    pts = marker_points(template)
    ids = [i for i in markers.corners if i in pts]
    if len(ids) < tuning.MIN_MARKERS:
        return None
    src = np.concatenate([pts[i] for i in ids])
    dst = np.concatenate([markers.corners[i] for i in ids])
    if len(ids) == 2:
        # Two corners cut off (a page skewed on the glass loses opposite corners): a flatbed
        # scan has no perspective, so rotation, scale and shift from the two markers' eight
        # corners place the page; a photo placed so is caught by the ring checks.
        a, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
        if a is None:
            return None
        h = np.vstack([a, [0.0, 0.0, 1.0]])
    else:
        h, _ = cv2.findHomography(src, dst, 0)
    if h is None:
        return None
    proj = cv2.perspectiveTransform(src.reshape(-1, 1, 2), h).reshape(-1, 2)
    return h, float(np.mean(np.linalg.norm(proj - dst, axis=1)))


def rotation_degrees(h: np.ndarray) -> int:
    """How the page lies in the image: 0, 90, 180 or 270 (the layout's x axis direction)."""
    p = cv2.perspectiveTransform(np.array([[[0, 0]], [[100, 0]]], float), h).reshape(2, 2)
    dx, dy = p[1] - p[0]
    return int(round(np.degrees(np.arctan2(dy, dx)) / 90)) % 4 * 90


def warp_region(img: np.ndarray, h: np.ndarray, box_pt: tuple[float, float, float, float],
                px_per_pt: float) -> np.ndarray:
    """Cut the layout rectangle `box_pt` (x, y, w, h) out of the image, upright."""
    x, y, w, hh = box_pt
    scale = np.array([[1 / px_per_pt, 0, x], [0, 1 / px_per_pt, y], [0, 0, 1]])
    size = (max(1, round(w * px_per_pt)), max(1, round(hh * px_per_pt)))
    return cv2.warpPerspective(img, h @ scale, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


@dataclass(frozen=True)
class QrPlace:
    """Where a layout's QR symbol sits (layout points, without its quiet zone) and how many
    modules it has a side: learned from the first page of a layout, so later pages cut out
    only the symbol."""

    x: float
    y: float
    side: float
    modules: int


def read_qr_at(img: np.ndarray, h: np.ndarray, qr_box: dict,
               place: QrPlace | None) -> tuple[str, QrPlace | None]:
    """Decode the QR where the layout puts it. With `place` (from an earlier page of this
    layout) only the symbol is cut out, at `QR_MODULE_PX`, and decoded at its known corners
    (~1.5 ms); without it, or when that fails, the QR box is searched (~10 ms). Returns
    (text or "", the place that worked)."""
    if place is not None:
        m = place.side / place.modules
        pad = tuning.QR_MARGIN_MODULES * m
        box = (place.x - pad, place.y - pad, place.side + 2 * pad, place.side + 2 * pad)
        crop = warp_region(img, h, box, tuning.QR_MODULE_PX / m)
        a = tuning.QR_MARGIN_MODULES * tuning.QR_MODULE_PX
        b = a + place.modules * tuning.QR_MODULE_PX
        corners = np.array([[[a, a], [b, a], [b, b], [a, b]]], np.float32)
        text, _ = _QR.decode(crop, corners)
        if text:
            return text, place
    margin = 0.12 * qr_box["size"]
    box = (qr_box["x"] - margin, qr_box["y"] - margin, qr_box["size"] + 2 * margin,
           qr_box["size"] + 2 * margin)
    k = tuning.QR_CROP_PX / box[2]
    text, pts, straight = _QR.detectAndDecode(warp_region(img, h, box, k))
    if not text:
        return "", None
    if straight is None or not straight.size:
        return text, None
    # The cut-out is upright, so the symbol is a square from its top-left corner; the three
    # finder-pattern corners are exact, the fourth is OpenCV's estimate.
    tl, tr, _, bl = pts.reshape(4, 2).astype(np.float64)
    side = (np.linalg.norm(tr - tl) + np.linalg.norm(bl - tl)) / 2 / k
    return text, QrPlace(box[0] + tl[0] / k, box[1] + tl[1] / k, float(side), straight.shape[0])


def _decode_region(region: np.ndarray) -> str:
    """A QR anywhere in `region`: OpenCV's two detectors, then both on the region enlarged
    1.5x. A blurred photo's code (~5 px a module) defeated the first try on 2 of the
    benchmark's 40 photos; the later tries only run when the earlier ones failed."""
    for detector in (_QR, _QR_ARUCO):
        text, _, _ = detector.detectAndDecode(region)
        if text:
            return text
    big = cv2.resize(region, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    for detector in (_QR, _QR_ARUCO):
        text, _, _ = detector.detectAndDecode(big)
        if text:
            return text
    return ""


def read_qr_search(img: np.ndarray, markers: Markers) -> str:
    """Find the QR without a layout (first page of an unknown layout): straighten the page
    between the markers and try each corner region, then the whole page."""
    centres = {i: c.mean(axis=0) for i, c in markers.corners.items() if i in range(4)}
    if len(centres) == 3:
        # The fourth corner inferred (a folded corner, a staple): the markers make a
        # parallelogram, near enough to find the QR's region.
        (missing,) = set(range(4)) - set(centres)
        opposite = (missing + 2) % 4
        centres[missing] = (centres[(missing + 1) % 4] + centres[(missing + 3) % 4]
                            - centres[opposite])
    if len(centres) == 4:
        w = float(np.linalg.norm(centres[1] - centres[0]))
        other = 3 if 3 in centres else 2
        hgt = float(np.linalg.norm(centres[other] - centres[0 if other == 3 else 1]))
        tl = centres[0]
        ux = (centres[1] - centres[0]) / w
        uy = np.array([-ux[1], ux[0]])
        src = np.float32([tl, tl + ux * w, tl + uy * hgt])
        dst = np.float32([[0, 0], [w, 0], [0, hgt]])
        a = cv2.getAffineTransform(src, dst)
        pad = 0.06 * w
        a[:, 2] += pad
        uw, uh = round(w + 2 * pad), round(hgt + 2 * pad)
        fw, fh = tuning.QR_CROP_FRACTION, tuning.QR_CROP_FRACTION * 0.6
        # (x0, x1, y0, y1) of the upright page; only each region is straightened, not the
        # whole page (15 ms of a photo's first page).
        crops = [(uw * (1 - fw), uw, 0, uh * fh), (0, uw * fw, 0, uh * fh),
                 (uw * 0.3, uw * 0.7, 0, uh * fh), (uw * (1 - fw), uw, uh * (1 - fh), uh),
                 (0, uw * fw, uh * (1 - fh), uh)]
        for x0, x1, y0, y1 in crops:
            shifted = a - np.array([[0, 0, int(x0)], [0, 0, int(y0)]])
            region = cv2.warpAffine(img, shifted, (int(x1) - int(x0), int(y1) - int(y0)),
                                    borderValue=255)
            text = _decode_region(region)
            if text:
                return text
    text, _, _ = _QR.detectAndDecode(img)
    return text or ""
