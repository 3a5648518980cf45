"""Every question kind through every channel gives the web's answers (issue 11).

One survey holds every scale (faces3, faces5, agree5, confidence5, likely0to10, yesno,
choice, multi, number, text), a retrospective item and the pupil number. The same answers
go in through the web page, a printed sheet scanned as a copier PDF, the same sheet as a
phone photo, a sheet with an ambiguous mark settled in the review queue, and a page typed
in by hand; then the export and the results must show the same answers for all of them.
Real printed PDFs, rendered, painted and re-read. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import re

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from forms.definition import parse_survey
from survey_app.admin.operations import create_collection, load_survey_version
from survey_app.extensions import db
from survey_app.models import ResponseImage, ReviewItem, ScanPage
from survey_app.paper.operations import print_class_pack
from survey_app.results.analysis import build
from survey_app.results.queries import ResultsScope
from survey_app.scans.operations import run_batch, submit_upload
from tests.conftest import csrf_from, login_as
from tests.support.generate import degrade_copier, degrade_photo, jpeg, pages_pdf, paint_mark

DPI = 200

EVERY_KIND = """
code: every_kind
title: Every kind of question
audience: pupil
questions:
  - {code: f3, text: "Did you have fun?", scale: faces3}
  - {code: f5, text: "How much do you like science?", scale: faces5}
  - {code: ag, text: "Science is useful.", scale: agree5}
  - {code: cf, text: "How confident are you at experiments?", scale: confidence5}
  - {code: nps, text: "Would you tell a friend about the workshop?", scale: likely0to10}
  - {code: yn, text: "Have you been to a science museum?", scale: yesno}
  - code: ch
    text: "Which was your favourite part?"
    scale: choice
    options: [{code: rockets, label: Rockets}, {code: slime, label: Slime},
              {code: robots, label: Robots}]
  - code: mu
    text: "Which topics would you like more of?"
    scale: multi
    options: [{code: space, label: Space}, {code: plants, label: Plants},
              {code: bodies, label: Our bodies}]
  - {code: num, text: "How many science books do you have?", scale: number}
  - {code: rt, text: "How much do you know about rockets?", scale: faces5, retrospective: true}
  - {code: txt, text: "What would you like to ask a scientist?", scale: text}
"""

#: The answers, as the web form posts them.
ANSWERS: dict[str, list[str]] = {
    "f3": ["3"], "f5": ["2"], "ag": ["4"], "cf": ["5"], "nps": ["9"], "yn": ["0"],
    "ch": ["slime"], "mu": ["space", "bodies"], "num": ["27"], "rt_then": ["2"],
    "rt_now": ["4"], "txt": ["Why is the sky blue?"],
}
PUPIL = "14"
#: The same answers as marks on paper: mark group -> bubbles to fill.
MARKS = {**{c: v for c, v in ANSWERS.items() if c not in ("num", "txt")},
         "num_tens": ["2"], "num_units": ["7"], "pupil_number_tens": ["1"],
         "pupil_number_units": ["4"]}
#: Paper keeps the write-in box as a picture, so its text column is blank there.
PAPER_KEEPS_IMAGE = {"txt"}


@pytest.fixture
def every_kind(app, partnership):
    load_survey_version(partnership, parse_survey(EVERY_KIND, "every_kind.yaml"))
    c = create_collection(partnership, survey_code="every_kind", school_name="Oak Primary",
                          group_name="Year 4", phase="once", ask_pupil_number=True)
    db.session.commit()
    return c


def _answer_on_the_web(client, c) -> None:
    html = client.get(f"/s/{c.public_token}").get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="submission_id"[^>]*>', html).group(0)
    sid = re.search(r'value="([^"]+)"', tag).group(1)
    resp = client.post(f"/s/{c.public_token}", data={
        "csrf_token": csrf_from(html), "submission_id": sid, "pupil_number": PUPIL,
        **ANSWERS})
    assert resp.status_code in (200, 303), resp.get_data(as_text=True)[:500]


def _sheet_images(pack) -> list[list[np.ndarray]]:
    """Every page of every sheet of the pack, rendered as the printer prints it (BGR)."""
    out = []
    with pdfium.PdfDocument(pack.pdf) as pdf:
        for sheet in pack.document["sheets"]:
            pages = []
            for page in sheet["pages"]:
                rgb = pdf[page["pdf_page"]].render(scale=DPI / 72).to_numpy()[:, :, :3]
                pages.append(np.ascontiguousarray(rgb[:, :, ::-1]))
            out.append(pages)
    return out


def _template(document: dict, page: int) -> dict:
    return next(t for t in document["page_templates"] if t["page"] == page)


def _fill(pages: list[np.ndarray], document: dict, marks: dict[str, list[str]],
          seed: int) -> None:
    """A child's answers: each bubble filled with a pen, the question written in the box."""
    rng = np.random.default_rng(seed)
    s = DPI / 72
    for number, img in enumerate(pages, start=1):
        template = _template(document, number)
        for b in template["bubbles"]:
            if b["value"] in marks.get(b["question"], ()):
                paint_mark(img, "fill", b["cx"] * s, b["cy"] * s, b["r"] * s, rng, DPI)
        for box in template["writeins"]:
            cv2.putText(img, ANSWERS["txt"][0], (round((box["x"] + 10) * s),
                                                 round((box["y"] + box["h"] / 2) * s)),
                        cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.4, (60, 30, 10), 3, cv2.LINE_AA)


