"""Whatever a teacher's editor saves, parsing gives a Survey or a DefinitionError: never a
crash that would show a traceback instead of a message."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.definition import QUESTION_KEYS, DefinitionError, SurveyDefinition, parse_survey
from forms.scales import SCALES

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

#: Words a survey file uses, so generated structures often get deep into validation.
WORDS = st.sampled_from([*SCALES, *QUESTION_KEYS, "pupil", "teacher", "school", "a", "b_now",
                         "school", "1", "0", "4", "label", "yes", ""])
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 120), st.floats(), st.dates(),
                 st.text(max_size=12), WORDS)
VALUE = st.recursive(
    LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                  st.dictionaries(st.one_of(WORDS, LEAF), inner, max_size=4)),
    max_leaves=8)
QUESTION = st.dictionaries(st.one_of(st.sampled_from(QUESTION_KEYS), LEAF), VALUE, max_size=8)
SURVEY = st.fixed_dictionaries(
    {"code": st.one_of(WORDS, VALUE), "title": VALUE,
     "audience": st.one_of(st.sampled_from(["pupil", "teacher", "school", "parent"]), VALUE),
     "questions": st.one_of(st.lists(st.one_of(QUESTION, VALUE), max_size=14), VALUE)},
    optional={"intro": VALUE, "ages": VALUE, "description": VALUE, "colour": VALUE})


def _parse(text: str) -> SurveyDefinition | DefinitionError:
    try:
        return parse_survey(text, "fuzz.yaml")
    except DefinitionError as exc:
        return exc


def _parses_or_explains(text: str) -> None:
    result = _parse(text)
    if isinstance(result, DefinitionError):
        assert result.problems
        assert all(str(p).startswith("fuzz.yaml") for p in result.problems)
        return
    assert isinstance(result, SurveyDefinition)
    # Anything accepted must survive its own round trip.
    assert parse_survey(result.to_yaml()).fingerprint == result.fingerprint


@SETTINGS
@given(st.text(max_size=400))
def test_any_text(text):
    _parses_or_explains(text)


@SETTINGS
@given(VALUE)
def test_any_yaml_structure(data):
    _parses_or_explains(yaml.safe_dump(data, allow_unicode=True))


@SETTINGS
@given(SURVEY)
def test_any_survey_shaped_structure(data):
    _parses_or_explains(yaml.safe_dump(data, allow_unicode=True))


def test_hostile_yaml_is_refused_politely():
    for text in ["!!python/object/apply:os.system ['true']", "a: &x [*x, *x]",
                 "? [a, b]\n: c", "%YAML 1.1\n---\na: 1\n---\nb: 2\n", "a: !!binary AAAA",
                 "[" * 50 + "]" * 50, "code: x\n" * 3, "\x00", "\ufeffcode: x"]:
        _parses_or_explains(text)


def test_deep_nesting_is_an_error_not_a_recursion_crash():
    for depth in (30, 1000):
        result = _parse("questions: " + "[" * depth + "]" * depth)
        assert isinstance(result, DefinitionError)
        assert str(result).startswith("fuzz.yaml")
