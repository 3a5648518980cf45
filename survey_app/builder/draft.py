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
    RESERVED_CODES,
    RETRO_SUFFIXES,
    SURVEY_TEXTS,
    DefinitionError,
    Problem,
    Question,
    SurveyDefinition,
    as_written,
    parse_survey,
    survey_mapping,
)
from forms.scales import SCALES
from forms.wording import DEFAULT_LANGUAGE

#: A pupil question longer than this is hard for a young reader (a warning, not an error).
LONG_PUPIL_TEXT = 60
NEGATIVE_RE = re.compile(
    r"\b(not|no|never|don'?t|doesn'?t|isn'?t|aren'?t|can'?t|cannot|won'?t|didn'?t|nobody|"
    r"nothing)\b", re.IGNORECASE)
OPTION_LINE_RE = re.compile(r"^\s*([a-z0-9][a-z0-9_]*)\s*=\s*(.+?)\s*$")
#: Ends an answer line that is a right answer (a knowledge check): "sun = The Sun *".
CORRECT_MARK = "*"
#: The preview's draft travels in a URL: refuse anything larger than a survey file may be.
MAX_DRAFT_BYTES = 256 * 1024


class BuilderError(ValueError):
    """An action that cannot be done; the message says what to do instead."""


def slug(text: str, fallback: str = "q", limit: int = 30) -> str:
    """A code made from words: "I enjoy science!" -> "i_enjoy_science"."""
    words = re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")
    words = words[:limit].rstrip("_")
    if not words or not words[0].isalpha():
        words = f"{fallback}_{words}".rstrip("_") if words else fallback
    return words


def unique(code: str, taken: set[str]) -> str:
    base, n = code, 2
    while code in taken or code in RESERVED_CODES or code.endswith(RETRO_SUFFIXES):
        code = f"{base}_{n}"
        n += 1
    return code


def _maximum(raw: Any) -> int | None:
    """A `max` carried through the builder: a whole number, or nothing (the survey's
    checker judges its range)."""
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


