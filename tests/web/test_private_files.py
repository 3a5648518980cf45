"""Scanned page images, write-in boxes and review crops are children's data: sent with
`Cache-Control: private, no-store`, like the CSV exports (issue 12, low items)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from survey_app.extensions import db
from survey_app.models import ReviewItem, ScanPage
from survey_app.models.scans import ResponseImage
from survey_app.storage import storage
from tests.conftest import STORAGES
from tests.web.test_erasure import _setup


@pytest.fixture(params=STORAGES)
def storage_backend(request) -> str:
    """The image routes serve from either storage backend."""
    return request.param


def test_scan_images_are_never_cached(app, coordinator_client, loaded_bank, partnership):
    _oak, _willow, (page_img, _upload, writein) = _setup(app, partnership)
    sheet = np.full((200, 300), 255, np.uint8)
    sheet[40:60, 20:80] = 0  # something to see in the review crop
    png = cv2.imencode(".png", sheet)[1].tobytes()
    for key in (page_img, writein):
        storage().put(key, png)
    db.session.commit()
    page = db.session.query(ScanPage).one()
    image = db.session.query(ResponseImage).one()
    item = ReviewItem(response_id=page.response_id, scan_page_id=page.id,
                      question_code="enjoy", kind="two_marks", crop_x=10, crop_y=10,
                      crop_w=50, crop_h=30)
    db.session.add(item)
    db.session.commit()
    for url in (f"/admin/scans/page/{page.id}/image", f"/admin/scans/writein/{image.id}",
                f"/admin/review/{item.id}/crop.png"):
        with coordinator_client.get(url) as resp:
            assert resp.status_code == 200, url
            assert resp.data[:4] == b"\x89PNG"
            cache = resp.headers["Cache-Control"]
            assert "no-store" in cache, (url, cache)
            assert "private" in cache, (url, cache)
            assert "public" not in cache, (url, cache)
            assert "max-age" not in cache, (url, cache)
            shown = cv2.imdecode(np.frombuffer(resp.data, np.uint8), cv2.IMREAD_GRAYSCALE)
            assert shown is not None, url
            assert shown.min() == 0, url  # the stored image itself, not a blank
