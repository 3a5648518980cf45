"""Write actions on results: declaring which questions are a survey's primary outcomes."""

from __future__ import annotations

import json

from forms.scales import TEXT
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.results import queries


class PrimaryError(ValueError):
    """A primary-outcome choice that cannot be stored, in words for the user."""


def set_primary_questions(survey: Survey, codes: list[str]) -> list[str]:
    """Declare `codes` the survey's primary outcomes (stored on every version, so a new
    version of the same questions keeps them). Unknown codes are refused by name."""
    known: dict[str, bool] = {}
    for version in queries.versions(survey.id):
        for q in version.definition.questions:
            known.setdefault(q.code, q.kind != TEXT)
    unknown = [c for c in codes if not known.get(c)]
    if unknown:
        counted = ", ".join(c for c in known if known[c])
        raise PrimaryError(f"No question {', '.join(unknown)} with answers to count in "
                           f"survey {survey.code} (its questions: {counted}).")
    chosen = list(dict.fromkeys(codes))
    for version in queries.versions(survey.id):
        version.primary_questions = json.dumps(chosen) if chosen else None
    db.session.flush()
    return chosen
