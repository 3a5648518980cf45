"""The whole paper path through the app: print a class pack (database + PDF), paint marks,
upload the scan, run the job, and compare the export with what was painted."""

from __future__ import annotations

import csv
import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from survey_app.admin.operations import create_collection
from survey_app.extensions import db
from survey_app.models import Answer, Response, ReviewItem, ScanBatch, ScanPage
from survey_app.paper.operations import print_class_pack
from survey_app.scans.operations import (
    CANT_TELL,
    ScanUploadError,
    delete_batch,
    resolve_review_item,
    run_batch,
    submit_upload,
)
from tests.support.generate import REVIEW, fill_page, pages_pdf, paint_mark

DPI = 200


def _render(pdf: bytes, document: dict, seed: int, *, fill=True, blank_serials=()):
    """Painted page images (BGR) of every sheet page and the truth per sheet id."""
    rng = np.random.default_rng(seed)
    images, truth = [], {}
    with pdfium.PdfDocument(pdf) as d:
        for sheet in document["sheets"]:
            sheet_truth = {}
            for page in sheet["pages"]:
                rgb = d[page["pdf_page"]].render(scale=DPI / 72).to_numpy()[:, :, :3]
                img = np.ascontiguousarray(rgb[:, :, ::-1])
                if fill and sheet["sheet_id"] not in blank_serials:
                    sheet_truth.update(fill_page(img, document, page["page"], DPI, rng))
                images.append((sheet["sheet_id"], page["page"], img))
            truth[sheet["sheet_id"]] = sheet_truth
    return images, truth


def _paint(img, document: dict, page: int, marks: dict[str, list[str]], seed: int = 0):
    """Fill exactly the given bubbles (column -> values) on one page image."""
    rng = np.random.default_rng(seed)
    template = next(t for t in document["page_templates"] if t["page"] == page)
    for b in template["bubbles"]:
        if b["value"] in marks.get(b["question"], ()):
            s = DPI / 72
            paint_mark(img, "fill", b["cx"] * s, b["cy"] * s, b["r"] * s, rng, DPI)


def _pack(partnership, survey="pupil_attitudes_7_11", copies=3, **kw):
    c = create_collection(partnership, survey_code=survey, school_name="Oak Primary",
                          group_name="Year 5", phase="before",
                          ask_pupil_number=kw.pop("ask_pupil_number", True))
    db.session.flush()
    pack = print_class_pack(c, copies, **kw)
    db.session.commit()
    return c, pack


def _upload(data: bytes, name: str, partnership, user=None):
    outcome = submit_upload(io.BytesIO(data), name, partnership, user)
    return outcome


def _export(runner, tmp_path, collection_id):
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["export", "--collection", str(collection_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as f:
        return {row["sheet_id"]: row for row in csv.DictReader(f)}


def test_scanned_pack_lands_in_the_export(app, runner, loaded_bank, partnership, tmp_path):
    c, pack = _pack(partnership)
    images, truth = _render(pack.pdf, pack.document, seed=1001)
    pdf = pages_pdf([img for _, _, img in images], dpi=DPI)
    outcome = _upload(pdf, "class-scan.pdf", partnership)
    assert outcome.created
    batch = run_batch(outcome.batch)
    assert batch.status == "done"
    assert batch.pages_done == len(images)
    rows = _export(runner, tmp_path, c.id)
    assert set(rows) == set(truth)
    for sheet_id, painted in truth.items():
        row = rows[sheet_id]
        assert row["source"] == "paper"
        review = set(filter(None, row["needs_review"].split(";")))
        for col, value in painted.items():
            if col == "pupil_number":
                if "pupil_number" not in review:
                    assert row["pupil_number"] == value, (sheet_id, col)
            elif value == REVIEW:
                assert col in review, (sheet_id, col)
                assert row[col] == ""
            elif col not in review:
                assert row[col] == value, (sheet_id, col, row[col], value)


def test_same_file_twice_is_recognised(app, loaded_bank, partnership):
    _, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=1002)
    pdf = pages_pdf([img for _, _, img in images], dpi=DPI)
    first = _upload(pdf, "a.pdf", partnership)
    run_batch(first.batch)
    again = _upload(pdf, "a-again.pdf", partnership)
    assert not again.created
    assert again.batch.id == first.batch.id
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 1


def test_rescan_same_marks_is_duplicate_different_marks_is_conflict(app, loaded_bank,
                                                                    partnership):
    _, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=1003)
    run_batch(_upload(pages_pdf([images[0][2]], dpi=DPI), "one.pdf", partnership).batch)
    # The same sheet re-scanned at another quality: a new image, the same marks.
    second = run_batch(_upload(pages_pdf([images[0][2]], dpi=DPI, quality=60), "two.pdf",
                               partnership).batch)
    assert [p.status for p in second.pages] == ["duplicate"]
    # The same serial with different marks (a photocopied sheet filled by someone else).
    other, _ = _render(pack.pdf, pack.document, seed=2024)
    third = run_batch(_upload(pages_pdf([other[0][2]], dpi=DPI), "three.pdf",
                              partnership).batch)
    assert [p.status for p in third.pages] == ["conflict"]
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    conflicts = db.session.scalars(select(ReviewItem).where(ReviewItem.kind == "conflict")
                                   ).all()
    assert conflicts
    flagged = set(db.session.scalars(select(Answer.question_code)
                                     .where(Answer.status == "needs_review")))
    assert {i.question_code for i in conflicts} - {"pupil_number"} <= flagged


