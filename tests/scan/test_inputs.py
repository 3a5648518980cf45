"""Bad uploads are refused before any work, with messages that name the file and say what
to do; good ones (PDF scans, images, TIFF, EXIF-rotated photos) decode to greyscale pages."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from scanner import (
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    ImageTooLargeError,
    Limits,
    PasswordProtectedError,
    TooManyPagesError,
    UnsupportedFileError,
    open_scan,
)
from tests.support.generate import pages_pdf


def _pdf(pages: int = 1, encrypt=None) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(595, 842), encrypt=encrypt)
    for i in range(pages):
        c.drawString(100, 700, f"page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _image(fmt: str, size=(300, 200), **kw) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, 200).save(buf, fmt, **kw)
    return buf.getvalue()


def test_empty_file(tmp_path):
    path = tmp_path / "pile.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFileError, match=r"pile\.pdf is empty .* Upload the scan again"):
        open_scan(path)


def test_not_a_pdf_or_image():
    with pytest.raises(UnsupportedFileError, match=r"notes\.docx is not a PDF or an image"):
        open_scan(b"PK\x03\x04 a word file", "notes.docx")


def test_corrupt_pdf():
    with pytest.raises(CorruptFileError, match=r"scan\.pdf is damaged"):
        open_scan(b"%PDF-1.4\n garbage garbage", "scan.pdf")


def test_truncated_jpeg_is_corrupt():
    data = _image("JPEG", (800, 600))
    src = open_scan(data[: len(data) // 3], "photo.jpg")
    # The header is intact; the damage shows when the page is decoded, as one bad page.
    with pytest.raises(Exception, match="cannot be decoded"):
        src.page(0)


def test_password_protected_pdf():
    data = _pdf(encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(PasswordProtectedError, match=r"locked\.pdf is protected by a password"):
        open_scan(data, "locked.pdf")


def test_permissions_only_encryption_reads_normally():
    data = _pdf(encrypt=StandardEncryption("", ownerPassword="owner", canModify=0))
    src = open_scan(data, "copier.pdf")
    assert len(src) == 1
    page = src.page(0)
    assert page.image.ndim == 2
    assert page.dpi == 200


def test_too_many_pages_checked_before_work():
    with pytest.raises(TooManyPagesError, match=r"has 4 pages; at most 3 .* Split the pile"):
        open_scan(_pdf(4), "big.pdf", limits=Limits(max_pages=3))


def test_too_large(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(_pdf(2))
    with pytest.raises(FileTooLargeError, match=r"huge\.pdf is .* MB; at most"):
        open_scan(path, limits=Limits(max_bytes=100))


def test_pixel_cap_catches_decompression_bombs():
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        open_scan(_image("PNG", (3000, 3000)), "bomb.png", limits=Limits(max_page_pixels=10**6))
    with pytest.raises(ImageTooLargeError):
        open_scan(_pdf(1), "bomb.pdf", limits=Limits(max_page_pixels=10**6))


def test_pdf_of_scans_uses_the_embedded_resolution():
    img = np.full((1169, 827), 230, np.uint8)  # A4 at 100 dpi
    img[100:200, 100:200] = 0
    src = open_scan(pages_pdf([img, img], dpi=100), "copier.pdf")
    assert len(src) == 2
    page = src.page(1)
    assert page.image.shape == (1169, 827)
    assert round(page.dpi) == 100
    assert page.image[150, 150] < 40


def test_multipage_tiff():
    frames = [Image.new("L", (200, 300), v) for v in (50, 150, 250)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    src = open_scan(buf.getvalue(), "pile.tif")
    assert len(src) == 3
    assert [int(src.page(i).image.mean()) for i in range(3)] == [50, 150, 250]


def test_exif_orientation_of_phone_photos_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees: the camera held upright
    data = _image("JPEG", (400, 300), exif=exif.tobytes())
    page = open_scan(data, "IMG_0001.jpg").page(0)
    assert page.image.shape == (400, 300)


def test_heic_when_supported():
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    try:
        pillow_heif.from_pillow(Image.new("RGB", (320, 240), (90, 90, 90))).save(buf,
                                                                                quality=90)
    except Exception:  # the wheel may ship without an encoder
        pytest.skip("no HEIC encoder here")
    page = open_scan(buf.getvalue(), "IMG_0002.HEIC").page(0)
    assert page.image.shape == (240, 320)
