"""The report's sentences: each finding written from one question's figures, comparing the same
category before and after with its n, test and method, so a funder can trust it and a
coordinator can defend it. Kept apart from the report's assembly (report.py) and its PDF
(report_pdf.py) because the plan's outcomes (plans/outcomes.py) write the same sentences.

Every sentence goes through Flask-Babel as one whole message with named placeholders, so a
translation can order its words freely (docs/coordinator/languages-on-screen.md); figures
are put in already formatted.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from survey_app.results import analysis, scores
from survey_app.results.stat_words import band_words, judgement, pct, signed_points, test_words
from survey_app.results.survey_results import Change, QuestionResult, SurveyResults
from survey_app.words import phase_name

PEOPLE = {"pupil": _l("pupils"), "teacher": _l("teachers"), "school": _l("schools"),
          "parent": _l("parents")}
#: What a rating question measures, as the thing people rated in themselves.
MEASURE_WORDS = {"knowledge": _l("knowledge"), "confidence": _l("confidence"),
                 "enjoyment": _l("enjoyment"), "interest": _l("interest"),
                 "teacher_confidence": _l("confidence"), "teacher_competence": _l("competence")}


def audience_people(audience: str) -> str:
    """Who answers a survey for this audience code, in words ("pupils")."""
    return str(PEOPLE[audience]) if audience in PEOPLE else gettext("people")


def people_word(results: SurveyResults) -> str:
    """"pupils", "parents" or "teachers": who answered, for the sentences here and the
    report's (`report_pdf.py`)."""
    return audience_people(results.survey.audience)


def _n(change: Change, first: str, last: str) -> str:
    return gettext("n = %(n_first)s %(first)s, %(n_last)s %(last)s", n_first=change.before.n,
                   first=first, n_last=change.after.n, last=last)


def p_text(p: float | None) -> str:
    if p is None:
        return gettext("no test")
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _phases(q: QuestionResult) -> tuple[str, str]:
    if q.question.retrospective:
        return gettext("looking back"), gettext("now")
    first, last = q.points
    return str(analysis.POINT_WORDS[first]), str(analysis.POINT_WORDS[last])


def self_rating_words(q: QuestionResult, people: str) -> str:
    """The question as a self-rating: "pupils' own rating of their knowledge ('How light
    travels')" -- never a claim about attainment. Public so its tests check the wording."""
    what = MEASURE_WORDS.get(q.question.measures or "")
    who = people.capitalize()
    if q.audience == "parent":  # parents answer about their child, not about themselves
        return gettext("%(people)s' view ('%(question)s')", people=who, question=q.question.text)
    if what:
        return gettext("%(people)s' rating of their own %(what)s ('%(question)s')", people=who,
                       what=what, question=q.question.text)
    return gettext("%(people)s' own answers to '%(question)s'", people=who,
                   question=q.question.text)


def moved_words(points: float | None) -> str:
    """"rose by 12 percentage points", "fell by 3 ...", "did not change" ("changed" with no
    figure); public so its tests check the wording."""
    if points is None:
        return gettext("changed")
    value = round(points)
    if value > 0:
        return ngettext("rose by %(num)s percentage point", "rose by %(num)s percentage points",
                        value)
    if value < 0:
        return ngettext("fell by %(num)s percentage point", "fell by %(num)s percentage points",
                        -value)
    return gettext("did not change")


