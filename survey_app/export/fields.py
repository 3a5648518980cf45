"""Each exported column described (its Frictionless type, title, and codes with their
labels) for SPSS, Stata and datapackage.json (formats.py): the fixed columns, then each
answer column as the newest survey version that has it words it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from forms.definition import SurveyDefinition
from forms.scales import MULTI, NUMBER, TEXT
from survey_app.export.tables import DESIGN_CODES, FIXED_COLUMNS, RETRO_TEXT, SCORE_CODES


@dataclass(frozen=True)
class Field:
    """One exported column described: its Frictionless type, a title, and for coded
    columns each code with its label (SPSS/Stata value labels)."""

    name: str
    #: "integer", "string" or "datetime" (Frictionless Table Schema types)
    type: str
    title: str
    values: tuple[tuple[str, str], ...] = ()
    measures: str = ""
    #: Tick-all-that-apply: several codes joined by MULTI_SEP.
    multi: bool = False
    #: Codes that mean "no answer on the scale" (DONT_KNOW): SPSS user-missing values.
    missing: tuple[str, ...] = ()


FIXED_FIELDS = {
    "partnership": Field("partnership", "string", "Partnership"),
    "response_id": Field("response_id", "integer", "Response id"),
    "survey": Field("survey", "string", "Survey code"),
    "survey_version": Field("survey_version", "integer", "Survey version"),
    "collection_id": Field("collection_id", "integer", "Collection id"),
    "school": Field("school", "string", "School"),
    "group": Field("group", "string", "Pupil group or class"),
    "sheet_id": Field("sheet_id", "string", "Paper sheet id (collection-serial)"),
    "pupil_number": Field("pupil_number", "integer",
                          "Pupil number in the class register (pairs before and after; "
                          "on a parent survey, their child's number)"),
    "submitted_at": Field("submitted_at", "datetime", "Submitted (UTC)"),
    "needs_review": Field("needs_review", "string",
                          "Answer columns still waiting for a person to check a scanned mark"),
    **{column: Field(column, "integer" if column == "time_point" else "string", text,
                     tuple(codes))
       for column, text, _m, codes in DESIGN_CODES if column != "partnership"},
}


def wide_fields(definitions: Sequence[SurveyDefinition], columns: Sequence[str],
                labels: bool = False) -> list[Field]:
    """The fields of a wide export: the fixed columns, then each answer column described
    by the newest version that has it (codes, or words when `labels`)."""
    questions = {}
    for d in definitions:  # oldest first: newer wording wins
        for q in d.questions:
            for column in q.columns:
                questions[column] = q
    fields = [FIXED_FIELDS[c] for c in FIXED_COLUMNS]
    for column in columns:
        q = questions.get(column)
        if q is None:
            fields.append(Field(column, "string", column))
            continue
        title = q.text + RETRO_TEXT.get(column[len(q.code):], "")
        measures = q.measures or ""
        if q.kind == TEXT:
            fields.append(Field(column, "string", title, measures=measures))
        elif q.kind == NUMBER:
            fields.append(Field(column, "integer", title, measures=measures))
        elif labels:
            fields.append(Field(column, "string", title, measures=measures,
                                multi=q.kind == MULTI))
        else:
            codes = tuple((o, q.label(o)) for o in q.answer_codes)
            numeric = q.kind != MULTI and all(o.lstrip("-").isdigit() for o, _ in codes)
            fields.append(Field(column, "integer" if numeric else "string", title, codes,
                                measures, multi=q.kind == MULTI,
                                missing=tuple(c for c in q.answer_codes
                                              if c not in q.option_codes)))
    if has_scores(definitions):
        fields += [Field(name, "integer", text, measures=measures)
                   for name, text, measures in SCORE_CODES]
    return fields


def has_scores(definitions: Sequence[SurveyDefinition]) -> bool:
    """Whether the wide table carries `score` and `score_max` (some version has knowledge
    checks)."""
    return any(d.knowledge_questions for d in definitions)
