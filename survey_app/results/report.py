"""The impact report: headline findings written from the data, one chart per key question
and a method note, as a PDF (reportlab platypus) or the same content as an HTML page.

Every sentence compares the same category before and after and carries its n, so a
funder can trust it and a coordinator can defend it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from survey_app.models import Partnership, School, Survey
from survey_app.results import analysis, queries, scores, suppression
from survey_app.results.analysis import Overview, QuestionResult, SurveyResults
from survey_app.results.operations import report_quotes
from survey_app.results.queries import Scope
from survey_app.results.stats import judgement, pct, signed_points

#: Charts per survey in the report (the dashboard shows every question).
MAX_CHARTS = 12
PEOPLE = {"pupil": "pupils", "teacher": "teachers", "school": "schools", "parent": "parents"}
#: What a rating question measures, as the thing people rated in themselves.
MEASURE_WORDS = {"knowledge": "knowledge", "confidence": "confidence",
                 "enjoyment": "enjoyment", "interest": "interest",
                 "teacher_confidence": "confidence", "teacher_competence": "competence"}


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
    people = PEOPLE.get(survey.audience, "people")
    ages = survey.latest.definition.ages if survey.versions else None
    return f"{survey.title} ({people}{f' aged {ages}' if ages else ''})"


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
            return "no responses yet"
        a, b = self.first.strftime("%B %Y"), self.last.strftime("%B %Y")
        return a if a == b else f"{a} to {b}"

    @property
    def headlines(self) -> list[str]:
        return [h for s in self.sections for h in s.headlines]

    @property
    def reach(self) -> list[tuple[str, int]]:
        o = self.overview
        return [("Pupils who answered", o.reached("pupil")),
                ("Teachers and staff who answered", o.reached("teacher")),
                *([("Parents and carers who answered", n)] if (n := o.reached("parent"))
                  else []),
                ("Schools taking part", o.schools_reached),
                ("Survey sessions (a group answering a survey once)", o.sessions)]

    @property
    def reach_note(self) -> str:
        o = self.overview
        note = ("People are counted once per group: the most answers any one survey session "
                "of that group had, so a pupil who answered before and after counts once. A "
                "survey session is one group answering one survey at one time (before, after "
                "or once); comparison groups are not counted in reach.")
        if o.rate is not None and o.rate > 1:
            note += (f" More answers came in ({pct(o.rate)}) than the group sizes given: a "
                     "group size was set lower than the class, or pupils answered twice.")
        return note

    def method(self) -> list[str]:
        return method_note(self)

    @property
    def amendment_texts(self) -> list[str]:
        return amendment_lines(self)


def _people(results: SurveyResults) -> str:
    return PEOPLE.get(results.survey.audience, "people")


def _n(change: analysis.Change, first: str = "before", last: str = "after") -> str:
    return f"n = {change.before.n} {first}, {change.after.n} {last}"


def p_text(p: float | None) -> str:
    if p is None:
        return "no test"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _phases(q: QuestionResult) -> tuple[str, str]:
    if q.question.retrospective:
        return "looking back", "now"
    first, last = q.points
    return analysis.POINT_WORDS[first], analysis.POINT_WORDS[last]


def _rated(q: QuestionResult, people: str) -> str:
    """The question as a self-rating: "pupils' own rating of their knowledge ('How light
    travels')" -- never a claim about attainment."""
    what = MEASURE_WORDS.get(q.question.measures or "")
    if q.audience == "parent":  # parents answer about their child, not about themselves
        return f"{people.capitalize()}' view ('{q.question.text}')"
    if what:
        return f"{people.capitalize()}' rating of their own {what} ('{q.question.text}')"
    return f"{people.capitalize()}' own answers to '{q.question.text}'"


def _moved(points: float | None) -> str:
    if points is None:
        return "changed"
    value = round(points)
    if value > 0:
        return f"rose by {value} percentage points"
    if value < 0:
        return f"fell by {-value} percentage points"
    return "did not change"


