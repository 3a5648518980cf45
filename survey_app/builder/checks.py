"""The builder's checks: each problem of a draft placed beside its question, and gentle
warnings while editing (moved unchanged from builder/operations.py)."""

from __future__ import annotations

import yaml

from forms.definition import (
    MAX_PUPIL_QUESTIONS,
    Problem,
)
from forms.scales import SCALES
from survey_app.builder.draft import LONG_PUPIL_TEXT, NEGATIVE_RE, Draft

# --- validation, with each problem placed beside its question -----------------------------


def question_lines(text: str) -> list[int]:
    """The line on which each question of a survey file starts (empty if unreadable)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "questions" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def place_problems(problems: list[Problem], starts: list[int], codes: list[str]
                   ) -> tuple[list[Problem], dict[int, list[Problem]]]:
    """Split problems into the survey's own and each question's (by line, else by code)."""
    general: list[Problem] = []
    by_question: dict[int, list[Problem]] = {}
    for p in problems:
        index = None
        if p.question is not None:
            if p.line is not None and starts:
                index = max((i for i, s in enumerate(starts) if s <= p.line), default=None)
            if index is None and p.question in codes:
                index = codes.index(p.question)
            if index is None and p.question.startswith("#") and p.question[1:].isdigit():
                index = int(p.question[1:]) - 1
        if index is None or not 0 <= index < len(codes):
            general.append(p)
        else:
            by_question.setdefault(index, []).append(p)
    return general, by_question


# --- gentle warnings while editing ------------------------------------------------------


#: About what fits on the reply slip of a letter home (print/letters.py).
PARENT_SLIP_QUESTIONS = 6


def _parent_warnings(draft: Draft) -> list[str]:
    """Parents answer adult scales (faces are for children), briefly (a letter's slip)."""
    out = []
    if any(SCALES.get(q.scale) and SCALES[q.scale].faces for q in draft.questions):
        out.append("Parents see words, not faces: a faces scale reads as its words "
                   "(“Not at all” ... “A lot”) for them. Prefer agree5 or "
                   "satisfied5.")
    if len(draft.questions) > PARENT_SLIP_QUESTIONS:
        out.append(f"{len(draft.questions)} questions will not fit on the reply slip of a "
                   f"letter home (about {PARENT_SLIP_QUESTIONS}): keep it short, or print "
                   "full sheets instead.")
    return out


def warnings_for(draft: Draft) -> tuple[list[str], dict[int, list[str]]]:
    """Advice, not errors: long or negative pupil questions, a long pupil survey."""
    general: list[str] = []
    per: dict[int, list[str]] = {}
    if draft.audience == "parent":
        return _parent_warnings(draft), per
    if draft.audience != "pupil":
        return general, per
    n = len(draft.questions)
    if n > MAX_PUPIL_QUESTIONS:
        general.append(f"This pupil survey has {n} questions; at most {MAX_PUPIL_QUESTIONS} "
                       "can be saved, because children tire quickly. Remove "
                       f"{n - MAX_PUPIL_QUESTIONS} before saving.")
    for i, q in enumerate(draft.questions):
        notes = []
        if len(q.text) > LONG_PUPIL_TEXT:
            notes.append(f"This question is long ({len(q.text)} characters): children read "
                         f"best under {LONG_PUPIL_TEXT}. Can it be shorter?")
        m = NEGATIVE_RE.search(q.text)
        if m:
            notes.append(f"“{m.group(0)}” makes a question hard for children to answer "
                         "with a face: can it be asked the positive way round?")
        if notes:
            per[i] = notes
    return general, per
