"""Read the bubbles of a normalised page: re-register each near its layout place, measure
its darkness, and find faces coloured in and marks between two bubbles. Called by
`scanner.pipeline.Scanner` once a page is normalised and levelled."""

from __future__ import annotations

import statistics
from collections import defaultdict

import numpy as np

from scanner import darkness, decide, measure, one_bit, tuning
from scanner.results import (
    BubbleReading,
)


def px_per_pt() -> float:
    """Pixels of the normalised page image per PDF point; the pipeline and the answer
    reading scale the layout's positions with it."""
    return tuning.NORMALISED_DPI / 72



def measure_bubbles(norm: np.ndarray, half: np.ndarray, lv: measure.Levels,
                    template: dict, multi: frozenset[str] = frozenset()) -> list[BubbleReading]:
    """Re-register each bubble near its layout position, then measure its darkness.
    `half` is `pyrDown(norm)`."""
    s = px_per_pt()
    search = max(1, round(tuning.REREGISTER_MM / 25.4 * tuning.NORMALISED_DPI))
    tol = tuning.ROW_OFFSET_TOLERANCE_MM / 25.4 * tuning.NORMALISED_DPI
    by_question: dict[str, list[dict]] = defaultdict(list)
    for b in template["bubbles"]:
        by_question[b["question"]].append(b)
    placed: list[tuple[dict, float, float, float]] = []
    rings: list[float] = []
    all_fits = {q: _register_question(half, bubbles, s, search)
                for q, bubbles in by_question.items()}
    for q, bubbles in by_question.items():
        fits = all_fits[q]
        mdx, mdy = _row_offset(q, by_question, all_fits, tol)
        for b, (dx, dy, ring) in zip(bubbles, fits, strict=True):
            if abs(dx - mdx) > tol or abs(dy - mdy) > tol:
                dx, dy = mdx, mdy  # a scribble pulled this fit: trust the row
            placed.append((b, b["cx"] * s + dx, b["cy"] * s + dy, b["r"] * s))
            rings.append(ring / max(lv.ink_contrast, 1.0))
    # Bubbles measured together: same size, and same room around them (a row packed as
    # tight as the 0-10 scale gets narrower background bands than the rest).
    xy = np.array([(b["cx"], b["cy"]) for b, _, _, _ in placed]) * s
    gaps = np.full(len(placed), 1e9)
    if len(placed) > 1:
        dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(dist, np.inf)
        gaps = dist.min(axis=1)
    by_radius: dict[tuple[float, float], list[int]] = defaultdict(list)
    for k, (_, _, _, r) in enumerate(placed):
        tight = gaps[k] < r * (tuning.BAND_TO + 1) + 2.5
        by_radius[(round(r, 1), round(gaps[k], 0) if tight else 1e9)].append(k)
    n = len(placed)
    blind, worded = _face_blind(template, placed, gaps)
    dark, cover, circle, strokes = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    steady = np.zeros(n)
    for (r, gap), ks in by_radius.items():
        f = darkness.darkness(norm, lv, np.array([placed[k][1] for k in ks]),
                             np.array([placed[k][2] for k in ks]), r, gap, blind[ks],
                             worded=worded[ks])
        dark[ks], cover[ks], circle[ks], strokes[ks] = f.darkness, f.coverage, f.circle, f.strokes
        steady[ks] = f.circle if f.steady_circle is None else f.steady_circle
    face = _faces(norm, lv, template, placed)
    between = _between(norm, lv, placed, multi, template.get("labels"))
    # A bubble whose printed ring cannot be seen is not read at all, however pale it is.
    hidden = np.array(rings) < tuning.RING_VISIBLE
    dark[hidden] = np.nan
    shares = _ring_shares(placed, rings)
    faint = one_bit.faint_from(dark, lv)
    lifted = one_bit.lifted(dark, shares, lv)

    def scores(circles: np.ndarray) -> list[float]:
        return [decide.score(float(d), float(c), float(fc), strokes=float(st),
                             ring_share=float(sh), faint_from=faint, lifted=bool(lt))
                for d, c, fc, st, sh, lt
                in zip(dark, circles, face, strokes, shares, lifted, strict=True)]

    score = scores(circle)
    # On a 1-bit page a circle excuses ink between two answers as its own spill only when
    # it is seen at its neighbours' line threshold (`one_bit.steady_light`): the mark
    # between darkens the bubble's bands, which lowers its threshold, and the dither's
    # texture round it then reads as a circle (stored as that answer, with no flag).
    spill = scores(steady) if one_bit.is_one_bit(lv) else score
    for a, b, option, tight in between:
        # Ink between two answers, neither of them boldly marked: the child may have meant
        # either (beside a bold mark, a fill or a circle, it is that mark spilling over; a
        # mark between two bubbles that grazes one of them is faint there). In an option row
        # only the next bubble's mark can spill there: the first one's words lie between.
        # Between two touching rings a mark between them reaches into both bubbles, so it
        # counts as spill only from a bolder mark (`TIGHT_SPILL_FROM`).
        near = (b,) if option else (a, b)
        least = tuning.TIGHT_SPILL_FROM if tight else tuning.BETWEEN_SPILL_FROM
        if not max(spill[k] for k in near) >= least:
            score[a], score[b] = (decide.score(score[a], between=True),
                                  decide.score(score[b], between=True))
    return [BubbleReading(b["question"], str(b["value"]), cx, cy, r, round(float(d), 4),
                          round(float(c), 4), decide.classify(sc), round(ring, 3),
                          round(float(ci), 3), round(float(fc), 3), round(sc, 4),
                          round(float(st), 3))
            for (b, cx, cy, r), d, c, ring, ci, fc, sc, st
            in zip(placed, dark, cover, rings, circle, face, score, strokes, strict=True)]


