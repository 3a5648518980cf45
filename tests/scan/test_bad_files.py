"""A corpus of bad scanner input, made at test time, each file with its expected outcome:
a whole-file problem is a specific `ScanInputError` whose message names the file, says
what is wrong and what to do (and the app stores nothing); a page-level problem is an
`UnreadablePage` with its own reason (and the app keeps the page as unreadable).

Empty and password-protected files and the configured limits are also in test_inputs.py
(scanner level); here every case also goes through the app's upload door."""

from __future__ import annotations

import html
import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from scanner import (
    CorruptFileError,
    EmptyFileError,
    ImageTooLargeError,
    PageTooLargeError,
    PasswordProtectedError,
    ScanInputError,
    Scanner,
    UnreadablePage,
    UnsupportedFileError,
    open_scan,
)
from scanner import pipeline as p
from survey_app.extensions import db
from survey_app.models import ScanBatch, ScanPage
from survey_app.scans.operations import ScanUploadError, run_batch, submit_upload
from tests.conftest import csrf_from, login_as
from tests.support.generate import class_pack, pages_pdf


def _png(width: int, height: int, rows: int | None = None) -> bytes:
    """A greyscale PNG; with `rows`, only that many rows of pixel data follow the header
    (the header is what a decompression bomb lies with, and it is refused on it alone)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\xff" * width
    pixels = zlib.compress(row * (height if rows is None else rows), 1)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def _pdf(encrypt=None) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(595, 842), encrypt=encrypt)
    c.drawString(100, 700, "a page")
    c.showPage()
    c.save()
    return buf.getvalue()


def _scan_pdf() -> bytes:
    img = np.full((1169, 827), 235, np.uint8)  # A4 at 100 dpi
    return pages_pdf([img, img, img], dpi=100)


def _pillow(fmt: str) -> bytes:
    """A plain sheet-sized image in a format that is not accepted."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (827, 1169), 235).save(buf, fmt)
    return buf.getvalue()


#: An EPS file whose PostScript never ends: Pillow's EPS plugin would hand it to Ghostscript.
EPS_LOOP = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 595 842\n%%EndComments\n"
            b"{ } loop\nshowpage\n%%EOF\n")


def _huge_page_pdf() -> bytes:
    """A few KB: 20 pages of 14400 x 14400 pt (5 x 5 m), each covered by a 10-pixel image,
    so the embedded image is tiny but rendering the page would make 400 Mpx."""
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(14400, 14400))
    tiny = ImageReader(io.BytesIO(_png(10, 10)))
    for _ in range(20):
        c.drawImage(tiny, 0, 0, width=14400, height=14400)
        c.showPage()
    c.save()
    return buf.getvalue()


def _holiday_photo() -> bytes:
    """A photo of something else: a noisy landscape with a sun, no sheet in it."""
    rng = np.random.default_rng(2)
    img = (rng.random((1200, 900)) * 60 + 100).astype(np.uint8)
    img[700:] = 60  # ground
    cv2.circle(img, (450, 300), 120, 230, -1)
    return cv2.imencode(".jpg", img)[1].tobytes()


def _other_installation_sheet() -> bytes:
    pack = class_pack("pupil_attitudes_7_11", 1, installation="OTHER1")
    return cv2.imencode(".png", pack.pages[0][2])[1].tobytes()


@dataclass(frozen=True)
class Bad:
    filename: str
    make: Callable[[], bytes]
    #: Whole-file problems: the exception; page-level: None.
    error: type[ScanInputError] | None
    #: Words the message must contain (what is wrong, what to do).
    says: tuple[str, ...]


