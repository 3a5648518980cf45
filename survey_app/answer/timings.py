"""The answer page's optional per-question timings, checked before they are stored.

The page's script (static/answer.js) posts `_timings`, JSON {code: {"ms": time on the
question, "read": times read aloud}}. It is never required and never trusted: anything
malformed is dropped whole, unknown codes and absurd figures are left out, so a pupil's
answers are stored the same with or without it (the pilot report reads what is kept)."""

from __future__ import annotations

import json
from collections.abc import Iterable

#: Longer on one question than this is a page left open, not time spent reading.
MAX_MS = 30 * 60 * 1000
MAX_READS = 50
#: A posted field longer than this is not from our script.
MAX_CHARS = 20_000


def clean_timings(raw: str | None, codes: Iterable[str]) -> str | None:
    """The posted timings as JSON to store, or None when absent or unusable."""
    if not raw or len(raw) > MAX_CHARS:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    known = set(codes)
    out: dict[str, dict[str, int]] = {}
    for code, item in data.items():
        if code not in known or not isinstance(item, dict):
            continue
        ms, read = item.get("ms"), item.get("read", 0)
        if not _whole(ms, MAX_MS) or not _whole(read, MAX_READS):
            continue
        out[code] = {"ms": int(ms), "read": int(read)}
    return json.dumps(out, sort_keys=True) if out else None


def _whole(value, limit: int) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and 0 <= value <= limit and float(value).is_integer())
