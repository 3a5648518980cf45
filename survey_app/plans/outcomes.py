"""Results organised by the plan's outcomes: each outcome, its indicators, and the
findings of the survey questions that measure them. Built from the same per-survey
results the report and results pages already compute (no second analysis)."""

from __future__ import annotations

from dataclasses import dataclass, field

from survey_app.models import EvaluationPlan
from survey_app.plans import document
from survey_app.results.survey_results import QuestionResult, SurveyResults


@dataclass
class MeasureResult:
    label: str
    survey_code: str | None = None
    question_code: str | None = None
    result: QuestionResult | None = None
    results: SurveyResults | None = None
    finding: str | None = None
    #: Why there is no finding ("no answers yet", "written: from the partnership's records").
    note: str | None = None


@dataclass
class IndicatorBlock:
    text: str
    measures: list[MeasureResult] = field(default_factory=list)


@dataclass
class OutcomeBlock:
    code: str
    title: str
    category: str
    primary: bool
    question: str
    indicators: list[IndicatorBlock] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return document.CATEGORIES.get(self.category, self.category)


def by_outcome(plan: EvaluationPlan, results: dict[str, SurveyResults],
               texts: dict[tuple[str, str], str]) -> list[OutcomeBlock]:
    """The plan's outcomes (primary first, then in plan order) with the finding of every
    question that measures them, from `results` ({survey code: its results})."""
    from survey_app.results.findings import question_finding

    blocks = []
    for o in document.outcomes(plan.body):
        block = OutcomeBlock(o["code"], o["title"], o["category"], o["primary"],
                             o["question"])
        for ind in o["indicators"]:
            ib = IndicatorBlock(ind["text"])
            for m in ind["measures"]:
                if not m.get("survey"):
                    ib.measures.append(MeasureResult(
                        m["text"], note="Not a survey question: report it from the "
                        "partnership's own records."))
                    continue
                s, q = m["survey"], m["question"]
                mr = MeasureResult(texts.get((s, q), q), s, q)
                res = results.get(s)
                qr = next((x for x in res.questions if x.question.code == q),
                          None) if res else None
                if qr is None:
                    mr.note = "No answers yet."
                else:
                    mr.result, mr.results = qr, res
                    mr.finding = question_finding(qr, res, full=o["primary"])
                    if mr.finding is None:
                        mr.note = ("Not enough answers before and after to show a change "
                                   f"(fewer than {res.min_n} in a phase, or only one phase).")
                ib.measures.append(mr)
            block.indicators.append(ib)
        blocks.append(block)
    return sorted(blocks, key=lambda b: not b.primary)
