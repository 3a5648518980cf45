"""Builder rows: faces and fixed columns (rating scales, retrospective items)."""

from __future__ import annotations

from forms.definition import Question, retro_labels
from forms.layout.base import (
    BOLD,
    FONT,
    MM,
    joined,
)
from forms.layout.model import (
    Box,
    Bubble,
    FaceMark,
    Shape,
)
from forms.layout.parts import ColumnsRow, short_labels
from forms.layout.text import fit, r2
from forms.template import SINGLE as SINGLE_GROUP


class ColumnRows:
    """The fixed-column rows of `LayoutBuilder`: faces and scale bubbles under shared column
    headings, one group per column code."""

    def face_size(self, cols: ColumnsRow) -> float:
        """Faces grow when there is room: three faces for the youngest get 12 mm."""
        s = self.style
        _, pitch, _ = self.columns_geometry(cols)
        size = min(s.face_size * 1.2, max(s.face_size, pitch - 8 * MM))
        return min(max(size, cols.face_min), pitch - 1 * MM)

    def row_word_lines(self, cols: ColumnsRow) -> tuple[list[tuple[list[str], float]], float]:
        """Each option's words under its bubble in every row, and their height."""
        s, m = self.style, self.measure
        _, pitch, _ = self.columns_geometry(cols)
        size = s.label_size + 0.5
        lines = [fit(lb, BOLD, size, pitch - 1.0, 2, m, min_size=6.5) for lb in cols.labels]
        return lines, max(len(ls) * sz * 1.1 for ls, sz in lines) + 0.4 * MM

    def columns_geometry(self, cols: ColumnsRow) -> tuple[float, float, float]:
        """(answer area width, pitch, gap between groups) for a columns row."""
        s = self.style
        n, groups = len(cols.values), len(cols.codes)
        gap = 8 * MM if groups > 1 else 0.0
        pitch = s.pitch if n <= 5 else max(2 * s.bubble_r + 3 * MM, 10 * MM)
        if n * groups <= 3:
            pitch *= 1.25
        max_w = (self.right - self.left) * 0.62
        if pitch * n * groups + gap > max_w:
            pitch = max(2 * s.bubble_r + 1.5 * MM, (max_w - gap) / (n * groups))
        return pitch * n * groups + gap, pitch, gap

    def column_centres(self, cols: ColumnsRow) -> list[list[float]]:
        width, pitch, gap = self.columns_geometry(cols)
        x = self.right - width
        out = []
        for _ in cols.codes:
            out.append([x + pitch * (i + 0.5) for i in range(len(cols.values))])
            x += pitch * len(cols.values) + gap
        return out

    def columns_header(self, cols: ColumnsRow, row_h: float) -> None:
        """Option labels over the columns (and "Before" / "Now" over retrospective groups),
        repeated at the top of each page."""
        s, m = self.style, self.measure
        _, pitch, _ = self.columns_geometry(cols)
        centres = self.column_centres(cols)
        size = s.label_size
        shorts, anchors = short_labels(cols)
        label_lines = [fit(lb, BOLD, size, pitch - 1.5, 3, m, min_size=5.5) for lb in shorts]
        if cols.row_words:  # the words stand in every row instead
            label_lines = [([], size) for _ in shorts]
        n_lines = max(len(ls) for ls, _ in label_lines)
        heading = len(cols.codes) > 1
        head_size = 11.0 if self.pupil else 9.0
        height = (head_size * 1.4 if heading else 0) + n_lines * size * 1.15 + 3
        if anchors:
            height += size * 1.3
        heads = [fit(joined([retro_labels(lang)[suffix] for lang in self.langs]), BOLD,
                     head_size, pitch * len(cols.values), 1, m)[0]
                 for suffix in tuple(retro_labels())[: len(cols.codes)]] if heading else []
        n_heads = max((len(words) for words in heads), default=1)
        if heading:
            height += head_size * 1.4 * (n_heads - 1)
        self.ensure(height + row_h)
        y = self.y + 1 * MM
        if heading:
            for g, words in enumerate(heads):
                xs = centres[g]
                mid = (xs[0] + xs[-1]) / 2
                for k, word in enumerate(words):
                    self.text(mid, y + head_size * (1 + 1.4 * k), word, BOLD, head_size,
                              "center")
            y += head_size * 1.4 * n_heads
        for xs in centres:
            for x, (ls, sz) in zip(xs, label_lines, strict=True):
                yy = y + (n_lines - len(ls)) * size * 1.15 + sz
                for line in ls:
                    self.text(x, yy, line, BOLD, sz, "center")
                    yy += sz * 1.15
        y += n_lines * size * 1.15 + 1
        if anchors:
            first, last = anchors
            for xs in centres:
                if first:
                    self.text(xs[0] - pitch / 2, y + size, first, FONT, size)
                if last:
                    self.text(xs[-1] + pitch / 2, y + size, last, FONT, size, "right")
            y += size * 1.3
        self.y = y + 2
        self.block = cols.signature

    def columns_row(self, q: Question, cols: ColumnsRow) -> None:
        s = self.style
        width, _, gap = self.columns_geometry(cols)
        face = self.face_size(cols)
        face_h = face + 1 * MM if cols.faces else 0.0
        words, words_h = self.row_word_lines(cols) if cols.row_words else ([], 0.0)
        answer_h = face_h + 2 * s.bubble_r + words_h
        text_w = self.right - self.left - width - 4 * MM
        row_h = max(answer_h, self.text_height(self.q_text(q), text_w, s.text_size)) + 2 * s.row_pad
        if self.block != cols.signature or self.y + row_h > self.bottom:
            if self.y + row_h > self.bottom:
                self.new_page()
            self.columns_header(cols, row_h)
        top = self.y
        self.question_text(self.left, top + row_h / 2, None, text_w, self.number_label(q),
                           self.q_text(q), s.text_size)
        cy = top + s.row_pad + face_h + s.bubble_r + (row_h - 2 * s.row_pad - answer_h) / 2
        for code, xs in zip(cols.codes, self.column_centres(cols), strict=True):
            for i, (x, value) in enumerate(zip(xs, cols.values, strict=True)):
                self.page.bubbles.append(Bubble(code, value, r2(x), r2(cy), s.bubble_r))
                if words:
                    lines, size = words[i]
                    yy = cy + s.bubble_r + 0.3 * MM + size * 0.9
                    for line in lines:
                        self.text(x, yy, line, BOLD, size, "center")
                        yy += size * 1.1
                if cols.faces and i < cols.scale_points:
                    self.page.faces.append(FaceMark(r2(x), r2(cy - s.bubble_r - 1 * MM
                                                              - face / 2),
                                                    r2(face), i, cols.scale_points, code,
                                                    value))
            self.page.rows.append(Box(r2(self.left), r2(top), r2(self.right - self.left),
                                      r2(row_h), code))
            self.add_group(code, code, SINGLE_GROUP, cols.values)
        if gap:
            xs = self.column_centres(cols)
            mid = (xs[0][-1] + xs[1][0]) / 2
            self.page.shapes.append(Shape("rule", r2(mid), r2(top + 2), 0, r2(row_h - 4),
                                          0.8, 0.35))
        self.y = top + row_h
        self.rule(self.y)
