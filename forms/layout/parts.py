"""The builder's working state: a page being filled and a row of fixed columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.layout.base import (
    ONE_LINE,
    PARA,
    joined,
)
from forms.layout.model import (
    Box,
    Bubble,
    FaceMark,
    Label,
    Shape,
    Slot,
    Text,
)
from forms.scales import Scale

# --- building ---------------------------------------------------------------------------------


@dataclass
class PageParts:
    """What is placed on one page so far, filled in by every row builder of `LayoutBuilder`."""

    page: int
    bubbles: list[Bubble] = field(default_factory=list)
    rows: list[Box] = field(default_factory=list)
    writeins: list[Box] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    faces: list[FaceMark] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True)
class ColumnsRow:
    """A row answered by one bubble per option in fixed columns (one group per column
    code; a retrospective item has two groups: before and now)."""

    codes: tuple[str, ...]
    values: tuple[str, ...]
    labels: tuple[str, ...]
    faces: bool
    #: A numbered row (0-10): numbers over the columns, the end words underneath.
    numbered: bool = False
    #: Each row shows the words under its bubbles (faces for children: a child looking at
    #: row 6 does not look back at the top of the page).
    row_words: bool = False
    #: The smallest face, points.
    face_min: float = 0.0
    #: Bubbles at the end with words and no face ("I don't know": not a point on the
    #: scale, so the faces are drawn for the other values only).
    plain: int = 0

    @property
    def signature(self) -> tuple:
        return (len(self.codes), self.values, self.labels, self.faces, self.row_words)

    @property
    def scale_points(self) -> int:
        return len(self.values) - self.plain


def short_labels(cols: ColumnsRow) -> tuple[list[str], tuple[str, str] | None]:
    """Column labels; a numbered row (0 ... 10) shows its numbers over the columns and the
    words of its two ends once underneath. For the column rows (`columns.py`)."""
    if not cols.numbered:
        return list(cols.labels), None
    shorts = [v if lb.startswith(v) else lb for v, lb in zip(cols.values, cols.labels,
                                                              strict=True)]

    def end(value: str, label: str) -> str:  # each language's words, on one line
        return joined([Scale.end_words(value, part) for part in label.split(PARA)], ONE_LINE)

    ends = (end(cols.values[0], cols.labels[0]), end(cols.values[-1], cols.labels[-1]))
    return shorts, ends
