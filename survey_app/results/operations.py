"""Write actions on results: declaring which questions are a survey's primary outcomes, and
choosing written answers to quote in the impact report (none by default)."""

from __future__ import annotations

import json

from flask_babel import gettext
from sqlalchemy import delete, select

from forms.scales import TEXT
from survey_app.extensions import db
from survey_app.models import Answer, Collection, ReportQuote, Response, Survey, SurveyVersion
from survey_app.results import answer_queries, queries
from survey_app.results.queries import ResultsScope


class PrimaryError(ValueError):
    """A choice (primary outcomes, quotes) that cannot be stored, in words for the user."""


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
        raise PrimaryError(gettext("No question %(codes)s with answers to count in survey "
                                   "%(survey)s (its questions: %(counted)s).",
                                   codes=", ".join(unknown), survey=survey.code,
                                   counted=counted))
    chosen = list(dict.fromkeys(codes))
    for version in queries.versions(survey.id):
        version.primary_questions = json.dumps(chosen) if chosen else None
    db.session.flush()
    return chosen


def _text_answers(survey: Survey, scope: ResultsScope | None = None):
    """SELECT of (answer id, question code, value) for the survey's written answers, newest
    first, in `scope` when given (its partnership, school and group)."""
    codes = {q.code for v in queries.versions(survey.id) for q in v.definition.questions
             if q.kind == TEXT}
    stmt = (select(Answer.id, Answer.question_code, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .join(Collection, Collection.id == Response.collection_id)
            .join(SurveyVersion, SurveyVersion.id == Collection.survey_version_id)
            .where(SurveyVersion.survey_id == survey.id, Answer.question_code.in_(codes),
                   Answer.status == "ok", Answer.value != "", Collection.pilot.is_(False))
            .order_by(Response.submitted_at.desc(), Answer.id.desc()))
    if scope is not None:
        stmt = stmt.where(Collection.id.in_(queries.collection_ids(scope, survey.id)),
                          *scope.response_filters())
    return stmt


def quote_candidates(survey: Survey, scope: ResultsScope) -> dict[str, list[tuple[int, str, bool]]]:
    """Per written-answer question: (answer id, text, chosen?) of the newest answers in
    scope, for a coordinator to pick quotes from."""
    chosen = set(db.session.scalars(select(ReportQuote.answer_id).where(
        ReportQuote.survey_id == survey.id)))
    out: dict[str, list[tuple[int, str, bool]]] = {}
    for answer_id, code, value in db.session.execute(_text_answers(survey, scope)):
        rows = out.setdefault(code, [])
        if len(rows) < answer_queries.TEXT_LIMIT:
            rows.append((answer_id, value, answer_id in chosen))
    return out


def set_report_quotes(survey: Survey, shown: list[int], chosen: list[int]) -> int:
    """Of the written answers `shown` to the coordinator, quote exactly `chosen` in the
    report (others keep their choice). Answers of other surveys are refused."""
    wanted = set(chosen) & set(shown)
    valid = set(db.session.scalars(select(Answer.id).where(
        Answer.id.in_(wanted | set(shown)),
        Answer.id.in_(select(_text_answers(survey).subquery().c.id)))))
    if wanted - valid:
        raise PrimaryError(gettext("Some of the chosen answers are not written answers to "
                                   "this survey: reload the page and choose again."))
    db.session.execute(delete(ReportQuote).where(
        ReportQuote.survey_id == survey.id, ReportQuote.answer_id.in_(valid - wanted)))
    have = set(db.session.scalars(select(ReportQuote.answer_id).where(
        ReportQuote.survey_id == survey.id, ReportQuote.answer_id.in_(wanted))))
    for answer_id in sorted(wanted - have):
        db.session.add(ReportQuote(survey_id=survey.id, answer_id=answer_id))
    db.session.flush()
    return len(wanted)


def report_quotes(survey: Survey, scope: ResultsScope) -> dict[str, list[str]]:
    """Per question code, the chosen quotes whose answers are in `scope`, oldest choice
    first."""
    stmt = (select(Answer.question_code, Answer.value)
            .join(ReportQuote, ReportQuote.answer_id == Answer.id)
            .where(ReportQuote.survey_id == survey.id,
                   Answer.id.in_(select(_text_answers(survey, scope).subquery().c.id)))
            .order_by(ReportQuote.chosen_at, ReportQuote.id))
    out: dict[str, list[str]] = {}
    for code, value in db.session.execute(stmt):
        out.setdefault(code, []).append(value)
    return out
