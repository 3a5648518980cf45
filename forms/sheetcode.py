"""The text in each printed page's QR code, shared by print/ (writes it) and scanner/ (reads it).

Format: ``SV2/<INSTALLATION>/<collection id>/<SHEET KEY>/<serial>/<page>/<FINGERPRINT>``,
all upper case so the QR uses alphanumeric mode and stays small enough to decode from a
phone photo (about 40 characters: QR version 2-3).

The sheet key is a random public id of the collection, never reused: a database may hand
out an erased collection's integer id again (SQLite did), and the key is what stops that
collection's old sheets from landing in the new one. Sheets printed before the key
existed carry ``SV1/<INSTALLATION>/<collection id>/<serial>/<page>/<FINGERPRINT>`` and
are still read (their key is "").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAG = "SV2"
#: Fingerprint characters carried in the QR (the full fingerprint is in the stored layout).
QR_FINGERPRINT_CHARS = 10
_RE = re.compile(r"^SV2/([A-Z0-9]{4,16})/(\d{1,9})/([A-Z0-9]{4,12})/(\d{1,6})/(\d{1,2})/"
                 r"([0-9A-F]{6,32})$")
_RE_V1 = re.compile(r"^SV1/([A-Z0-9]{4,16})/(\d{1,9})/(\d{1,6})/(\d{1,2})/([0-9A-F]{6,32})$")


#: A pack's cover page: ``SVC/<INSTALLATION>/<collection id>/<SHEET KEY>``. The scanner
#: recognises it and skips the page with a note, instead of calling it unreadable.
COVER_TAG = "SVC"
_RE_COVER = re.compile(r"^SVC/([A-Z0-9]{4,16})/(\d{1,9})/([A-Z0-9]{0,12})$")


def encode_cover_code(installation: str, collection_id: int, key: str = "") -> str:
    return f"{COVER_TAG}/{installation.upper()}/{collection_id}/{key.upper()}"


def is_cover_code(text: str) -> bool:
    return bool(_RE_COVER.match(text.strip()))


class SheetCodeError(ValueError):
    """The QR text is not one of our sheet codes."""


@dataclass(frozen=True)
class SheetCode:
    installation: str
    collection_id: int
    serial: int
    page: int
    #: Upper-case prefix of the layout fingerprint.
    fingerprint: str
    #: The collection's never-reused public key ("" on sheets printed before it existed).
    key: str = ""

    @property
    def sheet_id(self) -> str:
        """The id printed on the sheet and exported in the `sheet_id` column."""
        return f"{self.collection_id}-{self.serial}"

    def matches_layout(self, layout_fingerprint: str) -> bool:
        return layout_fingerprint.upper().startswith(self.fingerprint)

    def encode(self) -> str:
        if not self.key:
            return (f"SV1/{self.installation}/{self.collection_id}/{self.serial}/{self.page}/"
                    f"{self.fingerprint}")
        return (f"{TAG}/{self.installation}/{self.collection_id}/{self.key}/{self.serial}/"
                f"{self.page}/{self.fingerprint}")


def encode_sheet_code(installation: str, collection_id: int, serial: int, page: int,
                      layout_fingerprint: str, key: str = "") -> str:
    """The QR text of one page; `key` is the collection's sheet key (always given for new
    sheets: without it the old SV1 form is written, as tests of old sheets need)."""
    code = SheetCode(installation.upper(), collection_id, serial, page,
                     layout_fingerprint.upper()[:QR_FINGERPRINT_CHARS], key.upper())
    text = code.encode()
    if not (_RE if key else _RE_V1).match(text):
        raise ValueError(f"cannot encode sheet code {text!r}")
    return text


def decode_sheet_code(text: str) -> SheetCode:
    text = text.strip()
    m = _RE.match(text)
    if m:
        inst, coll, key, serial, page, fp = m.groups()
        return SheetCode(inst, int(coll), int(serial), int(page), fp, key)
    m = _RE_V1.match(text)
    if not m:
        raise SheetCodeError(f"not a sheet code from this system: {text[:60]!r}")
    inst, coll, serial, page, fp = m.groups()
    return SheetCode(inst, int(coll), int(serial), int(page), fp)
