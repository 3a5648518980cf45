"""The impact report as a PDF (reportlab platypus, imported only when a PDF is made): the
same content as the web page, laid out for A4. Apart from report.py so that building the
report and drawing it can each be read on their own.
"""

from __future__ import annotations

import io

from survey_app.results.findings import people_word, summary_lines
from survey_app.results.report import Report, amendment_lines


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
                  Paragraph(f"{res.n_responses} responses from {people_word(res)}.", small)]
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
