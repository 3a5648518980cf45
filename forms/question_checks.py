"""Checking one question of a survey file: its code, scale, options, labels, limits and
evidence fields, into a `Question` (or problems naming the question and the field).
"""

from __future__ import annotations

from typing import Any

from forms.checker import Checker, line_of
from forms.rules import (
    CODE_RE,
    MAX_PILOT_N,
    MEASURES,
    OPTION_CODE_RE,
    OPTION_KEYS,
    ORIGINS,
    QUESTION_KEYS,
    RESERVED_CODES,
    RETRO_SUFFIXES,
)
from forms.scales import (
    NUMBER,
    NUMBER_MAX_LIMIT,
    SCALES,
    Scale,
)
from forms.survey_types import Option, Question, Texts
from forms.survey_yaml import LinedList, LinedMap
from forms.wording import (
    has_phrasebook,
    scale_labels,
)


def _options(c: Checker, q: LinedMap, code: str, scale: Scale) -> tuple[Option, ...]:
    raw = q.get("options")
    line = line_of(q, "options")
    if not scale.needs_options:
        if isinstance(raw, list) and any(isinstance(o, dict) and "correct" in o for o in raw):
            c.add(line, f"scale '{scale.name}' cannot have a correct answer: only 'choice' "
                  "and 'multi' questions can (for a yes/no check, use scale: choice with "
                  "options Yes and No, and mark the right one 'correct: true')",
                  question=code, field="options")
        elif raw is not None:
            c.add(line, f"scale '{scale.name}' has fixed options; use 'labels' to reword them",
                  question=code, field="options")
        return _fixed_options(c, scale)
    if not isinstance(raw, list) or len(raw) < 2:
        c.add(line, f"scale '{scale.name}' needs a list of at least 2 'options'",
              question=code, field="options")
        return ()
    out: list[Option] = []
    marked = False  # some option says `correct:` at all (true or false)
    for i, item in enumerate(raw):
        iline = raw.lines[i] if isinstance(raw, LinedList) else line
        correct = False
        if isinstance(item, dict):
            ocode, label = item.get("code"), item.get("label")
            for key in item:
                if key not in OPTION_KEYS:
                    c.add(iline, f"unknown field '{key}' in an option (expected one of "
                          f"{', '.join(OPTION_KEYS)})", question=code, field="options")
            if "correct" in item:
                marked = True
                correct = c.flag(item.get("correct"), iline, "correct", code)
        elif isinstance(item, str | int) and not isinstance(item, bool):
            ocode, label = item, item
        else:
            c.add(iline, "each option needs a 'code' and a 'label'", question=code,
                  field="options")
            continue
        ocode = str(ocode) if isinstance(ocode, str | int) and not isinstance(ocode, bool) else ""
        if not OPTION_CODE_RE.match(ocode):
            c.add(iline, f"bad option code {ocode!r} (use lower-case letters, digits and _)",
                  question=code, field="options")
            continue
        if ocode in (o.code for o in out):
            c.add(iline, f"option code '{ocode}' is used twice", question=code, field="options")
            continue
        lline = item.lines.get("label", iline) if isinstance(item, LinedMap) else iline
        text, texts = c.wording(label, lline, "label", question=code)
        if text is not None:
            out.append(Option(ocode, text, correct, texts))
    right = sum(o.correct for o in out)
    if marked and not right:
        c.add(line, "no option is marked 'correct: true': mark the right answer, or take "
              "'correct' away if this question has no right answer", question=code,
              field="options")
    elif right and right == len(out) and len(out) == len(raw):
        c.add(line, "every option is marked correct, so every answer would score: mark "
              "only the right answer(s)", question=code, field="options")
    return tuple(out)


def _fixed_options(c: Checker, scale: Scale) -> tuple[Option, ...]:
    """A fixed scale's options, labelled in the default language with the phrasebook's
    words in each other language it has (forms.wording)."""
    others = [lang for lang in c.languages[1:] if has_phrasebook(lang)]
    words = {lang: scale_labels(scale.name, lang) for lang in c.languages}
    return tuple(Option(code, words[c.default][i], translations=tuple(
        (lang, words[lang][i]) for lang in others)) for i, code in enumerate(scale.codes))


