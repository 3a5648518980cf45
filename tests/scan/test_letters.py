"""Letters home (issue 14): print a personalised letter pack for a parent survey, tear the
reply slip off the real PDF page, fill it like a parent, scan it, and find the answers with
the pre-printed pupil number in the database."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from survey_app.admin.operations import create_collection
from survey_app.extensions import db
from survey_app.models import Answer, Response
from survey_app.paper.letters import print_letter_pack
from survey_app.paper.operations import PrintError
from survey_app.scans.operations import run_batch, submit_upload
from tests.qr_text import read_qr
from tests.support.generate import REVIEW, fill_page, pages_pdf

DPI = 200


def _parent_collection(partnership, survey="parent_views", ask_pupil_number=True):
    c = create_collection(partnership, survey_code=survey, school_name="Oak Primary",
                          group_name="Year 5", phase="after", ask_pupil_number=ask_pupil_number)
    db.session.flush()
    return c


def _pages(pdf: bytes) -> list[np.ndarray]:
    """Every page of the PDF as a BGR image."""
    with pdfium.PdfDocument(pdf) as d:
        return [np.ascontiguousarray(p.render(scale=DPI / 72).to_numpy()[:, :, :3][:, :, ::-1])
                for p in d]


def _tear(page_img: np.ndarray, document: dict) -> np.ndarray:
    """The reply slip as a parent tears it off: the bottom part, as tall as the slip."""
    slip_h = round(document["page_templates"][0]["height_pt"] * DPI / 72)
    return np.ascontiguousarray(page_img[-slip_h:])


def test_letters_print_tear_fill_scan_land_with_pupil_numbers(app, loaded_bank, partnership):
    c = _parent_collection(partnership)
    pack = print_letter_pack(c, numbers="7-9", web_url="http://survey.test/s/abc",
                             web_text="http://survey.test/s/abc")
    db.session.commit()
    assert pack.document["paper"] == "a4-slip"
    pages = _pages(pack.pdf)
    assert len(pages) == 3  # one page per pupil, no cover
    rng = np.random.default_rng(14)
    truth, scans = {}, []
    for sheet, page in zip(pack.document["sheets"], pages, strict=True):
        slip = _tear(page, pack.document)
        truth[sheet["sheet_id"]] = fill_page(slip, pack.document, 1, DPI, rng)
        scans.append(slip)
    # One slip comes back untorn: the whole page is scanned.
    whole = pages[2].copy()
    offset = whole.shape[0] - scans[2].shape[0]
    whole[offset:] = scans[2]
    scans[2] = whole
    outcome = submit_upload(io.BytesIO(pages_pdf(scans, dpi=DPI)), "slips.pdf", partnership,
                            None)
    batch = run_batch(outcome.batch)
    assert batch.status == "done"
    assert [p.status for p in batch.pages] == ["read"] * 3, [p.reason for p in batch.pages]
    responses = {r.sheet_id: r for r in db.session.scalars(
        select(Response).where(Response.collection_id == c.id))}
    assert set(responses) == set(truth)
    assert {sid: r.pupil_number for sid, r in responses.items()} == {
        s["sheet_id"]: s["pupil_number"] for s in pack.document["sheets"]}
    assert sorted(r.pupil_number for r in responses.values()) == [7, 8, 9]
    for sid, painted in truth.items():
        stored = {a.question_code: (a.value, a.status) for a in db.session.scalars(
            select(Answer).where(Answer.response_id == responses[sid].id))}
        checked = 0
        for col, value in painted.items():
            if value == REVIEW or stored[col][1] != "ok":
                continue
            assert stored[col][0] == value, (sid, col)
            checked += 1
        assert checked >= 3


def test_letter_pack_refuses_a_pupil_survey_and_a_long_letter(app, loaded_bank, partnership):
    pupils = _parent_collection(partnership, survey="pupil_attitudes_7_11")
    with pytest.raises(PrintError, match="survey for parents"):
        print_letter_pack(pupils, copies=2)
    parents = _parent_collection(partnership)
    with pytest.raises(PrintError, match="fits above the reply slip"):
        print_letter_pack(parents, copies=2, body="word " * 400)
    with pytest.raises(PrintError, match="make 3 letters"):
        print_letter_pack(parents, copies=5, numbers="1-3")
    # The parent survey with digit bubbles for the child's number is too long for a slip:
    # the advice is to print the numbers instead (which fits, as the test above shows).
    with pytest.raises(PrintError, match="give the pupil numbers"):
        print_letter_pack(parents, copies=2)
    anonymous = _parent_collection(partnership, ask_pupil_number=False)
    assert len(print_letter_pack(anonymous, copies=2).sheet_ids) == 2


def test_us_letter_pack_is_letter_sized_with_the_slip_at_the_bottom(app, loaded_bank,
                                                                     partnership):
    from forms.layout import PAPERS

    c = _parent_collection(partnership)
    pack = print_letter_pack(c, paper="letter", numbers="1-2")
    with pdfium.PdfDocument(pack.pdf) as d:
        assert [tuple(round(v) for v in p.get_size()) for p in d] == [(612, 792)] * 2
    template = pack.document["page_templates"][0]
    assert pack.document["paper"] == "letter-slip"
    assert template["width_pt"] == PAPERS["letter"][0]
    assert template["height_pt"] == pytest.approx(PAPERS["letter"][1] * 2 / 3, abs=0.01)
    # The slip's QR code is read where the layout puts it, on the bottom part of the page.
    page = _pages(pack.pdf)[0]
    slip = _tear(page, pack.document)
    s = DPI / 72
    qr = template["qr"]
    crop = slip[round(qr["y"] * s):round((qr["y"] + qr["size"]) * s),
                round(qr["x"] * s):round((qr["x"] + qr["size"]) * s)]
    assert read_qr(crop) == pack.document["sheets"][0]["pages"][0]["qr_text"]
