from sqlalchemy import select

from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.models import Answer, Response


def test_record_response_is_idempotent(app, loaded_bank):
    from survey_app.admin.operations import create_collection, resolve_partnership

    p = resolve_partnership(None)
    c = create_collection(p, survey_code="pupil_attitudes_5_7", school_name="Oak Primary",
                          group_name="Year 2", phase="before")
    db.session.commit()
    r1, created1 = record_response(c, {"enjoy": "3", "good_at": "1"}, source="web",
                                   submission_key="abc")
    r2, created2 = record_response(c, {"enjoy": "1"}, source="web", submission_key="abc")
    assert (created1, created2) == (True, False)
    assert r1.id == r2.id
    assert db.session.scalar(select(db.func.count()).select_from(Response)) == 1
    stored = dict(db.session.execute(select(Answer.question_code, Answer.value)).all())
    assert stored == {"enjoy": "3", "good_at": "1"}


def test_login_required_for_dashboard(client):
    resp = client.get("/admin/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
