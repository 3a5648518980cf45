"""File names for what the app sends as a download (class packs, letters, the impact
report): readable parts joined by hyphens, and a Content-Disposition header that carries
both an ASCII name every browser keeps and the UTF-8 one (RFC 6266 `filename*`), so
"Ysgol Llŷn" survives where the browser can, and nothing from a name can break the header.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: Anything but letters and digits becomes a hyphen in a file name; apostrophes just go
#: ("St Anne's" -> "st-annes").
_UNSAFE = re.compile(r"[\W_]+")
_APOSTROPHES = re.compile(r"['\u2019]")
#: A name every browser keeps as it is (a survey code such as "pupil_attitudes_7_11" keeps
#: its underscores, which researchers' scripts match on).
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", _APOSTROPHES.sub("", text)).strip("-").lower()


def file_name(*parts: str | None, suffix: str) -> str:
    """`parts` (empty ones left out) as one lowercase hyphenated name ending in `suffix`,
    in any script: file_name("paper", "Oak Primary", "Year 5", suffix=".pdf") is
    "paper-oak-primary-year-5.pdf"."""
    words = [_slug(unicodedata.normalize("NFC", p)) for p in parts if p]
    return "-".join(w for w in words if w) + suffix


def ascii_name(name: str) -> str:
    """`name` in ASCII only: letters lose their accents ("llŷn" -> "llyn"), anything else
    left is a hyphen."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, dot, suffix = plain.rpartition(".")
    return f"{_slug(stem)}.{suffix}" if dot else _slug(plain)


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The header for `name` (from `file_name`, or a plain ASCII name such as a survey
    code's): `filename` in ASCII, and `filename*` in UTF-8 when the two differ. Every
    download in the app sets its header here, so no name can add a parameter or break it."""
    kind = "inline" if inline else "attachment"
    plain = name if _PLAIN.fullmatch(name) else ascii_name(name)
    if plain == name:
        return f'{kind}; filename="{plain}"'
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
