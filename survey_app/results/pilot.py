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

from sqlalchemy import select

from forms.definition import RETRO_SHORT, Question
from forms.scales import DONT_KNOW, DONT_KNOW_LABEL, TEXT
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
        return self.question.text + (f" [{RETRO_SHORT[suffix]}]" if suffix else "")

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


def fraction_words(share: float) -> str:
    """A share as a parent would say it: "a third", "half", "most"."""
    for bound, words in ((0.9, "Nearly all"), (0.7, "Most"), (0.55, "More than half"),
                         (0.45, "About half"), (0.38, "Two in five"),
                         (0.3, "A third"), (0.22, "A quarter"), (0.15, "One in six")):
        if share >= bound:
            return words
    return "A few"


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


#: Words that take "pupils" straight after them ("Most pupils", not "Most of pupils").
_BARE = ("Nearly all", "Most", "A few")


def pupils_words(n: int, share: float) -> str:
    """"Most of the pupils (20 of 28)": a share in words and numbers (public so its tests
    check the wording)."""
    words = fraction_words(share)
    joined = words if words in _BARE else f"{words} of the"
    return f"{joined} pupils ({round(share * n)} of {n})"


def _suggest(report: PilotReport) -> None:
    before = report.collection.phase == "before"
    medians = [c.median_seconds for c in report.columns if c.median_seconds is not None]
    typical = statistics.median(medians) if medians else None
    for c in report.columns:
        q = c.question
        top_words = q.label(q.option_codes[-1]) if q.option_codes else ""
        if c.responses and c.skipped / c.responses >= SKIPPED:
            c.suggestions.append(
                f"{pupils_words(c.responses, c.skipped / c.responses)} skipped it: it may be "
                "unclear, too long or uncomfortable to answer. Try it read aloud with a few "
                "pupils and ask what they think it means.")
        share = c.share(c.dont_know, c.answered)
        if share is not None and share >= DONT_KNOWS:
            c.suggestions.append(
                f"{pupils_words(c.answered, share)} chose '{DONT_KNOW_LABEL}': pupils may not know "
                "the words or the idea yet. Use simpler words, or explain it first.")
        share = c.share(c.top)
        if share is not None and share >= CEILING:
            when = "before anything happened" if before else "already"
            face = "the happiest face" if q.scale_def.faces else f"'{top_words}'"
            c.suggestions.append(
                f"{pupils_words(c.rated, share)} chose {face} {when}: there is little room to "
                "show change. Ask about something harder, or more specific to the activity.")
        share = c.share(c.bottom)
        if share is not None and share >= FLOOR:
            c.suggestions.append(
                f"{pupils_words(c.rated, share)} chose the lowest answer: check that the question "
                "is not too hard, or worded the wrong way round.")
        if (typical and c.median_seconds is not None and len(medians) > 1
                and c.median_seconds >= SLOW * typical):
            c.suggestions.append(
                f"Pupils took {c.median_seconds:.0f} seconds on it (the median), about "
                f"{c.median_seconds / typical:.0f} times as long as a typical question: it may "
                "be too long or hard to read. Shorten it.")
        share = c.share(c.read_aloud, c.timed)
        if share is not None and share >= READ_ALOUD:
            c.suggestions.append(
                f"{pupils_words(c.timed, share)} had it read aloud: keep reading the questions "
                "aloud in class, and keep the words short.")
    if report.straight_checked:
        share = report.straight_lined / report.straight_checked
        if share >= STRAIGHT:
            report.suggestions.append(
                f"{pupils_words(report.straight_checked, share)} gave the same answer to every "
                "question: they may not be reading the questions. Mix easier and harder "
                "statements, and go through one example together first.")
    if not report.responses:
        report.suggestions.append("No pupil has answered this pilot yet: give the class the "
                                  "link, the join code or the paper copies.")
    elif report.responses < 5:
        report.suggestions.append(
            f"Only {report.responses} pupil{'' if report.responses == 1 else 's'} answered: "
            "a pilot with a whole class (10 or more) shows problems more reliably.")


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
