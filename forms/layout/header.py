"""Builder rows: the sheet's header (title, school, sheet id) and instructions."""

from __future__ import annotations

from forms.layout.base import (
    BOLD,
    FONT,
    MARKER_INSET_MM,
    MARKER_MM,
    MARKER_QUIET_MM,
    MM,
    joined,
)
from forms.layout.model import (
    Shape,
    Slot,
)
from forms.layout.text import fit, r2
from forms.scales import MULTI
from forms.wording import phrase


class HeaderRows:
    """The header rows of `LayoutBuilder` (its state: style, page, measure, langs): kept apart
    so each row kind reads on its own."""

    def header(self) -> float:
        """Title, school and group, sheet id and instructions; returns where content starts."""
        s = self.style
        qr = self.qr_box()
        x0 = self.left + (MARKER_MM + MARKER_QUIET_MM) * MM
        top = MARKER_INSET_MM * MM
        text_w = qr.x - 4 * MM - x0
        sheet_slot_h = 11.0
        self.page.slots.append(Slot("sheet_id", r2(qr.x), r2(qr.y + qr.h + 1.5),
                                    r2(qr.w), sheet_slot_h, 10.0, BOLD, "center"))
        first = self.page.page == 1
        title = self.title if first else joined(
            [phrase("continued", v.language, title=v.title) for v in self.versions])
        parts, size, pitch = self.columns(title, BOLD, s.title_size, text_w, 2, 11)
        rows = max(len(lines) for lines in parts)
        self.column_rules(x0, pitch, parts, top, rows * size * 1.15 - size * 0.1)
        for k, lines in enumerate(parts):
            for i, line in enumerate(lines):
                self.text(x0 + k * pitch, top + size * (0.85 + 1.15 * i), line, BOLD, size)
        y = top + size * (0.85 + 1.15 * rows)
        y += 1.5
        info_size = 12.0 if self.pupil else 10.0
        self.page.slots.append(Slot("school_group", r2(x0), r2(y - info_size * 0.85),
                                    r2(text_w), r2(info_size * 1.25), info_size))
        y += info_size * 1.3
        if first and self.mode == "printed":
            self.page.slots.append(Slot("pupil_number", r2(x0), r2(y - 2), r2(text_w),
                                        r2(s.title_size * 1.3), s.title_size, BOLD))
            y += s.title_size * 1.3
        y = max(y, qr.y + qr.h + sheet_slot_h + 4)
        if first:
            y = self.instruction(y)
        return y + 2 * MM

    def instruction(self, y: float) -> float:
        """One line with an example of a filled bubble, then the survey's intro."""
        s, m = self.style, self.measure
        width = self.right - self.left
        size = 13.0 if self.pupil else 10.0
        if self.pupil and any(q.scale_def.faces for q in self.survey.questions):
            key = "say_faces"
        elif self.pupil:  # a quiz of choices: no faces to point at
            key = "say_pupil"
        else:
            key = "say_adult"
        if self.pupil and any(q.retrospective for q in self.survey.questions):
            key = "say_retro"
        says = [phrase(key, lang) for lang in self.langs]
        if any(q.kind == MULTI for q in self.survey.questions):
            says = [say.replace(phrase("like_this", lang), phrase("say_more", lang)
                                + phrase("like_this", lang))
                    for say, lang in zip(says, self.langs, strict=True)]
        lines, size = fit(joined(says), BOLD, size, width - 12 * MM, 1, m)
        r = s.bubble_r * (0.8 if self.pupil else 1.0)
        # One line per language; the example bubble after the longest, between them.
        line_h = max(size * 1.3 * len(lines), 2 * r + 2)
        base = y + line_h / 2 - (len(lines) - 1) * size * 0.65 + size * 0.35
        for line in lines:
            self.text(self.left, base, line, BOLD, size)
            base += size * 1.3
        end = self.left + max(m(line, BOLD, size) for line in lines) + 2 * MM
        self.page.shapes.append(Shape("dot", r2(end), r2(y + line_h / 2 - r), r2(2 * r),
                                      r2(2 * r)))
        y += line_h + 1
        # The survey's intro is written for the web ("tap the face"): pupils' sheets carry
        # only the paper instruction above.
        if self.survey.intro and not self.pupil:
            isize = 12.0 if self.pupil else 9.5
            intro = joined([v.intro or "" for v in self.versions])
            parts, isize, pitch = self.columns(intro, FONT, isize, width, 3, 6.0)
            rows = max(len(lines) for lines in parts)
            self.column_rules(self.left, pitch, parts, y + 1, rows * isize * 1.25)
            for k, lines in enumerate(parts):
                for i, line in enumerate(lines):
                    self.text(self.left + k * pitch, y + isize * (1 + 1.25 * i), line, FONT,
                              isize)
            y += rows * isize * 1.25
        return y