def did_sentence(q: QuestionResult, people: str) -> str | None:
    """The difference in change in plain words, with its interval, test and method."""
    did = q.did
    if did is None:
        return None
    who = people.capitalize()
    if did.unit == "scale points":
        size = gettext("%(n)s points", n=f"{abs(did.estimate):.1f}")
        scale = gettext("on the %(n)s-point scale", n=len(q.codes))
        interval = ("" if did.ci_low is None else
                    gettext("95%% CI %(low)s to %(high)s points", low=f"{did.ci_low:+.1f}",
                            high=f"{did.ci_high:+.1f}"))
        test = gettext("Mann-Whitney U on each pupil's change")
    else:
        size = ngettext("%(num)s percentage point", "%(num)s percentage points",
                        round(abs(did.estimate)))
        scale = gettext("in %(top)s", top=q.top_label)
        interval = ("" if did.ci_low is None else
                    gettext("95%% CI %(low)s to %(high)s points", low=f"{did.ci_low:+.0f}",
                            high=f"{did.ci_high:+.0f}"))
        test = gettext("bootstrap")
    if round(did.estimate, 1 if did.unit == "scale points" else 0) == 0:
        text = gettext("%(people)s who took part changed no more than the comparison group "
                       "%(scale)s", people=who, scale=scale)
    elif did.estimate > 0:
        text = gettext("%(people)s who took part rose %(size)s more than the comparison group "
                       "%(scale)s", people=who, size=size, scale=scale)
    else:
        text = gettext("%(people)s who took part changed %(size)s less than the comparison "
                       "group %(scale)s", people=who, size=size, scale=scale)
    detail = "; ".join(x for x in (interval, f"{test}, {p_text(did.p)}") if x)
    text += f" ({detail})."
    if did.different_start:
        if did.unit == "scale points":
            took, cmp = (_pairs_mean_before(q, c) for c in (False, True))
            where = gettext("an average of %(took)s against %(cmp)s", took=took, cmp=cmp)
        else:
            where = gettext("%(took)s against %(cmp)s", took=pct(did.start_participants),
                            cmp=pct(did.start_comparison))
        text += " " + gettext(
            "The groups started from different places (%(where)s before, Mann-Whitney "
            "%(p)s), so part of the difference may be catching up or running out of room.",
            where=where, p=p_text(did.start_p))
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
    values = dict(test=test_words(t.test), n=pc.n, people=people, changed=t.n_used or 0,
                  p=p_text(t.p))
    if retro:
        text = gettext("%(test)s, %(n)s %(people)s answering then and now (%(changed)s "
                       "changed): %(p)s", **values)
    else:
        text = gettext("%(test)s, %(n)s %(people)s paired by pupil number (%(changed)s "
                       "changed): %(p)s", **values)
    if t.r is not None:
        text += ", " + gettext("matched-pairs rank-biserial r = %(r)s (%(band)s)",
                               r=f"{t.r:.2f}", band=band_words(t.band))
    return text + "."


def _three_ways(up: float | None, same: float | None, down: float | None) -> dict:
    return {"up": pct(up), "same": pct(same), "down": pct(down)}


def _headroom_words(q: QuestionResult, people: str) -> str | None:
    pc = q.arm_paired(False)
    shares = pc.headroom_shares() if pc else None
    if not shares:
        return None
    text = gettext("Of the %(n)s %(people)s with room to improve, %(up)s rose, %(same)s "
                   "stayed the same and %(down)s fell", n=pc.headroom, people=people,
                   **_three_ways(*shares))
    cmp = q.arm_paired(True)
    cmp_shares = cmp.headroom_shares() if cmp else None
    if cmp_shares:
        text += "; " + gettext("in the comparison group %(up)s rose, %(same)s stayed the same "
                               "and %(down)s fell (of %(n)s)", n=cmp.headroom,
                               **_three_ways(*cmp_shares))
    return text + "."


def _top_box_words(q: QuestionResult, change, people: str, interval: bool) -> str:
    first, last = _phases(q)
    text = gettext("%(question)s: %(top)s %(before)s %(first)s, %(after)s %(last)s; it "
                   "%(moved)s", question=self_rating_words(q, people), top=q.top_label,
                   before=pct(change.top_before), first=first, after=pct(change.top_after),
                   last=last, moved=moved_words(change.points))
    ci = q.change_interval if interval else None
    detail = [gettext("95%% CI %(low)s to %(high)s points, bootstrap", low=f"{ci[0]:+.0f}",
                      high=f"{ci[1]:+.0f}")] if ci else []
    detail.append(_n(change, first, last))
    return f"{text} ({'; '.join(detail)})."


def _adjusted_words(q: QuestionResult) -> str:
    values = dict(p=p_text(q.p_adjusted), test=test_words(q.main_test[0]),
                  judgement=judgement(q.p_adjusted))
    if q.primary:
        return gettext("Holm-adjusted %(p)s (%(test)s): %(judgement)s.", **values)
    return gettext("Exploratory: Holm-adjusted %(p)s (%(test)s): %(judgement)s.", **values)


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
        parts.append(gettext("Mann-Whitney U, everyone %(first)s against everyone %(last)s: "
                             "%(p)s, rank-biserial r = %(r)s (%(band)s).", first=first,
                             last=last, p=p_text(t.p), r=f"{t.r:.2f}",
                             band=band_words(t.band)))
    if full:
        headroom = _headroom_words(q, people)
        if headroom:
            parts.append(headroom)
    cmp = q.arm_change(True)
    if cmp is not None and cmp.top_before is not None:
        parts.append(gettext("Comparison group: %(before)s %(first)s, %(after)s %(last)s "
                             "(%(n)s).", before=pct(cmp.top_before), first=first,
                             after=pct(cmp.top_after), last=last, n=_n(cmp, first, last)))
    did = did_sentence(q, people)
    if did:
        parts.append(did)
    elif full and not results.has_comparison:
        parts.append(gettext("With no comparison group, this change cannot be credited to "
                             "the activity."))
    elif full:
        parts.append(gettext("The comparison group has too few answers to this question to "
                             "compare with, so this change cannot be credited to the "
                             "activity."))
    if q.p_adjusted is not None:
        parts.append(_adjusted_words(q))
    return " ".join(parts)


