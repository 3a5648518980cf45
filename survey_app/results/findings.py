"""The report's sentences: each finding written from one question's figures, comparing the same
category before and after with its n, test and method, so a funder can trust it and a
coordinator can defend it. Kept apart from the report's assembly (report.py) and its PDF
(report_pdf.py) because the plan's outcomes (plans/outcomes.py) write the same sentences.
"""

from __future__ import annotations

from flask_babel import ngettext

from survey_app.results import analysis, scores
from survey_app.results.stat_words import judgement, pct, signed_points
from survey_app.results.survey_results import Change, QuestionResult, SurveyResults

PEOPLE = {"pupil": "pupils", "teacher": "teachers", "school": "schools", "parent": "parents"}
#: What a rating question measures, as the thing people rated in themselves.
MEASURE_WORDS = {"knowledge": "knowledge", "confidence": "confidence",
                 "enjoyment": "enjoyment", "interest": "interest",
                 "teacher_confidence": "confidence", "teacher_competence": "competence"}


def people_word(results: SurveyResults) -> str:
    """"pupils", "parents" or "teachers": who answered, for the sentences here and the
    report's (`report_pdf.py`)."""
    return PEOPLE.get(results.survey.audience, "people")


def _n(change: Change, first: str = "before", last: str = "after") -> str:
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


def self_rating_words(q: QuestionResult, people: str) -> str:
    """The question as a self-rating: "pupils' own rating of their knowledge ('How light
    travels')" -- never a claim about attainment. Public so its tests check the wording."""
    what = MEASURE_WORDS.get(q.question.measures or "")
    if q.audience == "parent":  # parents answer about their child, not about themselves
        return f"{people.capitalize()}' view ('{q.question.text}')"
    if what:
        return f"{people.capitalize()}' rating of their own {what} ('{q.question.text}')"
    return f"{people.capitalize()}' own answers to '{q.question.text}'"


def moved_words(points: float | None) -> str:
    """"rose by 12 percentage points", "fell by 3 ...", "did not change" ("changed" with no
    figure); public so its tests check the wording."""
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
    text = (f"{self_rating_words(q, people)}: {q.top_label} {pct(change.top_before)} {first}, "
            f"{pct(change.top_after)} {last}; it {moved_words(change.points)}")
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
    people = people_word(results)
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
    people = people_word(results)
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
    notes = [ngettext("%(num)s pupil number was given more than once in one class in the "
                      "“%(phase)s” survey: those answers are not paired.",
                      "%(num)s pupil numbers were given more than once in one class in the "
                      "“%(phase)s” survey: those answers are not paired.",
                      n, phase=analysis.PHASE_LABELS[phase].lower())
             for phase, n in results.reused_numbers.items()]
    if not results.primary:
        notes.append("No primary outcomes were declared for this survey, so it has no "
                     "headline findings: every finding is exploratory.")
    if not results.has_comparison:
        notes.append("There is no comparison group for this survey: a change shown here "
                     "cannot be credited to the activity (other things happened too).")
    if results.survey.audience in ("pupil", "teacher"):
        notes.append(f"These are {people_word(results)}' ratings of themselves: they show how "
                     "people see their own knowledge, confidence or interest, not tested "
                     "attainment.")
    if results.knowledge is not None:
        notes.append(f"The knowledge score is different: it counts the {people_word(results)}' "
                     "answers to questions that have a right answer (a short check, "
                     f"{results.knowledge.score_max} questions), not a rating of themselves.")
    if results.survey.audience == "parent":
        notes.append("These are parents' and carers' views of their child's learning and of "
                     "the project, not measured attainment; parents who reply may not be "
                     "typical of all parents, the more so when few reply.")
    return notes


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
