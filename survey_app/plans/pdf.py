"""The plan on one A4 page (the line of sight as a table a funder can read) and the random
allocation as a list to print. Both are drawn with reportlab from the plan document."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from survey_app.models import EvaluationPlan, Partnership, PlanAllocation
from survey_app.plans import document

PRIMARY_MARK = ": primary outcome"


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    ss = getSampleStyleSheet()
    body = ParagraphStyle("b", parent=ss["BodyText"], fontSize=8.5, leading=10.5)
    return {
        "h1": ParagraphStyle("h1", parent=ss["Title"], fontSize=17, leading=21, alignment=0,
                             spaceAfter=2),
        "body": body,
        "cell": ParagraphStyle("c", parent=body, fontSize=8, leading=9.6),
        "head": ParagraphStyle("h", parent=body, fontName="Helvetica-Bold", fontSize=8,
                               textColor=colors.white),
        "small": ParagraphStyle("s", parent=body, fontSize=7.5, leading=9,
                                textColor=colors.HexColor("#505a5f")),
    }


def _doc(buf, title: str):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    return SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm,
                             rightMargin=12 * mm, topMargin=10 * mm, bottomMargin=10 * mm,
                             title=title)


def line_of_sight_rows(body: dict, texts: dict[tuple[str, str], str]) -> list[list[str]]:
    """One row per indicator: evaluation question, outcome (category, primary),
    indicator, and the survey questions that measure it (their wording)."""
    rows = []
    for q in body.get("questions", []):
        for o in q["outcomes"]:
            outcome = (f"{o['title']} ({document.CATEGORIES[o['category']]})"
                       + (PRIMARY_MARK if o["primary"] else ""))
            inds = o["indicators"] or [{"text": "(no indicator yet)", "measures": []}]
            for ind in inds:
                ms = [f"'{texts.get((m['survey'], m['question']), m['question'])}' "
                      f"({m['survey']})" if m.get("survey") else f"Written: {m['text']}"
                      for m in ind["measures"]]
                rows.append([q["text"], outcome, ind["text"], "; ".join(ms) or "-"])
    return rows


def plan_pdf(partnership: Partnership, plan: EvaluationPlan | None,
             school: str | None = None) -> bytes:
    """The plan on one landscape A4 page (the table shrinks to fit a long plan);
    `school`: only that school's groups (a teacher's copy)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, Paragraph, Spacer, Table, TableStyle

    from survey_app.plans.operations import (
        amendment_text,
        amendments,
        for_school,
        question_texts,
        written_late,
    )

    st = _styles()
    body = for_school(plan.body if plan else document.empty(), school)
    texts = question_texts(partnership.id, body)
    story: list = [Paragraph(f"Evaluation plan: {escape(partnership.name)}", st["h1"]),
                   Paragraph("<b>Evaluation question:</b> "
                             + escape(body["evaluation_question"] or "(not written yet)"),
                             st["body"])]
    groups = body.get("groups", [])
    taking = ", ".join(f"{g['group']} ({g['school']})" for g in groups
                       if g["arm"] == "taking_part") or "not listed"
    comparison = ", ".join(f"{g['group']} ({g['school']})" for g in groups
                           if g["arm"] == "comparison") or "none"
    story.append(Paragraph(
        f"<b>Time points:</b> {escape(', '.join(body['time_points']) or 'none')}. "
        f"<b>Taking part:</b> {escape(taking)}. <b>Comparison:</b> {escape(comparison)}.",
        st["body"]))
    story.append(Spacer(1, 2 * mm))
    head = ["Evaluation question", "Outcome (impact category)", "Indicator",
            "Survey questions that measure it"]
    data = [[Paragraph(h, st["head"]) for h in head]]
    rows = line_of_sight_rows(body, texts)
    for row in rows:
        data.append([Paragraph(escape(c), st["cell"]) for c in row])
    if not rows:
        data.append([Paragraph("No outcomes yet.", st["cell"]), "", "", ""])
    table = Table(data, colWidths=[55 * mm, 65 * mm, 65 * mm, 88 * mm], repeatRows=1)
    style = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b0c0c")),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6"))]
    for i, row in enumerate(rows, 1):
        if row[1].endswith(PRIMARY_MARK):
            style.append(("BACKGROUND", (1, i), (1, i), colors.HexColor("#e8f1f8")))
    # One cell per evaluation question and per outcome, spanning their indicators' rows.
    for col in (0, 1):
        start = 1
        for i in range(2, len(rows) + 2):
            if i == len(rows) + 1 or rows[i - 1][:col + 1] != rows[start - 1][:col + 1]:
                if i - 1 > start:
                    style.append(("SPAN", (col, start), (col, i - 1)))
                start = i
    table.setStyle(TableStyle(style))
    notes = []
    if plan is not None and plan.locked_at:
        notes.append(f"Primary outcomes locked on {plan.locked_at:%d %B %Y}, when the first "
                     "after answers arrived.")
        if plan.created_at > plan.locked_at:
            notes.append(written_late(plan))
        notes += [f"Amended {amendment_text(a)}" for a in amendments(plan)]
    else:
        notes.append("Not locked yet: the primary outcomes lock when the first after "
                     "answers arrive; later changes are kept as dated amendments.")
    tail = [Spacer(1, 2 * mm)] + [Paragraph(escape(n), st["small"]) for n in notes]
    # Everything on one page: KeepInFrame shrinks a long plan rather than spilling over.
    story.append(KeepInFrame(273 * mm, 160 * mm, [table, *tail], mode="shrink"))
    buf = io.BytesIO()
    _doc(buf, f"Evaluation plan: {partnership.name}").build(story)
    return buf.getvalue()


def allocation_pdf(partnership: Partnership, alloc: PlanAllocation,
                   school: str | None = None) -> bytes:
    """The allocation to print and keep: seed, method and the list, by school and group
    (`school`: that school's rows only)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from survey_app.plans.allocation import UNITS, allocation_rows, balance

    st = _styles()
    how = ("classes within each school" if alloc.stratified else UNITS[alloc.unit].lower())
    story: list = [
        Paragraph(f"Random allocation: {escape(partnership.name)}", st["h1"]),
        Paragraph(f"Made on {alloc.made_at:%d %B %Y %H:%M} UTC by {escape(alloc.made_by)}. "
                  f"Unit: {escape(how)}. <b>Seed {alloc.seed}</b>: the same seed and the "
                  "same classes always give this allocation (survey-app plan allocate "
                  f"--seed {alloc.seed}).", st["body"]),
        Paragraph("Balance: " + escape("; ".join(
            f"{k}: {a} taking part, {b} comparison"
            for k, (a, b) in balance(alloc, school).items())),
            st["small"]),
        Spacer(1, 3 * mm)]
    data = [[Paragraph(h, st["head"]) for h in ("School", "Group", "Pupil number", "Arm")]]
    data += [[Paragraph(escape(c), st["cell"]) for c in row]
             for row in allocation_rows(alloc, school)]
    table = Table(data, colWidths=[80 * mm, 70 * mm, 30 * mm, 40 * mm], repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b0c0c")),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6"))]))
    story.append(table)
    buf = io.BytesIO()
    _doc(buf, f"Random allocation: {partnership.name}").build(story)
    return buf.getvalue()