def _row_offset(q: str, by_question: dict[str, list[dict]],
                fits: dict[str, list[tuple[float, float, float]]],
                tol: float) -> tuple[float, float]:
    """The offset a question's bubbles should share: the median of their own fits. A row of
    two (yes/no) has no median to outvote one fit pulled off its ring by a mark (a circle
    drawn tight round "No" pulled both to halfway, and "Yes" was measured over its own
    printed ring: "2 answers marked", tuning seed 560): when its two fits disagree, the
    ones that agree with the nearest row of three or more bubbles count."""
    own = fits[q]
    mdx = statistics.median(f[0] for f in own)
    mdy = statistics.median(f[1] for f in own)
    if len(own) >= 3 or all(abs(f[0] - mdx) <= tol and abs(f[1] - mdy) <= tol for f in own):
        return mdx, mdy
    cy = statistics.median(b["cy"] for b in by_question[q])
    rows = [(abs(statistics.median(b["cy"] for b in by_question[o]) - cy), o)
            for o in fits if len(fits[o]) >= 3]
    if not rows:
        return mdx, mdy
    near = fits[min(rows)[1]]
    rdx = statistics.median(f[0] for f in near)
    rdy = statistics.median(f[1] for f in near)
    good = [f for f in own if abs(f[0] - rdx) <= tol and abs(f[1] - rdy) <= tol]
    if not good:
        return mdx, mdy
    return statistics.median(f[0] for f in good), statistics.median(f[1] for f in good)


def _ring_shares(placed: list[tuple[dict, float, float, float]],
                 rings: list[float]) -> np.ndarray:
    """Each bubble's ring contrast as a share of its row's median: ink drawn close round
    the ring, or shading up to it, makes the ring stand out less than its neighbours'."""
    by_q: dict[str, list[int]] = defaultdict(list)
    for k, (b, _, _, _) in enumerate(placed):
        by_q[b["question"]].append(k)
    out = np.ones(len(placed))
    for ks in by_q.values():
        row = statistics.median(rings[k] for k in ks)
        if row > 0:
            out[ks] = [rings[k] / row for k in ks]
    return out


