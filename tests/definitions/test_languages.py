"""Surveys in several languages: `languages`, texts as {lang: text}, `in_language`, the
phrasebook's fixed words, warnings for missing texts, and lossless round trips."""

from __future__ import annotations

import pytest

from forms.definition import (
    DefinitionError,
    check_files,
    parse_survey,
    retro_labels,
    survey_from_dict,
)
from forms.scales import DONT_KNOW, SCALES
from forms.wording import LANGUAGES, PHRASES, SCALE_LABELS, phrase, scale_labels

BILINGUAL = """\
code: club_cy
title:
  en: Science club
  cy: Clwb gwyddoniaeth
audience: pupil
languages: [en, cy]
intro: {en: Tell us what you think., cy: Dywed wrthon ni beth wyt ti'n feddwl.}
questions:
  - code: enjoy
    text:
      en: Do you like science?
      cy: Wyt ti'n hoffi gwyddoniaeth?
    scale: faces3
    dont_know: true
  - code: best
    text: Which did you like best?
    scale: choice
    options:
      - code: rockets
        label: {en: Rockets, cy: Rocedi}
      - code: slime
        label: Slime
  - code: sure
    text:
      en: How sure are you?
      cy: Pa mor siŵr wyt ti?
    scale: faces3
    retrospective: true
    labels:
      1: {en: Not sure, cy: Ddim yn siŵr}
      3: Sure
"""


def test_in_language_gives_a_plain_welsh_survey_with_fallbacks():
    survey = parse_survey(BILINGUAL)
    assert survey.languages == ("en", "cy")
    assert survey.title == "Science club"  # the plain fields stay the default language
    cy = survey.in_language("cy")
    assert (cy.title, cy.languages, cy.translations) == ("Clwb gwyddoniaeth", ("cy",), ())
    assert cy.intro == "Dywed wrthon ni beth wyt ti'n feddwl."
    enjoy, best, sure = cy.questions
    assert enjoy.text == "Wyt ti'n hoffi gwyddoniaeth?"
    assert [o.label for o in enjoy.options] == list(SCALE_LABELS["cy"]["faces3"])
    assert enjoy.label(DONT_KNOW) == "Dwi ddim yn gwybod"
    # Missing in Welsh: the English text, never an empty one.
    assert best.text == "Which did you like best?"
    assert [o.label for o in best.options] == ["Rocedi", "Slime"]
    # An override missing in Welsh falls back to the English override, not the phrasebook.
    assert [o.label for o in sure.options] == ["Ddim yn siŵr", "Ychydig bach", "Sure"]
    assert sure.code == "sure"
    assert sure.columns == ("sure_then", "sure_now")
    en = survey.in_language("en")
    assert [o.label for o in en.questions[0].options] == ["No", "A bit", "Yes"]
    assert en.questions[0].label(DONT_KNOW) == "I don't know"
    assert survey.in_language("pl") == en  # not declared: the default language


def test_translations_survive_the_stored_form_and_yaml_losslessly():
    survey = parse_survey(BILINGUAL)
    stored = survey.to_dict()
    assert stored["languages"] == ["en", "cy"]
    assert stored["title"] == {"en": "Science club", "cy": "Clwb gwyddoniaeth"}
    assert stored["questions"][2]["labels"] == {"1": {"en": "Not sure", "cy": "Ddim yn siŵr"},
                                                "3": "Sure"}
    for again in (survey_from_dict(stored), parse_survey(survey.to_yaml())):
        assert again == survey
        assert again.fingerprint == survey.fingerprint
        assert again.in_language("cy") == survey.in_language("cy")
    cy = survey.in_language("cy")
    assert parse_survey(cy.to_yaml()) == cy  # a one-language survey in Welsh is valid too
    assert survey.fingerprint != parse_survey(BILINGUAL.replace("Rocedi", "Roced")).fingerprint


def test_an_english_only_survey_writes_no_languages():
    plain = parse_survey("code: a\ntitle: Club\naudience: pupil\nquestions:\n  - code: a\n"
                         "    text: {en: Hello}\n    scale: yesno\n")
    assert plain.languages == ("en",)
    assert plain.to_dict() == {"code": "a", "title": "Club", "audience": "pupil", "questions": [
        {"code": "a", "text": "Hello", "scale": "yesno"}]}


