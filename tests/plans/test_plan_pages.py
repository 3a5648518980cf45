"""The plan pages as a coordinator and a teacher use them: writing a plan from the bank,
locking, amendments with reasons, allocation, downloads, results by outcome."""

from __future__ import annotations

import pypdfium2 as pdfium
import yaml

from survey_app.admin.operations import create_collection
from survey_app.answer.operations import record_response
from survey_app.extensions import db
from survey_app.plans.operations import amendments, plan_for
from tests.conftest import csrf_from, login_as, make_user


def _post(client, path: str, data: dict, **kw):
    token = csrf_from(client.get("/plan/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, **kw)


def _pdf_text(data: bytes) -> tuple[int, str]:
    with pdfium.PdfDocument(data) as doc:
        return len(doc), "\n".join(p.get_textpage().get_text_range() for p in doc)


def _gid(classes, school: str, group: str) -> str:
    return str(classes[(school, group)].group_id)


def _all_groups(classes) -> list[str]:
    return [str(c.group_id) for c in classes.values()]


def _write_plan(client, classes):
    _post(client, "/plan/edit", {"evaluation_question": "Does the partnership make science "
                                 "more popular?", "time_point": ["before", "after"]})
    _post(client, "/plan/question", {"question_text": "Do pupils enjoy science more?"})
    resp = _post(client, "/plan/outcome", {
        "under_question": "do_pupils_enjoy_science_more", "outcome_title": "Pupils enjoy "
        "science more", "category": "", "primary": "yes", "indicator_text": "Share who "
        "enjoy science a lot", "measure": ["pupil_attitudes_7_11:enjoy",
                                           "pupil_attitudes_7_11:fun_lessons"]},
        follow_redirects=True)
    assert "Outcome &#39;Pupils enjoy science more&#39; added." in resp.get_data(as_text=True)
    _post(client, "/plan/indicator", {"outcome_code": "pupils_enjoy_science_more",
                                      "indicator_text": "Teachers see more hands up",
                                      "written": "Teachers' observation log"})
    _post(client, "/plan/groups", {
        "groups_form": "1",
        f"arm-{_gid(classes, 'Alderley Primary', 'Year 5 Ash')}": "comparison",
        f"arm-{_gid(classes, 'Alderley Primary', 'Year 5 Oak')}": "taking_part"})


def test_coordinator_writes_a_plan_from_the_bank(app, partnership, classes,
                                                 coordinator_client):
    _write_plan(coordinator_client, classes)
    body = plan_for(partnership.id).body
    [outcome] = [o for q in body["questions"] for o in q["outcomes"]]
    assert outcome["category"] == "pupils_attitudes"  # suggested by the bank's `measures`
    assert outcome["primary"] is True
    assert outcome["indicators"][0]["measures"] == [
        {"survey": "pupil_attitudes_7_11", "question": "enjoy"},
        {"survey": "pupil_attitudes_7_11", "question": "fun_lessons"}]
    assert outcome["indicators"][1]["measures"] == [{"text": "Teachers' observation log"}]
    assert [(g["group"], g["arm"]) for g in body["groups"]] == [
        ("Year 5 Ash", "comparison"), ("Year 5 Oak", "taking_part")]
    page = coordinator_client.get("/plan/").get_data(as_text=True)
    assert "I enjoy science." in page
    assert "Not locked yet" in page
    pages, text = _pdf_text(coordinator_client.get("/plan/plan.pdf").get_data())
    assert pages == 1
    assert "Pupils enjoy science more" in text
    assert "I enjoy science." in text
    exported = yaml.safe_load(coordinator_client.get("/plan/plan.yaml").get_data(as_text=True))
    assert exported["questions"] == body["questions"]


def test_teacher_reads_but_cannot_change(app, partnership, classes, coordinator_client):
    _write_plan(coordinator_client, classes)
    teacher = make_user(partnership, "t@alder.example.org", "teacher", "Alderley Primary")
    before = plan_for(partnership.id).body_json
    with app.app_context():  # Flask-WTF keeps the CSRF token in `g`: a fresh one
        client = app.test_client()
        login_as(client, teacher.email)
        page = client.get("/plan/").get_data(as_text=True)
        assert "Pupils enjoy science more" in page
        assert "Change the plan" not in page
        for path in ("/plan/edit", "/plan/question", "/plan/primary", "/plan/groups",
                     "/plan/outcome/remove", "/plan/allocate"):
            resp = _post(client, path, {"evaluation_question": "Hijacked",
                                        "question_text": "x", "primary_form": "1",
                                        "outcome_code": "pupils_enjoy_science_more",
                                        "unit": "class"})
            assert resp.status_code == 403, path
    db.session.expire_all()
    assert plan_for(partnership.id).body_json == before


def test_locked_plan_asks_why_and_shows_amendments(app, partnership, classes,
                                                   coordinator_client):
    _write_plan(coordinator_client, classes)
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    record_response(after, {"enjoy": "5"}, source="web", submission_key="a1")
    page = coordinator_client.get("/plan/").get_data(as_text=True)
    assert "Locked since" in page
    assert 'name="why"' in page
    resp = _post(coordinator_client, "/plan/primary", {"primary_form": "1"},
                 follow_redirects=True)
    assert "say why" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert amendments(plan_for(partnership.id)) == []
    resp = _post(coordinator_client, "/plan/primary",
                 {"primary_form": "1", "why": "Enjoyment is now secondary, agreed with the "
                  "funder."}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "Kept as a dated amendment." in html
    assert "agreed with the funder" in html
    assert "primary outcome changed" in html


def test_allocation_from_the_page_is_stored_printed_and_repeatable(app, partnership, classes,
                                                                   coordinator_client):
    data = {"unit": "class", "stratify": "yes", "seed": "2026",
            "alloc_group": _all_groups(classes)}
    resp = _post(coordinator_client, "/plan/allocate", data, follow_redirects=True)
    assert "Allocated with seed 2026" in resp.get_data(as_text=True)
    first = plan_for(partnership.id).body["groups"]
    _post(coordinator_client, "/plan/allocate", data)
    db.session.expire_all()
    assert plan_for(partnership.id).body["groups"] == first
    for school in ("Alderley Primary", "Birch Primary"):
        arms = sorted(g["arm"] for g in first if g["school"] == school)
        assert arms == ["comparison", "taking_part"]
    pages, text = _pdf_text(coordinator_client.get("/plan/allocation.pdf").get_data())
    assert "Seed 2026" in text
    assert "Birch Primary" in text
    page = coordinator_client.get("/plan/").get_data(as_text=True)
    assert "seed 2026" in page
    report = coordinator_client.get("/results/report").get_data(as_text=True)
    assert ("The classes were allocated at random within each school to take part or to be "
            "the comparison group") in report
    assert "(2 taking part, 2 comparison; seed 2026" in report


def test_results_by_outcome_page(app, partnership, classes, coordinator_client):
    assert "no evaluation plan yet" in coordinator_client.get("/plan/results").get_data(
        as_text=True)
    _write_plan(coordinator_client, classes)
    oak = classes[("Alderley Primary", "Year 5 Oak")]
    after = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                              school_name="Alderley Primary", group_name="Year 5 Oak",
                              phase="after")
    db.session.commit()
    for n in range(1, 9):
        record_response(oak, {"enjoy": "2"}, source="web", submission_key=f"b{n}",
                        pupil_number=n)
        record_response(after, {"enjoy": "5"}, source="web", submission_key=f"a{n}",
                        pupil_number=n)
    html = coordinator_client.get("/plan/results").get_data(as_text=True)
    assert "Pupils enjoy science more" in html
    assert "primary outcome" in html
    assert "<svg" in html
    assert "Teachers&#39; observation log" in html


def test_a_teacher_sees_only_their_own_schools_groups(app, partnership, classes,
                                                      coordinator_client):
    _post(coordinator_client, "/plan/allocate", {"unit": "class", "seed": "5",
                                                 "alloc_group": _all_groups(classes)})
    teacher = make_user(partnership, "t@birch.example.org", "teacher", "Birch Primary")
    with app.app_context():
        client = app.test_client()
        login_as(client, teacher.email)
        page = client.get("/plan/").get_data(as_text=True)
        assert "Year 6 Elm" in page
        assert "Alderley" not in page
        assert "Year 5 Oak" not in page
        text = client.get("/plan/plan.yaml").get_data(as_text=True)
        assert "Year 6 Yew" in text
        assert "Alderley" not in text
        _pages, pdf = _pdf_text(client.get("/plan/allocation.pdf").get_data())
        assert "Birch Primary" in pdf
        assert "Alderley" not in pdf
        _pages, pdf = _pdf_text(client.get("/plan/plan.pdf").get_data())
        assert "Alderley" not in pdf


def test_coordinator_renames_recategorises_and_drops_an_indicator(app, partnership, classes,
                                                                  coordinator_client):
    _write_plan(coordinator_client, classes)
    resp = _post(coordinator_client, "/plan/outcome/change", {
        "outcome_code": "pupils_enjoy_science_more", "new_title": "Pupils enjoy science",
        "new_category": "own", "drop_indicator": "1"}, follow_redirects=True)
    assert "Outcome &#39;Pupils enjoy science&#39; changed." in resp.get_data(as_text=True)
    db.session.expire_all()
    [outcome] = [o for q in plan_for(partnership.id).body["questions"] for o in q["outcomes"]]
    assert outcome["title"] == "Pupils enjoy science"
    assert outcome["category"] == "own"
    assert [i["text"] for i in outcome["indicators"]] == ["Share who enjoy science a lot"]
