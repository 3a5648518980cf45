"""Open an uploaded file (PDF, JPEG, PNG, multi-page TIFF, HEIC) as a list of greyscale pages.

Everything that can refuse the whole file (empty, wrong type, damaged, password, too many
pages, too large, decompression bomb) is checked in `open_scan`, before any page is decoded;
pages are then decoded one at a time so a 300-page pile never sits in memory at once.
Greyscale is enough: blue pen and pencil are both darker than paper in luminance.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence

from scanner import tuning
from scanner.errors import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    ImageTooLargeError,
    PageTooLargeError,
    PasswordProtectedError,
    TooManyPagesError,
    UnsupportedFileError,
)

try:  # HEIC (iPhone photos) only when the optional decoder is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIC_SUPPORTED = False

_PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD


@dataclass(frozen=True)
class Limits:
    """What one upload may be; defaults from `tuning`, the app may pass its own config."""

    max_pages: int = tuning.MAX_PAGES
    max_bytes: int = tuning.MAX_FILE_BYTES
    max_page_pixels: int = tuning.MAX_PAGE_PIXELS


@dataclass
class PageImage:
    """One decoded page: greyscale pixels plus where it came from."""

    #: 0-based page index within the file.
    index: int
    image: np.ndarray
    #: Resolution of the scan when known (PDF pages), else None (photos).
    dpi: float | None = None


#: Formats recognised only to name them when they are refused (Pillow would open them:
#: its EPS plugin runs Ghostscript, which runs any PostScript program, `{ } loop` included).
REFUSED_KINDS = {
    b"%!PS": "a PostScript or EPS file", b"\xc5\xd0\xd3\xc6": "an EPS file",
    b"GIF8": "a GIF image", b"BM": "a BMP image", b"\x00\x00\x01\x00": "an icon file",
    b"RIFF": "a WebP image or other RIFF file", b"8BPS": "a Photoshop file",
}
#: The Pillow plugin each accepted image kind may be opened with (and no other).
PIL_FORMATS = {"jpeg": ["JPEG"], "png": ["PNG"], "tiff": ["TIFF"], "heic": ["HEIF"]}


def _refused(data: bytes) -> str | None:
    """What a refused file is, by its first bytes (None: not one we know to name)."""
    return next((what for magic, what in REFUSED_KINDS.items() if data.startswith(magic)),
                None)


def _kind(data: bytes) -> str:
    """The file's kind decided by its first bytes, never by its name."""
    head = data[:1024]
    if _refused(head):
        return "other"
    if b"%PDF" in head:
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "heic"
    return "other"


