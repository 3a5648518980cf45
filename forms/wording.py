"""The languages a survey may be written in, and the phrasebook of the fixed words that
`forms` owns: the scales' default labels, "I don't know", the retrospective headings and
the words printed on every sheet.

A survey file translates its own texts (titles, questions, options); these words are
the same in every survey, so they are translated once, here. A language without an
entry here falls back to English for them, and `forms check` says so.

Welsh choices (child-level, neutral forms that fit any question):
- Yes / No answers use "Ie" / "Na": the neutral answer words, correct whatever the verb
  of the question (Welsh "yes" otherwise follows the verb: "Ydw", "Do", "Oes"...).
- "A bit" is "Ychydig bach" (a little bit), as children say it.
- Children are addressed with "ti" (Lliwia, dy rif), adults with "chi" (Llenwch, eich).
- "Now" is "Nawr", the usual written form in Welsh-medium schools ("Rŵan" is northern).
- "Page 1 of 2: please turn over" follows exam papers: "Trowch drosodd".
"""

from __future__ import annotations

import re

from forms.scales import DONT_KNOW_LABEL, SCALES

DEFAULT_LANGUAGE = "en"

#: The languages a survey may declare: code (lower-case, BCP 47 primary subtag) and the
#: language's own name, for the language switch and the print form. Languages of the UK's
#: nations and the commonest home languages of pupils learning English in UK schools.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "cy": "Cymraeg",
    "ga": "Gaeilge",
    "gd": "Gàidhlig",
    "kw": "Kernewek",
    "ar": "العربية",
    "bg": "Български",
    "bn": "বাংলা",
    "cs": "Čeština",
    "de": "Deutsch",
    "es": "Español",
    "fa": "فارسی",
    "fr": "Français",
    "gu": "ગુજરાતી",
    "hi": "हिन्दी",
    "hu": "Magyar",
    "it": "Italiano",
    "ku": "Kurdî",
    "lt": "Lietuvių",
    "lv": "Latviešu",
    "ne": "नेपाली",
    "pa": "ਪੰਜਾਬੀ",
    "pl": "Polski",
    "ps": "پښتو",
    "pt": "Português",
    "ro": "Română",
    "ru": "Русский",
    "sk": "Slovenčina",
    "so": "Soomaali",
    "sq": "Shqip",
    "ta": "தமிழ்",
    "ti": "ትግርኛ",
    "tl": "Tagalog",
    "tr": "Türkçe",
    "uk": "Українська",
    "ur": "اردو",
    "zh": "中文",
}

LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}$")


def language_name(code: str) -> str:
    """The language's own name ("Cymraeg"), or the code itself when unknown."""
    return LANGUAGES.get(code, code)


#: Default labels of the fixed scales, by scale and language (English is forms.scales').
SCALE_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "cy": {
        "faces3": ("Na", "Ychydig bach", "Ie"),
        "faces5": ("Dim o gwbl", "Ddim llawer", "Yn y canol", "Eithaf llawer", "Llawer"),
        "agree5": ("Anghytuno'n gryf", "Anghytuno", "Ddim yn cytuno nac yn anghytuno",
                   "Cytuno", "Cytuno'n gryf"),
        "confidence5": ("Ddim yn hyderus o gwbl", "Ychydig yn hyderus", "Eithaf hyderus",
                        "Hyderus iawn", "Hynod o hyderus"),
        "satisfied5": ("Anfodlon iawn", "Anfodlon", "Ddim yn fodlon nac yn anfodlon",
                       "Bodlon", "Bodlon iawn"),
        "likely0to10": ("0 Ddim yn debygol o gwbl", "1", "2", "3", "4", "5", "6", "7", "8",
                        "9", "10 Hynod o debygol"),
        "yesno": ("Ie", "Na"),
    },
}

#: Fixed words by key and language. English is the source; `{name}` fields are filled by
#: `phrase(key, lang, **fields)`.
PHRASES: dict[str, dict[str, str]] = {
    "dont_know": {"en": DONT_KNOW_LABEL, "cy": "Dwi ddim yn gwybod"},
    "retro_before": {"en": "Before the workshop", "cy": "Cyn y gweithdy"},
    "retro_now": {"en": "Now", "cy": "Nawr"},
    "continued": {"en": "{title} (continued)", "cy": "{title} (parhad)"},
    "say_faces": {
        "en": "Colour in the circle under one face for each question, like this:",
        "cy": "Lliwia'r cylch o dan un wyneb ar gyfer pob cwestiwn, fel hyn:",
    },
    "say_pupil": {
        "en": "Colour in one circle for each question, like this:",
        "cy": "Lliwia un cylch ar gyfer pob cwestiwn, fel hyn:",
    },
    "say_adult": {
        "en": "Fill in one circle for each question, like this:",
        "cy": "Llenwch un cylch ar gyfer pob cwestiwn, fel hyn:",
    },
    "say_retro": {
        "en": "Colour in one circle for BEFORE and one for NOW on each row, like this:",
        "cy": "Lliwia un cylch ar gyfer CYN ac un ar gyfer NAWR ar bob rhes, fel hyn:",
    },
    "say_more": {"en": " (more where it says so)", "cy": " (mwy lle mae'n dweud)"},
    "like_this": {"en": ", like this:", "cy": ", fel hyn:"},
    "number_hint_pupil": {
        "en": "Your teacher will tell you your number. For 7, colour {example}.",
        "cy": "Bydd dy athro yn dweud dy rif wrthot ti. Ar gyfer 7, lliwia {example}.",
    },
    "number_hint_adult": {"en": "For 7, fill in {example}.",
                          "cy": "Ar gyfer 7, llenwch {example}."},
    "number_example_2": {"en": "0 then 7", "cy": "0 wedyn 7"},
    "number_example_3": {"en": "0, 0 then 7", "cy": "0, 0 wedyn 7"},
    "my_number": {"en": "My number", "cy": "Fy rhif"},
    "child_number": {"en": "Your child's pupil number", "cy": "Rhif disgybl eich plentyn"},
    "page_of_turn": {"en": "Page {page} of {total}: please turn over",
                     "cy": "Tudalen {page} o {total}: trowch drosodd"},
    "page_of": {"en": "Page {page} of {total}", "cy": "Tudalen {page} o {total}"},
    "row_0": {"en": "Ones", "cy": "Unedau"},
    "row_1": {"en": "Tens", "cy": "Degau"},
    "row_2": {"en": "Hundreds", "cy": "Cannoedd"},
    "row_3": {"en": "Thousands", "cy": "Miloedd"},
    "row_4": {"en": "10 thousands", "cy": "Degau o filoedd"},
    "row_5": {"en": "100 thousands", "cy": "Cannoedd o filoedd"},
}


def phrase(key: str, lang: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """A fixed word in `lang`, English where the phrasebook has none; `fields` fill it."""
    words = PHRASES[key]
    text = words.get(lang) or words[DEFAULT_LANGUAGE]
    return text.format(**fields) if fields else text


def has_phrasebook(lang: str) -> bool:
    """True when the fixed words (scale labels, sheet words) exist in `lang`."""
    return lang == DEFAULT_LANGUAGE or lang in SCALE_LABELS


def scale_labels(scale: str, lang: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """A fixed scale's default labels in `lang` (English where the phrasebook has none)."""
    return SCALE_LABELS.get(lang, {}).get(scale) or SCALES[scale].labels


__all__ = [
    "DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_CODE_RE", "PHRASES", "SCALE_LABELS",
    "has_phrasebook", "language_name", "phrase", "scale_labels",
]
