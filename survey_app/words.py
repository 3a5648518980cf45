"""Staff-facing words for codes whose English lives outside the app: a scale's short
meaning and a bank question's evidence (forms, a pure core that cannot call Babel), and a
collection's phase (a stored code such as "before").

Each word is one gettext call here, so `make translations` extracts it and every page
shows it in the interface language. tests/web/test_staff_language.py checks that every
scale forms knows has its meaning here, and every bank question its evidence, word for
word in forms' English, so a scale or an origin added to forms cannot reach the builder
untranslated. See docs/coordinator/languages-on-screen.md.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from forms.scales import SCALES
from forms.survey_types import Question


def scale_meanings() -> dict[str, str]:
    """Every scale's short meaning for the builder ("sad / in-between / happy face"), in
    the interface language; the English is forms' `Scale.meaning`."""
    return {
        "faces3": gettext("sad / in-between / happy face (ages 5-7)"),
        "faces5": gettext("five faces, saddest to happiest (ages 7-11)"),
        "agree5": gettext("strongly disagree .. strongly agree"),
        "confidence5": gettext("not at all .. extremely confident"),
        "satisfied5": gettext("very dissatisfied .. very satisfied (parents, teachers)"),
        "likely0to10": gettext("not at all likely (0) .. extremely likely (10)"),
        "yesno": gettext("yes / no"),
        "choice": gettext("one of a list"),
        "multi": gettext("any of a list"),
        "number": gettext("a whole number, 0-99 (or up to max: 999999)"),
        "text": gettext("free text (a write-in box on paper)"),
    }


def scale_meaning(name: str) -> str:
    """One scale's meaning in the interface language; forms' English for a scale this
    module does not know (the test above keeps that from happening)."""
    found = scale_meanings().get(name)
    if found is not None:
        return found
    scale = SCALES.get(name)
    return scale.meaning if scale else name


def evidence(question: Question) -> str:
    """What a bank question's wording rests on (forms' `Question.evidence`, translated)."""
    said = {"published": gettext("Tested: as published"),
            "adapted": gettext("Adapted from a published instrument"),
            "new": gettext("Written for this bank")}.get(question.origin or "", "")
    if question.pilot_n:
        if said:
            return gettext("%(said)s; tested: piloted with this product (n = %(n)s)",
                           said=said, n=question.pilot_n)
        return gettext("Tested: piloted with this product (n = %(n)s)", n=question.pilot_n)
    if said:
        return gettext("%(said)s; not yet piloted in this wording", said=said)
    return gettext("Origin not stated; not yet piloted")


def phase_names() -> dict[str, str]:
    """A collection's phase as a short word for tables and headings ("before")."""
    return {
        "before": gettext("before"),
        "during": gettext("during"),
        "after": gettext("after"),
        "follow-up": gettext("follow-up"),
        "once": gettext("once"),
    }


def phase_name(phase: str) -> str:
    """`phase` in the interface language; the code itself if it is not a phase."""
    return phase_names().get(phase, phase)


def phase_heading(phase: str) -> str:
    """A phase (or a looking-back item's "then" and "now") as a heading, a table's row or a
    bar's name says it ("Before"); the code itself if it is not one. The codes stay in the
    data, the CSV and the JSON."""
    return {
        "before": gettext("Before"),
        "during": gettext("During"),
        "after": gettext("After"),
        "follow-up": gettext("Follow-up"),
        "once": gettext("Once"),
        "then": gettext("Then"),
        "now": gettext("Now"),
    }.get(phase, phase)


def init_words(app: Flask) -> None:
    """The filters templates use: `{{ c.phase|phase_name }}`, `{{ r.phase|phase_heading }}`,
    `{{ s.name|scale_meaning }}`, `{{ question|evidence }}`."""
    app.add_template_filter(phase_name, "phase_name")
    app.add_template_filter(phase_heading, "phase_heading")
    app.add_template_filter(scale_meaning, "scale_meaning")
    app.add_template_filter(evidence, "evidence")
