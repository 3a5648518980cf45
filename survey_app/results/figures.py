"""Each question's figures as plain data for scripts (`survey-app results --json`), read from
the same objects the page and the report are written from, with the reason wherever a
figure is hidden.
"""

from __future__ import annotations

from survey_app.results.survey_results import QuestionResult, SurveyResults


def _hidden_reason(n: int, min_n: int) -> str:
    if n < min_n:
        return f"fewer than {min_n} answers"  # code, not words: scripts read it, in English
    return "hidden so that a smaller group cannot be worked out from other figures"


def _arm_figures(qr: QuestionResult, comparison: bool) -> dict:
    """One arm's figures for `question_figures`; suppressed figures are None with a reason."""
    first, last = ("then", "now") if qr.question.retrospective else qr.points
    rows = {r.phase: r for r in qr.rows if r.comparison == comparison}
    pc = qr.arm_paired(comparison)
    hidden = next((n for c, n in qr.paired_suppressed if c == comparison), None)
    change = qr.arm_change(comparison)
    mw = change.test if change is not None and change.design == "unpaired" else None
    test = pc.test if pc else None
    out: dict = {}
    reasons = []
    for key, phase in (("before", first), ("after", last)):
        row = rows.get(phase)
        out[f"n_{key}"] = row.dist.n if row else 0
        if row is not None and row.suppressed:
            reasons.append(f"{key}: {_hidden_reason(row.dist.n, qr.min_n)}")
    out["n_pairs"] = pc.n if pc else (hidden or 0)
    if hidden:
        reasons.append(f"pairs: {_hidden_reason(hidden, qr.min_n)}")
    for figure in ("top_box", "mean"):
        for key, phase in (("before", first), ("after", last)):
            row = rows.get(phase)
            shown = row is not None and not row.suppressed
            value = (row.dist.top_share if figure == "top_box" else row.dist.mean) \
                if shown else None
            out[f"{figure}_{key}"] = value
    out["wilcoxon_p"] = test.p if test else None
    out["rank_biserial"] = test.r if test else None
    out["mann_whitney_p"] = mw.p if mw else None
    out["mann_whitney_rank_biserial"] = mw.r if mw else None
    out["wilcoxon_method"] = test.method if test else None
    out["wilcoxon_changed_pairs"] = test.n_used if test else None
    out["mann_whitney_method"] = mw.method if mw else None
    out["headroom"] = None
    if pc and pc.headroom:
        out["headroom"] = {"room": pc.headroom, "rose": pc.improved_with_headroom,
                           "same": pc.same_with_headroom, "fell": pc.declined_with_headroom}
    out["suppressed"] = "; ".join(reasons) or None
    out["top_box_by_time_point"] = {p: share for p, share, _n in qr.top_trend(comparison)}
    return out


def question_figures(res: SurveyResults) -> list[dict]:
    """Per question, the figures scripts read (`survey-app results --json`): the same
    objects the page and the report are written from."""
    out = []
    for qr in res.questions:
        if qr.display not in ("rating", "options"):
            continue
        main = qr.main_test
        out.append({
            "code": qr.question.code,
            "text": qr.question.text,
            "retrospective": bool(qr.question.retrospective),
            "participants": _arm_figures(qr, False),
            "comparison": _arm_figures(qr, True) if res.has_comparison else None,
            "difference_in_change": qr.did.as_dict() if qr.did else None,
            "primary": qr.primary,
            "main_test": main[0] if main else None,
            "p": main[1] if main else None,
            "p_adjusted": qr.p_adjusted,
        })
    return out
