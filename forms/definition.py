"""Survey definitions: parse a YAML file into a validated, immutable `SurveyDefinition`.

Every error names the file, the line and the field, because the people who fix these
files are teachers with a text editor, not programmers with a debugger.

This module is the public face callers import from; the code lives along its seams:

    forms.rules            what a file may say: audiences, codes, fields, limits, measures,
                           origins, and the retrospective columns (THEN/NOW, retro_*)
    forms.survey_types     the values: Option, Question, SurveyDefinition, survey_mapping,
                           as_written
    forms.survey_yaml      YAML that remembers its lines (anchors/aliases and deep nesting
                           refused), Problem and DefinitionError
    forms.checker          Checker (problems, warnings, texts in each language), survey_languages
    forms.question_checks  one question: code, scale, options, labels, max, evidence
    forms.validation       parse_survey, read_yaml, load_survey, survey_from_dict, check_files

New code may import from those modules directly; names here stay for the existing callers.
"""

from __future__ import annotations

from forms.rules import (  # noqa: F401 (re-exported)
    AUDIENCES,
    CODE_RE,
    MAX_FILE_BYTES,
    MAX_PILOT_N,
    MAX_PUPIL_QUESTIONS,
    MAX_QUESTIONS,
    MAX_TEXT_CHARS,
    MEASURES,
    NOW,
    OPTION_CODE_RE,
    OPTION_KEYS,
    ORIGINS,
    QUESTION_KEYS,
    RESERVED_CODES,
    RETRO_LABELS,
    RETRO_SHORT,
    RETRO_SUFFIXES,
    SURVEY_KEYS,
    SURVEY_TEXTS,
    THEN,
    retro_columns,
    retro_labels,
    retro_part,
)
from forms.scales import (  # noqa: F401 (re-exported)
    DONT_KNOW,
    MULTI,
    NUMBER,
    NUMBER_MAX,
    NUMBER_MAX_LIMIT,
    SCALES,
    SINGLE,
    TEXT,
    Scale,
)
from forms.survey_types import (  # noqa: F401 (re-exported)
    Option,
    Question,
    SurveyDefinition,
    Texts,
    as_written,
    survey_mapping,
)
from forms.survey_yaml import (  # noqa: F401 (re-exported)
    ALIASES_REFUSED,
    DefinitionError,
    Problem,
)
from forms.validation import (  # noqa: F401 (re-exported)
    check_files,
    load_survey,
    parse_survey,
    read_yaml,
    survey_from_dict,
)
from forms.wording import (  # noqa: F401 (re-exported)
    DEFAULT_LANGUAGE,
    LANGUAGE_CODE_RE,
    LANGUAGES,
    has_phrasebook,
    phrase,
    scale_labels,
)

__all__ = [
    "AUDIENCES", "MULTI", "NUMBER", "ORIGINS", "SINGLE", "TEXT", "DefinitionError", "Option",
    "Problem", "Question", "SurveyDefinition", "Texts", "check_files", "load_survey",
    "parse_survey", "read_yaml", "retro_labels", "survey_from_dict",
]