def test_welsh_first_survey_has_welsh_fixed_words_by_default():
    survey = parse_survey("code: a\ntitle: Arolwg\naudience: pupil\nlanguages: [cy, en]\n"
                          "questions:\n  - code: q\n    text: {cy: \"Wyt ti'n hapus?\", en: \"Are "
                          "you happy?\"}\n    scale: faces5\n    dont_know: true\n")
    q = survey.questions[0]
    assert q.text == "Wyt ti'n hapus?"
    assert [o.label for o in q.options] == list(SCALE_LABELS["cy"]["faces5"])
    assert q.label(DONT_KNOW) == phrase("dont_know", "cy")
    en = survey.in_language("en").questions[0]
    assert (en.text, en.options[0].label) == ("Are you happy?", "Not at all")
    assert survey_from_dict(survey.to_dict()) == survey


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ("[en, cy]", "[en, welsh]", 6, "unknown language code 'welsh'"),
    ("[en, cy]", "[en, en]", 6, "listed twice"),
    ("[en, cy]", "cy", 6, "'languages' must be a list"),
    ("cy: Rocedi", "fr: Rocedi", 20, "'label' is given in 'fr'"),
    ("      en: Do you like science?\n", "", 10, "'text' has no 'en' text"),
])
def test_bad_languages_are_problems_naming_the_line(old, new, line, words):
    with pytest.raises(DefinitionError) as err:
        parse_survey(BILINGUAL.replace(old, new), "club.yaml")
    found = [p for p in err.value.problems if words in p.message]
    assert found, [str(p) for p in err.value.problems]
    assert found[0].line == line, str(found[0])
    assert not found[0].warning


def test_mapping_keys_must_be_declared_languages():
    english_only = BILINGUAL.replace("languages: [en, cy]\n", "")
    with pytest.raises(DefinitionError) as err:
        parse_survey(english_only, "club.yaml")
    assert "club.yaml:4: title: 'title' is given in 'cy', which is not one of the survey's " \
        "languages (en)" in str(err.value)


def test_missing_languages_are_warnings_with_lines_and_the_survey_loads(tmp_path):
    path = tmp_path / "club.yaml"
    path.write_text(BILINGUAL)
    assert check_files([path]) == []  # loading is not refused
    warnings = check_files([path], warnings=True)
    assert all(w.warning for w in warnings)
    assert [(w.line, w.question, w.field) for w in warnings] == [
        (16, "best", "text"), (22, "best", "label"), (31, "sure", "label")]
    assert str(warnings[0]) == (f"{path}:16: warning: question 'best': 'text' has no cy text "
                                "(it shows in 'en' instead)")


def test_a_language_without_a_phrasebook_warns_about_fixed_scale_words():
    polish = BILINGUAL.replace("[en, cy]", "[en, cy, pl]")
    warnings: list = []
    survey = parse_survey(polish, "club.yaml", warnings)
    said = [str(w) for w in warnings if "phrasebook" in w.message]
    assert len(said) == 2
    assert "no pl words for scale 'faces3'" in said[0]
    assert survey.in_language("pl").questions[0].options[0].label == "No"


def test_the_phrasebook_has_welsh_for_every_fixed_word():
    for scale in SCALES.values():
        if scale.codes:
            cy = scale_labels(scale.name, "cy")
            assert len(cy) == len(scale.codes), scale.name
            assert cy != scale.labels, scale.name
    assert all("cy" in words and "en" in words for words in PHRASES.values())
    for key, words in PHRASES.items():  # the same {fields} in every language
        assert sorted(_fields(words["cy"])) == sorted(_fields(words["en"])), key
    assert retro_labels("cy") != retro_labels("en")
    assert retro_labels("pl") == retro_labels("en")
    assert phrase("page_of", "cy", page=1, total=2) == "Tudalen 1 o 2"
    assert LANGUAGES["cy"] == "Cymraeg"


def _fields(text: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(text) if f]
