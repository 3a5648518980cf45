"""The builder's draft: a survey being put together, carried whole in every request.

Nothing is stored until Save: each page posts the whole draft (one field per question
attribute) with the action asked for, and the server answers with the page re-rendered.
The draft becomes a survey file's dict (`to_dict`), so saving, downloading and checking go
through `forms.definition.parse_survey`, the same rules and messages as `forms check`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from forms.definition import (
    CODE_RE,
    SURVEY_TEXTS,
    DefinitionError,
    Problem,
    SurveyDefinition,
    parse_survey,
    survey_mapping,
)
from forms.wording import DEFAULT_LANGUAGE
from survey_app.builder.question import DraftQuestion, slug, unique
from survey_app.builder.raw import (
    as_dict,
    as_str,
    default_first,
    one_line,
    other_languages,
    raw_maximum,
    raw_pilot_n,
    survey_of,
)

__all__ = ["MAX_DRAFT_BYTES", "BuilderError", "Draft", "DraftQuestion", "check_yaml", "slug",
           "unique"]

#: A pupil question longer than this is hard for a young reader (a warning, not an error).
LONG_PUPIL_TEXT = 60
NEGATIVE_RE = re.compile(
    r"\b(not|no|never|don'?t|doesn'?t|isn'?t|aren'?t|can'?t|cannot|won'?t|didn'?t|nobody|"
    r"nothing)\b", re.IGNORECASE)
#: The preview's draft travels in a URL: refuse anything larger than a survey file may be.
MAX_DRAFT_BYTES = 256 * 1024


class BuilderError(ValueError):
    """An action that cannot be done; the message says what to do instead."""


@dataclass
class Draft:
    code: str = ""
    title: str = ""
    audience: str = "pupil"
    intro: str = ""
    ages: str = ""
    description: str = ""
    questions: list[DraftQuestion] = field(default_factory=list)
    #: The survey's languages (the first is the one edited here) and the title, intro and
    #: description in the others ({field: {language: words}}), carried through unchanged.
    languages: list[str] = field(default_factory=list)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_survey(cls, s: SurveyDefinition) -> Draft:
        return cls(code=s.code, title=s.title, audience=s.audience, intro=s.intro or "",
                   ages=s.ages or "", description=s.description or "",
                   questions=[DraftQuestion.from_question(q) for q in s.questions],
                   languages=list(s.languages) if s.languages != (DEFAULT_LANGUAGE,) else [],
                   translations=survey_of(s, {f: dict(t) for f, t in s.translations}))

    def i18n(self) -> str:
        """The hidden languages part of the draft (`languages`, `translations`) as JSON."""
        return json.dumps({"languages": self.languages, "translations": self.translations},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_raw(cls, raw: Any) -> Draft:
        """From a parsed file that may be wrong in any way (an upload with errors)."""
        if not isinstance(raw, dict):
            return cls()
        languages = raw.get("languages")
        languages = [as_str(x) for x in languages] if isinstance(languages, list) else []
        if languages:  # {en: .., cy: ..} under `languages: [cy, en]`: the default first
            raw = default_first(raw, languages[0])
        questions = raw.get("questions")
        audience = as_str(raw.get("audience"))
        more = survey_of(raw, {f: other_languages(raw.get(f)) for f in SURVEY_TEXTS
                                if other_languages(raw.get(f))})
        language = languages[0] if languages else DEFAULT_LANGUAGE
        return cls(languages=languages, translations=more,
                   code=as_str(raw.get("code")), title=as_str(raw.get("title")),
                   audience=audience, intro=as_str(raw.get("intro")),
                   ages=as_str(raw.get("ages")), description=as_str(raw.get("description")),
                   questions=[replace(DraftQuestion.from_raw(q), language=language)
                              for q in questions] if isinstance(questions, list) else [])

    @classmethod
    def from_form(cls, form: MultiDict) -> Draft:
        """The draft as posted: survey fields, then q-<i>-<attribute> per question."""
        indices = sorted({int(m.group(1)) for k in form
                          if (m := re.match(r"^q-(\d{1,3})-text$", k))})
        questions = []
        for i in indices:
            p = f"q-{i}-"
            try:
                meta = json.loads(form.get(p + "meta") or "{}")
            except ValueError:
                meta = {}
            meta = meta if isinstance(meta, dict) else {}
            labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
            questions.append(DraftQuestion(
                code=form.get(p + "code", "").strip(), text=one_line(form.get(p + "text", "")),
                scale=form.get(p + "scale", "faces5"),
                options_text=form.get(p + "options", "").replace("\r\n", "\n").strip(),
                required=bool(form.get(p + "required")),
                retrospective=bool(form.get(p + "retrospective")),
                dont_know=bool(form.get(p + "dont_know")),
                measures=as_str(meta.get("measures")), ages=as_str(meta.get("ages")),
                source=as_str(meta.get("source")), origin=as_str(meta.get("origin")),
                pilot_n=raw_pilot_n(meta.get("pilot_n")),
                vouched_text=as_str(meta.get("vouched_text")),
                labels={as_str(k): as_str(v) for k, v in labels.items()},
                labels_scale=as_str(meta.get("labels_scale")), maximum=raw_maximum(meta.get("max")),
                translations=as_dict(meta.get("translations")),
                language=as_str(meta.get("language")) or DEFAULT_LANGUAGE,
            ))
        try:
            i18n = json.loads(form.get("i18n") or "{}")
        except ValueError:
            i18n = {}
        i18n = as_dict(i18n)
        languages = i18n.get("languages")
        draft = cls(code=form.get("code", "").strip(), title=one_line(form.get("title", "")),
                    audience=form.get("audience", "pupil"),
                    intro=form.get("intro", "").replace("\r\n", "\n").strip(),
                    ages=form.get("ages", "").strip(),
                    description=one_line(form.get("description", "")), questions=questions,
                    languages=[as_str(x) for x in languages] if isinstance(languages, list)
                    else [], translations=as_dict(i18n.get("translations")))
        draft.fill_codes()
        return draft

    def fill_codes(self) -> None:
        """Give a code to a survey or question that has words but no code yet."""
        if not self.code and self.title:
            self.code = slug(self.title, "survey")
        taken = {q.code for q in self.questions if q.code}
        for q in self.questions:
            if not q.code and q.text:
                q.code = unique(slug(" ".join(q.text.split()[:4]), "q"), taken)
                taken.add(q.code)

    def to_dict(self) -> dict[str, Any]:
        """The survey file's mapping (the `forms/` format), valid or not."""
        of = as_dict(self.translations.get("of"))
        fresh = {f: t for f, t in self.translations.items()
                 if f in SURVEY_TEXTS and of.get(f) == getattr(self, f)}
        return survey_mapping(replace(self, translations=fresh),
                              [q.to_dict(self.languages) for q in self.questions])

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=88)

    @property
    def file_name(self) -> str:
        return f"{self.code if CODE_RE.match(self.code or '') else 'survey'}.yaml"

    def check(self) -> tuple[SurveyDefinition | None, list[Problem]]:
        """Validate exactly as `survey-app forms check` would validate the downloaded file."""
        return check_yaml(self.to_yaml(), self.file_name)


def check_yaml(text: str, file: str) -> tuple[SurveyDefinition | None, list[Problem]]:
    try:
        return parse_survey(text, file), []
    except DefinitionError as exc:
        return None, exc.problems
