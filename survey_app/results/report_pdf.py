"""The impact report as a PDF (reportlab platypus, imported only when a PDF is made): the
same content as the web page, laid out for A4. Apart from report.py so that building the
report and drawing it can each be read on their own.
"""

from __future__ import annotations

import io

from flask_babel import gettext, ngettext

from survey_app.results.findings import people_word, summary_lines
from survey_app.results.report import Report, amendment_lines, long_date


def paragraph(text: str, style, **kw):
    """A reportlab Paragraph in its style's font, or in the TrueType font print.fonts falls
    back to when the text has a letter Helvetica lacks (Welsh ŵ and ŷ, a translation's
    words), so that no word prints as a black box."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from print.fonts import font_for

    font = font_for(text, style.fontName)
    if font != style.fontName:
        style = ParagraphStyle(f"{style.name}-{font}", parent=style, fontName=font)
    return Paragraph(text, style, **kw)


def render_pdf(report: Report) -> bytes:
    """The report as a PDF (A4). Its words go through Flask-Babel as the web page's do."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )
    from reportlab.platypus.flowables import HRFlowable

    from print.fonts import font_for
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

    story: list = [Spacer(1, 30 * mm), paragraph(escape(gettext("Impact report")), h1),
                   paragraph(escape(report.partnership.name), h2)]
    if report.school:
        story.append(paragraph(escape(gettext("%(school)s only", school=report.school.name)),
                               body))
    story += [paragraph(escape(gettext("Period: %(period)s", period=report.period)), body),
              Spacer(1, 10 * mm), paragraph(escape(gettext("Reach")), h3)]
    reach = Table([[label, str(n)] for label, n in report.reach],
                  colWidths=[110 * mm, 25 * mm], hAlign="LEFT")
    labels = " ".join(label for label, _n in report.reach)
    reach.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font_for(labels, "Helvetica"), 12),
        ("FONT", (1, 0), (1, -1), "Helvetica-Bold", 12),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story += [reach, Spacer(1, 3 * mm), paragraph(escape(report.reach_note), small),
              Spacer(1, 6 * mm),
              paragraph(escape(gettext("Made on %(date)s from the partnership's survey "
                                       "answers.", date=long_date(report.generated))), small),
              PageBreak(), paragraph(escape(gettext("Headline findings")), h2)]
    story += _outcome_story(report, {"h2": h2, "h3": h3, "h4": h4, "body": body,
                                     "small": small, "bullet": bullet}, escape)
    if not report.sections:
        story.append(paragraph(escape(gettext("There are not enough answers yet to report a "
                                              "change.")), body))
    for section in report.sections:
        story.append(paragraph(escape(section.name), h3))
        for note in section.notes:
            story.append(paragraph(escape(note), small))
        if section.headlines:
            story.append(paragraph(escape(gettext("Primary outcomes (declared in advance)")),
                                   h4))
        for text in section.headlines:
            story.append(paragraph(escape(text), bullet, bulletText="•"))
        if section.exploratory:
            story.append(paragraph(escape(gettext(
                "Exploratory findings (not declared in advance; p-values adjusted for the "
                "number of questions tested)")), h4))
        for text in section.exploratory:
            story.append(paragraph(escape(text), bullet, bulletText="•"))
    for section in report.sections:
        res = section.results
        story += [PageBreak(), paragraph(escape(section.name), h2),
                  paragraph(escape(ngettext("%(num)s response from %(people)s.",
                                            "%(num)s responses from %(people)s.",
                                            res.n_responses, people=people_word(res))), small)]
        for qr in section.key_questions:
            drawing = chart_for(qr)
            title = qr.question.text + (" " + gettext("(primary outcome)") if qr.primary
                                        else "")
            parts = [paragraph(escape(title), h3)]
            if drawing is not None:
                parts.append(drawing)
            for line in summary_lines(qr):
                parts.append(paragraph(escape(line), small))
            story.append(KeepTogether(parts))
        if section.quotes:
            story.append(paragraph(escape(gettext("In their own words") + " "
                                          + gettext("(answers chosen by the coordinator)")),
                                   h3))
        for question, texts in section.quotes:
            story.append(paragraph(escape(question), h4))
            for text in texts:
                story.append(paragraph(f"“{escape(text)}”", bullet, bulletText="•"))
    story += [PageBreak(), paragraph(escape(gettext("How these figures were made")), h2)]
    story += [paragraph(escape(p), body) for p in report.method()]
    story += [Spacer(1, 4 * mm), HRFlowable(width="100%", color=colors.HexColor("#b1b4b6"))]

    footer_words = gettext("%(partnership)s: impact report", partnership=report.partnership.name)
    title = gettext("Impact report: %(partnership)s", partnership=report.partnership.name)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font_for(footer_words + title, "Helvetica"), 8)
        canvas.setFillColor(colors.HexColor("#505a5f"))
        canvas.drawString(18 * mm, 10 * mm, footer_words)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, gettext("Page %(n)s", n=doc.page))
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=18 * mm,
                            title=title,
                            author=report.partnership.name)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _outcome_story(report: Report, st: dict, escape) -> list:
    """The findings by outcome, from the evaluation plan (PDF)."""
    if not report.outcomes:
        return []
    story = [paragraph(escape(gettext("By outcome") + " "
                                     + gettext("(from the evaluation plan)")), st["h3"])]
    if report.plan_locked_at:
        story.append(paragraph(escape(gettext(
            "The plan's primary outcomes were fixed on %(date)s, when the first after answers "
            "arrived.", date=long_date(report.plan_locked_at))), st["small"]))
    if report.plan_written_late:
        story.append(paragraph(escape(report.plan_written_late), st["small"]))
    for line in amendment_lines(report):
        story.append(paragraph(escape(gettext("Amendment: %(text)s", text=line)),
                               st["small"]))
    for o in report.outcomes:
        story.append(paragraph(escape(o.title) + (" " + escape(gettext("(primary outcome)"))
                                                  if o.primary else "")
                               + f" <font size=8>{escape(o.category_label)}</font>",
                               st["h4"]))
        for ind in o.indicators:
            story.append(paragraph(escape(gettext("Indicator: %(text)s", text=ind.text)),
                                   st["body"]))
            for m in ind.measures:
                text = m.finding or f"'{m.label}': {m.note}"
                story.append(paragraph(escape(text), st["bullet"], bulletText="•"))
    story.append(paragraph(escape(gettext("By survey")), st["h3"]))
    return story
