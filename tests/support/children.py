"""How children fill a whole page: the mix of mark styles (fixed so accuracy figures are
comparable between runs), doodles, marks between bubbles, changed minds, and the truth
each page should read as."""

from __future__ import annotations

import cv2
import numpy as np

from tests.support.marks import (
    CRAYONS,
    PEN_BLACK,
    PEN_BLUE,
    _px,
    _stroke,
    colour_face,
    paint_mark,
)

REVIEW = "<review>"

#: Single-choice question styles and their share (sums to 1), as children and teachers mark
#: real sheets. Two marks, a crossed-out fill, a changed mind (one bubble scribbled over,
#: another marked) and a mark between two bubbles must go to review; a very light pencil
#: mark may go to review; everything else must be read.
STYLE_MIX: dict[str, float] = {
    "blank": 0.07, "fill": 0.22, "scribble": 0.09, "tick": 0.11, "cross": 0.08,
    "pencil": 0.09, "light_pencil": 0.03, "blue": 0.08, "circle": 0.08, "between": 0.02,
    "two_marks": 0.05, "crossed_out": 0.04, "changed_mind": 0.04,
}
#: The same on a faces sheet (ages 5-7): the sheet says "colour in", and children colour
#: the face as often as the circle, and circle the answer more often than older pupils.
FACES_MIX: dict[str, float] = {
    "blank": 0.05, "fill": 0.19, "face": 0.16, "circle": 0.12, "scribble": 0.08,
    "tick": 0.08, "cross": 0.05, "pencil": 0.08, "light_pencil": 0.03, "blue": 0.04,
    "between": 0.02, "two_marks": 0.04, "crossed_out": 0.02, "changed_mind": 0.04,
}
#: Pages that also carry stray doodles outside the bubbles.
DOODLE_SHARE = 0.3

_READ_STYLES = ("fill", "scribble", "tick", "cross", "pencil", "blue")


def _pick_style(rng, mix: dict[str, float] = STYLE_MIX) -> str:
    names = list(mix)
    return names[int(rng.choice(len(names), p=np.array(list(mix.values()))))]


def _doodle(img, template, dpi, rng) -> None:
    """A stray line or loop that avoids every bubble (with a 2 mm margin)."""
    bubbles = [(_px(b["cx"], dpi), _px(b["cy"], dpi), _px(b["r"] + 6, dpi))
               for b in template["bubbles"]]
    bubbles += [(_px(f["cx"], dpi), _px(f["cy"], dpi), _px(f["size"] / 2 + 6, dpi))
                for f in template.get("faces", ())]
    h, w = img.shape[:2]
    for _ in range(30):
        x, y = rng.uniform(0.15 * w, 0.85 * w), rng.uniform(0.15 * h, 0.9 * h)
        t = np.linspace(0, rng.uniform(3, 9), 40)
        size = _px(rng.uniform(15, 45), dpi)
        pts = np.c_[x + size * np.cos(t) * t / 9, y + size * np.sin(1.7 * t) * 0.4]
        if any(np.min(np.hypot(pts[:, 0] - bx, pts[:, 1] - by)) < br for bx, by, br in bubbles):
            continue
        _stroke(img, pts, PEN_BLACK if rng.random() < 0.6 else PEN_BLUE, _px(0.6, dpi), rng)
        return


def _scale_row(bubbles: list[dict]) -> bool:
    """Three or more bubbles evenly spaced on one line (a rating scale or digits), as the
    scanner tells them from option rows whose words' boxes the layout does not give."""
    if len(bubbles) < 3:
        return False
    steps = [float(np.hypot(b["cx"] - a["cx"], b["cy"] - a["cy"]))
             for a, b in zip(bubbles, bubbles[1:], strict=False)]
    return max(steps) <= 1.05 * min(steps)


def _worded(bubbles: list[dict], words: dict) -> bool:
    """An option row whose words' boxes the layout gives, however evenly its bubbles fall
    (the scanner takes such a row as an option row, never a scale)."""
    return any((b["question"], str(b["value"])) in words for b in bubbles)


