"""Text fitting: word wrap and cutting to a number of lines, with widths from the
`measure` function passed in."""

from __future__ import annotations

from forms.layout.base import (
    PARA,
    Measure,
)

# --- text helpers ---------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, width: float, measure: Measure) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters. Each
    language of a bilingual text (split at PARA) starts a line of its own."""
    if PARA in text:
        return [line for part in text.split(PARA)
                for line in wrap(part, font, size, width, measure)]
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if measure(trial, font, size) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while measure(word, font, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def fit(text: str, font: str, size: float, width: float, max_lines: int, measure: Measure,
        min_size: float = 6.0) -> tuple[list[str], float]:
    """Wrap into at most `max_lines`, shrinking the font (then cutting with an ellipsis).
    A bilingual text gets `max_lines` for each language, all in one size."""
    parts, size = fit_parts(text, font, size, width, max_lines, measure, min_size)
    return [line for lines in parts for line in lines], size


def fit_parts(text: str, font: str, size: float, width: float, max_lines: int,
              measure: Measure, min_size: float = 6.0) -> tuple[list[list[str]], float]:
    """`fit`, keeping each language's lines apart (a bilingual text printed side by side):
    one size for every language, so neither is less prominent."""
    parts = text.split(PARA)
    while True:
        wrapped = [wrap(part, font, size, width, measure) for part in parts]
        if all(len(lines) <= max_lines for lines in wrapped):
            return wrapped, size
        if size - 0.5 < min_size:
            return [_cut(lines, max_lines, font, size, width, measure)
                    for lines in wrapped], size
        size -= 0.5


def _cut(lines: list[str], max_lines: int, font: str, size: float, width: float,
         measure: Measure) -> list[str]:
    """The first `max_lines` lines, the last ending in an ellipsis when text was cut."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and measure(last + "…", font, size) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def r2(v: float) -> float:
    """`v` to a hundredth of a point, as every position is stored: layouts compare and
    fingerprint the same on every machine. Shared by every row builder of the layout."""
    return round(v, 2)
