"""Every kind of mistake in a survey file gives its message, with the file and the line."""

from __future__ import annotations

import pytest

from forms.definition import DefinitionError, load_survey, parse_survey

HEAD = """code: club
title: Science club
audience: pupil
questions:
"""
OK_QUESTION = "  - code: enjoy\n    text: Did you enjoy it?\n    scale: faces3\n"


def problems(text: str, file: str = "club.yaml") -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_survey(text, file)
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return [str(p) for p in info.value.problems]


# (kind, questions text after HEAD, expected message). Line 5 is the first question's code.
CASES = [
    ("duplicate code", OK_QUESTION + OK_QUESTION,
     "club.yaml:8: question 'enjoy': duplicate code 'enjoy' (first used on line 5)"),
    ("empty text", "  - code: enjoy\n    text: '  '\n    scale: faces3\n",
     "club.yaml:6: question 'enjoy': 'text' is empty"),
    ("unknown scale", "  - code: enjoy\n    text: Fun?\n    scale: faces4\n",
     "club.yaml:7: question 'enjoy': unknown scale 'faces4' (expected one of faces3, faces5, "
     "agree5, confidence5, satisfied5, likely0to10, yesno, choice, multi, number, text)"),
    ("bad option code", "  - code: pet\n    text: Pet?\n    scale: choice\n    options:\n"
     "      - {code: Big Dog, label: Dog}\n      - {code: cat, label: Cat}\n",
     "club.yaml:9: question 'pet': bad option code 'Big Dog' (use lower-case letters, "
     "digits and _)"),
    ("duplicate option", "  - code: pet\n    text: Pet?\n    scale: choice\n    options:\n"
     "      - {code: cat, label: Cat}\n      - {code: cat, label: Kitten}\n",
     "club.yaml:10: question 'pet': option code 'cat' is used twice"),
    ("too few options", "  - code: pet\n    text: Pet?\n    scale: multi\n    options: [cat]\n",
     "club.yaml:8: question 'pet': scale 'multi' needs a list of at least 2 'options'"),
    ("reserved code", "  - code: school\n    text: Which school?\n    scale: text\n",
     "club.yaml:5: question 'school': code 'school' is reserved for the export's own columns"),
    ("code ending _then", "  - code: fun_then\n    text: Fun?\n    scale: faces3\n",
     "club.yaml:5: question 'fun_then': a code may not end in _then or _now (retrospective "
     "items add those)"),
    ("code ending _now", "  - code: fun_now\n    text: Fun?\n    scale: faces3\n",
     "club.yaml:5: question 'fun_now': a code may not end in _then or _now (retrospective "
     "items add those)"),
    ("bad code", "  - code: Enjoy It\n    text: Fun?\n    scale: faces3\n",
     "club.yaml:5: question 'Enjoy It': bad code 'Enjoy It': use a lower-case letter, then "
     "letters, digits or _"),
    ("unknown field", "  - code: enjoy\n    text: Fun?\n    scale: faces3\n    colour: red\n",
     "club.yaml:8: question 'enjoy': unknown field 'colour' (expected one of code, text, scale, "
     "required, retrospective, options, labels, measures, ages, source, max, dont_know, "
     "origin, pilot_n)"),
    ("dont_know on a scale without it", "  - code: ok\n    text: Agree?\n    scale: agree5\n"
     "    dont_know: true\n",
     "club.yaml:8: question 'ok': scale 'agree5' has no \"I don't know\" answer (only faces3, "
     "faces5 do)"),
    ("labels naming an unknown code", "  - code: enjoy\n    text: Fun?\n    scale: faces3\n"
     "    labels:\n      3: Yes!\n      4: Hooray\n",
     "club.yaml:10: question 'enjoy': 'labels' names code '4', which scale 'faces3' does not "
     "have (its codes are 1, 2, 3)"),
    ("retrospective on a non-rating scale", "  - code: pet\n    text: Pet?\n    scale: yesno\n"
     "    retrospective: true\n",
     "club.yaml:8: question 'pet': scale 'yesno' cannot be asked retrospectively (use a rating "
     "scale such as faces3 or confidence5)"),
    ("non-boolean required", "  - code: enjoy\n    text: Fun?\n    scale: faces3\n"
     "    required: 'yes please'\n",
     "club.yaml:8: question 'enjoy': 'required' must be true or false, not 'yes please'"),
    ("missing scale", "  - code: enjoy\n    text: Fun?\n",
     "club.yaml:5: question 'enjoy': 'scale' is missing (expected one of faces3, faces5, "
     "agree5, confidence5, satisfied5, likely0to10, yesno, choice, multi, number, text)"),
]


