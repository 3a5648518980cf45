"""The plan pages' refusals and confirmations go through Babel: with the pseudo catalog
(every message wrapped in ⟦ ⟧), what a coordinator reads after an action is marked, so it
follows the staff pages' language. docs/coordinator/languages-on-screen.md."""

from __future__ import annotations

from io import BytesIO

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from tests.plans.test_plan_pages import _gid, _post, _write_plan
from tests.web.test_pseudo_locale import CLOSE, OPEN, pseudo  # noqa: F401 (a fixture)


def test_plan_refusals_and_confirmations_are_marked(pseudo, partnership, classes,  # noqa: F811
                                                     coordinator_client):
    client = coordinator_client
    _write_plan(client, classes)
    html = _post(client, "/plan/question", {"question_text": "Do teachers feel surer?"},
                 follow_redirects=True).get_data(as_text=True)
    assert f"{OPEN}Evaluation question added.{CLOSE}" in html
    html = _post(client, "/plan/allocate", {
        "unit": "class", "alloc_group": [_gid(classes, "Alderley Primary", "Year 5 Oak")]},
        follow_redirects=True).get_data(as_text=True)
    assert f"{OPEN}Allocating classes needs at least two classes.{CLOSE}" in html
    html = _post(client, "/plan/upload", {"plan_file": (BytesIO(
        b"- not a plan\n"), "plan.yaml")}, follow_redirects=True).get_data(as_text=True)
    assert f"{OPEN}The plan file was not loaded: nothing has changed." in html
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="a1")
    html = _post(client, "/plan/primary", {"primary_form": "1"},
                 follow_redirects=True).get_data(as_text=True)
    assert f"{OPEN}The plan has been locked since the first after answers arrived (" in html