class ScanSource:
    """An opened, checked upload; `len(src)` pages, `src.page(i)` decodes page i."""

    def __init__(self, data: bytes, filename: str, limits: Limits):
        self.filename = filename
        self.limits = limits
        self.data = data
        self.kind = _kind(data)
        self._pdf = None
        self._frames: list[int] = []
        if self.kind == "pdf":
            self._open_pdf()
        elif self.kind == "other":
            raise UnsupportedFileError(filename, _refused(data[:16]) or "")
        else:
            self._open_image()

    # -- PDF -------------------------------------------------------------------------------
    def _open_pdf(self) -> None:
        import pypdfium2 as pdfium

        try:
            self._pdf = pdfium.PdfDocument(self.data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
                raise PasswordProtectedError(self.filename) from None
            raise CorruptFileError(self.filename, "not a readable PDF") from None
        n = len(self._pdf)
        if n == 0:
            raise CorruptFileError(self.filename, "the PDF has no pages")
        if n > self.limits.max_pages:
            raise TooManyPagesError(self.filename, n, self.limits.max_pages)
        for i in range(n):
            page = self._pdf[i]
            w_pt, h_pt = page.get_size()
            short_pt, long_pt = tuning.MAX_PDF_PAGE_PT
            if min(w_pt, h_pt) > short_pt or max(w_pt, h_pt) > long_pt:
                raise PageTooLargeError(self.filename, i + 1, w_pt / 72 * 25.4,
                                        h_pt / 72 * 25.4)
            _scan, _dpi, _native, px = _pdf_plan(page)
            if px > self.limits.max_page_pixels:
                raise ImageTooLargeError(self.filename, i + 1, px, self.limits.max_page_pixels)

    def _pdf_page(self, i: int) -> PageImage:
        page = self._pdf[i]
        scan, dpi, native, px = _pdf_plan(page)
        if px > self.limits.max_page_pixels:  # checked at open; checked again before work
            raise ImageTooLargeError(self.filename, i + 1, px, self.limits.max_page_pixels)
        if native:
            # Decoding the scan's own JPEG is the fastest exact path (no resampling).
            img = cv2.imdecode(np.frombuffer(scan[0].get_data(decode_simple=False), np.uint8),
                               cv2.IMREAD_GRAYSCALE)
            if img is not None:
                return PageImage(i, img, dpi)
            dpi = min(max(dpi, 100.0), float(tuning.MAX_RENDER_DPI))
        # A 1-bit scan (black and white, often dithered) is rendered pixel for pixel: smoothed
        # onto a grid a fraction of a pixel off, its dots become grey everywhere, the page is
        # no longer seen as 1-bit (nor blurred back into grey as one), and on some such pages
        # every empty bubble read as a faint mark, or as marked.
        bitmap = page.render(scale=dpi / 72, grayscale=True, no_smoothimage=_one_bit(scan))
        img = np.array(bitmap.to_numpy(), copy=True)
        if img.ndim == 3:
            img = img[:, :, 0]
        return PageImage(i, img, dpi)

    # -- Images ----------------------------------------------------------------------------
    def _open_image(self) -> None:
        if self.kind == "heic" and not HEIC_SUPPORTED:
            raise UnsupportedFileError(self.filename)
        try:
            with warnings.catch_warnings():
                # Our own pixel limit below replaces Pillow's bomb warning.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                im = Image.open(io.BytesIO(self.data), formats=PIL_FORMATS[self.kind])
                n = getattr(im, "n_frames", 1)
                if n > self.limits.max_pages:
                    raise TooManyPagesError(self.filename, n, self.limits.max_pages)
                for k, frame in enumerate(ImageSequence.Iterator(im)):
                    px = frame.size[0] * frame.size[1]
                    if px > self.limits.max_page_pixels:
                        raise ImageTooLargeError(self.filename, k + 1, px,
                                                 self.limits.max_page_pixels)
                    self._frames.append(k)
        except Image.DecompressionBombError as exc:
            # Pillow refuses before we see the size; its message carries it.
            size = re.search(r"\((\d+) pixels\)", str(exc))
            px = int(size.group(1)) if size else self.limits.max_page_pixels + 1
            raise ImageTooLargeError(self.filename, 1, px,
                                     self.limits.max_page_pixels) from None
        except (Image.UnidentifiedImageError, ValueError):
            if self.kind == "other":
                raise UnsupportedFileError(self.filename) from None
            raise CorruptFileError(self.filename, "the image cannot be decoded") from None
        except OSError:
            raise CorruptFileError(self.filename, "the image is truncated") from None

    def _image_page(self, i: int) -> PageImage:
        if self.kind in ("jpeg", "png"):
            # OpenCV decodes straight to greyscale and applies the EXIF orientation itself.
            img = cv2.imdecode(np.frombuffer(self.data, np.uint8), cv2.IMREAD_GRAYSCALE)
            if img is not None:
                return PageImage(i, img, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(self.data), formats=PIL_FORMATS[self.kind])
            im.seek(self._frames[i])
            frame = ImageOps.exif_transpose(im.convert("L")) if i == 0 else im.convert("L")
            return PageImage(i, np.asarray(frame), None)

    # -- Both ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._pdf) if self._pdf is not None else len(self._frames)

    def page(self, i: int) -> PageImage:
        """Decode page `i`; raises `PageDecodeError` if this one page is damaged."""
        try:
            return self._pdf_page(i) if self._pdf is not None else self._image_page(i)
        except Exception as exc:  # one bad page must not stop the batch
            raise PageDecodeError(f"page {i + 1} of {self.filename} cannot be decoded "
                                  f"({type(exc).__name__})") from exc

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None


class PageDecodeError(Exception):
    """One page of an otherwise readable file is damaged."""


def _pdf_plan(page) -> tuple[tuple | None, float, bool, int]:
    """How a PDF page will be decoded, decided before any pixel is made: (embedded scan,
    dpi, whether the scan's own JPEG is used as it is, pixels of the result)."""
    w_pt, h_pt = page.get_size()
    scan = _embedded_scan(page)
    if scan is None:
        dpi = float(tuning.DEFAULT_PDF_DPI)
    else:
        _obj, px_w, px_h, is_jpeg = scan
        dpi = px_w / (w_pt / 72)
        if is_jpeg and page.get_rotation() == 0:
            return scan, dpi, True, px_w * px_h
        dpi = min(max(dpi, 100.0), float(tuning.MAX_RENDER_DPI))
    return scan, dpi, False, int(w_pt / 72 * dpi) * int(h_pt / 72 * dpi)


def _one_bit(scan: tuple | None) -> bool:
    """True when the embedded scan is a 1-bit image."""
    if scan is None:
        return False
    try:
        return scan[0].get_metadata().bits_per_pixel == 1
    except Exception:  # metadata unreadable: render as any other image
        return False


def _embedded_scan(page) -> tuple[object, int, int, bool] | None:
    """The image covering (nearly) the whole page, if the page is a scan: (object, px width,
    px height, is plain JPEG). Vector pages (our own PDFs) return None."""
    import pypdfium2.raw as pdfium_c

    w_pt, h_pt = page.get_size()
    best = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) < 0.8 * w_pt * h_pt:
            continue
        px_w, px_h = obj.get_px_size()
        m = obj.get_matrix()
        upright = m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0
        is_jpeg = upright and obj.get_filters() == ["DCTDecode"]
        best = (obj, px_w, px_h, is_jpeg)
    return best


