"""CSV writers over the export tables: RFC 4180 (csv module, CRLF), UTF-8; the "Excel"
variant starts with a byte-order mark, without which Excel reads a double-clicked file as
the local code page and garbles accented names.

Thin on purpose: what a cell says is decided in tables.py; here rows only become bytes,
written as they come so a 100k-row export never sits in memory.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

#: Rows per chunk sent to the browser: big enough for few writes, small enough to stream.
ROWS_PER_CHUNK = 500


#: UTF-8 byte-order mark, as bytes.
BOM = "\ufeff".encode()


def write_csv(rows: Iterable[Sequence[str]], path: str | Path, bom: bool = False) -> int:
    """Write the table to `path` (via a temporary name, so a failed export never leaves a
    half-written file that looks complete); return the number of data rows. `bom`: the
    Excel variant."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    count = -1
    try:
        with open(partial, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            count = write_stream(rows, f)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def write_stream(rows: Iterable[Sequence[str]], stream) -> int:
    """Write the table to an open text stream; return the number of data rows."""
    writer = csv.writer(stream, lineterminator="\r\n")
    count = -1  # the header is not a data row
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0)


def csv_chunks(rows: Iterable[Sequence[str]], rows_per_chunk: int = ROWS_PER_CHUNK,
               bom: bool = False) -> Iterator[bytes]:
    """The table as UTF-8 CSV bytes in chunks, for a streaming HTTP response."""
    if bom:
        yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")
