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
from survey_app.results import analysis, queries, suppression
from survey_app.results.analysis import Overview, QuestionResult, SurveyResults
from survey_app.results.queries import Scope
from survey_app.results.stats import MIN_TEST_N, pct, share_words, signed_points

#: Charts per survey in the report (the dashboard shows every question).
MAX_CHARTS = 12
#: Top-box sentences per survey in the headlines (the biggest changes); the headroom
#: figures, one bottom-of-scale and one paired sentence come as well.
MAX_TOP_BOX = 4
PEOPLE = {"pupil": "pupils", "teacher": "teachers", "school": "schools"}


@dataclass
class Section:
    results: SurveyResults
    headlines: list[str]

    @property
    def key_questions(self) -> list[QuestionResult]:
        return [q for q in self.results.questions
                if q.display in ("rating", "options") and q.visible_rows][:MAX_CHARTS]


@dataclass
class Report:
    partnership: Partnership
    overview: Overview
    sections: list[Section]
    school: School | None = None
    first: datetime | None = None
    last: datetime | None = None
    generated: date = field(default_factory=date.today)

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
        return [("Pupils", o.reached("pupil")), ("Teachers", o.reached("teacher")),
                ("Schools", o.schools_reached), ("Survey sessions", o.sessions)]

    def method(self) -> list[str]:
        return method_note(self)


def _people(results: SurveyResults) -> str:
    return PEOPLE.get(results.survey.audience, "people")


def _n(change: analysis.Change, first: str = "before", last: str = "after") -> str:
    return f"n = {change.before.n} {first}, {change.after.n} {last}"


def headlines(results: SurveyResults) -> list[str]:
    """Headline findings as sentences, biggest changes first, each with its n."""
    people = _people(results)
    out: list[tuple[float, str]] = []
    room, better = results.headroom(retrospective=True)
    if room >= results.min_n:
        knowledge = all(q.question.measures == "knowledge" for q in results.questions
                        if q.paired and q.question.retrospective)
        out.append((1000, f"{'Knowledge' if knowledge else 'Ratings'} improved in "
                    f"{pct(better / room)} of the areas where {people} had room to improve "
                    f"({better} of {room} ratings not already at the top, looking back after "
                    "the activity)."))
    room, better = results.headroom(retrospective=False)
    if room >= results.min_n:
        out.append((980, f"Where the same {people} answered before and after, answers rose in "
                    f"{pct(better / room)} of the cases where there was room to improve "
                    f"({better} of {room} answers not already at the top)."))
    had_room, improved = results.retro_people
    if had_room >= results.min_n:
        out.append((990, f"{pct(improved / had_room)} of {people} felt they improved in at "
                    f"least one area (n = {had_room} {people} with room to improve)."))
    by_kind: dict[str, list[tuple[float, str]]] = {"top": [], "bottom": [], "paired": []}
    for q in results.questions:
        for kind, score, text in _question_headlines(q, results, people):
            by_kind[kind].append((score, text))
    # The biggest changes in the top box, then one sentence of each other kind (the
    # strongest): enough to show what the bottom of the scale and pairing add.
    for kind, keep in (("top", MAX_TOP_BOX), ("bottom", 1), ("paired", 1)):
        out.extend(sorted(by_kind[kind], key=lambda item: -item[0])[:keep])
    out.sort(key=lambda item: -item[0])
    return [text for _score, text in out]


def _question_headlines(q: QuestionResult, results: SurveyResults,
                        people: str) -> list[tuple[str, float, str]]:
    """(kind, score, sentence) candidates for one question."""
    out: list[tuple[str, float, str]] = []
    retro = q.question.retrospective
    first, last = ("looking back", "now") if retro else ("before", "after")
    took_part = [c for c in q.changes if not c.comparison]
    comparison = {c.comparison: c for c in q.changes}.get(True)
    for change in took_part:
        if change.top_before is None or change.top_after is None:
            continue
        text = (f"Answering {q.top_label} to '{q.question.text}': "
                f"{pct(change.top_before)} {first}, {pct(change.top_after)} {last} "
                f"({signed_points(change.points)}; {_n(change, first, last)}).")
        if comparison is not None and comparison.top_before is not None:
            text += (f" In the comparison groups: {pct(comparison.top_before)} {first}, "
                     f"{pct(comparison.top_after)} {last} ({_n(comparison, first, last)}).")
        out.append(("top", 500 + abs(change.points or 0), text))
        if q.display == "rating":
            b, a = change.before.bottom_share or 0, change.after.bottom_share or 0
            if b >= 0.1 and a < b:
                label = q.question.label(q.codes[0])
                start, end = ("before", "now") if retro else ("at the start", "at the end")
                out.append(("bottom", 300 + abs(b - a) * 100,
                            f"'{q.question.text}': {share_words(b).capitalize()} answered "
                            f"'{label}' {start}; {share_words(a)} {end} "
                            f"({_n(change, first, last)})."))
    for cmp, pc in q.paired:
        if cmp or retro or pc.n < MIN_TEST_N:
            continue
        out.append(("paired", 400 + abs(pc.test.r or 0),
                    f"Of {pc.n} {people} who answered '{q.question.text}' both before and "
                    f"after, {pct(pc.share(pc.improved))} answered higher after, "
                    f"{pct(pc.share(pc.same))} the same and {pct(pc.share(pc.declined))} "
                    f"lower: {pc.test.sentence}."))
    return out


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
        f"Who answered: {o.reached('pupil')} pupils, {o.reached('teacher')} teachers and "
        f"staff of {o.schools_reached} schools in {o.groups} groups"
        + (f" at {report.school.name}" if report.school else "") + ". " + how,
        "Before and after: everyone who answered before is compared with everyone who "
        "answered after, on the same category (for example 'very or extremely confident'). "
        "Where pupils gave their number in the class register both times, the same pupil's "
        "two answers are also paired (on the phone or on paper alike) to show how many "
        "improved, stayed the same or declined. 'Looking back' items ask once, after the "
        "activity, how things were before and how they are now.",
        "Tests: the Mann-Whitney U test for everyone before against everyone after, and the "
        "Wilcoxon signed-rank test for paired answers (SciPy). The size of a change is the "
        "rank-biserial correlation r: below 0.1 negligible, below 0.3 small, below 0.5 "
        "medium, otherwise large. 'Unlikely to be chance' means p < 0.05. Self-reported "
        "change is not attainment, and without a comparison group a change cannot be "
        "credited to the activity alone.",
        f"Small numbers: figures for fewer than {rule} answers are not shown, so that no "
        "one can be identified and no one is misled by a handful of answers.",
        suppression.METHOD_NOTE,
    ]