def test_bad_upload_changes_nothing(app, loaded_bank, partnership):
    for data, name in ((b"", "empty.pdf"), (b"%PDF-1.4 truncated", "broken.pdf"),
                       (b"hello world", "notes.pdf")):
        with pytest.raises(ScanUploadError) as err:
            _upload(data, name, partnership)
        assert name in str(err.value)
    assert db.session.scalar(select(func.count()).select_from(ScanBatch)) == 0


def test_review_resolution_and_cant_tell(app, loaded_bank, partnership, coordinator):
    _, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    img = images[0][2]
    # Two faces on 'enjoy' and on 'good_at': the scanner must ask, not guess.
    _paint(img, pack.document, 1, {"enjoy": ["2", "4"], "good_at": ["1", "5"],
                                   "learn_more": ["3"], "pupil_number_units": ["7"]})
    run_batch(_upload(pages_pdf([img], dpi=DPI), "r.pdf", partnership).batch)
    items = {i.question_code: i for i in db.session.scalars(
        select(ReviewItem).where(ReviewItem.status == "open"))}
    assert set(items) == {"enjoy", "good_at"}
    assert items["enjoy"].crop_w > 0
    resolve_review_item(items["enjoy"], "4", coordinator)
    resolve_review_item(items["good_at"], CANT_TELL, coordinator)
    answers = {a.question_code: (a.value, a.status) for a in db.session.scalars(select(Answer))}
    assert answers["enjoy"] == ("4", "ok")
    assert answers["good_at"] == ("", "unreadable")
    assert answers["learn_more"] == ("3", "ok")
    assert answers["like_me"] == ("", "ok")  # left blank on paper: stored blank
    assert db.session.scalar(select(Response.pupil_number)) == 7
    assert items["enjoy"].resolved_by_id == coordinator.id
    with pytest.raises(ScanUploadError):
        resolve_review_item(items["enjoy"], "1", coordinator)  # already resolved


def test_blank_back_pages_and_foreign_pages_do_not_stop_the_batch(app, loaded_bank,
                                                                   partnership):
    _, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=1005)
    white = np.full_like(images[0][2], 255)
    noise = np.random.default_rng(3).integers(0, 255, images[0][2].shape, dtype=np.uint8)
    batch = run_batch(_upload(pages_pdf([white, images[0][2], noise], dpi=DPI), "mixed.pdf",
                              partnership).batch)
    assert [p.status for p in batch.pages] == ["blank", "read", "unreadable"]
    assert batch.pages[2].reason


def test_delete_batch_removes_what_it_created(app, loaded_bank, partnership):
    _, pack = _pack(partnership, copies=2)
    images, _ = _render(pack.pdf, pack.document, seed=1006)
    batch = run_batch(_upload(pages_pdf([img for _, _, img in images], dpi=DPI), "x.pdf",
                              partnership).batch)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    counts = delete_batch(batch)
    assert counts["responses"] == 2
    for model in (Response, Answer, ReviewItem, ScanPage, ScanBatch):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


LONG_TEACHER = "code: long_teacher\ntitle: Long survey\naudience: teacher\nquestions:\n" + "".join(
    f"  - code: q{i}\n    text: Statement {i} about teaching science.\n    scale: agree5\n"
    for i in range(32))