@pytest.mark.parametrize(("questions", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_mistake_has_its_message(questions, message):
    assert message in problems(HEAD + questions)


def test_too_many_questions_for_pupils():
    many = "".join(f"  - code: q{i}\n    text: Question {i}?\n    scale: faces3\n"
                   for i in range(13))
    assert problems(HEAD + many) == [
        "club.yaml:4: questions: 13 questions is too many for a pupil survey (at most 12; "
        "children tire quickly)"]
    assert len(parse_survey(HEAD + many.replace("  - code: q12\n    text: Question 12?\n"
                                                "    scale: faces3\n", "")).questions) == 12


def test_teacher_surveys_may_be_longer():
    many = "".join(f"  - code: q{i}\n    text: Question {i}?\n    scale: agree5\n"
                   for i in range(13))
    assert len(parse_survey(HEAD.replace("pupil", "teacher") + many).questions) == 13


@pytest.mark.parametrize(("text", "message"), [
    ("code: [club\n", "club.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"),
    ("code: club\n\ttitle: x\n", "club.yaml:2: not valid YAML:"),
    ("", "club.yaml:1: the file is empty"),
    ("# only a comment\n", "club.yaml:1: the file is empty"),
    ("- enjoy\n- learn\n", "club.yaml:1: a survey file must be a mapping with code, title, "
     "audience and questions"),
    ("just some words\n", "club.yaml:1: a survey file must be a mapping"),
    (HEAD.replace("title: Science club\n", "") + OK_QUESTION, "club.yaml:1: title: 'title' is "
     "empty"),
    (HEAD.replace("pupil", "pupils") + OK_QUESTION, "club.yaml:3: audience: unknown audience "
     "'pupils' (expected pupil, teacher, school or parent)"),
    (HEAD + "  []\n", "club.yaml:4: questions: 'questions' must be a list with at least one "
     "question"),
    ("colour: red\n" + HEAD + OK_QUESTION, "club.yaml:1: colour: unknown field 'colour'"),
], ids=["invalid YAML", "tab indent", "empty file", "only a comment", "a list",
        "a scalar", "missing title", "unknown audience", "no questions", "unknown top field"])
def test_whole_file_mistakes(text, message):
    assert any(p.startswith(message) for p in problems(text)), problems(text)


def test_every_problem_is_listed_not_just_the_first():
    text = HEAD + ("  - code: a\n    text: ''\n    scale: faces9\n"
                   "  - code: a_now\n    text: Now?\n    scale: faces3\n    extra: 1\n")
    found = problems(text)
    assert len(found) == 4
    assert sorted(int(p.split(":")[1]) for p in found) == [6, 7, 8, 11]


def test_load_survey_names_the_path(tmp_path):
    path = tmp_path / "club.yaml"
    path.write_text(HEAD + "  - code: enjoy\n    text: Fun?\n    scale: faces4\n")
    with pytest.raises(DefinitionError) as info:
        load_survey(path)
    assert str(info.value).startswith(f"{path}:7: question 'enjoy': unknown scale 'faces4'")


def test_load_survey_refuses_non_utf8_and_missing_files(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes((HEAD + "  - code: enjoy\n    text: Café?\n    scale: faces3\n")
                     .encode("latin-1"))
    with pytest.raises(DefinitionError, match="not UTF-8"):
        load_survey(path)
    with pytest.raises(DefinitionError, match="cannot read the file"):
        load_survey(tmp_path / "missing.yaml")
