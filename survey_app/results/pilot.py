"""The pilot report: how a trial run with a class went, question by question, and what to
change before the real survey.

A pilot collection (Collection.pilot) never enters results; this is the only place its
answers are read. Per answer column: how many skipped it, chose "I don't know", gave the
top or the bottom answer (ceiling and floor: little room left to show change), and on the
web the median time on the question and how often it was read aloud; per pupil, whether
every rating got the same answer (straight-lining). Plain suggestions follow from fixed
thresholds, kept here in one place. A class is small, so this counts in Python.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forms.definition import RETRO_SHORT, Question
from forms.scales import DONT_KNOW, TEXT
from survey_app.extensions import db
from survey_app.models import Answer, Collection, Response

#: Thresholds for suggestions (shares of the pupils who answered, or who could have).
CEILING = 0.30
FLOOR = 0.30
SKIPPED = 0.15
DONT_KNOWS = 0.15
READ_ALOUD = 0.50
STRAIGHT = 0.20
#: A question whose median time is this many times the survey's typical question.
SLOW = 2.0
#: Straight-lining needs at least this many rating answers from one pupil to mean anything.
STRAIGHT_MIN_ITEMS = 3


@dataclass
class ColumnReport:
    """One answer column of the pilot."""

    question: Question
    column: str
    #: Responses to the pilot (who could have answered).
    responses: int
    answered: int = 0
    skipped: int = 0
    dont_know: int = 0
    #: Answers at the top and at the bottom of an ordered scale (None: not a rating).
    top: int | None = None
    bottom: int | None = None
    #: Web responses that timed this question, their median seconds and how many had it
    #: read aloud at least once.
    timed: int = 0
    median_seconds: float | None = None
    read_aloud: int = 0
    suggestions: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        suffix = self.column[len(self.question.code):]
        if not suffix:
            return self.question.text
        # a looking-back item's two columns: "[before]" and "[now]" in the reader's words
        word = {"before": gettext("before"), "now": gettext("now")}[RETRO_SHORT[suffix]]
        return f"{self.question.text} [{word}]"

    @property
    def rated(self) -> int:
        """Answers on the scale (not skipped, not "don't know")."""
        return self.answered - self.dont_know

    def share(self, part: int | None, of: int | None = None) -> float | None:
        whole = self.rated if of is None else of
        return None if part is None or not whole else part / whole


@dataclass
class PilotReport:
    collection: Collection
    responses: int
    columns: list[ColumnReport]
    #: Pupils with at least STRAIGHT_MIN_ITEMS rating answers, and of those how many gave
    #: the same answer to every one.
    straight_checked: int = 0
    straight_lined: int = 0
    suggestions: list[str] = field(default_factory=list)


#: Shares in words, from the largest bound down: (bound, the share alone, the share of a
#: number of pupils). Whole messages, so a language can put the words in its own order.
_FRACTIONS = (
    (0.9, _l("Nearly all"), _l("Nearly all pupils (%(k)s of %(n)s)")),
    (0.7, _l("Most"), _l("Most pupils (%(k)s of %(n)s)")),
    (0.55, _l("More than half"), _l("More than half of the pupils (%(k)s of %(n)s)")),
    (0.45, _l("About half"), _l("About half of the pupils (%(k)s of %(n)s)")),
    (0.38, _l("Two in five"), _l("Two in five of the pupils (%(k)s of %(n)s)")),
    (0.3, _l("A third"), _l("A third of the pupils (%(k)s of %(n)s)")),
    (0.22, _l("A quarter"), _l("A quarter of the pupils (%(k)s of %(n)s)")),
    (0.15, _l("One in six"), _l("One in six of the pupils (%(k)s of %(n)s)")),
)
_FEW = (_l("A few"), _l("A few pupils (%(k)s of %(n)s)"))


def _fraction(share: float) -> tuple:
    for bound, alone, of_pupils in _FRACTIONS:
        if share >= bound:
            return alone, of_pupils
    return _FEW


def fraction_words(share: float) -> str:
    """A share as a parent would say it: "a third", "half", "most"."""
    return str(_fraction(share)[0])


def _rows(collection_id: int):
    responses = db.session.execute(
        select(Response.id, Response.source, Response.timings_json)
        .where(Response.collection_id == collection_id).order_by(Response.id)).all()
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for rid, col, value in db.session.execute(
            select(Answer.response_id, Answer.question_code, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.collection_id == collection_id, Answer.status == "ok",
                   Answer.value != "")):
        answers[rid][col] = value
    return responses, answers


def build(collection: Collection) -> PilotReport:
    """The pilot report of one collection (its survey version's questions)."""
    definition = collection.survey_version.definition
    responses, answers = _rows(collection.id)
    timings = {rid: json.loads(t) for rid, _src, t in responses if t}
    n = len(responses)
    out: list[ColumnReport] = []
    for q in definition.questions:
        if q.kind == TEXT:
            continue
        for column in q.columns:
            out.append(_column(q, column, n, responses, answers, timings))
    report = PilotReport(collection, n, out)
    _straight_lining(report, definition.questions, answers)
    _suggest(report)
    return report


def _column(q: Question, column: str, n: int, responses, answers, timings) -> ColumnReport:
    c = ColumnReport(q, column, n)
    values = [answers[rid][column] for rid, _s, _t in responses if column in answers[rid]]
    c.answered = len(values)
    c.skipped = n - c.answered
    c.dont_know = sum(v == DONT_KNOW for v in values)
    if q.scale_def.is_rating and q.option_codes:
        c.top = sum(v == q.option_codes[-1] for v in values)
        c.bottom = sum(v == q.option_codes[0] for v in values)
    # Timings are per question: a retrospective item's two columns share its figure.
    seconds = [t[q.code]["ms"] / 1000 for t in timings.values() if q.code in t]
    c.timed = len(seconds)
    c.median_seconds = statistics.median(seconds) if seconds else None
    c.read_aloud = sum(1 for t in timings.values() if t.get(q.code, {}).get("read", 0) > 0)
    return c


def _straight_lining(report: PilotReport, questions, answers) -> None:
    """Pupils who gave the same position on every rating they answered (at least three)."""
    ratings = [(col, q.option_codes) for q in questions if q.scale_def.is_rating
               for col in q.columns]
    for values in answers.values():
        positions = [codes.index(values[col]) for col, codes in ratings
                     if values.get(col) in codes]
        if len(positions) >= STRAIGHT_MIN_ITEMS:
            report.straight_checked += 1
            # the same end of the scale: position from the bottom, scales alike
            report.straight_lined += len(set(positions)) == 1


def pupils_words(n: int, share: float) -> str:
    """"Most pupils (20 of 28)": a share in words and numbers (public so its tests check
    the wording)."""
    return str(_fraction(share)[1]) % {"k": round(share * n), "n": n}


def _suggest(report: PilotReport) -> None:
    before = report.collection.phase == "before"
    medians = [c.median_seconds for c in report.columns if c.median_seconds is not None]
    typical = statistics.median(medians) if medians else None
    for c in report.columns:
        q = c.question
        top_words = q.label(q.option_codes[-1]) if q.option_codes else ""
        if c.responses and c.skipped / c.responses >= SKIPPED:
            c.suggestions.append(gettext(
                "%(pupils)s skipped it: it may be unclear, too long or uncomfortable to "
                "answer. Try it read aloud with a few pupils and ask what they think it "
                "means.", pupils=pupils_words(c.responses, c.skipped / c.responses)))
        share = c.share(c.dont_know, c.answered)
        if share is not None and share >= DONT_KNOWS:
            c.suggestions.append(gettext(
                "%(pupils)s chose 'I don't know': pupils may not know the words or the idea "
                "yet. Use simpler words, or explain it first.",
                pupils=pupils_words(c.answered, share)))
        share = c.share(c.top)
        if share is not None and share >= CEILING:
            c.suggestions.append(_ceiling_words(pupils_words(c.rated, share), before,
                                                q.scale_def.faces, top_words))
        share = c.share(c.bottom)
        if share is not None and share >= FLOOR:
            c.suggestions.append(gettext(
                "%(pupils)s chose the lowest answer: check that the question is not too hard, "
                "or worded the wrong way round.", pupils=pupils_words(c.rated, share)))
        if (typical and c.median_seconds is not None and len(medians) > 1
                and c.median_seconds >= SLOW * typical):
            c.suggestions.append(gettext(
                "Pupils took %(seconds)s seconds on it (the median), about %(times)s times as "
                "long as a typical question: it may be too long or hard to read. Shorten it.",
                seconds=f"{c.median_seconds:.0f}", times=f"{c.median_seconds / typical:.0f}"))
        share = c.share(c.read_aloud, c.timed)
        if share is not None and share >= READ_ALOUD:
            c.suggestions.append(gettext(
                "%(pupils)s had it read aloud: keep reading the questions aloud in class, and "
                "keep the words short.", pupils=pupils_words(c.timed, share)))
    if report.straight_checked:
        share = report.straight_lined / report.straight_checked
        if share >= STRAIGHT:
            report.suggestions.append(gettext(
                "%(pupils)s gave the same answer to every question: they may not be reading "
                "the questions. Mix easier and harder statements, and go through one example "
                "together first.", pupils=pupils_words(report.straight_checked, share)))
    if not report.responses:
        report.suggestions.append(gettext("No pupil has answered this pilot yet: give the "
                                          "class the link, the join code or the paper copies."))
    elif report.responses < 5:
        report.suggestions.append(ngettext(
            "Only %(num)s pupil answered: a pilot with a whole class (10 or more) shows "
            "problems more reliably.",
            "Only %(num)s pupils answered: a pilot with a whole class (10 or more) shows "
            "problems more reliably.", report.responses))


def _ceiling_words(pupils: str, before: bool, faces: bool, top_words: str) -> str:
    """The ceiling suggestion: many chose the top answer, so there is little room left."""
    if faces and before:
        return gettext("%(pupils)s chose the happiest face before anything happened: there is "
                       "little room to show change. Ask about something harder, or more "
                       "specific to the activity.", pupils=pupils)
    if faces:
        return gettext("%(pupils)s chose the happiest face already: there is little room to "
                       "show change. Ask about something harder, or more specific to the "
                       "activity.", pupils=pupils)
    if before:
        return gettext("%(pupils)s chose '%(top)s' before anything happened: there is little "
                       "room to show change. Ask about something harder, or more specific to "
                       "the activity.", pupils=pupils, top=top_words)
    return gettext("%(pupils)s chose '%(top)s' already: there is little room to show change. "
                   "Ask about something harder, or more specific to the activity.",
                   pupils=pupils, top=top_words)


def as_dict(report: PilotReport) -> dict:
    """The pilot report for scripts (`survey-app pilot report --json`)."""
    return {
        "collection": report.collection.id,
        "survey": report.collection.survey_version.survey.code,
        "responses": report.responses,
        "straight_lining": {"checked": report.straight_checked,
                            "same_answer_everywhere": report.straight_lined},
        "suggestions": report.suggestions,
        "columns": [{
            "column": c.column, "text": c.title, "answered": c.answered,
            "skipped": c.skipped, "dont_know": c.dont_know if c.question.dont_know else None,
            "top": c.top, "bottom": c.bottom,
            "top_share": c.share(c.top), "bottom_share": c.share(c.bottom),
            "timed": c.timed, "median_seconds": c.median_seconds,
            "read_aloud": c.read_aloud, "suggestions": c.suggestions,
        } for c in report.columns],
    }
