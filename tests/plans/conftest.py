"""A partnership with the bank loaded and four classes in two schools, for plan tests."""

from __future__ import annotations

import pytest

from survey_app.admin.operations import create_collection
from survey_app.extensions import db

PLAN_YAML = """\
evaluation_question: Does the science partnership change how pupils see science?
time_points: [before, after]
questions:
  - code: q1
    text: Do pupils enjoy science more?
    outcomes:
      - code: enjoyment
        title: Pupils enjoy science more
        category: pupils_attitudes
        primary: true
        indicators:
          - text: Share who say they enjoy science 'a lot'
            measures:
              - {survey: pupil_attitudes_7_11, question: enjoy}
      - code: careers
        title: More pupils want a science job
        category: pupils_attitudes
        indicators:
          - text: Share who would like a science job
            measures:
              - {survey: pupil_attitudes_7_11, question: science_job}
              - {text: Teachers' notes from the careers talk}
  - code: q2
    text: Do teachers feel more confident?
    outcomes:
      - code: teacher_conf
        title: Teachers are more confident teaching science
        category: teachers_skills
        indicators:
          - text: Teachers very or extremely confident
            measures:
              - {survey: teacher_confidence, question: confident_teaching}
groups:
  - {school: Alderley Primary, group: Year 5 Oak, arm: taking_part}
  - {school: Alderley Primary, group: Year 5 Ash, arm: comparison}
"""

CLASSES = [("Alderley Primary", "Year 5 Oak"), ("Alderley Primary", "Year 5 Ash"),
           ("Birch Primary", "Year 6 Elm"), ("Birch Primary", "Year 6 Yew")]


@pytest.fixture
def classes(app, partnership, loaded_bank):
    """One 'before' collection of the 7-11 attitudes survey per class (30 pupils)."""
    out = {}
    for school, group in CLASSES:
        out[(school, group)] = create_collection(
            partnership, survey_code="pupil_attitudes_7_11", school_name=school,
            group_name=group, phase="before", expected_size=30)
    db.session.commit()
    return out


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN_YAML, encoding="utf-8")
    return path