def did_sentence(q: QuestionResult, people: str) -> str | None:
    """The difference in change in plain words, with its interval, test and method."""
    did = q.did
    if did is None:
        return None
    if did.unit == "scale points":
        size = f"{abs(did.estimate):.1f} points"
        scale = f" on the {len(q.codes)}-point scale"
        interval = ("" if did.ci_low is None else
                    f"95% CI {did.ci_low:+.1f} to {did.ci_high:+.1f} points")
        test = "Mann-Whitney U on each pupil's change"
    else:
        size = f"{abs(did.estimate):.0f} percentage points"
        scale = f" in {q.top_label}"
        interval = ("" if did.ci_low is None else
                    f"95% CI {did.ci_low:+.0f} to {did.ci_high:+.0f} points")
        test = "bootstrap"
    who = f"{people.capitalize()} who took part"
    if round(did.estimate, 1 if did.unit == "scale points" else 0) == 0:
        text = f"{who} changed no more than the comparison group{scale}"
    elif did.estimate > 0:
        text = f"{who} rose {size} more than the comparison group{scale}"
    else:
        text = f"{who} changed {size} less than the comparison group{scale}"
    detail = "; ".join(x for x in (interval, f"{test}, {p_text(did.p)}") if x)
    text += f" ({detail})."
    if did.different_start:
        if did.unit == "scale points":
            took, cmp = (_pairs_mean_before(q, c) for c in (False, True))
            where = f"an average of {took} against {cmp}"
        else:
            where = f"{pct(did.start_participants)} against {pct(did.start_comparison)}"
        text += (f" The groups started from different places ({where} before, "
                 f"Mann-Whitney {p_text(did.start_p)}), so part of the difference may be "
                 "catching up or running out of room.")
    return text


def _pairs_mean_before(q: QuestionResult, comparison: bool) -> str:
    """The paired pupils' average first answer, in the scale's own numbers."""
    pc = q.arm_paired(comparison)
    try:
        values = [float(c) for c in q.codes]
    except ValueError:
        values = [float(i + 1) for i in range(len(q.codes))]
    n = sum(pc.before_counts) if pc else 0
    if not n:
        return "–"
    return f"{sum(v * k for v, k in zip(values, pc.before_counts, strict=True)) / n:.1f}"


def _paired_words(pc, people: str, retro: bool) -> str:
    t = pc.test
    effect = "" if t.r is None else f", matched-pairs rank-biserial r = {t.r:.2f} ({t.band})"
    who = "answering then and now" if retro else "paired by pupil number"
    return (f"Wilcoxon signed-rank, {pc.n} {people} {who} ({t.n_used or 0} changed): "
            f"{p_text(t.p)}{effect}.")


def _headroom_words(q: QuestionResult, people: str) -> str | None:
    pc = q.arm_paired(False)
    shares = pc.headroom_shares() if pc else None
    if not shares:
        return None
    up, same, down = shares
    text = (f"Of the {pc.headroom} {people} with room to improve, {pct(up)} rose, "
            f"{pct(same)} stayed the same and {pct(down)} fell")
    cmp = q.arm_paired(True)
    cmp_shares = cmp.headroom_shares() if cmp else None
    if cmp_shares:
        text += (f"; in the comparison group {pct(cmp_shares[0])} rose, "
                 f"{pct(cmp_shares[1])} stayed the same and {pct(cmp_shares[2])} fell "
                 f"(of {cmp.headroom})")
    return text + "."


def _top_box_words(q: QuestionResult, change, people: str, interval: bool) -> str:
    first, last = _phases(q)
    text = (f"{_rated(q, people)}: {q.top_label} {pct(change.top_before)} {first}, "
            f"{pct(change.top_after)} {last}; it {_moved(change.points)}")
    ci = q.change_interval if interval else None
    detail = [f"95% CI {ci[0]:+.0f} to {ci[1]:+.0f} points, bootstrap"] if ci else []
    detail.append(_n(change, first, last))
    return f"{text} ({'; '.join(detail)})."