def test_two_page_sheet_missing_page_then_late_page(app, runner, loaded_bank, partnership,
                                                    tmp_path):
    from forms.definition import parse_survey
    from survey_app.admin.operations import load_survey_version

    load_survey_version(partnership, parse_survey(LONG_TEACHER))
    c, pack = _pack(partnership, survey="long_teacher", copies=1, ask_pupil_number=False)
    assert len(pack.document["page_templates"]) == 2
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    (_, _, page1), (_, _, page2) = images
    _paint(page1, pack.document, 1, {"q0": ["4"], "q1": ["5"]})
    _paint(page2, pack.document, 2, {"q31": ["2"]})
    run_batch(_upload(pages_pdf([page1], dpi=DPI), "p1.pdf", partnership).batch)
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert (row["q0"], row["q1"]) == ("4", "5")
    missing = set(row["needs_review"].split(";"))
    assert "q31" in missing
    assert "q0" not in missing
    # Page 2 comes in a later upload, upside down.
    run_batch(_upload(pages_pdf([np.ascontiguousarray(page2[::-1, ::-1])], dpi=DPI), "p2.pdf",
                      partnership).batch)
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert row["needs_review"] == ""
    assert row["q31"] == "2"
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewItem)
                             .where(ReviewItem.status == "open")) == 0


def test_master_sheet_copies_are_each_a_response(app, loaded_bank, partnership):
    c, pack = _pack(partnership, copies=None, master=True, ask_pupil_number=False)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    master = images[0][2]
    copies = []
    for k, value in enumerate(["1", "3", "5"]):
        img = master.copy()
        _paint(img, pack.document, 1, {"enjoy": [value]}, seed=k)
        copies.append(img)
    batch = run_batch(_upload(pages_pdf(copies, dpi=DPI), "copies.pdf", partnership).batch)
    assert [p.status for p in batch.pages] == ["read"] * 3
    values = sorted(db.session.scalars(select(Answer.value)
                                       .where(Answer.question_code == "enjoy")))
    assert values == ["1", "3", "5"]
    # The same page images again, in another file (another order): recognised by hash.
    again = run_batch(_upload(pages_pdf(copies[::-1], dpi=DPI), "copies2.pdf",
                              partnership).batch)
    assert [p.status for p in again.pages] == ["duplicate"] * 3
    assert db.session.scalar(select(func.count()).select_from(Response)) == 3


def test_paper_scanned_after_closing_is_accepted_with_a_warning(app, loaded_bank,
                                                                 partnership):
    import json
    from datetime import timedelta

    from survey_app.models.base import utcnow

    c, pack = _pack(partnership, copies=1)
    c.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    _paint(images[0][2], pack.document, 1, {"enjoy": ["5"], "pupil_number_units": ["4"]})
    batch = run_batch(_upload(pages_pdf([images[0][2]], dpi=DPI), "late.pdf",
                              partnership).batch)
    page = batch.pages[0]
    assert page.status == "read"
    assert any("after the collection closed" in w
               for w in json.loads(page.result_json)["warnings"])
    assert db.session.scalar(select(Answer.value).where(Answer.question_code == "enjoy")) \
        == "5"


def test_writein_boxes_are_kept_and_shown_in_results(app, client, loaded_bank, partnership,
                                                     coordinator):
    from survey_app.models import ResponseImage
    from tests.conftest import csrf_from, login_as, make_user

    c, pack = _pack(partnership, survey="teacher_confidence", copies=5,
                    ask_pupil_number=False)
    images, _ = _render(pack.pdf, pack.document, seed=1007)
    run_batch(_upload(pages_pdf([img for _, _, img in images], dpi=DPI), "staff.pdf",
                      partnership).batch)
    stored = db.session.scalars(select(ResponseImage)).all()
    assert len(stored) == 5
    assert {i.question_code for i in stored} == {"comments"}
    login_as(client, coordinator.email)
    page = client.get("/results/survey/teacher_confidence").get_data(as_text=True)
    assert "Written on paper (5)" in page
    url = f"/admin/scans/writein/{stored[0].id}"
    assert url in page
    with client.get(url) as resp:  # send_file streams the file: close the response
        assert resp.status_code == 200
        assert resp.data[:4] == b"\x89PNG"
    # A teacher of another school cannot see it.
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    make_user(partnership, "t@willow.sch.uk", "teacher", "Willow Primary")
    login_as(client, "t@willow.sch.uk")
    assert client.get(url).status_code == 404


