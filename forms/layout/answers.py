"""Builder rows: options that wrap, digit rows and write-in boxes."""

from __future__ import annotations

from forms.definition import Question
from forms.layout.base import (
    BOLD,
    DIGITS,
    FONT,
    MM,
    ONE_LINE,
)
from forms.layout.model import (
    Box,
    Bubble,
    Label,
    Shape,
)
from forms.layout.text import fit, r2
from forms.scales import MULTI
from forms.template import DIGIT_SUFFIXES
from forms.template import DIGITS as DIGIT_GROUP
from forms.template import MULTI as MULTI_GROUP
from forms.template import SINGLE as SINGLE_GROUP
from forms.wording import DEFAULT_LANGUAGE


class AnswerRows:
    """The other answer rows of `LayoutBuilder`: options that wrap, digit rows (the pupil
    number, number questions) and write-in boxes."""

    def options_row(self, q: Question) -> None:
        """Choice, tick-all and yes/no: the text, then bubble + label items that wrap."""
        s, m = self.style, self.measure
        width = self.right - self.left
        size, r = s.option_size, s.bubble_r
        indent = m("00.", BOLD, s.text_size) + 1.5 * MM
        avail = width - indent
        item_gap = 7 * MM
        items = []
        for o in q.options:
            lines, sz = fit(self.q_label(q, o.code), FONT, size, avail - 2 * r - 2 * MM, 2,
                            m, min_size=7)
            w = 2 * r + 2 * MM + max(m(line, FONT, sz) for line in lines)
            items.append((o.code, lines, sz, w))
        most = max((len(lines) for _, lines, _, _ in items), default=1)
        line_h = max(2 * r, size * 1.2 * most) + 2 * MM
        placed, x, line = [], 0.0, 0
        for code, lines, sz, w in items:
            if x and x + w > avail:
                x, line = 0.0, line + 1
            placed.append((code, lines, sz, x, line))
            x += w + item_gap
        text_h = self.text_height(self.q_text(q), width, s.text_size)
        row_h = text_h + 1.5 * MM + (line + 1) * line_h + 2 * s.row_pad
        self.ensure(row_h)
        self.block = None
        top = self.y
        self.question_text(self.left, None, top + s.row_pad, width, self.number_label(q),
                           self.q_text(q), s.text_size)
        y0 = top + s.row_pad + text_h + 1.5 * MM
        for code, lines, sz, x, ln in placed:
            cx = self.left + indent + x + r
            cy = y0 + ln * line_h + line_h / 2
            self.page.bubbles.append(Bubble(q.code, code, r2(cx), r2(cy), r))
            base = cy - (len(lines) - 1) * sz * 0.6 + sz * 0.35
            words_top = base - sz * 0.75  # cap height above the first baseline
            for text in lines:
                self.text(cx + r + 2 * MM, base, text, FONT, sz)
                base += sz * 1.2
            words_w = max(m(text, FONT, sz) for text in lines)
            self.page.labels.append(Label(q.code, code, r2(cx + r + 2 * MM), r2(words_top),
                                          r2(words_w),
                                          r2(base - sz * 1.2 + sz * 0.25 - words_top)))
        self.page.rows.append(Box(r2(self.left), r2(top), r2(width), r2(row_h), q.code))
        self.add_group(q.code, q.code, MULTI_GROUP if q.kind == MULTI else SINGLE_GROUP,
                       q.option_codes)
        self.y = top + row_h
        self.rule(self.y)

    def digit_rows(self, column: str, title: str, hint: str | None,
                   label: str | None, places: int = 2) -> None:
        """Rows of bubbles 0-9, one per digit place, highest first (tens, ones for a
        two-digit number): mark groups of kind digits feeding one answer column."""
        codes = [f"{column}{DIGIT_SUFFIXES[p]}" for p in range(places - 1, -1, -1)]
        # The name beside each digit row, by place (the phrasebook's "row_<place>").
        names = [self.say(f"row_{p}", ONE_LINE) for p in range(places - 1, -1, -1)]
        s, m = self.style, self.measure
        r = s.digit_r
        pitch = max(2 * r + 3 * MM, 9 * MM)
        size = s.text_size
        dsize = 10.0 if self.pupil else 8.0
        row_h = dsize + 2 + 2 * r + 2 * s.row_pad
        self.ensure(places * row_h + 2)
        self.block = None
        top = self.y
        x_bubbles = self.right - pitch * 10 - 2 * MM
        # Two rows keep the width they always had ("Tens"), so printed sheets do not move.
        widest = "Tens" if places == 2 and self.langs == (DEFAULT_LANGUAGE,) else \
            max(names, key=lambda n: m(n, BOLD, 11.0))
        name_w = m(widest, BOLD, 11.0) + 2 * MM
        text_w = x_bubbles - self.left - name_w - 3 * MM
        middle = top + places * row_h / 2
        if label:
            # Beside ten digit bubbles the text is too narrow to halve, and these rows do
            # not grow: a bilingual question stacks here, the first language above.
            self.question_text(self.left, middle, None, text_w, label, title, size,
                               side_by_side=False)
        else:
            lines, sz = fit(title, BOLD, size, text_w, 2, m)
            hs = 9.0 if self.pupil else 8.0
            hints = fit(hint, FONT, hs, text_w, 2, m)[0] if hint else []
            y = middle - len(lines) * sz * 0.6 + sz * 0.35
            if len(self.langs) > 1:  # a taller block (two hints): centre all of it
                y = middle - (len(lines) * sz * 1.2 + len(hints) * hs * 1.2) / 2 + sz * 0.85
            for line in lines:
                self.text(self.left, y, line, BOLD, sz)
                y += sz * 1.2
            if hint:
                for hl in hints:
                    self.text(self.left, y - sz * 0.2 + hs * 0.3, hl, FONT, hs)
                    y += hs * 1.2
        for k, (code, name) in enumerate(zip(codes, names, strict=True)):
            rtop = top + k * row_h
            cy = rtop + s.row_pad + dsize + 2 + r
            self.text(x_bubbles - 3 * MM, cy + 4, name, BOLD, 11.0, "right")
            for d, value in enumerate(DIGITS):
                cx = x_bubbles + pitch * (d + 0.5)
                self.text(cx, rtop + s.row_pad + dsize, value, BOLD, dsize, "center")
                self.page.bubbles.append(Bubble(code, value, r2(cx), r2(cy), r))
            self.page.rows.append(Box(r2(self.left), r2(rtop), r2(self.right - self.left),
                                      r2(row_h), code))
            self.add_group(code, column, DIGIT_GROUP, DIGITS, places - 1 - k)
        self.y = top + places * row_h
        self.rule(self.y)

    def writein_row(self, q: Question) -> None:
        s = self.style
        width = self.right - self.left
        text_h = self.text_height(self.q_text(q), width, s.text_size)
        row_h = text_h + 2 * MM + s.writein_h + 2 * s.row_pad
        self.ensure(row_h)
        self.block = None
        top = self.y
        self.question_text(self.left, None, top + s.row_pad, width, self.number_label(q),
                           self.q_text(q), s.text_size)
        box = Box(r2(self.left), r2(top + s.row_pad + text_h + 2 * MM), r2(width),
                  r2(s.writein_h), q.code)
        self.page.writeins.append(box)
        self.page.shapes.append(Shape("frame", box.x, box.y, box.w, box.h, 0.8, 0.3))
        self.page.rows.append(Box(r2(self.left), r2(top), r2(width), r2(row_h), q.code))
        self.y = top + row_h