@dataclass
class DraftQuestion:
    code: str = ""
    text: str = ""
    scale: str = "faces5"
    #: One answer per line, "code = words" or just words (choice and multi scales).
    options_text: str = ""
    required: bool = False
    retrospective: bool = False
    #: Offer "I don't know" (written only where the scale has it: the faces scales).
    dont_know: bool = False
    #: Bank metadata, carried through unchanged.
    measures: str = ""
    ages: str = ""
    source: str = ""
    #: Where the wording comes from and its pilot (forms.definition ORIGINS), and the wording
    #: they vouch for: reworded, a published question becomes "adapted" and a pilot no
    #: longer counts, so "tested" is never carried over to words nobody tested.
    origin: str = ""
    pilot_n: int | None = None
    vouched_text: str = ""
    #: Reworded labels of a fixed scale (from the bank or a file), kept while the scale is.
    labels: dict[str, str] = field(default_factory=dict)
    labels_scale: str = ""
    #: A number question's `max` (kept from a file; the web and paper follow it).
    maximum: int | None = None
    #: The words in the survey's other languages, carried through unchanged (the builder
    #: edits the first language only): {"text": {lang: words}, "options": {code: {lang:
    #: words}}, "labels": {code: {lang: words}}}, and under "of" the first language's
    #: words they translate: reworded here, a text drops its stale translations (and
    #: `forms check` then warns that it lacks them). `language` is the first language.
    translations: dict[str, Any] = field(default_factory=dict)
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def from_question(cls, q: Question) -> DraftQuestion:
        return cls(
            translations=_of(q.text, {"text": dict(q.translations),
                                      "options": {o.code: dict(o.translations)
                                                  for o in q.options if o.translations
                                                  and q.scale_def.needs_options},
                                      "labels": {c: dict(t) for c, t in q.label_translations}},
                             {o.code: o.label for o in q.options},
                             dict(q.label_overrides)),
            language=q.language,
            code=q.code, text=q.text, scale=q.scale,
            options_text="\n".join(f"{o.code} = {o.label}"
                                   + (f" {CORRECT_MARK}" if o.correct else "")
                                   for o in q.options)
            if q.scale_def.needs_options else "", maximum=q.maximum,
            required=q.required, retrospective=q.retrospective, dont_know=q.dont_know,
            measures=q.measures or "",
            ages=q.ages or "", source=q.source or "", origin=q.origin or "",
            pilot_n=q.pilot_n, vouched_text=q.text if q.origin or q.pilot_n else "",
            labels=dict(q.label_overrides), labels_scale=q.scale if q.label_overrides else "",
        )

    @classmethod
    def from_raw(cls, raw: Any) -> DraftQuestion:
        """From a question mapping as written in a file (possibly wrong in any way)."""
        if not isinstance(raw, dict):
            return cls(text=_str(raw))
        options = raw.get("options")
        lines = []
        if isinstance(options, list):
            for o in options:
                if isinstance(o, dict):
                    lines.append(f"{_str(o.get('code'))} = {_str(o.get('label'))}"
                                 + (f" {CORRECT_MARK}" if o.get("correct") is True else ""))
                else:
                    lines.append(_str(o))
        labels = raw.get("labels")
        labels = {_str(k): _str(v) for k, v in labels.items()} if isinstance(labels,
                                                                             dict) else {}
        scale = _str(raw.get("scale"))
        return cls(
            code=_str(raw.get("code")), text=_str(raw.get("text")), scale=scale,
            translations=_raw_translations(raw),
            options_text="\n".join(lines), required=raw.get("required") is True,
            retrospective=raw.get("retrospective") is True,
            dont_know=raw.get("dont_know") is True,
            measures=_str(raw.get("measures")), ages=_str(raw.get("ages")),
            source=_str(raw.get("source")), labels=labels, labels_scale=scale if labels else "",
            maximum=_maximum(raw.get("max")),
            origin=_str(raw.get("origin")), pilot_n=_pilot_n(raw.get("pilot_n")),
            vouched_text=_str(raw.get("text")),
        )

    @property
    def scale_def(self):
        return SCALES.get(self.scale)

    @property
    def needs_options(self) -> bool:
        return bool(self.scale_def and self.scale_def.needs_options)

    def options(self) -> list[dict[str, Any]]:
        """The answers typed one per line, each with a code (made from its words if none);
        a line ending in "*" is a right answer (`correct: true`)."""
        out: list[dict[str, Any]] = []
        taken: set[str] = set()
        for line in self.options_text.splitlines():
            if not line.strip():
                continue
            correct = line.rstrip().endswith(CORRECT_MARK)
            if correct:
                line = line.rstrip()[:-len(CORRECT_MARK)]
            m = OPTION_LINE_RE.match(line)
            if m:
                code, label = m.group(1), m.group(2)
            else:
                label = line.strip()
                code = unique(slug(label, "a"), taken)
            taken.add(code)
            out.append({"code": code, "label": label, **({"correct": True} if correct else {})})
        return out

    def meta(self) -> str:
        """The hidden part of a question (bank metadata, reworded labels, other languages)
        as JSON."""
        return json.dumps({"measures": self.measures, "ages": self.ages, "source": self.source,
                           "labels": self.labels, "labels_scale": self.labels_scale,
                           "max": self.maximum, "origin": self.origin, "pilot_n": self.pilot_n,
                           "vouched_text": self.vouched_text,
                           "translations": self.translations, "language": self.language},
                          ensure_ascii=False, sort_keys=True)

    def _more(self, part: str, words: str, code: str | None = None,
              languages: list[str] | None = None) -> dict[str, Any] | None:
        """This question's words in other languages for `part` (and option `code`), while
        its first-language `words` are still those they translate, in the draft's other
        `languages` (all when not given)."""
        found, of = self.translations.get(part), _dict(self.translations.get("of"))
        if code is not None:
            found = _dict(found).get(code)
            of = _dict(of.get(part)).get(code)
        else:
            of = of.get(part)
        if not isinstance(found, dict) or of != words:
            return None
        if languages is not None:
            found = {lang: t for lang, t in found.items() if lang in languages[1:]}
        return found or None

    def to_dict(self, languages: list[str] | None = None) -> dict[str, Any]:
        """The question as a file writes it; with the draft's `languages`, only the
        translations into those (a bank question keeps its Welsh in a Welsh survey only)."""
        lang = self.language
        d: dict[str, Any] = {"code": self.code,
                             "text": as_written(self.text, self._more(
                                                 "text", self.text, None, languages), lang),
                             "scale": self.scale}
        if self.required:
            d["required"] = True
        if self.retrospective:
            d["retrospective"] = True
        if self.dont_know and self.scale_def and self.scale_def.offers_dont_know:
            d["dont_know"] = True
        if self.needs_options:
            d["options"] = [{**o, "label": as_written(
                o["label"], self._more("options", o["label"], o["code"], languages), lang)}
                for o in self.options()]
        if self.labels and self.labels_scale == self.scale:
            d["labels"] = {c: as_written(t, self._more("labels", t, c, languages), lang)
                           for c, t in self.labels.items()}
        if self.maximum is not None and self.scale == "number":
            d["max"] = self.maximum
        for key in ("measures", "ages", "source"):
            if getattr(self, key):
                d[key] = getattr(self, key)
        same = self.text == self.vouched_text
        origin = self.origin if same or self.origin != "published" else "adapted"
        if origin:
            d["origin"] = origin
        if self.pilot_n is not None and same:
            d["pilot_n"] = self.pilot_n
        return d


