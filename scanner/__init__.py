"""Read completed paper sheets: page images in, plain dataclasses out (no Flask, no database).

    scanner = Scanner(lookup, installation="ABCD1234")
    result = scanner.scan_file("pile.pdf")          # FileResult: pages, joined sheets
    for sheet in result.sheets: ...                 # SheetResult: answers, review, missing

See docs/developing/scanner.md (the docs site: `mkdocs serve`).
"""

from scanner.answers import join_sheets
from scanner.errors import (
    CorruptFileError,
    DecodeLimitError,
    EmptyFileError,
    FileTooLargeError,
    ImageTooLargeError,
    PageTooLargeError,
    PasswordProtectedError,
    ScanInputError,
    TooManyPagesError,
    UnsupportedFileError,
)
from scanner.inputs import Limits, open_scan
from scanner.pipeline import BLANK_PAGE, LayoutLookup, Scanner
from scanner.results import (
    BubbleReading,
    FileResult,
    MarkReading,
    MarkReview,
    PageResult,
    SheetResult,
    UnreadablePage,
    WriteIn,
)

__all__ = [
    "BLANK_PAGE", "BubbleReading", "CorruptFileError", "DecodeLimitError", "EmptyFileError",
    "FileResult", "FileTooLargeError", "ImageTooLargeError", "LayoutLookup", "Limits",
    "MarkReading", "PageResult", "PageTooLargeError", "PasswordProtectedError", "MarkReview",
    "ScanInputError", "Scanner",
    "SheetResult", "TooManyPagesError", "UnreadablePage", "UnsupportedFileError", "WriteIn",
    "join_sheets", "open_scan",
]
