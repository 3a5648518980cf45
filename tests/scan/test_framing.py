"""A page that fails says what to change before taking it again (issue 15, camera scanning):
too dark, too blurry, which corner is cut off, which side of the answers is outside the
picture. Real printed sheets, photographed by the generator, read by the real scanner."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scanner import framing
from scanner.results import UnreadablePage
from tests.scan.test_child_marks import INSTALLATION, scanner_for
from tests.support.generate import class_pack, filled_pages


@pytest.fixture(scope="module")
def photo():
    pack = class_pack("pupil_attitudes_7_11", 1, installation=INSTALLATION)
    page = filled_pages(pack, 71, "photo")[0]
    grey = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY) if page.image.ndim == 3 else page.image
    return pack, grey


def _read(pack, img):
    return scanner_for(pack.layout).read_page(img)


def test_the_photo_as_taken_reads(photo):
    pack, img = photo
    assert not isinstance(_read(pack, img), UnreadablePage)
    assert framing.sharpness(img) >= framing.MIN_SHARPNESS
    assert framing.what_is_wrong(img) is None


def test_a_dark_photo_is_called_too_dark(photo):
    pack, img = photo
    rng = np.random.default_rng(3)  # a dark room: a fifth of the light, and sensor noise
    dark = np.clip(img * 0.2 + rng.normal(0, 4, img.shape), 0, 255).astype(np.uint8)
    result = _read(pack, dark)
    assert isinstance(result, UnreadablePage)
    assert result.reason == framing.TOO_DARK


def test_a_shaken_photo_is_called_too_blurry(photo):
    pack, img = photo
    result = _read(pack, cv2.GaussianBlur(img, (0, 0), 6))
    assert isinstance(result, UnreadablePage)
    assert result.reason == framing.TOO_BLURRY


@pytest.mark.parametrize(("turn", "keep"), [
    (None, "left"), (cv2.ROTATE_180, "left"), (cv2.ROTATE_90_CLOCKWISE, "left")])
def test_lost_corners_are_named_in_the_sheets_own_orientation(photo, turn, keep):
    """The right half of the sheet out of frame (QR and two markers with it), the photo taken
    upright, upside down or sideways: the sheet's top-right and bottom-right are named."""
    pack, img = photo
    upright = _upright(pack, img)
    half = upright[:, : upright.shape[1] * 45 // 100]
    shot = cv2.rotate(half, turn) if turn is not None else half
    result = _read(pack, shot)
    assert isinstance(result, UnreadablePage)
    assert "top-right and bottom-right corners" in result.reason, result.reason


@pytest.mark.parametrize("turn", [None, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_answers_outside_the_picture_are_a_retake_not_a_review(photo, turn):
    """The top of the sheet (markers and QR) in the picture, its lower rows of answers not:
    the page is not read as a wall of five-mark reviews, it asks for a retake of the bottom."""
    pack, img = photo
    upright = _upright(pack, img)
    top = upright[: upright.shape[0] * 45 // 100]
    shot = cv2.rotate(top, turn) if turn is not None else top
    result = _read(pack, shot)
    assert isinstance(result, UnreadablePage)
    assert "the bottom of the sheet" in result.reason, result.reason
    assert result.sheet_code  # the QR was read: the page is known, only its answers are not


def _upright(pack, img):
    """The clean page (not the photo: cropping a perspective photo cuts at a slant)."""
    return cv2.cvtColor(pack.pages[0][2], cv2.COLOR_BGR2GRAY)