def _upload_and_read(data: bytes, name: str, partnership):
    batch = run_batch(submit_upload(__import__("io").BytesIO(data), name, partnership,
                                    None).batch)
    assert batch.status == "done", batch.error
    return batch


def _export(runner, tmp_path, c) -> list[dict]:
    out = tmp_path / "every.csv"
    result = runner.invoke(args=["export", "--collection", str(c.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_kind_through_every_channel_gives_the_web_answers(
        app, client, runner, partnership, coordinator, every_kind, tmp_path):
    c = every_kind
    _answer_on_the_web(client, c)
    pack = print_class_pack(c, 4)
    db.session.commit()
    copier, photo, review, by_hand = _sheet_images(pack)
    for k, pages in enumerate((copier, photo, review, by_hand)):
        _fill(pages, pack.document, MARKS, seed=k)

    # Paper: a copier's PDF, and phone photos (one picture per page).
    rng = np.random.default_rng(11)
    copier_pdf = pages_pdf([degrade_copier(img, rng) for img in copier], dpi=DPI)
    batch = _upload_and_read(copier_pdf, "copier.pdf", partnership)
    assert {p.status for p in batch.pages} == {"read"}
    for k, img in enumerate(photo):
        batch = _upload_and_read(jpeg(degrade_photo(img, rng)), f"photo{k}.jpg", partnership)
        assert [p.status for p in batch.pages] == ["read"]
    assert not db.session.scalars(select(ReviewItem)).all(), "clear marks sent to review"

    # Review: a child also marked Robots on the choice question; a person settles it.
    s = DPI / 72
    where = next(t for t in pack.document["page_templates"]
                 if any(b["question"] == "ch" for b in t["bubbles"]))
    robots = next(b for b in where["bubbles"] if (b["question"], b["value"]) == ("ch", "robots"))
    paint_mark(review[where["page"] - 1], "fill", robots["cx"] * s, robots["cy"] * s,
               robots["r"] * s, np.random.default_rng(3), DPI)
    _upload_and_read(pages_pdf(review, dpi=DPI), "review.pdf", partnership)
    (item,) = db.session.scalars(select(ReviewItem).where(ReviewItem.status == "open"))
    assert item.question_code == "ch"
    login_as(client, coordinator.email)
    html = client.get(f"/admin/review/{item.id}").get_data(as_text=True)
    resp = client.post(f"/admin/review/{item.id}", data={"csrf_token": csrf_from(html),
                                                         "value": "slime"})
    assert resp.status_code == 303

    # By hand: the first page's code is torn off, so a person types the sheet's answers in.
    first = by_hand[0]
    qr = _template(pack.document, 1)["qr"]
    first[round((qr["y"] - 4) * s):round((qr["y"] + qr["size"] + 4) * s),
          round((qr["x"] - 4) * s):round((qr["x"] + qr["size"] + 4) * s)] = 255
    batch = _upload_and_read(pages_pdf([first], dpi=DPI), "torn.pdf", partnership)
    (page,) = batch.pages
    assert page.status == "unreadable"
    url = f"/admin/scans/page/{page.id}/enter"
    html = client.get(url, query_string={"collection": c.id}).get_data(as_text=True)
    resp = client.post(url, data={"csrf_token": csrf_from(html), "collection": c.id,
                                  "save": "1", "pupil_number": PUPIL, **ANSWERS})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:800]
    assert db.session.get(ScanPage, page.id).status == "manual"

    # Export: every channel's row holds the web's answers.
    rows = _export(runner, tmp_path, c)
    assert len(rows) == 5
    (web,) = [r for r in rows if r["source"] == "web"]
    columns = [col for col in ANSWERS]
    for col, value in ANSWERS.items():
        assert web[col] == ";".join(value), col
    assert web["pupil_number"] == PUPIL
    for row in rows:
        assert row["needs_review"] == "", row
        assert row["pupil_number"] == PUPIL, row
        typed = not row["sheet_id"]  # entered by hand
        for col in columns:
            if col in PAPER_KEEPS_IMAGE and row["source"] == "paper" and not typed:
                assert row[col] == ""
                continue
            assert row[col] == web[col], (row["sheet_id"] or "by hand", col)
    images = db.session.scalars(select(ResponseImage.question_code)).all()
    assert images == ["txt"] * 3  # copier, photo, review: the write-in kept as a picture

    # Results: the paper responses' shares equal the web response's, question by question.
    def shares(source: str) -> dict[str, list]:
        res = build(c.survey_version.survey, ResultsScope(partnership.id, source=source), 1,
                    use_tally=False)
        return {qr.question.code: [(r.phase, [round(x, 6) for x in r.dist.shares])
                                   for r in qr.rows]
                for qr in res.questions if qr.question.kind != "text"}

    web_shares = shares("web")
    assert set(web_shares) == {q for q in ("f3", "f5", "ag", "cf", "nps", "yn", "ch", "mu",
                                           "num", "rt")}
    assert shares("paper") == web_shares