def question_finding(q: QuestionResult, results: SurveyResults, *,
                     full: bool = True) -> str | None:
    """One question's finding: the top box before and after (rise or fall alike) with its
    test and, where there is one, the difference in change against the comparison group.
    `full` (headlines) adds the interval of the change and the headroom both ways;
    exploratory findings carry their Holm-adjusted p instead."""
    people = _people(results)
    change = q.arm_change(False)
    if change is None or change.top_before is None or change.top_after is None:
        return None
    first, last = _phases(q)
    parts = [_top_box_words(q, change, people, interval=full)]
    pc = q.arm_paired(False)
    if pc is not None and pc.test.p is not None:
        parts.append(_paired_words(pc, people, bool(q.question.retrospective)))
    elif change.test is not None and change.test.p is not None:
        t = change.test
        parts.append(f"Mann-Whitney U, everyone {first} against everyone {last}: "
                     f"{p_text(t.p)}, rank-biserial r = {t.r:.2f} ({t.band}).")
    if full:
        headroom = _headroom_words(q, people)
        if headroom:
            parts.append(headroom)
    cmp = q.arm_change(True)
    if cmp is not None and cmp.top_before is not None:
        parts.append(f"Comparison group: {pct(cmp.top_before)} {first}, "
                     f"{pct(cmp.top_after)} {last} ({_n(cmp, first, last)}).")
    did = did_sentence(q, people)
    if did:
        parts.append(did)
    elif full and not results.has_comparison:
        parts.append("With no comparison group, this change cannot be credited to the "
                     "activity.")
    elif full:
        parts.append("The comparison group has too few answers to this question to compare "
                     "with, so this change cannot be credited to the activity.")
    if q.p_adjusted is not None:
        label = "" if q.primary else "Exploratory: "
        parts.append(f"{label}Holm-adjusted {p_text(q.p_adjusted)} ({q.main_test[0]}): "
                     f"{judgement(q.p_adjusted)}.")
    return " ".join(parts)


def headlines(results: SurveyResults) -> list[str]:
    """The declared primary outcomes, each with its test, interval and comparison, in the
    order of the survey: whatever they show, and nothing else."""
    return [text for q in results.questions if q.primary
            for text in [question_finding(q, results)] if text]


def exploratory(results: SurveyResults) -> list[str]:
    """Every other finding, in survey order (rises and falls alike), with Holm-adjusted
    p-values, and the headroom told both ways beside the comparison group's."""
    out = [text for q in results.questions if not q.primary
           for text in [question_finding(q, results, full=False)] if text]
    people = _people(results)
    score_words = scores.sentence(results.knowledge, people) if results.knowledge else None
    if score_words:
        out.insert(0, score_words)
    for retro, how in ((False, "answered before and after"), (True, "looked back")):
        room, up, same, down = results.headroom_both_ways(retro)
        if room < results.min_n:
            continue
        text = (f"Across all rating questions, where the same {people} {how}: of {room} "
                f"answers with room to improve, {pct(up / room)} rose, {pct(same / room)} "
                f"stayed the same and {pct(down / room)} fell")
        c_room, c_up, c_same, c_down = results.headroom_both_ways(retro, comparison=True)
        if c_room >= results.min_n:
            text += (f"; comparison group: {pct(c_up / c_room)} rose, "
                     f"{pct(c_same / c_room)} stayed the same, {pct(c_down / c_room)} fell "
                     f"(of {c_room})")
        out.append(text + ". Questions with no real change also show some rises by chance.")
    had_room, improved = results.retro_people
    if had_room >= results.min_n:
        out.append(f"{pct(improved / had_room)} of {people} rated themselves higher now "
                   f"than looking back in at least one area (n = {had_room} {people} with "
                   "room to improve).")
    return out


def section_notes(results: SurveyResults) -> list[str]:
    notes = []
    if not results.primary:
        notes.append("No primary outcomes were declared for this survey, so it has no "
                     "headline findings: every finding is exploratory.")
    if not results.has_comparison:
        notes.append("There is no comparison group for this survey: a change shown here "
                     "cannot be credited to the activity (other things happened too).")
    if results.survey.audience in ("pupil", "teacher"):
        notes.append(f"These are {_people(results)}' ratings of themselves: they show how "
                     "people see their own knowledge, confidence or interest, not tested "
                     "attainment.")
    if results.knowledge is not None:
        notes.append(f"The knowledge score is different: it counts the {_people(results)}' "
                     "answers to questions that have a right answer (a short check, "
                     f"{results.knowledge.score_max} questions), not a rating of themselves.")
    if results.survey.audience == "parent":
        notes.append("These are parents' and carers' views of their child's learning and of "
                     "the project, not measured attainment; parents who reply may not be "
                     "typical of all parents, the more so when few reply.")
    return notes