KINDS = """
code: kinds_paper
title: Number and tick-all
audience: teacher
questions:
  - {code: years, text: "How many years have you taught?", scale: number}
  - {code: topics, text: "Which topics did you teach?", scale: multi,
     options: [{code: plants, label: Plants}, {code: space, label: Space},
               {code: rocks, label: Rocks}]}
  - {code: enjoy, text: "I enjoyed the workshop.", scale: agree5}
"""


def _kinds_pack(partnership, copies=1):
    from forms.definition import parse_survey
    from survey_app.admin.operations import load_survey_version

    load_survey_version(partnership, parse_survey(KINDS))
    return _pack(partnership, survey="kinds_paper", copies=copies, ask_pupil_number=True)


def test_number_and_tick_all_questions_read_right_with_no_review(app, runner, partnership,
                                                                  tmp_path):
    """Issue 11: a number question's digits are folded like the pupil number's, and two
    ticks on a tick-all question are two answers, not review; no `_tens` answer rows."""
    c, pack = _kinds_pack(partnership, copies=2)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    _paint(images[0][2], pack.document, 1, {
        "years_tens": ["1"], "years_units": ["2"], "topics": ["plants", "rocks"],
        "enjoy": ["4"], "pupil_number_tens": ["2"], "pupil_number_units": ["3"]})
    _paint(images[1][2], pack.document, 1, {"years_units": ["7"], "topics": ["space"],
                                           "pupil_number_units": ["9"]})
    run_batch(_upload(pages_pdf([img for _, _, img in images], dpi=DPI), "kinds.pdf",
                      partnership).batch)
    assert db.session.scalar(select(func.count()).select_from(ReviewItem)) == 0
    codes = set(db.session.scalars(select(Answer.question_code)))
    assert codes == {"years", "topics", "enjoy"}
    rows = _export(runner, tmp_path, c.id)
    first, second = rows[f"{c.id}-1"], rows[f"{c.id}-2"]
    assert (first["years"], first["topics"], first["enjoy"], first["pupil_number"]) == (
        "12", "plants;rocks", "4", "23")
    assert (second["years"], second["topics"], second["enjoy"], second["pupil_number"]) == (
        "7", "space", "", "9")
    assert first["needs_review"] == second["needs_review"] == ""


