"""Which font draws a string: reportlab's built-in Helvetica for Western European text, and
DejaVu Sans (Debian's `fonts-dejavu-core`) for any other, chosen per string in this one
place so that measuring (`forms.layout` through `print.measure`) and drawing agree.

A survey is checked before it is laid out: a character neither font can draw (Chinese, most
emoji), and right-to-left text (Urdu, Arabic, Hebrew: reportlab would draw its letters
unjoined and in the wrong order), is refused with a message that names each one, so a
sheet never prints black boxes.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from forms.definition import SurveyDefinition

#: The TrueType font drawn instead of each built-in font, and its file.
FALLBACK = {"Helvetica": ("DejaVuSans", "DejaVuSans.ttf"),
            "Helvetica-Bold": ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf")}
#: A layout may name the fallback itself, for every line of a text that needs it (so a
#: wrapped Welsh question with one "ŵ" is not drawn half in each font): it draws as itself.
FALLBACK.update({name: (name, file) for name, file in list(FALLBACK.values())})
#: Where the fallback's files are looked for; PRINT_FONT_DIR (a folder) comes first.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/local/share/fonts", "/opt/homebrew/share/fonts", "/Library/Fonts")
#: Emoji variation selectors and the zero-width joiner: they change no printed letter, so
#: they are dropped rather than refused ("❤️" is "❤" + U+FE0F).
IGNORED = dict.fromkeys(map(ord, "\ufe0e\ufe0f\u200d"))


class UnprintableTextError(ValueError):
    """Text that no sheet font can draw; the message names the characters and says what to do."""


def _builtin(text: str) -> bool:
    """Helvetica as reportlab draws it knows the Windows-1252 characters only."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@cache
def _fallback(font: str) -> tuple[str, frozenset[int]] | None:
    """(registered name, code points it has glyphs for), or None if its file is missing."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name, file = FALLBACK.get(font, FALLBACK["Helvetica"])
    dirs = [os.environ["PRINT_FONT_DIR"]] if os.environ.get("PRINT_FONT_DIR") else []
    for folder in [*dirs, *FONT_DIRS]:
        path = Path(folder) / file
        if path.is_file():
            try:
                ttf = TTFont(name, str(path))
            except Exception:  # noqa: BLE001 - a damaged file is as good as none
                continue
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(ttf)
            return name, frozenset(ttf.face.charToGlyph)
    return None


#: The fallback fonts' registered names.
TRUETYPE = frozenset(name for name, _ in FALLBACK.values())


def fallback_font(font: str = "Helvetica") -> str | None:
    """The registered name of the TrueType font drawn instead of `font`, if installed."""
    found = _fallback(font)
    return found[0] if found is not None else None


def clean(text: str) -> str:
    """The text as drawn (without the invisible characters in IGNORED)."""
    return text.translate(IGNORED)


def font_for(text: str, font: str) -> str:
    """The font that draws `text` (the layout's `font` when it can)."""
    if _builtin(text) and font not in TRUETYPE:
        return font
    fallback = _fallback(font)
    return fallback[0] if fallback is not None else font


def unprintable(text: str, font: str = "Helvetica") -> list[str]:
    """The characters of `text` that would not print correctly, in order, once each."""
    text = clean(text)
    if _builtin(text):
        return []
    fallback = _fallback(font)
    glyphs = fallback[1] if fallback is not None else frozenset()
    out: list[str] = []
    for ch in text:
        rtl = unicodedata.bidirectional(ch) in ("R", "AL")
        if (rtl or (ord(ch) not in glyphs and not _builtin(ch))) and ch not in out:
            out.append(ch)
    return out


def _name(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed').lower()})"


def check_texts(texts: Iterable[tuple[str, str, str]]) -> None:
    """Refuse, naming every character and where it is, texts a sheet cannot show.

    :param texts: (where, text, font), e.g. ("question 'q1'", "…", "Helvetica").
    """
    found: dict[str, list[str]] = {}
    for where, text, font in texts:
        bad = found.setdefault(where, [])
        bad += [ch for ch in unprintable(text, font) if ch not in bad]
    problems = [f"{where} has {', '.join(_name(ch) for ch in bad)}"
                for where, bad in found.items() if bad]
    if problems:
        raise UnprintableTextError(
            "This survey cannot be printed: the sheet font cannot draw these characters "
            "(right-to-left scripts such as Urdu are not yet printed, and nor are Chinese "
            "characters and most emoji). " + "; ".join(problems) + ". Change those words "
            "in a new version of the survey, or collect these answers on the web.")


def needs_fallback(text: str) -> bool:
    """True when `text` has a character the built-in font lacks (Welsh ŵ and ŷ, Polish ł)."""
    return not _builtin(clean(text))


def check_survey(survey: SurveyDefinition) -> None:
    """Refuse a survey any of whose printed words, in any of its languages, cannot be
    drawn (see `check_texts`)."""
    texts: list[tuple[str, str]] = []
    for lang in survey.languages:
        one = survey.in_language(lang)
        where = f" ({lang})" if len(survey.languages) > 1 else ""
        texts.append((f"the title{where}", one.title))
        if one.intro:
            texts.append((f"the intro{where}", one.intro))
        for q in one.questions:
            texts.append((f"question '{q.code}'{where}", q.text))
            texts += [(f"question '{q.code}', option '{o.code}'{where}", o.label)
                      for o in q.options]
    # Labels and headings are drawn bold, other words regular: check both fonts.
    check_texts((where, text, font) for where, text in texts
                for font in ("Helvetica", "Helvetica-Bold"))
