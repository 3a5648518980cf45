"""Reading a QR code in a test the way a phone would: OpenCV's classic detector misses some
valid codes (which ones depends on the random token in them, so such a test fails now and
then), so its ArUco-based detector and a 1.5x enlargement are tried as well, on a crop given
a white quiet zone of its own."""

from __future__ import annotations

import cv2
import numpy as np


def read_qr(image: np.ndarray, quiet_px: int = 40) -> str:
    """The text of the QR code in `image` (grey or BGR), or "" when no detector finds one."""
    value = 255 if image.ndim == 2 else (255, 255, 255)
    padded = cv2.copyMakeBorder(image, quiet_px, quiet_px, quiet_px, quiet_px,
                                cv2.BORDER_CONSTANT, value=value)
    for img in (padded, cv2.resize(padded, None, fx=1.5, fy=1.5,
                                   interpolation=cv2.INTER_CUBIC)):
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text, _, _ = detector.detectAndDecode(img)
            if text:
                return text
    return ""
