"""Overlay images for `--debug-dir`: every bubble drawn on the normalised page with its
decision (green marked, grey empty, orange unsure) and darkness, review rows boxed in red."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from scanner.results import EMPTY, MARKED, FileResult, PageResult, UnreadablePage

_COLOURS = {MARKED: (40, 170, 40), EMPTY: (170, 170, 170), "unsure": (0, 140, 255)}


def overlay(result: PageResult) -> np.ndarray:
    """The page's normalised image in colour with each bubble's reading drawn on it."""
    if result.image is None:
        raise ValueError("the page was read with keep_images=False: no image to draw on")
    img = cv2.cvtColor(result.image, cv2.COLOR_GRAY2BGR)
    for item in result.review:
        x, y, w, h = item.crop
        cv2.rectangle(img, (x, y), (x + w, y + h), (0, 0, 230), 2)
        cv2.putText(img, item.reason[:60], (x + 4, y + h - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                    (0, 0, 230), 1, cv2.LINE_AA)
    for b in result.bubbles:
        colour = _COLOURS.get(b.decision, (255, 0, 255))
        cv2.circle(img, (round(b.cx), round(b.cy)), round(b.r), colour, 2, cv2.LINE_AA)
        cv2.putText(img, f"{b.darkness:.2f}", (round(b.cx - b.r), round(b.cy + b.r + 11)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, colour, 1, cv2.LINE_AA)
    return img


def write_debug(result: FileResult, directory: str | Path) -> list[Path]:
    """One PNG per page into `directory`: overlays for read pages, a note for the others."""
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(result.filename).stem or "scan"
    written = []
    for page in result.pages:
        path = out_dir / f"{stem}-p{page.file_page + 1:03d}.png"
        if isinstance(page, UnreadablePage):
            path.write_bytes(page.thumbnail)
            path.with_suffix(".txt").write_text(page.reason + "\n", encoding="utf-8")
        else:
            cv2.imwrite(str(path), overlay(page))
        written.append(path)
    return written