def mark_between(img, a: dict, b: dict, dpi, rng, words: dict | None = None) -> None:
    """A mark between two neighbouring bubbles: the child could not decide, or missed. In
    an option row (`words`: the box of `a`'s words, printed after its bubble) it falls in
    the space between those words and the next bubble, sometimes over either."""
    if words is None:
        t = rng.uniform(0.4, 0.6)
        cx, cy = a["cx"] + t * (b["cx"] - a["cx"]), a["cy"] + t * (b["cy"] - a["cy"])
    else:
        end, ring = words["x"] + words["w"], b["cx"] - b["r"]
        cx = end + rng.uniform(0.25, 0.75) * (ring - end)
        cy = a["cy"] + rng.normal(0, 0.1 * a["r"])
    r = a["r"] * rng.uniform(0.6, 1.0)
    style = ("fill", "tick", "cross", "scribble")[int(rng.integers(0, 4))]
    paint_mark(img, style, _px(cx, dpi), _px(cy, dpi), _px(r, dpi), rng, dpi)


def _option_pairs(bubbles: list[dict], words: dict) -> list[tuple[dict, dict, dict]]:
    """Neighbouring options on one line of an option row whose words' box the layout gives:
    (option, the next one, the option's words)."""
    out = []
    for a, b in zip(bubbles, bubbles[1:], strict=False):
        lb = words.get((a["question"], str(a["value"])))
        if lb is not None and abs(a["cy"] - b["cy"]) < 1 and b["cx"] > a["cx"]:
            out.append((a, b, lb))
    return out


