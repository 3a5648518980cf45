"""A small, hand-checkable data set for the results tests, built through the same
operations the app uses (create_collection, record_response)."""

from __future__ import annotations

import itertools

import pytest

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.operations import record_response
from survey_app.extensions import db

SURVEY_YAML = """
code: res_test
title: Science and me
audience: pupil
questions:
  - {code: conf, text: I am good at science., scale: faces5}
  - {code: career, text: I would like a science job., scale: yesno}
  - {code: know, text: How light travels, scale: faces3, retrospective: true,
     measures: knowledge}
  - code: tools
    text: Which did you use?
    scale: multi
    options: [{code: a, label: Magnifier}, {code: b, label: Prism}, {code: c, label: Torch}]
  - {code: said, text: "What did you like?", scale: text}
"""

#: Pupils 1..10 of "Year 5 Oak" at Alder School, before and after (see the tests for the
#: figures worked out by hand from these lists).
CONF_BEFORE = [1, 2, 2, 3, 3, 3, 4, 4, 5, 5]
CONF_AFTER = [2, 3, 1, 4, 4, 4, 5, 5, 5, 5]
CAREER_BEFORE = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
CAREER_AFTER = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
KNOW_THEN_NOW = [(1, 3), (1, 2), (2, 3), (2, 2), (3, 3), (1, 1), (2, 3), (1, 2), (3, 3), (2, 3)]
TOOLS_BEFORE = ["a", "a", "a", "a", "a;b", "a;b", "", "", "", ""]
TOOLS_AFTER = ["a;b;c"] * 5 + ["b"] * 5
CMP_BEFORE = [3, 3, 3, 3, 4, 4]
CMP_AFTER = [3, 3, 3, 4, 4, 4]

_keys = itertools.count(1)


def add(collection, values: dict, *, source: str = "web", pupil: int | None = None,
        statuses: dict | None = None):
    response, created = record_response(
        collection, {k: v for k, v in values.items() if v != ""}, source=source,
        submission_key=f"test-{next(_keys)}", pupil_number=pupil, statuses=statuses)
    assert created
    return response


@pytest.fixture
def results_data(app, partnership):
    """Returns a dict of the collections; see the module constants for the answers."""
    load_survey_version(partnership, parse_survey(SURVEY_YAML))
    db.session.commit()

    def make(school, group, phase, **kw):
        return create_collection(partnership, survey_code="res_test", school_name=school,
                                 group_name=group, phase=phase, ask_pupil_number=True, **kw)

    before = make("Alder School", "Year 5 Oak", "before", expected_size=12)
    after = make("Alder School", "Year 5 Oak", "after", pair_with=before.id, expected_size=12)
    cmp_before = make("Birch School", "Year 5 Ash", "before", is_comparison=True)
    cmp_after = make("Birch School", "Year 5 Ash", "after", is_comparison=True,
                     pair_with=cmp_before.id)
    tiny = make("Cedar School", "Nurture group", "before")
    db.session.commit()
    for i in range(10):
        add(before, {"conf": str(CONF_BEFORE[i]), "career": str(CAREER_BEFORE[i]),
                     "tools": TOOLS_BEFORE[i], "said": "Magnets" if i < 6 else ""},
            pupil=i + 1)
        then, now = KNOW_THEN_NOW[i]
        # Half of the after answers came on paper: pairing must not care.
        add(after, {"conf": str(CONF_AFTER[i]), "career": str(CAREER_AFTER[i]),
                    "know_then": str(then), "know_now": str(now), "tools": TOOLS_AFTER[i],
                    "said": "Prisms" if i < 2 else ""},
            source="paper" if i % 2 else "web", pupil=i + 1)
    # A scanned sheet whose one mark is still waiting for review: a response, no answers.
    add(after, {}, source="paper", pupil=12, statuses={"conf": "needs_review"})
    for i, (b, a) in enumerate(zip(CMP_BEFORE, CMP_AFTER, strict=True)):
        add(cmp_before, {"conf": str(b)}, pupil=i + 1)
        add(cmp_after, {"conf": str(a)}, pupil=i + 1, source="paper")
    for i in range(3):
        add(tiny, {"conf": "5", "career": "1"}, pupil=i + 1)
    db.session.commit()
    return {"before": before, "after": after, "cmp_before": cmp_before,
            "cmp_after": cmp_after, "tiny": tiny}
