"""The text in each printed page's QR code, shared by print/ (writes it) and scanner/ (reads it).

Format: ``SV1/<INSTALLATION>/<collection id>/<serial>/<page>/<LAYOUT FINGERPRINT>``, all
upper case so the QR uses alphanumeric mode and stays small enough to decode from a phone
photo (about 40 characters: QR version 2-3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAG = "SV1"
#: Fingerprint characters carried in the QR (the full fingerprint is in the stored layout).
QR_FINGERPRINT_CHARS = 10
_RE = re.compile(r"^SV1/([A-Z0-9]{4,16})/(\d{1,9})/(\d{1,6})/(\d{1,2})/([0-9A-F]{6,32})$")


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

    @property
    def sheet_id(self) -> str:
        """The id printed on the sheet and exported in the `sheet_id` column."""
        return f"{self.collection_id}-{self.serial}"

    def matches_layout(self, layout_fingerprint: str) -> bool:
        return layout_fingerprint.upper().startswith(self.fingerprint)

    def encode(self) -> str:
        return (f"{TAG}/{self.installation}/{self.collection_id}/{self.serial}/{self.page}/"
                f"{self.fingerprint}")


def encode_sheet_code(installation: str, collection_id: int, serial: int, page: int,
                      layout_fingerprint: str) -> str:
    code = SheetCode(installation.upper(), collection_id, serial, page,
                     layout_fingerprint.upper()[:QR_FINGERPRINT_CHARS])
    text = code.encode()
    if not _RE.match(text):
        raise ValueError(f"cannot encode sheet code {text!r}")
    return text


def decode_sheet_code(text: str) -> SheetCode:
    m = _RE.match(text.strip())
    if not m:
        raise SheetCodeError(f"not a sheet code from this system: {text[:60]!r}")
    inst, coll, serial, page, fp = m.groups()
    return SheetCode(inst, int(coll), int(serial), int(page), fp)