def fill_page(img: np.ndarray, layout: dict, page: int, dpi: float, rng,
              marks: list | None = None, lenient: set | None = None) -> dict[str, str]:
    """Paint answers on one page (in place); return the truth per column. `marks` collects
    (question, value, style) of each mark; `lenient` the columns where review is fine too."""
    marks = [] if marks is None else marks
    lenient = set() if lenient is None else lenient
    template = next(t for t in layout["page_templates"] if t["page"] == page)
    by_q: dict[str, list[dict]] = {}
    for b in template["bubbles"]:
        by_q.setdefault(b["question"], []).append(b)
    faces = {(f["question"], str(f["value"])): f for f in template.get("faces", ())}
    words = {(lb["question"], str(lb["value"])): lb for lb in template.get("labels", ())}
    kinds = {q["code"]: q["type"] for q in layout["questions"]}
    truth: dict[str, str] = {}

    def mark(b, style):
        marks.append((b["question"], b["value"], style))
        if style == "face":
            f = faces[(b["question"], str(b["value"]))]
            colour = colour_face(img, _px(f["cx"], dpi), _px(f["cy"], dpi),
                                 _px(f["size"], dpi), rng)
            if colour == CRAYONS[-1]:
                lenient.add(b["question"])  # yellow crayon: pale on a greyscale scan
            return
        if style == "light_pencil":
            lenient.add(b["question"])
        paint_mark(img, style, _px(b["cx"], dpi), _px(b["cy"], dpi), _px(b["r"], dpi), rng, dpi)

    # Digit rows (the pupil number and every number question) are one answer column each,
    # scored on the number folded from its tens and units, as the app stores it
    # (forms.answers.from_marks): a one-digit number may leave the tens blank.
    digit_rows: dict[str, dict[int, str]] = {}
    for g in layout["questions"]:
        if g.get("kind") == "digits" and g["code"] in by_q:
            digit_rows.setdefault(g["column"], {})[int(g["digit"])] = g["code"]
    for column, places in digit_rows.items():
        rows = {p: by_q.pop(code, None) for p, code in places.items()}
        if rows.get(0) is None:
            continue
        if column != "pupil_number" and rng.random() < STYLE_MIX["blank"]:
            truth[column] = ""
            continue
        width = max(rows) + 1
        n = int(rng.integers(1 if column == "pupil_number" else 0, 10 ** width))
        style = _READ_STYLES[int(rng.integers(0, 3))]  # fill, scribble or tick for digits
        # Leading zeros are coloured half the time (a blank leading row reads as 0).
        leading = n >= 10 ** (width - 1) or rng.random() < 0.5
        for p in range(width - 1, -1, -1):
            if rows.get(p) is not None and (p == 0 or leading or n >= 10 ** p):
                mark(rows[p][n // 10 ** p % 10], style)
        truth[column] = str(n)
    for q, bubbles in by_q.items():
        if kinds.get(q) == "multi":
            chosen = [b for b in bubbles if rng.random() < 0.4]
            for b in chosen:
                mark(b, _READ_STYLES[int(rng.integers(0, len(_READ_STYLES)))])
            truth[q] = ";".join(b["value"] for b in chosen)
            pairs = [p for p in _option_pairs(bubbles, words) if p[1] not in chosen]
            if pairs and rng.random() < STYLE_MIX["between"]:
                # Tick all: a mark between two options as well (which did they mean?). Not
                # before a ticked option: the scanner takes ink there for that tick's.
                a, b, lb = pairs[int(rng.integers(0, len(pairs)))]
                marks.append((q, f"{a['value']}|{b['value']}", "between"))
                mark_between(img, a, b, dpi, rng, lb)
                truth[q] = REVIEW
            continue
        has_faces = all((q, str(b["value"])) in faces for b in bubbles)
        style = _pick_style(rng, FACES_MIX if has_faces else STYLE_MIX)
        pick = rng.permutation(len(bubbles))
        if style == "blank":
            truth[q] = ""
        elif style == "two_marks":
            for k in pick[:2]:
                mark(bubbles[k], _READ_STYLES[int(rng.integers(0, 3))])
            truth[q] = REVIEW
        elif style == "crossed_out":
            old, new = bubbles[pick[0]], bubbles[pick[1]]
            mark(old, "fill")
            mark(old, "cross")
            mark(new, _READ_STYLES[int(rng.integers(0, 4))])
            truth[q] = REVIEW
        elif style == "changed_mind":
            old, new = bubbles[pick[0]], bubbles[pick[1]]
            mark(old, _READ_STYLES[int(rng.integers(0, 4))])
            mark(old, "scribble_out")
            mark(new, ("fill", "tick", "circle")[int(rng.integers(0, 3))])
            truth[q] = REVIEW
        elif style == "between" and (_worded(bubbles, words) or not _scale_row(bubbles)):
            # An option row (yes/no, choice) prints each option's words after its bubble:
            # the mark falls between those words and the next option.
            pairs = _option_pairs(bubbles, words)
            if pairs:
                a, b, lb = pairs[int(rng.integers(0, len(pairs)))]
                marks.append((q, f"{a['value']}|{b['value']}", "between"))
                mark_between(img, a, b, dpi, rng, lb)
                truth[q] = REVIEW
            else:  # a layout without the words' boxes (printed before they were written)
                b = bubbles[pick[0]]
                mark(b, "fill")
                truth[q] = b["value"]
        elif style == "between":
            order = sorted(bubbles, key=lambda b: (b["cy"], b["cx"]))
            k = int(rng.integers(0, len(order) - 1))
            marks.append((q, f"{order[k]['value']}|{order[k + 1]['value']}", "between"))
            mark_between(img, order[k], order[k + 1], dpi, rng)
            truth[q] = REVIEW
        else:
            b = bubbles[pick[0]]
            mark(b, style)
            truth[q] = b["value"]
    for w in template.get("writeins", ()):
        x, y = _px(w["x"] + 8, dpi), _px(w["y"] + w["h"] / 2, dpi)
        cv2.putText(img, "I liked the rockets", (int(x), int(y)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                    dpi / 150, PEN_BLUE, 2, cv2.LINE_AA)
    if rng.random() < DOODLE_SHARE:
        _doodle(img, template, dpi, rng)
    return truth
