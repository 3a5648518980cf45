"""Any POST body to a pupil link gets either a stored, valid response or a clear 4xx with
nothing stored; never a server error (Hypothesis makes the bodies)."""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from forms.definition import parse_survey
from forms.scales import MULTI, NUMBER, NUMBER_MAX, NUMBER_MIN, SINGLE, TEXT
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.answer.wtf import SUBMISSION_ID_RE
from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.conftest import csrf_from

#: Every kind of column: single (faces, yes/no), retrospective pair, multi, number, text.
SURVEY = """
code: everything
title: Everything
audience: pupil
questions:
  - {code: first, text: "Do you like magnets?", scale: faces3, required: true}
  - {code: third, text: "Have you been to a museum?", scale: yesno}
  - {code: shadows, text: "How shadows are made", scale: faces3, retrospective: true}
  - {code: pets, text: "How many pets do you have?", scale: number}
  - code: likes
    text: What do you like?
    scale: multi
    options: [{code: rocks, label: Rocks}, {code: stars, label: Stars}]
  - {code: say, text: Tell us something, scale: text}
"""
DEFINITION = parse_survey(SURVEY)
COLUMNS = list(DEFINITION.columns)
CODES = sorted({o.code for q in DEFINITION.questions for o in q.options})

#: Awkward strings: blanks, padding, NUL, other digits, separators, markup, huge.
SPECIAL = ["", " ", "\x00", "1\x00", " 2 ", "٣", "²", "1;2", "rocks;stars", "-1", "0", "100",
           "1e2", "0x1", "<script>", "'; drop table response; --", "\u202e1", "x" * 5000,
           "9" * 3000, "\n" * 10]
values = st.one_of(st.sampled_from(CODES), st.sampled_from(SPECIAL),
                   st.text(max_size=30), st.integers(-5, 200).map(str))
names = st.one_of(st.sampled_from([*COLUMNS, "pupil_number"]), st.sampled_from(
    ["submission_id", "first_then", "likes[]", "say ", "FIRST", "", "csrf_token2"]),
    st.text(min_size=1, max_size=12))
junk_bodies = st.dictionaries(names, st.lists(values, min_size=1, max_size=3), max_size=8)
#: Nearly right: the required answer and a pupil number, then any of the columns.
nearly_right = st.builds(
    lambda first, number, rest: {"first": [first], "pupil_number": [number], **rest},
    st.sampled_from(["1", "2", "3"]), st.integers(1, 99).map(str),
    st.dictionaries(st.sampled_from(COLUMNS[1:]), st.lists(values, min_size=1, max_size=3),
                    max_size=6))
bodies = st.one_of(junk_bodies, nearly_right)
_ids = itertools.count()


def _valid(column: str, value: str) -> bool:
    q = DEFINITION.question_for_column(column)
    if q.kind == SINGLE:
        return value in q.option_codes
    if q.kind == MULTI:
        parts = value.split(";")
        return all(p in q.option_codes for p in parts) and len(set(parts)) == len(parts)
    if q.kind == NUMBER:
        return value.isdigit() and NUMBER_MIN <= int(value) <= NUMBER_MAX
    assert q.kind == TEXT
    return 0 < len(value) <= 2000 and "\x00" not in value


def test_any_post_body_is_stored_valid_or_refused_clearly(app, client, loaded_bank,
                                                          partnership):
    load_survey_version(partnership, DEFINITION)
    c = create_collection(partnership, survey_code="everything", school_name="Oak Primary",
                          group_name="Year 4", phase="once", ask_pupil_number=True)
    db.session.commit()
    url = f"/s/{c.public_token}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    seen: dict[int, int] = {}

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(body=bodies)
    def check(body):
        sid = f"prop-{next(_ids):06d}-submission"
        posted = {k: v for k, v in body.items() if k != "csrf_token"}
        chosen_sid = posted.get("submission_id", [sid])
        if len(chosen_sid) == 1 and SUBMISSION_ID_RE.match(chosen_sid[0] or ""):
            posted["submission_id"] = [sid]  # a well-formed id must be fresh per example
        posted.setdefault("submission_id", [sid])
        posted["csrf_token"] = [token]
        before = db.session.scalar(select(func.count()).select_from(Response))
        resp = client.post(url, data=posted)
        db.session.expire_all()
        after = db.session.scalar(select(func.count()).select_from(Response))
        status = resp.status_code
        seen[status] = seen.get(status, 0) + 1
        assert status < 500
        if status == 303:
            assert resp.headers["Location"].endswith(f"/s/{c.public_token}/thanks")
            assert after == before + 1
            r = db.session.scalar(select(Response).order_by(Response.id.desc()).limit(1))
            assert r.pupil_number is not None
            assert 1 <= r.pupil_number <= 99
            stored = dict(db.session.execute(select(Answer.question_code, Answer.value)
                                              .where(Answer.response_id == r.id)).all())
            assert stored, "a stored response has at least one answer"
            for column, value in stored.items():
                assert column in COLUMNS, column
                assert _valid(column, value), (column, value)
            return
        if status == 413:  # only a body over the pupil page's own limit
            assert len(urlencode(posted, doseq=True)) > app.config["ANSWER_MAX_BODY_BYTES"]
            assert after == before
            return
        assert status in (400, 422), status
        assert after == before, "a refused post stored something"
        html = resp.get_data(as_text=True)
        assert re.search(r'role="alert"', html), "a refusal says what is wrong"
        assert ("were not saved" in html) or ("Please" in html or "Your number" in html)

    check()
    db.session.rollback()
    # Both outcomes were reached, so neither branch of the check above is vacuous.
    assert seen.get(303), seen
    assert seen.get(400) or seen.get(422), seen