def build_report(partnership: Partnership, config, *, survey_code: str | None = None,
                 school: School | None = None) -> Report:
    """Gather everything the report shows for a partnership (or one school of it)."""
    scope = Scope(partnership.id, school_id=school.id if school else None,
                  timezone=config.get("TIMEZONE", "Europe/London"))
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
            sections.append(Section(res, headlines(res)))
    ov = analysis.overview(scope)
    first, last = queries.first_last_response(scope, [r.info.id for r in ov.rows])
    return Report(partnership, ov, sections, school, first, last)


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
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=0,
                            spaceAfter=5)

    story: list = [Spacer(1, 30 * mm), Paragraph("Impact report", h1),
                   Paragraph(escape(report.partnership.name), h2)]
    if report.school:
        story.append(Paragraph(f"{escape(report.school.name)} only", body))
    story += [Paragraph(f"Period: {escape(report.period)}", body), Spacer(1, 10 * mm),
              Paragraph("Reach", h3)]
    reach = Table([[label, str(n)] for label, n in report.reach], colWidths=[60 * mm, 30 * mm],
                  hAlign="LEFT")
    reach.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 12), ("FONT", (1, 0), (1, -1),
                                                        "Helvetica-Bold", 12),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story += [reach, Spacer(1, 8 * mm),
              Paragraph(f"Made on {report.generated:%d %B %Y} from the partnership's survey "
                        "answers.", small), PageBreak(),
              Paragraph("Headline findings", h2)]
    if not report.headlines:
        story.append(Paragraph("There are not enough answers yet to report a change.", body))
    for section in report.sections:
        if section.headlines:
            story.append(Paragraph(f"{escape(section.results.survey.title)} "
                                   f"({_people(section.results)}, survey "
                                   f"{escape(section.results.survey.code)})", h3))
        for text in section.headlines:
            story.append(Paragraph(escape(text), bullet, bulletText="•"))
    for section in report.sections:
        res = section.results
        story += [PageBreak(), Paragraph(escape(res.survey.title), h2),
                  Paragraph(f"Survey {escape(res.survey.code)}: {res.n_responses} responses "
                            f"from {_people(res)}.", small)]
        for qr in section.key_questions:
            drawing = chart_for(qr)
            parts = [Paragraph(escape(qr.question.text), h3)]
            if drawing is not None:
                parts.append(drawing)
            for line in summary_lines(qr):
                parts.append(Paragraph(escape(line), small))
            story.append(KeepTogether(parts))
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


def summary_lines(qr: QuestionResult) -> list[str]:
    """The figures under a chart, in words: top box before/after, mean, change, test."""
    lines = []
    retro = qr.question.retrospective
    first, last = ("looking back", "now") if retro else ("before", "after")
    for change in qr.changes:
        who = "Comparison groups" if change.comparison else (
            "Groups that took part" if any(c.comparison for c in qr.changes) else "")
        prefix = f"{who}: " if who else ""
        if change.top_before is not None:
            line = (f"{prefix}{qr.top_label}: {pct(change.top_before)} {first}, "
                    f"{pct(change.top_after)} {last} ({signed_points(change.points)}; "
                    f"{_n(change, first, last)}).")
        else:
            line = f"{prefix}{_n(change, first, last)}."
        if change.before.mean is not None and change.after.mean is not None:
            line += f" Average {change.before.mean:.1f} {first}, {change.after.mean:.1f} {last}."
        if change.test is not None:
            line += f" {change.test.test}: {change.test.sentence}"
            if change.test.r is not None:
                line += f" (r = {change.test.r:.2f})"
            line += "."
        lines.append(line)
    for cmp, pc in qr.paired:
        who = "comparison" if cmp else ("took part" if qr.question.retrospective is False
                                        and any(c for c, _ in qr.paired if c) else "")
        label = f" ({who})" if who else ""
        lines.append(
            f"Same {'people then and now' if retro else 'pupils before and after'}{label}: "
            f"{pct(pc.share(pc.improved))} higher, {pct(pc.share(pc.same))} the same, "
            f"{pct(pc.share(pc.declined))} lower (n = {pc.n}); improved among those with "
            f"room to improve: {pct(pc.headroom_share)} (n = {pc.headroom}). "
            f"{pc.test.test}: {pc.test.sentence}.")
    for cmp, n in qr.paired_suppressed:
        lines.append(f"Paired answers{' (comparison)' if cmp else ''}: too few to show "
                     f"(n = {n}).")
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