def _label_overrides(c: Checker, q: LinedMap, code: str, scale: Scale,
                     options: tuple[Option, ...]
                     ) -> tuple[tuple[Option, ...], tuple, tuple[tuple[str, Texts], ...]]:
    raw = q.get("labels")
    unworded = [lang for lang in c.languages if not has_phrasebook(lang)]
    if options and not scale.needs_options and unworded:
        given = raw if isinstance(raw, dict) else {}
        bare = [lang for lang in unworded if not all(
            isinstance(given.get(o.code), dict) and lang in given[o.code] for o in options)]
        if bare:
            c.warn(line_of(q, "scale"), f"the phrasebook has no {' or '.join(bare)} words for "
                   f"scale '{scale.name}', so its answers show in English there: give every "
                   f"label in {' and '.join(bare)} under 'labels'", question=code,
                   field="labels")
    if raw is None:
        return options, (), ()
    line = line_of(q, "labels")
    if scale.needs_options or not scale.codes:
        c.add(line, f"scale '{scale.name}' takes no 'labels'", question=code, field="labels")
        return options, ()
    if not isinstance(raw, dict):
        c.add(line, "'labels' must map option codes to words, like {1: 'No', 3: 'Yes'}",
              question=code, field="labels")
        return options, (), ()
    overrides: dict[str, tuple[str, Texts]] = {}
    for key, value in raw.items():
        kline = raw.lines.get(key, line) if isinstance(raw, LinedMap) else line
        if key not in scale.codes:
            c.add(kline, f"'labels' names code {key!r}, which scale '{scale.name}' does not "
                  f"have (its codes are {', '.join(scale.codes)})", question=code,
                  field="labels")
            continue
        text, texts = c.wording(value, kline if kline is not None else line, "label",
                                question=code)
        if text is not None:
            overrides[key] = (text, texts)
    # An override missing in a language falls back to the default language's override
    # (its meaning differs from the scale's own words), never to the phrasebook.
    new = tuple(Option(o.code, overrides[o.code][0], translations=overrides[o.code][1])
                if o.code in overrides else o for o in options)
    ordered = [k for k in scale.codes if k in overrides]
    return (new, tuple((k, overrides[k][0]) for k in ordered),
            tuple((k, overrides[k][1]) for k in ordered if overrides[k][1]))