def _face_blind(template: dict, placed: list[tuple[dict, float, float, float]],
                gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per bubble, the annulus sectors its printed face covers and those the answer's words
    under it may cover (faces sheets print the words under every row's circles), and
    whether the bubble has a face (so words) at all. `gaps`: distance to the nearest
    bubble, the most the words may spread (half of it each side)."""
    blind = np.zeros((len(placed), tuning.RING_SECTORS), bool)
    worded = np.zeros(len(placed), bool)
    faces = {(f.get("question"), str(f.get("value"))): f for f in template.get("faces") or ()}
    if not faces:
        return blind, worded
    s = px_per_pt()
    for k, (b, _, _, r) in enumerate(placed):
        f = faces.get((b["question"], str(b["value"])))
        if f is not None:
            blind[k] = darkness.face_sectors(r, (f["cx"] - b["cx"]) * s, (f["cy"] - b["cy"]) * s,
                                            0.44 * f["size"] * s)
            blind[k] |= darkness.word_sectors(r, round(min(gaps[k], 6 * r) / 2, 1))
            worded[k] = True
    return blind, worded


def _faces(norm: np.ndarray, lv: measure.Levels, template: dict,
           placed: list[tuple[dict, float, float, float]]) -> np.ndarray:
    """For each bubble, how much darker than clean the face printed with it is (0 when it
    has none). The face is found by the re-registered bubble under it."""
    faces = template.get("faces") or ()
    out = np.zeros(len(placed))
    if not faces:
        return out
    s = px_per_pt()
    where = {(b["question"], str(b["value"])): (k, cx - b["cx"] * s, cy - b["cy"] * s)
             for k, (b, cx, cy, _) in enumerate(placed)}
    by_size: dict[float, tuple[list[int], list]] = defaultdict(lambda: ([], []))
    for f in faces:
        hit = where.get((f.get("question"), str(f.get("value"))))
        if hit is None:
            continue
        k, dx, dy = hit
        ks, boxes = by_size[round(f["size"], 1)]
        ks.append(k)
        boxes.append((f["cx"] * s + dx, f["cy"] * s + dy, f["size"] * s))
    for ks, boxes in by_size.values():
        out[ks] = darkness.face_darkness(norm, lv, boxes)
    return out


def _between(norm: np.ndarray, lv: measure.Levels,
             placed: list[tuple[dict, float, float, float]],
             multi: frozenset[str] = frozenset(),
             labels: list[dict] | None = None) -> list[tuple[int, int, bool, bool]]:
    """Neighbouring bubbles of one question with ink halfway between them (a mark between
    two answers): in a scale row, between the two rings; in an option row (yes/no, choice,
    tick all), whose words sit after each bubble, in the clear space from one option's
    words to the next option's bubble (only where the layout gives the words' boxes).
    Each pair comes with whether it is an option row's, and whether its rings nearly touch
    (looked at over the middle, less both bubbles)."""
    by_q: dict[str, list[int]] = defaultdict(list)
    for k, (b, _, _, _) in enumerate(placed):
        by_q[b["question"]].append(k)
    words = {(lb["question"], str(lb["value"])): lb for lb in labels or ()}
    pairs, xs, ys, rs = [], [], [], []
    #: Per disc, the two bubbles whose insides and printed rings are left out of it (only for
    #: rows too tight for a disc clear of both: None otherwise).
    clear: list[tuple[int, int] | None] = []

    def discs(a: int, b: int, x0: float, y0: float, x1: float, y1: float, radius: float,
              option: bool = False):
        """Discs of `radius` spaced along the clear line from (x0, y0) to (x1, y1)."""
        length = float(np.hypot(x1 - x0, y1 - y0))
        room = length - 2 * radius
        if radius < 0.15 * placed[a][3] or room < 0:
            return  # no room between them
        steps = 1 + int(room // (1.5 * radius))
        for t in (np.linspace(radius, length - radius, steps) / length if steps > 1
                  else [0.5]):
            pairs.append((a, b, option))
            xs.append(x0 + t * (x1 - x0))
            ys.append(y0 + t * (y1 - y0))
            rs.append(radius)
            clear.append(None)

    for q, ks in by_q.items():
        steps = [float(np.hypot(placed[b][1] - placed[a][1], placed[b][2] - placed[a][2]))
                 for a, b in zip(ks, ks[1:], strict=False)]
        # A row whose options' words the layout gives is an option row however evenly its
        # bubbles fall: the line between its rings runs through those words, which read as
        # a mark between two answers (light_check's "We see a book because light goes…",
        # three options 271 px apart, went to review on every clean page).
        worded = any((placed[k][0]["question"], str(placed[k][0]["value"])) in words
                     for k in ks)
        if (q not in multi and not worded and len(ks) >= 3
                and max(steps) <= 1.05 * min(steps)):
            for a, b in zip(ks, ks[1:], strict=False):
                (_, ax, ay, ar), (_, bx, by, _) = placed[a], placed[b]
                gap = float(np.hypot(bx - ax, by - ay))
                radius = min(0.5 * ar, gap / 2 - 1.25 * ar)
                if radius < 0.15 * ar:
                    # Rings nearly touching (the 0-10 row on pupil sheets, 2.4 radii apart):
                    # one disc over the middle, less both bubbles and their rings, which
                    # leaves the narrow gap and the paper above and below it.
                    pairs.append((a, b, False))
                    xs.append((ax + bx) / 2)
                    ys.append((ay + by) / 2)
                    rs.append(tuning.TIGHT_BETWEEN_RADIUS * ar)
                    clear.append((a, b))
                    continue
                # Along the line between the two rings, clear of both by a quarter radius.
                u = (1.25 * ar) / gap
                discs(a, b, ax + u * (bx - ax), ay + u * (by - ay), bx - u * (bx - ax),
                      by - u * (by - ay), radius)
            continue
        _option_gaps(placed, ks, words, discs)
    out: list[tuple[int, int, bool, bool]] = []
    # Scale rows' and option rows' discs (and those over touching rings) each with their own
    # page median.
    by_size: dict[tuple[float, bool, bool], list[int]] = defaultdict(list)
    for j, radius in enumerate(rs):
        by_size[(round(radius, 1), pairs[j][2], clear[j] is not None)].append(j)
    for (radius, option, tight), js in by_size.items():
        away = None
        if tight:
            # Each disc less the insides of its two bubbles and their printed rings.
            away = np.array([[(placed[k][1], placed[k][2], placed[k][3] + tuning.RING_CLEAR_PX)
                              for k in clear[j]] for j in js])
        ink = darkness.ink_at(norm, lv, np.array([xs[j] for j in js]),
                             np.array([ys[j] for j in js]), radius, solid=option or tight,
                             away=away, solid_from=tuning.TIGHT_BETWEEN_SOLID if tight
                             else tuning.BETWEEN_SOLID,
                             blot_from=tuning.GAP_BLOT if option else tuning.BETWEEN_BLOT)
        least = tuning.TIGHT_BETWEEN_INK if tight else tuning.BETWEEN_INK
        for j, v in zip(js, ink, strict=True):
            if v > least and (*pairs[j], tight) not in out:
                out.append((*pairs[j], tight))
    return out


def _option_gaps(placed: list[tuple[dict, float, float, float]], ks: list[int],
                 words: dict[tuple[str, str], dict], discs) -> None:
    """An option row: for each option followed by another on the same line, the clear
    space from the end of its words to the next bubble's ring (`discs` places the discs)."""
    s = px_per_pt()
    for a, b in zip(ks, ks[1:], strict=False):
        (ba, ax, ay, ar), (_, bx, by, br) = placed[a], placed[b]
        lb = words.get((ba["question"], str(ba["value"])))
        if lb is None or abs(by - ay) > 0.5 * ar or bx <= ax:
            continue  # no words known, or the next option starts a new line
        # The words move with their bubble (its re-registered offset).
        end = (lb["x"] + lb["w"]) * s + (ax - ba["cx"] * s)
        x0, x1 = end + tuning.OPTION_GAP_CLEAR * ar, bx - 1.25 * br
        radius = min(0.5 * ar, (x1 - x0) / 2)
        discs(a, b, x0, ay, x1, by, radius, option=True)


def _register_question(half: np.ndarray, bubbles: list[dict], s: float,
                       search: int) -> list[tuple[float, float, float]]:
    """Fits for one question's bubbles, in their order: one strip per line of same-sized
    bubbles (a question's bubbles usually share one line)."""
    lines: dict[tuple[float, float], list[int]] = defaultdict(list)
    for k, b in enumerate(bubbles):
        lines[(b["cy"], b["r"])].append(k)
    fits: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(bubbles)
    for (cy, r), ks in lines.items():
        row = measure.register_row(half, [bubbles[k]["cx"] * s for k in ks], cy * s, r * s,
                                   search)
        for k, f in zip(ks, row, strict=True):
            fits[k] = f
    return fits
