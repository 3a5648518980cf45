"""The smiley faces, as geometry: one drawing for the phone page (SVG) and the paper sheet.

Emoji look different on every phone; these faces are the same on screen and on paper, so
a child who answered on a tablet before the workshop sees the same faces on paper after.
Coordinates are in a 100 x 100 box, y downwards.
"""

from __future__ import annotations

from dataclasses import dataclass

BOX = 100.0


@dataclass(frozen=True)
class Face:
    #: -1 is the saddest mouth, +1 the happiest, 0 a straight line.
    mood: float
    head_r: float = 44.0
    eye_r: float = 6.0
    eye_dx: float = 16.0
    eye_y: float = 38.0
    mouth_y: float = 66.0
    mouth_half_width: float = 20.0

    @property
    def mouth(self) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
        """Quadratic Bezier (start, control, end) of the mouth."""
        c = BOX / 2
        lift = -self.mood * 7.0  # the corners rise on a happy face
        start = (c - self.mouth_half_width, self.mouth_y + lift)
        end = (c + self.mouth_half_width, self.mouth_y + lift)
        control = (c, self.mouth_y + lift + self.mood * 26.0)
        return start, control, end

    @property
    def eyes(self) -> tuple[tuple[float, float], tuple[float, float]]:
        c = BOX / 2
        return (c - self.eye_dx, self.eye_y), (c + self.eye_dx, self.eye_y)


def face(level: int, levels: int) -> Face:
    """Face `level` (0 = saddest) of a scale with `levels` faces."""
    if levels < 2 or not 0 <= level < levels:
        raise ValueError(f"no face {level} of {levels}")
    return Face(mood=-1.0 + 2.0 * level / (levels - 1))


def face_svg(level: int, levels: int, *, size: int = 72, title: str | None = None) -> str:
    """An inline SVG of one face (black lines on white, so it prints and reads in greyscale)."""
    f = face(level, levels)
    (sx, sy), (qx, qy), (ex, ey) = f.mouth
    (lx, ly), (rx, ry) = f.eyes
    label = f"<title>{title}</title>" if title else ""
    hidden = "" if title else ' aria-hidden="true"'
    return (
        f'<svg class="face" viewBox="0 0 100 100" width="{size}" height="{size}"'
        f' role="img" focusable="false"{hidden}>{label}'
        f'<circle cx="50" cy="50" r="{f.head_r}" fill="#fff" stroke="currentColor"'
        ' stroke-width="5"/>'
        f'<circle cx="{lx}" cy="{ly}" r="{f.eye_r}" fill="currentColor"/>'
        f'<circle cx="{rx}" cy="{ry}" r="{f.eye_r}" fill="currentColor"/>'
        f'<path d="M{sx:.1f} {sy:.1f} Q{qx:.1f} {qy:.1f} {ex:.1f} {ey:.1f}" fill="none"'
        ' stroke="currentColor" stroke-width="5" stroke-linecap="round"/></svg>'
    )