def check_question(c: Checker, q: Any, line: int, index: int,
                   seen: dict[str, int]) -> Question | None:
    """Question `index` checked into a `Question`, or None with its problems noted in `c`;
    `validation.py` calls it for each question of a survey."""
    if not isinstance(q, LinedMap):
        c.add(line, f"question {index + 1} must be a mapping with code, text and scale",
              field="questions")
        return None
    raw_code = q.get("code")
    code = raw_code if isinstance(raw_code, str) else None
    label = code or f"#{index + 1}"
    for key in q:
        if key not in QUESTION_KEYS:
            c.add(line_of(q, key), f"unknown field '{key}' (expected one of "
                  f"{', '.join(QUESTION_KEYS)})", question=label, field=key)
    if code is None or not CODE_RE.match(code):
        c.add(line_of(q, "code"), f"bad code {raw_code!r}: use a lower-case letter, then "
              "letters, digits or _", question=label, field="code")
        code = None
    elif code in RESERVED_CODES:
        c.add(line_of(q, "code"), f"code '{code}' is reserved for the export's own columns",
              question=label, field="code")
    elif code.endswith(RETRO_SUFFIXES):
        c.add(line_of(q, "code"), "a code may not end in _then or _now (retrospective items "
              "add those)", question=label, field="code")
    elif code in seen:
        c.add(line_of(q, "code"), f"duplicate code '{code}' (first used on line {seen[code]})",
              question=label, field="code")
    else:
        seen[code] = line_of(q, "code")
    text, texts = c.wording(q.get("text"), line_of(q, "text"), "text", question=label)
    raw_scale = q.get("scale")
    scale = SCALES.get(raw_scale) if isinstance(raw_scale, str) else None
    if scale is None:
        c.add(line_of(q, "scale"), f"unknown scale {raw_scale!r} (expected one of "
              f"{', '.join(SCALES)})" if raw_scale is not None else "'scale' is missing "
              f"(expected one of {', '.join(SCALES)})", question=label, field="scale")
        return None
    required = c.flag(q.get("required"), line_of(q, "required"), "required", label)
    retro = c.flag(q.get("retrospective"), line_of(q, "retrospective"), "retrospective", label)
    if retro and not scale.can_be_retrospective:
        c.add(line_of(q, "retrospective"), f"scale '{scale.name}' cannot be asked "
              "retrospectively (use a rating scale such as faces3 or confidence5)",
              question=label, field="retrospective")
    dont_know = c.flag(q.get("dont_know"), line_of(q, "dont_know"), "dont_know", label)
    if dont_know and not scale.offers_dont_know:
        offered = ", ".join(s.name for s in SCALES.values() if s.offers_dont_know)
        c.add(line_of(q, "dont_know"), f"scale '{scale.name}' has no \"I don't know\" answer "
              f"(only {offered} do)", question=label, field="dont_know")
    options = _options(c, q, label, scale)
    options, overrides, label_texts = _label_overrides(c, q, label, scale, options)
    meta = {}
    for key in ("measures", "ages", "source"):
        meta[key] = c.text(q.get(key), line_of(q, key), key, question=label, required=False)
    if meta["measures"] and meta["measures"] not in MEASURES:
        c.add(line_of(q, "measures"), f"unknown 'measures' value '{meta['measures']}' (expected "
              f"one of {', '.join(MEASURES)})", question=label, field="measures")
    maximum = _maximum(c, q, label, scale)
    meta.update(_evidence(c, q, label, meta["source"]))
    if code is None or text is None:
        return None
    return Question(code=code, text=text, scale=scale.name, options=options, required=required,
                    retrospective=retro, label_overrides=overrides, maximum=maximum,
                    dont_know=bool(dont_know and scale.offers_dont_know), translations=texts,
                    label_translations=label_texts, language=c.default, **meta)


def _maximum(c: Checker, q: LinedMap, code: str, scale: Scale) -> int | None:
    """A `number` question's `max` (1 to NUMBER_MAX_LIMIT), None when not given."""
    raw = q.get("max")
    if raw is None:
        return None
    line = line_of(q, "max")
    if scale.kind != NUMBER:
        c.add(line, f"only 'number' questions take 'max' (this one is '{scale.name}')",
              question=code, field="max")
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= NUMBER_MAX_LIMIT:
        c.add(line, f"'max' must be a whole number from 1 to {NUMBER_MAX_LIMIT:,} (without "
              f"commas), not {raw!r}", question=code, field="max")
        return None
    return raw


def _evidence(c: Checker, q: LinedMap, label: str, source: str | None) -> dict[str, Any]:
    """`origin` and `pilot_n`: a claim about a published instrument needs a `source` naming
    it, and a pilot needs its number of people, so "tested" is never claimed bare."""
    origin, pilot_n = q.get("origin"), q.get("pilot_n")
    if origin is not None and origin not in ORIGINS:
        c.add(line_of(q, "origin"), f"unknown 'origin' {origin!r} (expected one of "
              f"{', '.join(ORIGINS)})", question=label, field="origin")
        origin = None
    if origin in ("published", "adapted") and not source:
        c.add(line_of(q, "origin"), f"origin '{origin}' needs a 'source' naming the published "
              "instrument", question=label, field="source")
    if pilot_n is not None and (not isinstance(pilot_n, int) or isinstance(pilot_n, bool)
                                or not 1 <= pilot_n <= MAX_PILOT_N):
        c.add(line_of(q, "pilot_n"), f"'pilot_n' must be the number of people in the pilot "
              f"(1 to {MAX_PILOT_N}), not {pilot_n!r}", question=label, field="pilot_n")
        pilot_n = None
    return {"origin": origin, "pilot_n": pilot_n}
