"""Why a whole file cannot be read: one exception type per cause, each with a sentence for
the person who uploaded it (names the file, says what is wrong and what to do).

A single bad *page* is never an exception: it becomes an `UnreadablePage` and the batch goes on.
"""

from __future__ import annotations


class ScanInputError(Exception):
    """A file the scanner refuses before reading any page; `str()` is the user message."""

    def __init__(self, filename: str, message: str):
        self.filename = filename
        super().__init__(message)


class EmptyFileError(ScanInputError):
    def __init__(self, filename: str):
        super().__init__(filename, f"{filename} is empty (0 bytes). Upload the scan again; if "
                         "it came from a copier, check that the scan finished before sending it.")


class UnsupportedFileError(ScanInputError):
    def __init__(self, filename: str, what: str = ""):
        self.what = what
        kind = f" ({what}, which is not accepted)" if what else ""
        super().__init__(filename, f"{filename} is not a PDF or an image (JPEG, PNG, TIFF, "
                         f"HEIC){kind}. Scan the sheets to PDF, or photograph them, and "
                         "upload that.")


class CorruptFileError(ScanInputError):
    def __init__(self, filename: str, detail: str = ""):
        what = f" ({detail})" if detail else ""
        super().__init__(filename, f"{filename} is damaged or incomplete and cannot be "
                         f"opened{what}. Upload it again; if that fails, scan the sheets again.")


class PasswordProtectedError(ScanInputError):
    def __init__(self, filename: str):
        super().__init__(filename, f"{filename} is protected by a password. Scan the sheets "
                         "again without a password (or save an unprotected copy) and upload that.")


class TooManyPagesError(ScanInputError):
    def __init__(self, filename: str, pages: int, limit: int):
        self.pages, self.limit = pages, limit
        super().__init__(filename, f"{filename} has {pages} pages; at most {limit} can be read "
                         "from one file. Split the pile and upload it as several files.")


class FileTooLargeError(ScanInputError):
    def __init__(self, filename: str, size: int, limit: int):
        self.size, self.limit = size, limit
        super().__init__(filename, f"{filename} is {size / 1e6:.0f} MB; at most "
                         f"{limit / 1e6:.0f} MB can be uploaded at once. Scan at 200-300 dpi in "
                         "greyscale, or split the pile into several files.")


class ImageTooLargeError(ScanInputError):
    def __init__(self, filename: str, page: int, pixels: int, limit: int):
        super().__init__(filename, f"Page {page} of {filename} is {pixels / 1e6:.0f} megapixels, "
                         f"more than the {limit / 1e6:.0f} allowed. Scan at 200-300 dpi and "
                         "upload it again.")


class PageTooLargeError(ScanInputError):
    def __init__(self, filename: str, page: int, w_mm: float, h_mm: float):
        super().__init__(filename, f"Page {page} of {filename} is {w_mm:.0f} x {h_mm:.0f} mm, "
                         "larger than A3 (297 x 420 mm), the largest sheet that can be read. "
                         "Scan the sheets at their real size (A4) and upload them again.")


class DecodeLimitError(ScanInputError):
    def __init__(self, filename: str, needed: str):
        super().__init__(filename, f"{filename} could not be opened: it needed {needed} than "
                         "one file may use, so it is damaged or not a scan. Scan the sheets "
                         "again to PDF and upload that.")
