"""The four ArUco markers (cv2.aruco.DICT_4X4_50, ids 0-3) as black cells.

Embedded rather than generated so that printing needs no OpenCV; a test checks them
against cv2.aruco.generateImageMarker. ArUco beats plain squares for the scanner: each
corner has its own id (so a page upside down is turned, not misread) and the detector
finds them in a few milliseconds on a 200 dpi page.
"""

from __future__ import annotations

#: The 4 x 4 inner bits of each marker, top row first, "1" = black. The marker is these
#: bits inside a one-cell black border (6 x 6 cells).
ARUCO_4X4_BITS: dict[int, tuple[str, ...]] = {
    0: ("0100", "1010", "1100", "1101"),
    1: ("1111", "0000", "0110", "0101"),
    2: ("1100", "1100", "1101", "0010"),
    3: ("0110", "0110", "1011", "1001"),
}


def marker_cells(marker_id: int) -> list[tuple[int, int]]:
    """(column, row) of every black cell of the 6 x 6 marker, border included."""
    bits = ARUCO_4X4_BITS[marker_id]
    cells = []
    for row in range(6):
        for col in range(6):
            border = row in (0, 5) or col in (0, 5)
            if border or bits[row - 1][col - 1] == "1":
                cells.append((col, row))
    return cells