def test_review_page_of_a_number_and_a_tick_all_question(app, client, partnership,
                                                         coordinator, runner, tmp_path):
    """The review page for a number question opens (it raised KeyError) and saves."""
    from tests.conftest import csrf_from, login_as

    c, pack = _kinds_pack(partnership)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    # Two tens digits: a person must decide.
    _paint(images[0][2], pack.document, 1, {"years_tens": ["1", "3"], "years_units": ["5"],
                                           "topics": ["space"]})
    run_batch(_upload(pages_pdf([images[0][2]], dpi=DPI), "r.pdf", partnership).batch)
    items = {i.question_code: i for i in db.session.scalars(select(ReviewItem))}
    assert set(items) == {"years"}
    assert "tens: 2 answers marked (1, 3)" in items["years"].detail_json
    # A tick-all question in the queue (as a re-scan with other ticks would put it).
    topics = ReviewItem(response_id=items["years"].response_id, question_code="topics",
                        kind="conflict", detail_json="{}")
    db.session.add(topics)
    db.session.commit()
    items["topics"] = topics
    login_as(client, coordinator.email)
    page = client.get(f"/admin/review/{items['years'].id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="number"' in html
    resp = client.post(f"/admin/review/{items['years'].id}",
                       data={"csrf_token": csrf_from(html), "value": "15"})
    assert resp.status_code == 303
    html = client.get(f"/admin/review/{items['topics'].id}").get_data(as_text=True)
    assert 'type="checkbox"' in html
    client.post(f"/admin/review/{items['topics'].id}",
                data={"csrf_token": csrf_from(html), "value": ["rocks", "space"]})
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert row["years"] == "15"
    assert row["topics"] == "space;rocks"
    assert row["needs_review"] == ""


def test_a_sheet_of_an_erased_collection_is_refused_even_if_its_id_comes_back(
        app, loaded_bank, partnership):
    """Issue 12 item 3: ids are never handed out again (AUTOINCREMENT), and even when a
    collection does get an erased one's id (as SQLite did), the erased collection's sheets
    are refused: their QR code carries the erased collection's sheet key."""
    from survey_app.erasure.operations import erase_collection
    from survey_app.models import Collection

    old, pack = _pack(partnership, copies=1)
    old_id, old_key = old.id, old.sheet_key
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    _paint(images[0][2], pack.document, 1, {"enjoy": ["5"], "pupil_number_units": ["4"]})
    sheet_pdf = pages_pdf([images[0][2]], dpi=DPI)
    erase_collection(old, "test")
    db.session.commit()
    fresh, _ = _pack(partnership, copies=1)
    assert fresh.id > old_id  # never reused
    assert fresh.sheet_key != old_key
    # Force what SQLite used to do: a new collection with the erased one's id.
    reused = Collection(id=old_id, survey_version_id=fresh.survey_version_id,
                        group_id=fresh.group_id, phase="before")
    db.session.add(reused)
    db.session.flush()
    print_class_pack(reused, 1)
    db.session.commit()
    batch = run_batch(_upload(sheet_pdf, "old-sheet.pdf", partnership).batch)
    (page,) = batch.pages
    assert page.status == "unreadable"
    assert "erased" in page.reason
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_sheets_printed_before_sheet_keys_still_scan(app, loaded_bank, partnership):
    """A sheet whose QR has no key (printed before the migration) is read as before."""
    from forms.sheetcode import decode_sheet_code
    from print import PackSheet, layout_for, render_pack
    from survey_app.paper.operations import installation_id

    c, pack = _pack(partnership, copies=1)
    qr = pack.document["sheets"][0]["pages"][0]["qr_text"]
    assert decode_sheet_code(qr).key == c.sheet_key
    layout = layout_for(c.survey_version.definition, "a4", "bubbles")
    assert layout.fingerprint == pack.batch.layout_fingerprint
    old_pdf = render_pack(layout, [PackSheet(1)], installation=installation_id(),
                          collection_id=c.id)  # no sheet_key: the old SV1 code
    doc = dict(pack.document, sheets=[dict(pack.document["sheets"][0], pages=[
        dict(pack.document["sheets"][0]["pages"][0], pdf_page=0)])])
    images, _ = _render(old_pdf, doc, seed=0, fill=False)
    _paint(images[0][2], pack.document, 1, {"enjoy": ["5"], "pupil_number_units": ["4"]})
    batch = run_batch(_upload(pages_pdf([images[0][2]], dpi=DPI), "old.pdf",
                              partnership).batch)
    assert [p.status for p in batch.pages] == ["read"]
    assert db.session.scalar(select(Answer.value).where(Answer.question_code == "enjoy")) \
        == "5"


def test_a_pile_with_cover_spares_and_a_number_only_sheet(app, loaded_bank, partnership):
    """Issue 11: the cover page is recognised by its own code and skipped with a note; an
    unused spare (no marks) is "unused", not a response; a sheet with only a pupil number
    goes to review. Counts never include the spare."""
    from survey_app.admin.operations import response_counts

    c, pack = _pack(partnership, copies=3)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    filled, spare, number_only = (img for _, _, img in images)
    _paint(filled, pack.document, 1, {"enjoy": ["4"], "pupil_number_units": ["3"]})
    _paint(number_only, pack.document, 1, {"pupil_number_tens": ["1"],
                                           "pupil_number_units": ["2"]})
    with pdfium.PdfDocument(pack.pdf) as d:
        rgb = d[0].render(scale=DPI / 72).to_numpy()[:, :, :3]
    cover = np.ascontiguousarray(rgb[:, :, ::-1])
    batch = run_batch(_upload(pages_pdf([cover, filled, spare, number_only], dpi=DPI),
                              "pile.pdf", partnership).batch)
    assert [p.status for p in batch.pages] == ["cover", "read", "unused", "read"]
    assert "cover page" in batch.pages[0].reason
    assert "unused" in batch.pages[2].reason
    assert response_counts([c.id])[c.id] == {"web": 0, "paper": 2}
    (item,) = db.session.scalars(select(ReviewItem).where(ReviewItem.status == "open"))
    assert (item.kind, item.question_code) == ("only_number", "pupil_number")
    assert item.response.pupil_number == 12


def test_a_sheet_with_only_writing_is_not_unused(app, loaded_bank, partnership):
    import cv2

    c, pack = _pack(partnership, survey="teacher_confidence", copies=2,
                    ask_pupil_number=False)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    written, spare = (img for _, _, img in images)
    box = pack.document["page_templates"][0]["writeins"][0]
    s = DPI / 72
    cv2.putText(written, "More time for questions please",
                (round((box["x"] + 8) * s), round((box["y"] + box["h"] / 2) * s)),
                cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.2, (40, 40, 40), 2, cv2.LINE_AA)
    batch = run_batch(_upload(pages_pdf([written, spare], dpi=DPI, quality=75), "staff.pdf",
                              partnership).batch)
    assert [p.status for p in batch.pages] == ["read", "unused"]


def test_export_flags_a_pupil_number_waiting_for_review_and_resolving_updates_it(
        app, runner, loaded_bank, partnership, coordinator, tmp_path):
    """Issue 11: needs_review lists every column with an open review item, pupil_number
    included; resolving the item updates the exported row."""
    c, pack = _pack(partnership, copies=1)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    # Two units digits: the number cannot be read.
    _paint(images[0][2], pack.document, 1, {"enjoy": ["4"], "good_at": ["2", "5"],
                                           "pupil_number_units": ["3", "8"]})
    run_batch(_upload(pages_pdf([images[0][2]], dpi=DPI), "n.pdf", partnership).batch)
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert row["needs_review"] == "pupil_number;good_at"
    assert row["pupil_number"] == ""
    items = {i.question_code: i for i in db.session.scalars(select(ReviewItem))}
    resolve_review_item(items["pupil_number"], "13", coordinator)
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert (row["needs_review"], row["pupil_number"]) == ("good_at", "13")
    resolve_review_item(items["good_at"], ["5"], coordinator)
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert (row["needs_review"], row["good_at"]) == ("", "5")


def test_batch_progress_moves_while_the_worker_reads(app, client, loaded_bank, partnership,
                                                     coordinator, monkeypatch):
    """Issue 11: pages read, pages left, the counters and a time estimate move per page
    (seen from another request while the job runs), not only at the end."""
    import survey_app.scans.operations as ops
    from survey_app.scans import jobs
    from tests.conftest import login_as

    _, pack = _pack(partnership, copies=4)
    images, _ = _render(pack.pdf, pack.document, seed=1010)
    outcome = _upload(pages_pdf([img for _, _, img in images], dpi=DPI), "four.pdf",
                      partnership)
    login_as(client, coordinator.email)
    url = f"/admin/scans/{outcome.batch.id}/status.json"
    seen = []
    original = ops.store_page

    def store_and_look(batch, index, src, scanner):
        seen.append(client.get(url).get_json())
        return original(batch, index, src, scanner)

    monkeypatch.setattr(jobs, "store_page", store_and_look)  # where run_batch looks it up
    batch = ops.claim_next_batch()  # as the worker does: the batch is "running"
    assert batch.id == outcome.batch.id
    run_batch(batch)
    assert [s["pages_done"] for s in seen] == [0, 1, 2, 3]
    assert [s["pages_left"] for s in seen] == [4, 3, 2, 1]
    assert [s["read"] for s in seen] == [0, 1, 2, 3]
    assert seen[2]["eta"].endswith("left")
    page = client.get(f"/admin/scans/{outcome.batch.id}").get_data(as_text=True)
    assert "Finished: 4 pages read." in page


def test_a_blank_first_page_then_a_filled_second_page(app, runner, loaded_bank, partnership,
                                                      tmp_path):
    """A two-page sheet whose first page is left empty: that page is "unused" on its own,
    and when the second page comes its questions are blank, not "page still to come"."""
    from forms.definition import parse_survey
    from survey_app.admin.operations import load_survey_version

    load_survey_version(partnership, parse_survey(LONG_TEACHER))
    c, pack = _pack(partnership, survey="long_teacher", copies=1, ask_pupil_number=False)
    images, _ = _render(pack.pdf, pack.document, seed=0, fill=False)
    (_, _, page1), (_, _, page2) = images
    _paint(page2, pack.document, 2, {"q31": ["2"]})
    batch = run_batch(_upload(pages_pdf([page1, page2], dpi=DPI), "both.pdf",
                              partnership).batch)
    assert [p.status for p in batch.pages] == ["unused", "read"]
    row = _export(runner, tmp_path, c.id)[f"{c.id}-1"]
    assert (row["q31"], row["q0"], row["needs_review"]) == ("2", "", "")
