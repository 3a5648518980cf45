"""The set-up pages as a coordinator meets them (issue 16, "Set-up pages, smoothed"):
pairing within one class, the pupil-number default, an "after" with no "before", the
builder's link arriving with its survey chosen, and a favicon."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey_app.admin.operations import SetupError, create_collection, title_names_ages
from survey_app.admin.views import asks_pupil_number_by_default
from survey_app.extensions import db
from survey_app.models import Collection, Survey
from tests.conftest import csrf_from

NEW = "/admin/collections/new"


@pytest.fixture
def classes(app, partnership, loaded_bank):
    """Before-collections: Oak's Year 5 (two surveys) and Birch's Year 5 (same name)."""
    made = {}
    for key, school, survey in (("oak", "Oak Primary", "pupil_attitudes_7_11"),
                                ("oak_other", "Oak Primary", "workshop_knowledge"),
                                ("birch", "Birch Academy", "pupil_attitudes_7_11")):
        made[key] = create_collection(partnership, survey_code=survey, school_name=school,
                                      group_name="Year 5", phase="before")
    db.session.commit()
    return made


def _options(html: str, select_id: str) -> dict[str, str]:
    """value -> the whole <option ...> tag, for one <select>."""
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert block, f"no select #{select_id}"
    return {m.group(1): m.group(0)
            for m in re.finditer(r'<option[^>]*value="([^"]*)"[^>]*>', block.group(1))}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Collection))


def test_pair_options_name_their_survey_school_and_class(coordinator_client, classes):
    html = coordinator_client.get(NEW).get_data(as_text=True)
    pairs = _options(html, "pair_with")
    oak = pairs[str(classes["oak"].id)]
    assert 'data-survey="pupil_attitudes_7_11"' in oak
    assert 'data-school="Oak Primary"' in oak
    assert 'data-group="Year 5"' in oak
    assert 'data-school="Birch Academy"' in pairs[str(classes["birch"].id)]
    assert 'new_collection.js' in html  # the script that filters on them


def test_pairing_across_classes_is_refused(app, partnership, classes):
    with pytest.raises(SetupError, match="same class"):
        create_collection(partnership, survey_code="pupil_attitudes_7_11",
                          school_name="Birch Academy", group_name="Year 6", phase="after",
                          pair_with=classes["birch"].id)
    with pytest.raises(SetupError, match="same class"):  # same class name, other school
        create_collection(partnership, survey_code="pupil_attitudes_7_11",
                          school_name="Oak Primary", group_name="Year 5", phase="after",
                          pair_with=classes["birch"].id)
    db.session.rollback()
    same = create_collection(partnership, survey_code="pupil_attitudes_7_11",
                             school_name="Oak Primary", group_name="Year 5", phase="after",
                             pair_with=classes["oak"].id)
    assert same.paired_with_id == classes["oak"].id


def test_pupil_number_is_asked_by_default_for_pupil_before_and_after(app, loaded_bank):
    pupil = db.session.scalar(select(Survey).where(Survey.code == "pupil_attitudes_7_11"))
    teacher = db.session.scalar(select(Survey).where(Survey.code == "teacher_confidence"))
    assert asks_pupil_number_by_default(pupil, "before")
    assert asks_pupil_number_by_default(pupil, "after")
    assert not asks_pupil_number_by_default(pupil, "during")
    assert not asks_pupil_number_by_default(teacher, "before")


def test_the_form_starts_with_pupil_number_ticked(coordinator_client, loaded_bank):
    html = coordinator_client.get(NEW).get_data(as_text=True)
    box = re.search(r'<input[^>]*id="ask_pupil_number"[^>]*>', html).group(0)
    assert "checked" in box
    audiences = _options(html, "survey")
    assert 'data-audience="teacher"' in audiences["teacher_confidence"]
    teacher = coordinator_client.get(f"{NEW}?survey=teacher_confidence").get_data(as_text=True)
    assert "checked" not in re.search(r'<input[^>]*id="ask_pupil_number"[^>]*>',
                                      teacher).group(0)


def test_the_builders_link_arrives_with_the_survey_chosen(coordinator_client, loaded_bank):
    html = coordinator_client.get(f"{NEW}?survey=workshop_knowledge").get_data(as_text=True)
    assert "selected" in _options(html, "survey")["workshop_knowledge"]
    assert "selected" not in _options(html, "survey")["pupil_attitudes_7_11"]
    # An unknown code chooses nothing (and is not an error).
    html = coordinator_client.get(f"{NEW}?survey=nope").get_data(as_text=True)
    assert not any("selected" in tag for v, tag in _options(html, "survey").items() if v)


def test_builder_page_links_to_the_form_with_its_survey(coordinator_client, loaded_bank):
    html = coordinator_client.get("/admin/builder/?survey=workshop_knowledge").get_data(
        as_text=True)
    assert "Create a collection with" in html
    assert f"{NEW}?survey=workshop_knowledge" in html


def test_an_after_with_nothing_before_asks_first(coordinator_client, classes):
    page = coordinator_client.get(NEW).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "survey": "pupil_attitudes_7_11",
            "school": "Oak Primary", "group": "Year 6", "phase": "after"}
    before = _count()
    resp = coordinator_client.post(NEW, data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "no &#39;before&#39;" in html or "no 'before'" in html
    assert 'id="after_alone"' in html
    assert _count() == before
    resp = coordinator_client.post(NEW, data={**data, "after_alone": "y"})
    assert resp.status_code == 302
    assert _count() == before + 1


def test_an_after_of_a_class_with_a_before_does_not_ask(coordinator_client, classes):
    page = coordinator_client.get(NEW).get_data(as_text=True)
    before = _count()
    resp = coordinator_client.post(NEW, data={
        "csrf_token": csrf_from(page), "survey": "pupil_attitudes_7_11",
        "school": "Oak Primary", "group": "Year 5", "phase": "after"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    assert _count() == before + 1


def test_favicon_is_served(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200
    assert resp.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert resp.mimetype == "image/vnd.microsoft.icon"


def test_the_packs_file_name_names_the_school_and_class(coordinator_client, classes):
    c = classes["oak"]
    url = f"/admin/paper/collections/{c.id}/print"
    html = coordinator_client.get(url).get_data(as_text=True)
    resp = coordinator_client.post(url, data={"csrf_token": csrf_from(html), "kind": "pack",
                                              "copies": "2", "paper": "a4"})
    assert resp.mimetype == "application/pdf"
    name = re.search(r'filename="([^"]+)"', resp.headers["Content-Disposition"]).group(1)
    assert name.startswith("paper-oak-primary-year-5-"), name
    assert name.endswith(".pdf")
    assert name.isascii()


def test_print_form_marks_each_field_with_the_packs_that_use_it(coordinator_client, classes):
    html = coordinator_client.get(
        f"/admin/paper/collections/{classes['oak'].id}/print").get_data(as_text=True)
    numbers = re.search(r'<div data-show-for="([^"]+)">\s*<div class="field[^"]*">\s*'
                        r'<label for="numbers"', html)
    assert numbers, "the pupil-number field is wrapped"
    assert numbers.group(1).split() == ["numbered", "letters"]
    assert "print_form.js" in html


def test_a_title_that_says_its_ages_is_not_followed_by_them_again(coordinator_client,
                                                                   partnership):
    """A coordinator's own "Pupils 7-11" (ages 7-11) is listed as typed; a bank title, which
    does not say its ages, still gets them ("Me and science (ages 7-11)")."""
    from forms.definition import parse_survey
    from survey_app.admin.operations import load_survey_version
    from survey_app.results.report import survey_name

    load_survey_version(partnership, parse_survey(
        "code: own_7_11\ntitle: Pupils 7\u201311\naudience: pupil\nages: '7-11'\n"
        "questions:\n  - {code: q1, text: I like science., scale: faces3}\n"))
    create_collection(partnership, survey_code="own_7_11", school_name="Oak Primary",
                      group_name="Year 5", phase="before")
    db.session.commit()
    for url in ("/admin/", NEW, "/admin/surveys"):
        html = coordinator_client.get(url).get_data(as_text=True)
        assert "Pupils 7\u201311" in html, url
        assert "(ages 7" not in html, url
    survey = db.session.scalar(select(Survey).where(Survey.code == "own_7_11"))
    assert survey_name(survey) == "Pupils 7\u201311 (pupils)"
    assert not title_names_ages("Me and science", "7-11")
    assert not title_names_ages("Year 17-111", "7-11")  # digits around are other ages