def headlines(results: SurveyResults) -> list[str]:
    """The declared primary outcomes, each with its test, interval and comparison, in the
    order of the survey: whatever they show, and nothing else."""
    return [text for q in results.questions if q.primary
            for text in [question_finding(q, results)] if text]


def _across_words(people: str, retro: bool, room: int, shares: dict) -> str:
    if retro:
        return gettext("Across all rating questions, where the same %(people)s looked back: "
                       "of %(n)s answers with room to improve, %(up)s rose, %(same)s stayed "
                       "the same and %(down)s fell", people=people, n=room, **shares)
    return gettext("Across all rating questions, where the same %(people)s answered before "
                   "and after: of %(n)s answers with room to improve, %(up)s rose, %(same)s "
                   "stayed the same and %(down)s fell", people=people, n=room, **shares)


def exploratory(results: SurveyResults) -> list[str]:
    """Every other finding, in survey order (rises and falls alike), with Holm-adjusted
    p-values, and the headroom told both ways beside the comparison group's."""
    out = [text for q in results.questions if not q.primary
           for text in [question_finding(q, results, full=False)] if text]
    people = people_word(results)
    score_words = scores.sentence(results.knowledge, people) if results.knowledge else None
    if score_words:
        out.insert(0, score_words)
    for retro in (False, True):
        room, up, same, down = results.headroom_both_ways(retro)
        if room < results.min_n:
            continue
        text = _across_words(people, retro, room, _three_ways(up / room, same / room,
                                                              down / room))
        c_room, c_up, c_same, c_down = results.headroom_both_ways(retro, comparison=True)
        if c_room >= results.min_n:
            text += "; " + gettext("comparison group: %(up)s rose, %(same)s stayed the same, "
                                   "%(down)s fell (of %(n)s)", n=c_room,
                                   **_three_ways(c_up / c_room, c_same / c_room,
                                                 c_down / c_room))
        out.append(text + ". " + gettext("Questions with no real change also show some rises "
                                         "by chance."))
    had_room, improved = results.retro_people
    if had_room >= results.min_n:
        out.append(gettext("%(share)s of %(people)s rated themselves higher now than looking "
                           "back in at least one area (n = %(n)s %(people)s with room to "
                           "improve).", share=pct(improved / had_room), people=people,
                           n=had_room))
    return out


def section_notes(results: SurveyResults) -> list[str]:
    people = people_word(results)
    notes = [ngettext("%(num)s pupil number was given more than once in one class in the "
                      "“%(phase)s” survey: those answers are not paired.",
                      "%(num)s pupil numbers were given more than once in one class in the "
                      "“%(phase)s” survey: those answers are not paired.",
                      n, phase=phase_name(phase))
             for phase, n in results.reused_numbers.items()]
    if not results.primary:
        notes.append(gettext("No primary outcomes were declared for this survey, so it has no "
                             "headline findings: every finding is exploratory."))
    if not results.has_comparison:
        notes.append(gettext("There is no comparison group for this survey: a change shown "
                             "here cannot be credited to the activity (other things happened "
                             "too)."))
    if results.survey.audience in ("pupil", "teacher"):
        notes.append(gettext("These are %(people)s' ratings of themselves: they show how "
                             "people see their own knowledge, confidence or interest, not "
                             "tested attainment.", people=people))
    if results.knowledge is not None:
        notes.append(gettext("The knowledge score is different: it counts the %(people)s' "
                             "answers to questions that have a right answer (a short check, "
                             "%(n)s questions), not a rating of themselves.", people=people,
                             n=results.knowledge.score_max))
    if results.survey.audience == "parent":
        notes.append(gettext("These are parents' and carers' views of their child's learning "
                             "and of the project, not measured attainment; parents who reply "
                             "may not be typical of all parents, the more so when few reply."))
    return notes