def method_note(report: Report) -> list[str]:
    o = report.overview
    web, paper = o.web, o.paper
    total = web + paper
    how = (f"{total} responses: {web} on a phone or tablet and {paper} on paper bubble "
           f"sheets read by the scanner (answers the scanner was unsure of are counted only "
           f"once a person has checked them).") if total else "No responses yet."
    min_sizes = sorted({(s.results.survey.audience, s.results.min_n) for s in report.sections})
    rule = ", ".join(f"{n} for {PEOPLE.get(a, a)}" for a, n in min_sizes) or "5 for pupils"
    return [
        f"Who answered: {o.reached('pupil')} pupils, {o.reached('teacher')} teachers"
        + (f", {parents} parents or carers" if (parents := o.reached("parent")) else "")
        + f" and staff of {o.schools_reached} schools in {o.groups} groups"
        + (f" at {report.school.name}" if report.school else "") + ". " + how,
        "Before and after: everyone who answered before is compared with everyone who "
        "answered after, on the same category (for example 'very or extremely confident'). "
        "Where pupils gave their number in the class register both times, the same pupil's "
        "two answers are also paired (on the phone or on paper alike) to show how many "
        "rose, stayed the same or fell. 'Looking back' items ask once, after the activity, "
        "how things were before and how they are now.",
        "Tests (two-sided, following the conventions of R's wilcox.test): the Mann-Whitney U "
        "test for everyone before against everyone after, and the Wilcoxon signed-rank test "
        "for paired answers, with pupils who gave the same answer twice left out of the "
        "test (they are counted as 'stayed the same'). p is exact for fewer than 50 "
        "answers with no ties (and, for pairs, no unchanged pupils); otherwise the normal "
        "approximation with tie and continuity corrections (R's default up to version 4.5; "
        "R 4.6 computes exact conditional p-values with ties for fewer than 50, which can "
        "differ a little for small groups). The size of a change is the "
        "rank-biserial correlation r (Kerby 2014, 'The simple difference formula', "
        "Comprehensive Psychology 3: 11.IT.3.1): for pairs the matched-pairs r, (rank sum "
        "of rises minus rank sum of falls) / (sum of all ranks); for unpaired answers "
        "2U / (n1 n2) - 1. Its size words follow Cohen's bands for r (Cohen 1988, "
        "Statistical Power Analysis for the Behavioral Sciences): below 0.1 negligible, "
        "below 0.3 small, below 0.5 medium, otherwise large.",
        "Difference in change: where a comparison group (pupils who did not take part) "
        "answered too, the question is whether those who took part changed more. Where "
        "pupil numbers pair both groups' answers, each pupil's change (after minus before, "
        "in scale points) is compared between the groups: the estimate is the difference "
        "in mean change with a 95% Welch t interval, and p is the Mann-Whitney U test on "
        "the change scores. Otherwise it is the difference in the change of the top-box "
        "share (percentage points), with a 95% percentile bootstrap interval (9,999 "
        "resamples of each of the four groups, each drawn from its share with one answer "
        "added each way (Agresti and Caffo 2000) so that a group at 0% or 100% still "
        "varies; fixed seed, so the same answers always give the same interval) and p "
        "the smallest level at which that interval leaves out zero. Where the groups "
        "started from different places (Mann-Whitney p < 0.05 on "
        "their first answers), the report says so.",
        "Primary and exploratory: the headline findings are the questions the coordinator "
        "declared primary outcomes before reading the results, reported whatever they "
        "show. Every other finding is exploratory: its p-value is adjusted for the number "
        "of questions tested with Holm's method (Holm 1979), as are the primary outcomes "
        "among themselves when there are several. Falls are reported as well as rises. A "
        "question's test is the difference in change where there is a comparison group, "
        "else the paired Wilcoxon test, else the Mann-Whitney test.",
        "Self-ratings: pupils' and teachers' answers are their own view of their knowledge, "
        "confidence or interest, not tested attainment; without a comparison group a "
        "change cannot be credited to the activity.",
        f"Small numbers: figures for fewer than {rule} answers are not shown, so that no "
        "one can be identified and no one is misled by a handful of answers.",
        suppression.METHOD_NOTE,
    ] + ([f"Random allocation: {report.plan_allocation}"] if report.plan_allocation else [])


def _quotes(survey: Survey, scope: Scope, res: SurveyResults
            ) -> list[tuple[str, list[str]]]:
    """The chosen quotes in scope, per question, except where written answers are too few
    to show."""
    chosen = report_quotes(survey, scope)
    return [(q.question.text, chosen[q.question.code]) for q in res.questions
            if q.question.code in chosen and not q.texts_suppressed]


