"""The impact report: what it holds (reach, headline findings, one chart per key question,
the plan's outcomes and a method note), gathered for a partnership or one school, and the
same content as an HTML page.

Its sentences are written in findings.py and its PDF is drawn in report_pdf.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date, get_locale, gettext
from markupsafe import Markup

from survey_app.admin.operations import title_names_ages
from survey_app.models import Partnership, School, Survey
from survey_app.results import analysis, queries, reach, suppression
from survey_app.results.difference_in_change import BOOTSTRAP_RESAMPLES
from survey_app.results.findings import (
    audience_people,
    exploratory,
    headlines,
    section_notes,
    summary_lines,
)
from survey_app.results.operations import report_quotes
from survey_app.results.queries import ResultsScope
from survey_app.results.reach import Overview
from survey_app.results.stat_words import pct
from survey_app.results.survey_results import QuestionResult, SurveyResults

#: Charts per survey in the report (the dashboard shows every question).
MAX_CHARTS = 12


@dataclass
class Section:
    results: SurveyResults
    #: Findings on the declared primary outcomes, whatever they show.
    headlines: list[str]
    #: Everything else, labelled exploratory, with Holm-adjusted p-values.
    exploratory: list[str] = field(default_factory=list)
    #: A sentence that applies to the whole section (no primary outcomes, no comparison).
    notes: list[str] = field(default_factory=list)
    #: (question, [written answers]) the coordinator chose to quote; none by default.
    quotes: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return survey_name(self.results.survey)

    @property
    def key_questions(self) -> list[QuestionResult]:
        rows = [q for q in self.results.questions
                if q.display in ("rating", "options") and q.visible_rows]
        # primary outcomes first, then the rest in survey order
        return sorted(rows, key=lambda q: not q.primary)[:MAX_CHARTS]


def survey_name(survey: Survey) -> str:
    """A survey's name for funders: its title with who answered and their ages, never its
    code ('Me and science (pupils aged 7-11)')."""
    people = audience_people(survey.audience)
    ages = survey.latest.definition.ages if survey.versions else None
    if title_names_ages(survey.title, ages):
        ages = None  # "Pupils 7-11 (pupils)", not "(pupils aged 7-11)" after it
    if ages:
        return gettext("%(title)s (%(people)s aged %(ages)s)", title=survey.title,
                       people=people, ages=ages)
    return gettext("%(title)s (%(people)s)", title=survey.title, people=people)


def long_date(day: date) -> str:
    """A date as the report prints it ("5 December 2026"), in the reader's language where
    Babel knows it (a request or the command line's app context), else in English."""
    if get_locale() is None:
        return f"{day:%d %B %Y}"
    return format_date(day, "d MMMM yyyy")


def _month(day: date) -> str:
    if get_locale() is None:
        return f"{day:%B %Y}"
    return format_date(day, "MMMM yyyy")


@dataclass
class Report:
    partnership: Partnership
    overview: Overview
    sections: list[Section]
    school: School | None = None
    first: datetime | None = None
    last: datetime | None = None
    generated: date = field(default_factory=date.today)
    #: Findings by the evaluation plan's outcomes (survey_app.plans.outcomes), if any.
    outcomes: list = field(default_factory=list)
    #: The plan's dated amendments after it locked, shown beside the findings.
    amendments: list = field(default_factory=list)
    plan_locked_at: datetime | None = None
    #: Set when the plan was first written after the after answers arrived.
    plan_written_late: str | None = None
    #: How the plan's random allocation was made, if there was one.
    plan_allocation: str | None = None

    @property
    def period(self) -> str:
        if not self.first or not self.last:
            return gettext("no responses yet")
        a, b = _month(self.first), _month(self.last)
        return a if a == b else gettext("%(first)s to %(last)s", first=a, last=b)

    @property
    def headlines(self) -> list[str]:
        return [h for s in self.sections for h in s.headlines]

    @property
    def reach(self) -> list[tuple[str, int]]:
        o = self.overview
        return [(gettext("Pupils who answered"), o.reached("pupil")),
                (gettext("Teachers and staff who answered"), o.reached("teacher")),
                *([(gettext("Parents and carers who answered"), n)]
                  if (n := o.reached("parent")) else []),
                (gettext("Schools taking part"), o.schools_reached),
                (gettext("Survey sessions (a group answering a survey once)"), o.sessions)]

    @property
    def reach_note(self) -> str:
        o = self.overview
        note = gettext("People are counted once per group: the most answers any one survey "
                       "session of that group had, so a pupil who answered before and after "
                       "counts once. A survey session is one group answering one survey at "
                       "one time (before, after or once); comparison groups are not counted "
                       "in reach.")
        if o.rate is not None and o.rate > 1:
            note += " " + gettext("More answers came in (%(rate)s) than the group sizes given: "
                                  "a group size was set lower than the class, or pupils "
                                  "answered twice.", rate=pct(o.rate))
        return note

    def method(self) -> list[str]:
        return method_note(self)

    @property
    def amendment_texts(self) -> list[str]:
        return amendment_lines(self)


def _who_answered(report: Report) -> str:
    """The method note's first paragraph: who answered, and how."""
    o = report.overview
    web, paper = o.web, o.paper
    total = web + paper
    how = gettext("%(total)s responses: %(web)s on a phone or tablet and %(paper)s on paper "
                  "bubble sheets read by the scanner (answers the scanner was unsure of are "
                  "counted only once a person has checked them).", total=total, web=web,
                  paper=paper) if total else gettext("No responses yet.")
    values = dict(pupils=o.reached("pupil"), teachers=o.reached("teacher"),
                  parents=o.reached("parent"), schools=o.schools_reached, groups=o.groups)
    if values["parents"]:
        who = gettext("Who answered: %(pupils)s pupils, %(teachers)s teachers, %(parents)s "
                      "parents or carers and staff of %(schools)s schools in %(groups)s "
                      "groups", **values)
    else:
        who = gettext("Who answered: %(pupils)s pupils, %(teachers)s teachers and staff of "
                      "%(schools)s schools in %(groups)s groups", **values)
    if report.school:
        who += " " + gettext("at %(school)s", school=report.school.name)
    return f"{who}. {how}"


def method_note(report: Report) -> list[str]:
    min_sizes = sorted({(s.results.survey.audience, s.results.min_n) for s in report.sections})
    rule = ", ".join(gettext("%(n)s for %(people)s", n=n, people=audience_people(a))
                     for a, n in min_sizes) or gettext("%(n)s for %(people)s", n=5,
                                                       people=audience_people("pupil"))
    return [
        _who_answered(report),
        gettext(
            "Before and after: everyone who answered before is compared with everyone who "
            "answered after, on the same category (for example 'very or extremely "
            "confident'). Where pupils gave their number in the class register both times, "
            "the same pupil's two answers are also paired (on the phone or on paper alike) to "
            "show how many rose, stayed the same or fell. 'Looking back' items ask once, after "
            "the activity, how things were before and how they are now."),
        gettext(
            "Tests (two-sided, following the conventions of R's wilcox.test): the "
            "Mann-Whitney U test for everyone before against everyone after, and the Wilcoxon "
            "signed-rank test for paired answers, with pupils who gave the same answer twice "
            "left out of the test (they are counted as 'stayed the same'). p is exact for "
            "fewer than 50 answers with no ties (and, for pairs, no unchanged pupils); "
            "otherwise the normal approximation with tie and continuity corrections (R's "
            "default up to version 4.5; R 4.6 computes exact conditional p-values with ties "
            "for fewer than 50, which can differ a little for small groups). The size of a "
            "change is the rank-biserial correlation r (Kerby 2014, 'The simple difference "
            "formula', Comprehensive Psychology 3: 11.IT.3.1): for pairs the matched-pairs r, "
            "(rank sum of rises minus rank sum of falls) / (sum of all ranks); for unpaired "
            "answers 2U / (n1 n2) - 1. Its size words follow Cohen's bands for r (Cohen 1988, "
            "Statistical Power Analysis for the Behavioral Sciences): below 0.1 negligible, "
            "below 0.3 small, below 0.5 medium, otherwise large."),
        gettext(
            "Difference in change: where a comparison group (pupils who did not take part) "
            "answered too, the question is whether those who took part changed more. Where "
            "pupil numbers pair both groups' answers, each pupil's change (after minus "
            "before, in scale points) is compared between the groups: the estimate is the "
            "difference in mean change with a 95%% Welch t interval, and p is the "
            "Mann-Whitney U test on the change scores. Otherwise it is the difference in the "
            "change of the top-box share (percentage points), with a 95%% percentile "
            "bootstrap interval (%(resamples)s resamples of each of the four groups, each "
            "drawn from its share with one answer added each way (Agresti and Caffo 2000) so "
            "that a group at 0%% or 100%% still varies; fixed seed, so the same answers always "
            "give the same interval) and p the smallest level at which that interval leaves "
            "out zero. Where the groups started from different places (Mann-Whitney p < 0.05 "
            "on their first answers), the report says so.", resamples=f"{BOOTSTRAP_RESAMPLES:,}"),
        gettext(
            "Primary and exploratory: the headline findings are the questions the "
            "coordinator declared primary outcomes before reading the results, reported "
            "whatever they show. Every other finding is exploratory: its p-value is adjusted "
            "for the number of questions tested with Holm's method (Holm 1979), as are the "
            "primary outcomes among themselves when there are several. Falls are reported as "
            "well as rises. A question's test is the difference in change where there is a "
            "comparison group, else the paired Wilcoxon test, else the Mann-Whitney test."),
        gettext(
            "Self-ratings: pupils' and teachers' answers are their own view of their "
            "knowledge, confidence or interest, not tested attainment; without a comparison "
            "group a change cannot be credited to the activity."),
        gettext("Small numbers: figures for fewer than %(rule)s answers are not shown, so that "
                "no one can be identified and no one is misled by a handful of answers.",
                rule=rule),
        suppression.method_note(),
    ] + ([gettext("Random allocation: %(how)s", how=report.plan_allocation)]
         if report.plan_allocation else [])


def _quotes(survey: Survey, scope: ResultsScope, res: SurveyResults
            ) -> list[tuple[str, list[str]]]:
    """The chosen quotes in scope, per question, except where written answers are too few
    to show."""
    chosen = report_quotes(survey, scope)
    return [(q.question.text, chosen[q.question.code]) for q in res.questions
            if q.question.code in chosen and not q.texts_suppressed]


def build_report(partnership: Partnership, config, *, survey_code: str | None = None,
                 school: School | None = None) -> Report:
    """Gather everything the report shows for a partnership (or one school of it)."""
    scope = ResultsScope(partnership.id, school_id=school.id if school else None,
                  timezone=config["TIMEZONE"])
    chosen: list[Survey] = []
    for survey in queries.surveys(partnership.id, school.id if school else None):
        if survey_code and survey.code != survey_code:
            continue
        chosen.append(survey)
    sections = []
    for survey in chosen:
        res = analysis.build(survey, scope, analysis.min_group(config, survey.audience),
                             people=True)
        if res.n_responses:
            sections.append(Section(res, headlines(res), exploratory(res),
                                    section_notes(res), _quotes(survey, scope, res)))
    ov = reach.overview(scope)
    first, last = queries.first_last_response(scope, [r.info.id for r in ov.rows])
    rep = Report(partnership, ov, sections, school, first, last)
    if not survey_code:
        _add_plan(rep)
    return rep


def _add_plan(rep: Report) -> None:
    """Organise the findings by the evaluation plan's outcomes, where there is a plan."""
    from survey_app.plans.allocation import allocation_sentence, current_allocation
    from survey_app.plans.operations import (
        amendments,
        plan_for,
        question_texts,
        refresh_lock,
        written_late,
    )
    from survey_app.plans.outcomes import by_outcome

    plan = plan_for(rep.partnership.id)
    if plan is None:
        return
    refresh_lock(plan)
    results = {s.results.survey.code: s.results for s in rep.sections}
    rep.outcomes = by_outcome(plan, results, question_texts(plan.partnership_id, plan.body))
    rep.amendments = amendments(plan)
    rep.plan_locked_at = plan.locked_at
    rep.plan_written_late = written_late(plan)
    alloc = current_allocation(plan)
    rep.plan_allocation = allocation_sentence(alloc) if alloc else None


def amendment_lines(report: Report) -> list[str]:
    """The plan's amendments in words, for the report."""
    from survey_app.plans.operations import amendment_text

    return [amendment_text(a) for a in report.amendments]


def render_html(report: Report) -> str:
    """The report as a stand-alone HTML page (the CLI's .html output), from the same
    template as the web page."""
    from flask import render_template

    from survey_app.results.charts import chart_svg

    charts = {}
    for s in report.sections:
        for qr in s.key_questions:
            svg = chart_svg(qr)
            charts[(s.results.survey.code, qr.question.code)] = None if svg is None else \
                Markup(svg)
    return render_template("results/report_standalone.html", rep=report, charts=charts,
                           summary=summary_lines)
