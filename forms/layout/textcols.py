"""Builder text: a question's words, in one language or two side by side."""

from __future__ import annotations

from collections.abc import Sequence

from forms.layout.base import (
    BILINGUAL_GAP,
    BILINGUAL_LINES,
    BOLD,
    FONT,
    MM,
    PARA,
)
from forms.layout.model import (
    Shape,
)
from forms.layout.text import fit, fit_parts, r2


class TextColumns:
    """How `LayoutBuilder` fits a question's words, in one language or two side by side, next
    to its number; shared by every row kind."""

    def text_columns(self, text: str, width: float, size: float, side_by_side: bool = True
                     ) -> tuple[list[list[str]], float, float]:
        """A question's text wrapped for `width` after its number: (each column's lines,
        size, column pitch). A bilingual text (two languages, split at PARA) goes side by
        side, the first language in the left column (the Welsh Language Commissioner's
        guidance: Welsh placed to be read first), each wrapped in its half, one size."""
        num_w = self.measure("00.", BOLD, size) + 1.5 * MM
        if not side_by_side:  # stacked, the first language above: 4 lines each
            lines, size = fit(text, FONT, size, width - num_w, 4, self.measure,
                              min_size=size * 0.75)
            return [lines], size, 0.0
        return self.columns(text, FONT, size, width - num_w, 4, size * 0.75, BILINGUAL_LINES)

    def columns(self, text: str, font: str, size: float, width: float, max_lines: int,
                min_size: float, column_lines: int | None = None
                ) -> tuple[list[list[str]], float, float]:
        """`text` fitted into `width`: (each column's lines, size, column pitch). One
        language is one column; a bilingual text stands side by side, a column per
        language, the first on the left, each with up to `column_lines` lines."""
        m = self.measure
        if PARA not in text:
            lines, size = fit(text, font, size, width, max_lines, m, min_size=min_size)
            return [lines], size, 0.0
        n = len(text.split(PARA))
        col_w = (width - (n - 1) * BILINGUAL_GAP) / n
        parts, size = fit_parts(text, font, size, col_w, column_lines or max_lines, m,
                                min_size=min_size)
        return parts, size, col_w + BILINGUAL_GAP

    def column_rules(self, x: float, pitch: float, parts: Sequence[Sequence[str]],
                     y_top: float, height: float) -> None:
        """A light rule between the languages of a text printed side by side."""
        for k in range(1, len(parts)):
            self.page.shapes.append(Shape("rule", r2(x + k * pitch - BILINGUAL_GAP / 2),
                                          r2(y_top), 0, r2(height), 0.5, 0.6))

    def question_text(self, x: float, y_mid: float | None, y_top: float | None, width: float,
                      label: str, text: str, size: float, side_by_side: bool = True) -> float:
        """Question number and wrapped text (side by side when bilingual, unless the row's
        height is fixed and its text narrow: a number's digit rows); centred on y_mid or
        hanging from y_top. Returns the text block's height."""
        m = self.measure
        num_w = m("00.", BOLD, size) + 1.5 * MM
        parts, size, pitch = self.text_columns(text, width, size, side_by_side)
        lead = size * 1.2
        block = lead * max(len(lines) for lines in parts)
        if y_top is None:
            y_top = y_mid - block / 2
        self.text(x, y_top + size * 0.9, label, BOLD, size)
        self.column_rules(x + num_w, pitch, parts, y_top, block - size * 0.2)
        for k, lines in enumerate(parts):
            base = y_top + size * 0.9
            for line in lines:
                self.text(x + num_w + k * pitch, base, line, FONT, size)
                base += lead
        return block

    def text_height(self, text: str, width: float, size: float) -> float:
        parts, size, _ = self.text_columns(text, width, size)
        return size * 1.2 * max(len(lines) for lines in parts)