def build_report(partnership: Partnership, config, *, survey_code: str | None = None,
                 school: School | None = None) -> Report:
    """Gather everything the report shows for a partnership (or one school of it)."""
    scope = Scope(partnership.id, school_id=school.id if school else None,
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
    ov = analysis.overview(scope)
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


# --- PDF ---------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    """The report as a PDF (A4)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.flowables import HRFlowable

    from survey_app.results.charts import chart_for

    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontSize=10.5, leading=14,
                          alignment=TA_LEFT)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12,
                           textColor=colors.HexColor("#505a5f"))
    h1 = ParagraphStyle("h1", parent=ss["Title"], alignment=TA_LEFT, fontSize=26, leading=31)
    h2 = ParagraphStyle("h2", parent=ss["Heading2"], fontSize=15, spaceBefore=10)
    h3 = ParagraphStyle("h3", parent=ss["Heading3"], fontSize=11.5, spaceBefore=8)
    h4 = ParagraphStyle("h4", parent=ss["Heading4"], fontSize=10, spaceBefore=6)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=0,
                            spaceAfter=5)

    story: list = [Spacer(1, 30 * mm), Paragraph("Impact report", h1),
                   Paragraph(escape(report.partnership.name), h2)]
    if report.school:
        story.append(Paragraph(f"{escape(report.school.name)} only", body))
    story += [Paragraph(f"Period: {escape(report.period)}", body), Spacer(1, 10 * mm),
              Paragraph("Reach", h3)]
    reach = Table([[label, str(n)] for label, n in report.reach],
                  colWidths=[110 * mm, 25 * mm], hAlign="LEFT")
    reach.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 12), ("FONT", (1, 0), (1, -1),
                                                        "Helvetica-Bold", 12),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story += [reach, Spacer(1, 3 * mm), Paragraph(escape(report.reach_note), small),
              Spacer(1, 6 * mm),
              Paragraph(f"Made on {report.generated:%d %B %Y} from the partnership's survey "
                        "answers.", small), PageBreak(),
              Paragraph("Headline findings", h2)]
    story += _outcome_story(report, {"h2": h2, "h3": h3, "h4": h4, "body": body,
                                     "small": small, "bullet": bullet}, escape)
    if not report.sections:
        story.append(Paragraph("There are not enough answers yet to report a change.", body))
    for section in report.sections:
        story.append(Paragraph(escape(section.name), h3))
        for note in section.notes:
            story.append(Paragraph(escape(note), small))
        if section.headlines:
            story.append(Paragraph("Primary outcomes (declared in advance)", h4))
        for text in section.headlines:
            story.append(Paragraph(escape(text), bullet, bulletText="•"))
        if section.exploratory:
            story.append(Paragraph("Exploratory findings (not declared in advance; p-values "
                                   "adjusted for the number of questions tested)", h4))
        for text in section.exploratory:
            story.append(Paragraph(escape(text), bullet, bulletText="•"))
    for section in report.sections:
        res = section.results
        story += [PageBreak(), Paragraph(escape(section.name), h2),
                  Paragraph(f"{res.n_responses} responses from {_people(res)}.", small)]
        for qr in section.key_questions:
            drawing = chart_for(qr)
            title = qr.question.text + (" (primary outcome)" if qr.primary else "")
            parts = [Paragraph(escape(title), h3)]
            if drawing is not None:
                parts.append(drawing)
            for line in summary_lines(qr):
                parts.append(Paragraph(escape(line), small))
            story.append(KeepTogether(parts))
        if section.quotes:
            story.append(Paragraph("In their own words (answers chosen by the coordinator)",
                                   h3))
        for question, texts in section.quotes:
            story.append(Paragraph(escape(question), h4))
            for text in texts:
                story.append(Paragraph(f"“{escape(text)}”", bullet, bulletText="•"))
    story += [PageBreak(), Paragraph("How these figures were made", h2)]
    story += [Paragraph(escape(p), body) for p in report.method()]
    story += [Spacer(1, 4 * mm), HRFlowable(width="100%", color=colors.HexColor("#b1b4b6"))]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#505a5f"))
        canvas.drawString(18 * mm, 10 * mm, f"{report.partnership.name}: impact report")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=18 * mm,
                            title=f"Impact report: {report.partnership.name}",
                            author=report.partnership.name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def amendment_lines(report: Report) -> list[str]:
    """The plan's amendments in words, for the report."""
    from survey_app.plans.operations import amendment_text

    return [amendment_text(a) for a in report.amendments]