CORPUS = {
    "empty": Bad("empty.pdf", lambda: b"", EmptyFileError, ("empty", "Upload the scan again")),
    "truncated_pdf": Bad("half.pdf", lambda: _scan_pdf()[:4000], CorruptFileError,
                         ("damaged or incomplete", "scan the sheets again")),
    "encrypted_pdf": Bad("locked.pdf",
                         lambda: _pdf(StandardEncryption("secret", ownerPassword="o")),
                         PasswordProtectedError, ("password", "without a password")),
    "random_bytes_named_pdf": Bad("scan.pdf",
                                  lambda: np.random.default_rng(1).bytes(5000),
                                  UnsupportedFileError, ("not a PDF or an image", "upload")),
    "eps_endless_loop": Bad("sheets.eps", lambda: EPS_LOOP, UnsupportedFileError,
                            ("PostScript or EPS file, which is not accepted", "Scan the "
                             "sheets to PDF")),
    "gif": Bad("sheets.gif", lambda: _pillow("GIF"), UnsupportedFileError,
               ("a GIF image, which is not accepted", "upload")),
    "bmp": Bad("sheets.bmp", lambda: _pillow("BMP"), UnsupportedFileError,
               ("a BMP image, which is not accepted", "upload")),
    "huge_page_pdf": Bad("poster.pdf", _huge_page_pdf, PageTooLargeError,
                         ("5080 x 5080 mm", "larger than A3", "real size")),
    "bomb_png": Bad("bomb.png", lambda: _png(20000, 20000, rows=50), ImageTooLargeError,
                    ("400 megapixels", "more than the 60 allowed", "200-300 dpi")),
    "one_pixel_png": Bad("dot.png", lambda: _png(1, 1), None, ("1 x 1 pixels",
                                                               "too small", "Scan")),
    "photo_of_something_else": Bad("holiday.jpg", _holiday_photo, None,
                                   ("corner squares", "not one of our sheets")),
    "other_installation": Bad("other.png", _other_installation_sheet, None,
                              ("another installation", "OTHER1", "Give it back")),
}
#: The page-level reason (a template in scanner/pipeline.py) each page case must give.
PAGE_REASON = {"one_pixel_png": p.TOO_SMALL.split("{")[0],
               "photo_of_something_else": p.NO_MARKERS,
               "other_installation": p.OTHER_INSTALLATION.split("(code")[0]}
WHOLE = [k for k, b in CORPUS.items() if b.error]
PAGES = [k for k, b in CORPUS.items() if not b.error]
#: Already asserted at the scanner level in test_inputs.py.
IN_TEST_INPUTS = {"empty", "encrypted_pdf"}


@pytest.fixture(scope="module")
def corpus() -> dict[str, bytes]:
    return {k: b.make() for k, b in CORPUS.items()}


@pytest.mark.parametrize("case", [k for k in WHOLE if k not in IN_TEST_INPUTS])
def test_whole_file_problem_has_its_own_error(corpus, case):
    bad = CORPUS[case]
    with pytest.raises(bad.error) as caught:
        open_scan(corpus[case], bad.filename).close()
    message = str(caught.value)
    assert message.startswith(f"{bad.filename} ") or f"of {bad.filename} " in message
    for words in bad.says:
        assert words in message, (words, message)
    assert caught.value.filename == bad.filename


@pytest.mark.parametrize("case", PAGES)
def test_page_problem_has_its_own_reason(corpus, case):
    bad = CORPUS[case]
    result = Scanner(lambda _prefix: None, "TESTINST").scan_file(corpus[case], bad.filename)
    [page] = result.pages
    assert isinstance(page, UnreadablePage)
    assert page.reason.startswith(PAGE_REASON[case]), page.reason
    for words in bad.says:
        assert words in page.reason, (words, page.reason)
    assert not page.blank


def _uploads(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"]) / "uploads"
    return [f for f in root.rglob("*") if f.is_file()] if root.exists() else []


def test_app_refuses_whole_file_problems_and_stores_nothing(app, partnership, coordinator,
                                                            corpus):
    for case in WHOLE:
        bad = CORPUS[case]
        with pytest.raises(ScanUploadError) as caught:
            submit_upload(io.BytesIO(corpus[case]), bad.filename, partnership, coordinator)
        assert bad.filename in str(caught.value)
        for words in bad.says:
            assert words in str(caught.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 0
    assert _uploads(app) == []


def test_upload_page_shows_the_message(app, client, partnership, coordinator, corpus):
    login_as(client, coordinator.email)
    for case in WHOLE:
        bad = CORPUS[case]
        token = csrf_from(client.get("/admin/scans/").get_data(as_text=True))
        boundary, body = encode_multipart({
            "csrf_token": token,
            "file": FileStorage(io.BytesIO(corpus[case]), filename=bad.filename,
                                content_type="application/pdf")})
        resp = client.post("/admin/scans/", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
        assert resp.status_code == 400, case
        text = html.unescape(resp.get_data(as_text=True))
        assert bad.filename in text
        for words in bad.says:
            assert words in text, (case, words)
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 0


def test_app_keeps_page_problems_as_unreadable_pages(app, partnership, coordinator,
                                                     corpus):
    for case in PAGES:
        bad = CORPUS[case]
        outcome = submit_upload(io.BytesIO(corpus[case]), bad.filename, partnership,
                                coordinator)
        batch = run_batch(outcome.batch)
        assert batch.status == "done"
        [page] = db.session.scalars(select(ScanPage).where(ScanPage.batch_id == batch.id))
        assert page.status == "unreadable", (case, page.status)
        assert page.reason.startswith(PAGE_REASON[case]), page.reason
        assert page.response_id is None