def _pilot_n(value: Any) -> int | None:
    """A pilot's size as given (the validator judges it), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and value:  # words in several languages: the first
        return _str(next(iter(value.values())))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, str | int | float) else json.dumps(value)


def _of(text: str, more: dict[str, Any], options: dict[str, str],
        labels: dict[str, str]) -> dict[str, Any]:
    """A question's translations with the first-language words they translate ("of")."""
    more = {k: v for k, v in more.items() if v}
    if not more:
        return {}
    return {**more, "of": {"text": text, "options": options, "labels": labels}}


def _raw_translations(raw: dict) -> dict[str, Any]:
    """The other languages' words of a question mapping as written in a file (its texts
    given as {language: words}); the first language's words are the plain fields."""
    options = [o for o in raw.get("options") or () if isinstance(o, dict)] \
        if isinstance(raw.get("options"), list) else []
    labels = _dict(raw.get("labels"))
    return _of(_str(raw.get("text")), {
        "text": _rest(raw.get("text")),
        "options": {_str(o.get("code")): _rest(o.get("label")) for o in options
                    if _rest(o.get("label"))},
        "labels": {_str(c): _rest(v) for c, v in labels.items() if _rest(v)}},
        {_str(o.get("code")): _str(o.get("label")) for o in options},
        {_str(c): _str(v) for c, v in labels.items()})


def _default_first(value: Any, lang: str) -> Any:
    """A file's mappings with the `lang` key first wherever there is one, so that "the
    first language's words" of a text are its default language's."""
    if isinstance(value, list):
        return [_default_first(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _default_first(v, lang) for k, v in value.items()}
    return {lang: out[lang], **out} if lang in out else out


def _rest(value: Any) -> dict[str, Any]:
    """Words in several languages ({language: words}) but the first (the plain field)."""
    return dict(list(value.items())[1:]) if isinstance(value, dict) else {}


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _survey_of(src: Any, more: dict[str, Any]) -> dict[str, Any]:
    """A survey's title/intro/description translations with the first-language words they
    translate ("of"), from a `SurveyDefinition` or a file's mapping."""
    if not more:
        return {}
    get = src.get if isinstance(src, dict) else lambda f: getattr(src, f)
    return {**more, "of": {f: _str(get(f)) or "" for f in SURVEY_TEXTS}}


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
                   translations=_survey_of(s, {f: dict(t) for f, t in s.translations}))

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
        languages = [_str(x) for x in languages] if isinstance(languages, list) else []
        if languages:  # {en: .., cy: ..} under `languages: [cy, en]`: the default first
            raw = _default_first(raw, languages[0])
        questions = raw.get("questions")
        audience = _str(raw.get("audience"))
        more = _survey_of(raw, {f: _rest(raw.get(f)) for f in SURVEY_TEXTS
                                if _rest(raw.get(f))})
        language = languages[0] if languages else DEFAULT_LANGUAGE
        return cls(languages=languages, translations=more,
                   code=_str(raw.get("code")), title=_str(raw.get("title")),
                   audience=audience, intro=_str(raw.get("intro")),
                   ages=_str(raw.get("ages")), description=_str(raw.get("description")),
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
                code=form.get(p + "code", "").strip(), text=_one_line(form.get(p + "text", "")),
                scale=form.get(p + "scale", "faces5"),
                options_text=form.get(p + "options", "").replace("\r\n", "\n").strip(),
                required=bool(form.get(p + "required")),
                retrospective=bool(form.get(p + "retrospective")),
                dont_know=bool(form.get(p + "dont_know")),
                measures=_str(meta.get("measures")), ages=_str(meta.get("ages")),
                source=_str(meta.get("source")), origin=_str(meta.get("origin")),
                pilot_n=_pilot_n(meta.get("pilot_n")),
                vouched_text=_str(meta.get("vouched_text")),
                labels={_str(k): _str(v) for k, v in labels.items()},
                labels_scale=_str(meta.get("labels_scale")), maximum=_maximum(meta.get("max")),
                translations=_dict(meta.get("translations")),
                language=_str(meta.get("language")) or DEFAULT_LANGUAGE,
            ))
        try:
            i18n = json.loads(form.get("i18n") or "{}")
        except ValueError:
            i18n = {}
        i18n = _dict(i18n)
        languages = i18n.get("languages")
        draft = cls(code=form.get("code", "").strip(), title=_one_line(form.get("title", "")),
                    audience=form.get("audience", "pupil"),
                    intro=form.get("intro", "").replace("\r\n", "\n").strip(),
                    ages=form.get("ages", "").strip(),
                    description=_one_line(form.get("description", "")), questions=questions,
                    languages=[_str(x) for x in languages] if isinstance(languages, list)
                    else [], translations=_dict(i18n.get("translations")))
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
        of = _dict(self.translations.get("of"))
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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def check_yaml(text: str, file: str) -> tuple[SurveyDefinition | None, list[Problem]]:
    try:
        return parse_survey(text, file), []
    except DefinitionError as exc:
        return None, exc.problems