def open_scan(source: str | Path | bytes, filename: str | None = None, *,
              limits: Limits | None = None, isolate: bool = True,
              decoder=None) -> ScanSource:
    """Open and check one upload (a path, or bytes plus the name the user gave it).

    With `isolate` (the default) the file is opened and its pages decoded in a child
    process with CPU, memory and time limits (`scanner.sandbox`; `decoder` reuses one
    child for several files, and may already hold this file, read ahead); the result has
    the same `len()`, `page(i)` and `close()`.
    Raises a `ScanInputError` subclass whose message is meant for the user.
    """
    limits = limits or Limits()
    data, path, name = checked_upload(source, filename, limits)
    if isolate:
        from scanner.sandbox import IsolatedSource

        return IsolatedSource(data, path, name, limits, decoder)
    return ScanSource(data if data is not None else path.read_bytes(), name, limits)


def checked_upload(source: str | Path | bytes, filename: str | None,
                   limits: Limits) -> tuple[bytes | None, Path | None, str]:
    """What the parent checks before any decoder sees a file (size, and kind by its first
    bytes): (bytes or None, path or None, name). Shared by `open_scan` and the sandbox's
    read-ahead, so a file is never sent ahead that `open_scan` would refuse unopened."""
    path = None
    if isinstance(source, bytes):
        data, name = source, filename or "the uploaded file"
        size, head = len(data), data[:1024]
    else:
        path = Path(source)
        name = filename or path.name
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(1024)
        data = None
    if not size:
        raise EmptyFileError(name)
    if size > limits.max_bytes:
        raise FileTooLargeError(name, size, limits.max_bytes)
    if _kind(head) == "other":  # refused by its first bytes: no decoder ever sees it
        raise UnsupportedFileError(name, _refused(head) or "")
    return data, path, name
