"""The builder edits a survey's first language and carries the others through: kept while
the words they translate are unchanged, dropped (so `forms check` warns) once reworded."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from forms.definition import check_files, load_survey, parse_survey
from survey_app.builder.operations import Draft, DraftQuestion
from tests.conftest import BANK


def _posted(draft: Draft) -> Draft:
    """The draft as the builder page posts it back (every field, the hidden ones too)."""
    form = MultiDict({"code": draft.code, "title": draft.title, "audience": draft.audience,
                      "intro": draft.intro, "ages": draft.ages,
                      "description": draft.description, "i18n": draft.i18n()})
    for i, q in enumerate(draft.questions):
        form.update({f"q-{i}-text": q.text, f"q-{i}-code": q.code, f"q-{i}-scale": q.scale,
                     f"q-{i}-options": q.options_text, f"q-{i}-meta": q.meta()})
        if q.retrospective:
            form[f"q-{i}-retrospective"] = "on"
    return Draft.from_form(form)


def test_welsh_survives_the_builder_and_goes_stale_when_reworded(tmp_path):
    bank = load_survey(BANK / "light_check.yaml")
    draft = _posted(Draft.from_survey(bank))
    assert parse_survey(draft.to_yaml()) == bank
    draft.questions[0].text = "Which of these gives out its own light?"
    draft.questions[1].options_text = draft.questions[1].options_text.replace(
        "Light bends", "Light curls round")
    draft.title = "Light: a quick check"
    again = _posted(draft)
    path = tmp_path / "light_check.yaml"
    path.write_text(again.to_yaml())
    survey = load_survey(path)
    cy = survey.in_language("cy")
    assert cy.questions[0].text == "Which of these gives out its own light?"  # stale: gone
    assert cy.questions[1].text == "Beth sy'n gwneud cysgod?"  # untouched: kept
    assert [o.label for o in cy.questions[1].options] == [
        "Mae golau'n cael ei rwystro", "Light curls round", "Mae tywyllwch yn lledu"]
    assert cy.title == "Light: a quick check"
    assert cy.intro == bank.in_language("cy").intro
    said = {(w.question, w.field) for w in check_files([path], warnings=True)}
    assert said == {(None, "title"), ("own_light", "text"), ("shadow_made", "label")}


def test_a_bank_question_keeps_its_welsh_only_in_a_welsh_survey():
    enjoy = load_survey(BANK / "pupil_attitudes_7_11.yaml").question("enjoy")
    q = DraftQuestion.from_question(enjoy)
    assert q.to_dict([])["text"] == "I enjoy science."
    assert q.to_dict(["en", "cy"])["text"] == {"en": "I enjoy science.",
                                               "cy": "Dwi'n mwynhau gwyddoniaeth."}
    english = Draft(code="club", title="Club", questions=[q])
    assert parse_survey(english.to_yaml()).languages == ("en",)


def test_an_uploaded_file_with_its_languages_in_another_order_keeps_its_default():
    text = ("code: clwb\ntitle: {en: Club, cy: Clwb}\naudience: pupil\nlanguages: [cy, en]\n"
            "questions:\n  - code: q\n    text: {en: \"Happy?\", cy: \"Hapus?\"}\n"
            "    scale: yesno\n")
    from forms.definition import read_yaml

    draft = Draft.from_raw(read_yaml(text))
    assert (draft.title, draft.questions[0].text) == ("Clwb", "Hapus?")
    assert parse_survey(draft.to_yaml()) == parse_survey(text)