def _change_line(qr: QuestionResult, change: Change, who: str, first: str, last: str) -> str:
    """One arm's top box before and after, its mean and its unpaired test, in words."""
    n = _n(change, first, last)
    if change.top_before is not None:
        values = dict(top=qr.top_label, before=pct(change.top_before), first=first,
                      after=pct(change.top_after), last=last,
                      points=signed_points(change.points), n=n)
        line = (gettext("%(who)s: %(top)s: %(before)s %(first)s, %(after)s %(last)s "
                        "(%(points)s; %(n)s).", who=who, **values) if who else
                gettext("%(top)s: %(before)s %(first)s, %(after)s %(last)s (%(points)s; "
                        "%(n)s).", **values))
    else:
        line = gettext("%(who)s: %(n)s.", who=who, n=n) if who else f"{n}."
    if change.before.mean is not None and change.after.mean is not None:
        line += " " + gettext("Average %(before)s %(first)s, %(after)s %(last)s.",
                              before=f"{change.before.mean:.1f}", first=first,
                              after=f"{change.after.mean:.1f}", last=last)
    if change.test is not None and change.design == "unpaired":
        line += " " + gettext("%(test)s: %(result)s", test=test_words(change.test.test),
                              result=change.test.sentence)
        if change.test.r is not None:
            line += ", " + gettext("rank-biserial r = %(r)s", r=f"{change.test.r:.2f}")
        line += "."
    return line


def _paired_line(qr: QuestionResult, pc, who: str, first: str, last: str) -> str:
    """The same people at two time points: higher, the same, lower, and the paired test."""
    shares = dict(up=pct(pc.share(pc.improved)), same=pct(pc.share(pc.same)),
                  down=pct(pc.share(pc.declined)), n=pc.n)
    if qr.question.retrospective:
        line = gettext("Same people then and now%(who)s: %(up)s higher, %(same)s the same, "
                       "%(down)s lower (n = %(n)s)", who=who, **shares)
    else:
        line = gettext("Same pupils %(first)s and %(last)s%(who)s: %(up)s higher, %(same)s "
                       "the same, %(down)s lower (n = %(n)s)", first=first, last=last,
                       who=who, **shares)
    room = pc.headroom_shares()
    if room:
        line += "; " + gettext("of the %(n)s with room to improve %(up)s rose, %(same)s "
                               "stayed the same, %(down)s fell", n=pc.headroom,
                               **_three_ways(*room))
    line += ". " + gettext("%(test)s: %(result)s", test=test_words(pc.test.test),
                           result=pc.test.sentence)
    if pc.test.r is not None and pc.test.n_used:
        line += ", " + gettext("matched-pairs rank-biserial r = %(r)s on the %(n)s who changed",
                               r=f"{pc.test.r:.2f}", n=pc.test.n_used)
    return line + "."


def summary_lines(qr: QuestionResult) -> list[str]:
    """The figures under a chart, in words, each with the method that made it: top box
    before/after, mean, tests, paired change both ways, the difference in change, and
    whether the question is a primary outcome or exploratory (with its adjusted p)."""
    lines = []
    first, last = _phases(qr)
    has_cmp = any(c.comparison for c in qr.changes) or any(c for c, _ in qr.paired)
    for change in qr.changes:
        who = gettext("Comparison group") if change.comparison else (
            gettext("Groups that took part") if has_cmp else "")
        lines.append(_change_line(qr, change, who, first, last))
    for cmp, pc in qr.paired:
        who = " " + gettext("(comparison)") if cmp else (
            " " + gettext("(took part)") if has_cmp else "")
        lines.append(_paired_line(qr, pc, who, first, last))
    for cmp, n in qr.paired_suppressed:
        why = (gettext("too few to show") if n < qr.min_n
               else gettext("hidden to protect a small group"))
        lines.append(gettext("Paired answers (comparison): %(why)s (n = %(n)s).", why=why, n=n)
                     if cmp else gettext("Paired answers: %(why)s (n = %(n)s).", why=why, n=n))
    did = did_sentence(qr, audience_people(qr.audience))
    if did:
        lines.append(gettext("Difference in change: %(finding)s", finding=did))
    main = qr.main_test
    if main is not None:
        values = dict(test=test_words(main[0]), p=p_text(main[1]),
                      p_adjusted=p_text(qr.p_adjusted), judgement=judgement(qr.p_adjusted))
        lines.append(gettext("Primary outcome: %(test)s %(p)s, Holm-adjusted %(p_adjusted)s: "
                             "%(judgement)s.", **values) if qr.primary else
                     gettext("Exploratory: %(test)s %(p)s, Holm-adjusted %(p_adjusted)s: "
                             "%(judgement)s.", **values))
    return lines
