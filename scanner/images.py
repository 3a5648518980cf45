"""Small image helpers: encoding for storage and thumbnails for the batch report."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

import cv2
import numpy as np

#: Long side of an unreadable page's thumbnail, px: enough to recognise the sheet.
THUMBNAIL_PX = 320


def encode_jpeg(img: np.ndarray, quality: int = 80) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise ValueError("cannot encode image")
    return buf.tobytes()


#: zlib level for the PNGs kept (write-in boxes, thumbnails): lossless whatever the level;
#: 1 instead of 3 encodes the write-in boxes in 60 % of the time for files 4 % larger.
PNG_COMPRESSION = 1


#: (process id, its encoding thread): a forked child has no thread, so it starts its own.
_ENCODER: tuple[int, ThreadPoolExecutor] | None = None


def encode_later(img: np.ndarray, quality: int) -> Future:
    """`encode_jpeg` on this process's one encoding thread: OpenCV lets go of the GIL while
    it encodes, so on a second core the stored JPEG costs the page no time. `img` must not
    change afterwards."""
    global _ENCODER
    if _ENCODER is None or _ENCODER[0] != os.getpid():
        _ENCODER = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="scanner-jpeg"))
    return _ENCODER[1].submit(encode_jpeg, img, quality)


def encode_png(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION])
    if not ok:  # pragma: no cover
        raise ValueError("cannot encode image")
    return buf.tobytes()


def thumbnail(img: np.ndarray, long_side: int = THUMBNAIL_PX) -> bytes:
    """A small PNG of the page as scanned."""
    f = long_side / max(img.shape[:2])
    if f < 1:
        img = cv2.resize(img, (max(1, round(img.shape[1] * f)), max(1, round(img.shape[0] * f))),
                         interpolation=cv2.INTER_AREA)
    return encode_png(img)
