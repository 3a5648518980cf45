"""Survey files in, `SurveyDefinition` out: parse and validate a file, a text or a stored dict by
the same rules, listing every problem (file, line, field) in one `DefinitionError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from forms.checker import Checker, line_of, survey_languages
from forms.question_checks import check_question
from forms.rules import (
    AUDIENCES,
    CODE_RE,
    MAX_FILE_BYTES,
    MAX_PUPIL_QUESTIONS,
    MAX_QUESTIONS,
    SURVEY_KEYS,
)
from forms.survey_types import Question, SurveyDefinition
from forms.survey_yaml import DefinitionError, LinedList, LinedMap, Problem, compose_lined, lined


def parse_survey(text: str, file: str = "<survey>",
                 warnings: list[Problem] | None = None) -> SurveyDefinition:
    """Parse and validate one survey definition; raise `DefinitionError` listing every problem.
    Warnings (a text missing in one of the survey's languages) go to `warnings` if given."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(file, None, f"the file is larger than "
                                       f"{MAX_FILE_BYTES // 1024} KB; is it a survey?")])
    return _validate(compose_lined(text, file), file, warnings)


def read_yaml(text: str, file: str = "<survey>") -> Any:
    """A survey file's YAML as dicts and lists (not yet validated), refused as
    `parse_survey` refuses it: aliases, too deep, not YAML (for the builder's upload)."""
    return compose_lined(text, file)


def _validate(doc: Any, file: str, warnings: list[Problem] | None = None) -> SurveyDefinition:
    c = Checker(file)
    if not isinstance(doc, LinedMap):
        raise DefinitionError([Problem(file, getattr(doc, "line", 1), "a survey file must be a "
                                       "mapping with code, title, audience and questions")])
    for key in doc:
        if key not in SURVEY_KEYS:
            c.add(line_of(doc, key), f"unknown field '{key}' (expected one of "
                  f"{', '.join(SURVEY_KEYS)})", field=key)
    c.languages = survey_languages(c, doc)
    code = doc.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        c.add(line_of(doc, "code"), f"bad survey code {code!r}: use a lower-case letter, then "
              "letters, digits or _", field="code")
    title, title_texts = c.wording(doc.get("title"), line_of(doc, "title"), "title")
    audience = doc.get("audience")
    if audience not in AUDIENCES:
        c.add(line_of(doc, "audience"), f"unknown audience {audience!r} (expected "
              f"{', '.join(AUDIENCES[:-1])} or {AUDIENCES[-1]})", field="audience")
    intro, intro_texts = c.wording(doc.get("intro"), line_of(doc, "intro"), "intro",
                                   required=False)
    ages = c.text(doc.get("ages"), line_of(doc, "ages"), "ages", required=False)
    description, description_texts = c.wording(doc.get("description"),
                                               line_of(doc, "description"), "description",
                                               required=False)
    raw_questions = doc.get("questions")
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        c.add(line_of(doc, "questions"), "'questions' must be a list with at least one question",
              field="questions")
    else:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_questions):
            line = raw_questions.lines[i] if isinstance(raw_questions, LinedList) else None
            q = check_question(c, raw, line, i, seen)
            if q is not None:
                questions.append(q)
        limit = MAX_PUPIL_QUESTIONS if audience == "pupil" else MAX_QUESTIONS
        if len(raw_questions) > limit:
            c.add(line_of(doc, "questions"), f"{len(raw_questions)} questions is too many for a "
                  f"{audience} survey (at most {limit}; children tire quickly)"
                  if audience == "pupil" else f"{len(raw_questions)} questions is too many "
                  f"(at most {limit})", field="questions")
    if c.problems:
        raise DefinitionError(c.problems)
    if warnings is not None:
        warnings.extend(c.warnings)
    texts = (("title", title_texts), ("intro", intro_texts),
             ("description", description_texts))
    return SurveyDefinition(code=code, title=title, audience=audience, questions=tuple(questions),
                  intro=intro, ages=ages, description=description, languages=c.languages,
                  translations=tuple((f, t) for f, t in texts if t))


def load_survey(path: str | Path, warnings: list[Problem] | None = None) -> SurveyDefinition:
    """Read and validate a survey file (warnings, if a list is given, as `parse_survey`)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DefinitionError([Problem(str(path), None, f"cannot read the file: "
                                       f"{exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([Problem(str(path), None, "the file is not UTF-8 text; save it "
                                       "as UTF-8")]) from None
    return parse_survey(text, str(path), warnings)


def survey_from_dict(data: dict[str, Any], file: str = "<stored>") -> SurveyDefinition:
    """Rebuild a survey from its canonical dict (as stored in the database), validated by
    the same rules as a file. The dict is checked as it is, never re-read as YAML text, so
    every character (emoji included) comes back unchanged."""
    return _validate(lined(data), file)


def check_files(paths: Iterable[str | Path], *, warnings: bool = False) -> list[Problem]:
    """Validate many files (directories: every *.yaml inside); return every problem, and
    with `warnings` the warnings too (`Problem.warning`) of the files that load."""
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        files = sorted(path.glob("**/*.yaml")) if path.is_dir() else [path]
        for f in files:
            found: list[Problem] = []
            try:
                load_survey(f, found)
            except DefinitionError as exc:
                problems.extend(exc.problems)
            if warnings:
                problems.extend(found)
    return problems
