"""Join codes: six characters a child can read off the whiteboard and type.

The alphabet leaves out look-alikes (0/O, 1/I/L) and punctuation, so a code read aloud or
copied by hand has one spelling. 31 letters to the power of 6 is about 887 million codes;
guessing is held back by a rate limit on `/join`, not by the code's length (the QR code's
unguessable link stays the main way in).
"""

from __future__ import annotations

import re
import secrets

JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6
_NOT_CODE = re.compile(r"[\s\-_.·]+")


def random_join_code() -> str:
    """A fresh random code, stored without its dash ("K7FQ2M")."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def format_join_code(code: str | None) -> str:
    """How a code is shown: two groups of three ("K7F-Q2M")."""
    if not code:
        return ""
    return f"{code[:3]}-{code[3:]}"


def normalise_join_code(typed: str | None) -> str | None:
    """The stored form of what a pupil typed (any case, spaces and dashes anywhere), or None
    when it cannot be a code at all."""
    code = _NOT_CODE.sub("", typed or "").upper()
    if len(code) != JOIN_CODE_LENGTH or any(ch not in JOIN_ALPHABET for ch in code):
        return None
    return code