def _outcome_story(report: Report, st: dict, escape) -> list:
    """The findings by outcome, from the evaluation plan (PDF)."""
    from reportlab.platypus import Paragraph

    if not report.outcomes:
        return []
    story = [Paragraph("By outcome (from the evaluation plan)", st["h3"])]
    if report.plan_locked_at:
        story.append(Paragraph(f"The plan's primary outcomes were fixed on "
                               f"{report.plan_locked_at:%d %B %Y}, when the first after "
                               "answers arrived.", st["small"]))
    if report.plan_written_late:
        story.append(Paragraph(escape(report.plan_written_late), st["small"]))
    for line in amendment_lines(report):
        story.append(Paragraph("Amendment: " + escape(line), st["small"]))
    for o in report.outcomes:
        story.append(Paragraph(escape(o.title) + (" (primary outcome)" if o.primary else "")
                               + f" <font size=8>{escape(o.category_label)}</font>",
                               st["h4"]))
        for ind in o.indicators:
            story.append(Paragraph("Indicator: " + escape(ind.text), st["body"]))
            for m in ind.measures:
                text = m.finding or f"'{m.label}': {m.note}"
                story.append(Paragraph(escape(text), st["bullet"], bulletText="•"))
    story.append(Paragraph("By survey", st["h3"]))
    return story


def summary_lines(qr: QuestionResult) -> list[str]:
    """The figures under a chart, in words, each with the method that made it: top box
    before/after, mean, tests, paired change both ways, the difference in change, and
    whether the question is a primary outcome or exploratory (with its adjusted p)."""
    lines = []
    retro = qr.question.retrospective
    first, last = _phases(qr)
    has_cmp = any(c.comparison for c in qr.changes) or any(c for c, _ in qr.paired)
    for change in qr.changes:
        who = "Comparison group" if change.comparison else (
            "Groups that took part" if has_cmp else "")
        prefix = f"{who}: " if who else ""
        if change.top_before is not None:
            line = (f"{prefix}{qr.top_label}: {pct(change.top_before)} {first}, "
                    f"{pct(change.top_after)} {last} ({signed_points(change.points)}; "
                    f"{_n(change, first, last)}).")
        else:
            line = f"{prefix}{_n(change, first, last)}."
        if change.before.mean is not None and change.after.mean is not None:
            line += f" Average {change.before.mean:.1f} {first}, {change.after.mean:.1f} {last}."
        if change.test is not None and change.design == "unpaired":
            line += f" Mann-Whitney U: {change.test.sentence}"
            if change.test.r is not None:
                line += f", rank-biserial r = {change.test.r:.2f}"
            line += "."
        lines.append(line)
    for cmp, pc in qr.paired:
        who = " (comparison)" if cmp else (" (took part)" if has_cmp else "")
        same = "people then and now" if retro else f"pupils {first} and {last}"
        line = (f"Same {same}{who}: "
                f"{pct(pc.share(pc.improved))} higher, {pct(pc.share(pc.same))} the same, "
                f"{pct(pc.share(pc.declined))} lower (n = {pc.n})")
        shares = pc.headroom_shares()
        if shares:
            line += (f"; of the {pc.headroom} with room to improve {pct(shares[0])} rose, "
                     f"{pct(shares[1])} stayed the same, {pct(shares[2])} fell")
        line += f". Wilcoxon signed-rank: {pc.test.sentence}"
        if pc.test.r is not None and pc.test.n_used:
            line += (f", matched-pairs rank-biserial r = {pc.test.r:.2f} on the "
                     f"{pc.test.n_used} who changed")
        lines.append(line + ".")
    for cmp, n in qr.paired_suppressed:
        why = "too few to show" if n < qr.min_n else "hidden to protect a small group"
        lines.append(f"Paired answers{' (comparison)' if cmp else ''}: {why} (n = {n}).")
    did = did_sentence(qr, PEOPLE.get(qr.audience, "people"))
    if did:
        lines.append(f"Difference in change: {did}")
    main = qr.main_test
    if main is not None:
        kind = "Primary outcome" if qr.primary else "Exploratory"
        lines.append(f"{kind}: {main[0]} {p_text(main[1])}, Holm-adjusted "
                     f"{p_text(qr.p_adjusted)}: {judgement(qr.p_adjusted)}.")
    return lines


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
