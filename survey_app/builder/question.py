"""A question of the builder's draft (`DraftQuestion`), and the codes made from words
(`slug`, `unique`) that the draft gives its questions and answers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from forms.definition import RESERVED_CODES, RETRO_SUFFIXES, Question, as_written
from forms.scales import SCALES
from forms.wording import DEFAULT_LANGUAGE
from survey_app.builder.raw import (
    as_dict,
    as_str,
    raw_maximum,
    raw_pilot_n,
    raw_translations,
    with_of,
)

OPTION_LINE_RE = re.compile(r"^\s*([a-z0-9][a-z0-9_]*)\s*=\s*(.+?)\s*$")
#: Ends an answer line that is a right answer (a knowledge check): "sun = The Sun *".
CORRECT_MARK = "*"


def slug(text: str, fallback: str = "q", limit: int = 30) -> str:
    """A code made from words: "I enjoy science!" -> "i_enjoy_science"."""
    words = re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")
    words = words[:limit].rstrip("_")
    if not words or not words[0].isalpha():
        words = f"{fallback}_{words}".rstrip("_") if words else fallback
    return words


def unique(code: str, taken: set[str]) -> str:
    """`code`, numbered if needed to differ from `taken` and the reserved codes (the draft's
    questions, a question's answers, and `operations.add_question` use it)."""
    base, n = code, 2
    while code in taken or code in RESERVED_CODES or code.endswith(RETRO_SUFFIXES):
        code = f"{base}_{n}"
        n += 1
    return code


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
            translations=with_of(q.text, {"text": dict(q.translations),
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
            return cls(text=as_str(raw))
        options = raw.get("options")
        lines = []
        if isinstance(options, list):
            for o in options:
                if isinstance(o, dict):
                    lines.append(f"{as_str(o.get('code'))} = {as_str(o.get('label'))}"
                                 + (f" {CORRECT_MARK}" if o.get("correct") is True else ""))
                else:
                    lines.append(as_str(o))
        labels = raw.get("labels")
        labels = {as_str(k): as_str(v) for k, v in labels.items()} if isinstance(labels,
                                                                             dict) else {}
        scale = as_str(raw.get("scale"))
        return cls(
            code=as_str(raw.get("code")), text=as_str(raw.get("text")), scale=scale,
            translations=raw_translations(raw),
            options_text="\n".join(lines), required=raw.get("required") is True,
            retrospective=raw.get("retrospective") is True,
            dont_know=raw.get("dont_know") is True,
            measures=as_str(raw.get("measures")), ages=as_str(raw.get("ages")),
            source=as_str(raw.get("source")), labels=labels, labels_scale=scale if labels else "",
            maximum=raw_maximum(raw.get("max")),
            origin=as_str(raw.get("origin")), pilot_n=raw_pilot_n(raw.get("pilot_n")),
            vouched_text=as_str(raw.get("text")),
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
        found, of = self.translations.get(part), as_dict(self.translations.get("of"))
        if code is not None:
            found = as_dict(found).get(code)
            of = as_dict(of.get(part)).get(code)
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
