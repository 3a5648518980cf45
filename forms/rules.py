"""What a survey file may say: who answers, the codes, fields and limits it is held to,
and the names of a retrospective item's two columns. One place for each of these facts.
"""

from __future__ import annotations

import re

from forms.wording import (
    DEFAULT_LANGUAGE,
    phrase,
)

#: Who answers a survey. Only pupils get faces and children's sizes; parents (and carers),
#: teachers and schools answer adult scales on screen and on paper.
AUDIENCES = ("pupil", "teacher", "school", "parent")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")

#: The export's fixed columns (and its long format's); a question may not take these codes.
RESERVED_CODES = frozenset(
    {
        "response_id", "survey", "survey_version", "collection_id", "school", "group",
        "phase", "source", "sheet_id", "pupil_number", "pupil_number_tens",
        "pupil_number_units", "submitted_at", "needs_review", "partnership",
        "question_code", "value", "status", "csrf_token", "submission_id",
        "score", "score_max",
    }
)
#: A retrospective item's two answer columns end in these (`<code>_then`, `<code>_now`):
#: the only place they are spelled.
THEN, NOW = RETRO_SUFFIXES = ("_then", "_now")
#: Their names on paper and on screen, and their short names (review, export, results).
RETRO_LABELS = {THEN: phrase("retro_before"), NOW: phrase("retro_now")}
RETRO_SHORT = {THEN: "before", NOW: "now"}


def retro_part(column: str) -> str | None:
    """"before" or "now" for a retrospective column, None for any other."""
    return next((RETRO_SHORT[s] for s in RETRO_SUFFIXES if column.endswith(s)), None)


def retro_columns(code: str) -> tuple[str, str]:
    """The (before, now) answer columns of retrospective item `code`."""
    return (code + THEN, code + NOW)


def retro_labels(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """RETRO_LABELS in `lang` (the phrasebook's words; English where it has none)."""
    return {THEN: phrase("retro_before", lang), NOW: phrase("retro_now", lang)}

#: More questions than this on a pupil survey loses young children (the DfE evaluation
#: advice; docs/coordinator/builder.md, "Gentle warnings").
MAX_PUPIL_QUESTIONS = 12
MAX_QUESTIONS = 60
MAX_TEXT_CHARS = 400
MAX_FILE_BYTES = 256 * 1024

SURVEY_KEYS = ("code", "title", "audience", "languages", "intro", "ages", "description",
               "questions")
#: The survey fields a person reads, which a file may give in several languages.
SURVEY_TEXTS = ("title", "intro", "description")
QUESTION_KEYS = (
    "code", "text", "scale", "required", "retrospective", "options", "labels",
    "measures", "ages", "source", "max", "dont_know", "origin", "pilot_n",
)
#: What an option of a `choice` or `multi` question may say.
OPTION_KEYS = ("code", "label", "correct")
#: Where a (bank) question's wording comes from: used word for word from the published
#: instrument its `source` names, adapted from one (reworded: not tested in this wording),
#: or new (written for this product). Piloting is separate: `pilot_n` (people who answered
#: a pilot of this wording with this product).
ORIGINS = ("published", "adapted", "new")
MAX_PILOT_N = 100_000
#: What bank questions may say they measure (the builder groups them by this).
MEASURES = (
    "enjoyment", "confidence", "knowledge", "interest", "identity", "careers",
    "participation", "teacher_confidence", "teacher_competence", "teacher_interest",
    "satisfaction", "recommend", "partnership", "other",
)
