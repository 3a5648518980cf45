"""Reading the next file ahead (`Scanner.scan_file(then=...)`, `Decoder.expect`, and the
worker naming the next queued upload): the decoding child opens the next photo while this
one is measured, and each file still gets exactly its own readings and its own errors,
whatever the child does while it reads ahead."""

from __future__ import annotations

import io
import os
import select
import signal

import numpy as np
import pytest
from sqlalchemy import select as sql_select

from scanner import PageResult, Scanner, UnreadablePage
from scanner.sandbox import Budget, Decoder
from survey_app.extensions import db
from survey_app.models import ScanBatch, ScanPage
from survey_app.scans.operations import submit_upload
from tests.support.generate import class_pack, filled_pages, jpeg, pages_pdf

INSTALLATION = "TESTINST"


@pytest.fixture(scope="module")
def photos() -> tuple[dict, list[tuple[bytes, str]]]:
    """Three phone photos of filled pupil sheets (seed 1004, as the round-trip test)."""
    pack = class_pack("pupil_attitudes_7_11", 3, pupil_number="bubbles")
    pages = filled_pages(pack, 1004, "photo")[:3]
    return pack.layout, [(jpeg(p.image), f"IMG_{k}.jpg") for k, p in enumerate(pages)]


def _scanner(layout: dict, decoder: Decoder | None = None) -> Scanner:
    scanner = Scanner(lambda prefix: layout if layout["fingerprint"].upper().startswith(prefix)
                      else None, INSTALLATION)
    scanner._decoder = decoder
    return scanner


def _read(scanner: Scanner, files: list[tuple[bytes, str]], ahead: bool) -> list:
    """Each file's pages, read one after the other, each naming the next when `ahead`."""
    out = []
    for k, (data, name) in enumerate(files):
        then = files[k + 1] if ahead and k + 1 < len(files) else None
        out.append(scanner.scan_file(data, name, then=then).pages)
    return out


def _said(pages: list) -> list:
    """What a file's pages say: a sheet's marks and review, or why a page is unread."""
    return [(p.sheet_key, [(m.group, m.marked, m.confidence, m.reason) for m in p.marks],
             [(r.question, r.reason) for r in p.review])
            if isinstance(p, PageResult) else ("unread", p.reason) for p in pages]


@pytest.fixture
def events(monkeypatch) -> list[str]:
    """What the parent asks the child ("open NAME", "page I"; a file read ahead is logged
    when it is handed to the thread that sends it) and which file's page it measures ("read
    NAME"), in order."""
    out: list[str] = []
    send, send_next, read_page = Decoder.send, Decoder.send_next, Scanner.read_page

    def logged_send(self, message, payload=b""):
        out.append(f"{message['op']} {message.get('name', message.get('i', ''))}".strip())
        return send(self, message, payload)

    def logged_send_next(self):
        name = self._next.name if self._next is not None else None
        sent = send_next(self)
        if sent:
            out.append(f"open {name}")
        return sent

    def logged_read(self, img, *, filename="", file_page=0):
        out.append(f"read {filename}")
        return read_page(self, img, filename=filename, file_page=file_page)

    monkeypatch.setattr(Decoder, "send", logged_send)
    monkeypatch.setattr(Decoder, "send_next", logged_send_next)
    monkeypatch.setattr(Scanner, "read_page", logged_read)
    return out


def _opened_and_read(events: list[str]) -> list[str]:
    return [e for e in events if e.startswith(("open", "read"))]


def test_reading_ahead_reads_every_photo_as_reading_one_by_one_does(photos, events):
    layout, files = photos
    alone = _read(_scanner(layout), files, ahead=False)
    events.clear()
    ahead = _read(_scanner(layout), files, ahead=True)
    assert [_said(p) for p in ahead] == [_said(p) for p in alone]
    assert all(isinstance(p, PageResult) for pages in ahead for p in pages)
    # The next photo went to the child before this one was measured, and no file was
    # opened twice.
    assert _opened_and_read(events) == [
        "open IMG_0.jpg", "open IMG_1.jpg", "read IMG_0.jpg", "open IMG_2.jpg",
        "read IMG_1.jpg", "read IMG_2.jpg"]


def _when_opened(monkeypatch, name: str, act) -> None:
    """Call `act(child pid)` whenever the child has begun the file `name` (ahead or not), as
    a hostile file would kill or stall it: after it answered the open, so the page it
    decodes next is that file's (and its 1-5 MB of pixels cannot all be in the 256 KB pipe
    yet)."""
    write = Decoder._write  # what every request goes through, on whichever thread

    def hooked(self, message, payload=b""):
        write(self, message, payload)
        if message["op"] == "open" and message["name"] == name:
            assert select.select([self._proc.stdout], [], [], 10)[0]
            act(self._proc.pid)

    monkeypatch.setattr(Decoder, "_write", hooked)


def test_a_child_killed_while_reading_ahead_costs_that_photo_only(photos, monkeypatch):
    layout, files = photos
    alone = _read(_scanner(layout), files, ahead=False)
    _when_opened(monkeypatch, "IMG_1.jpg", lambda pid: os.kill(pid, signal.SIGKILL))
    ahead = _read(_scanner(layout), files, ahead=True)
    assert _said(ahead[0]) == _said(alone[0])  # the photo before: already in the parent
    assert _said(ahead[2]) == _said(alone[2])  # the photo after: read by a new child
    (lost,) = ahead[1]
    assert isinstance(lost, UnreadablePage)
    assert lost.filename == "IMG_1.jpg"
    assert lost.reason.lower().startswith("page 1 of img_1.jpg cannot be decoded (it needed "
                                          "more memory than one page may use)")


def test_a_child_stalled_while_reading_ahead_costs_that_photo_only(photos, monkeypatch):
    layout, files = photos
    alone = _read(_scanner(layout), files, ahead=False)
    _when_opened(monkeypatch, "IMG_1.jpg", lambda pid: os.kill(pid, signal.SIGSTOP))
    ahead = _read(_scanner(layout, Decoder(Budget(wall_s=2.0))), files, ahead=True)
    assert _said(ahead[0]) == _said(alone[0])
    assert _said(ahead[2]) == _said(alone[2])
    (lost,) = ahead[1]
    assert isinstance(lost, UnreadablePage)
    assert "img_1.jpg cannot be decoded (it needed more than 2 seconds" in lost.reason.lower()


def test_a_file_read_ahead_but_not_opened_next_is_never_waited_for(photos, events):
    """The worker names the next queued upload, but another worker may claim it: the file
    opened instead is read by a new child, never handed what the old one decoded."""
    layout, files = photos
    scanner = _scanner(layout)
    first = scanner.scan_file(*files[0], then=files[1])
    pid = scanner._decoder.pid
    other = scanner.scan_file(*files[2])
    assert scanner._decoder.pid != pid
    assert _opened_and_read(events) == ["open IMG_0.jpg", "open IMG_1.jpg", "read IMG_0.jpg",
                                        "open IMG_2.jpg", "read IMG_2.jpg"]
    assert _said(other.pages) == _said(_read(_scanner(layout), files[2:], False)[0])
    assert isinstance(first.pages[0], PageResult)


def test_a_file_the_parent_refuses_is_never_sent_ahead(photos, events):
    layout, files = photos
    scanner = _scanner(layout)
    scanner.scan_file(*files[0], then=(b"GIF89a" + bytes(100), "IMG_9.gif"))
    assert not any("IMG_9" in e for e in events)


# --- the worker ------------------------------------------------------------------------------


def _pdf(pages: int, grey: int) -> bytes:
    return pages_pdf([np.full((1169, 827), grey, np.uint8)] * pages, dpi=100)


def test_the_worker_reads_the_next_upload_ahead_and_a_child_death_there_is_that_uploads(
        app, partnership, coordinator, events, monkeypatch):
    from survey_app.admin.operations import resolve_partnership
    from survey_app.scans.worker import work
    from tests.conftest import make_user

    for k in range(3):  # a teacher's photos: one upload, one batch, each
        submit_upload(io.BytesIO(_pdf(1, 60 + 40 * k)), f"IMG_{k}.pdf", partnership,
                      coordinator)
    other = resolve_partnership("Hilltop Partnership", create=True)
    db.session.commit()
    submit_upload(io.BytesIO(_pdf(1, 200)), "theirs.pdf", other,
                  make_user(other, "coord@hilltop.example.org", "coordinator"))
    _when_opened(monkeypatch, "IMG_1.pdf", lambda pid: os.kill(pid, signal.SIGKILL))
    events.clear()
    assert work(once=True, log=lambda _line: None) == 4
    db.session.expire_all()
    pages = db.session.execute(
        sql_select(ScanBatch.filename, ScanPage.status, ScanPage.reason)
        .join(ScanPage, ScanPage.batch_id == ScanBatch.id).order_by(ScanBatch.id)).all()
    assert [(name, status) for name, status, _ in pages] == [
        ("IMG_0.pdf", "blank"), ("IMG_1.pdf", "unreadable"), ("IMG_2.pdf", "blank"),
        ("theirs.pdf", "blank")]
    assert pages[1].reason.lower().startswith("page 1 of img_1.pdf cannot be decoded (it "
                                              "needed more memory than one page may use)")
    # IMG_1 went to the child before IMG_0 was measured. Its child died on it: the worker,
    # finding the child ended, gave IMG_1 a new one, which died too, and IMG_2 was opened as
    # usual, by a third. The other partnership's upload was never read ahead.
    assert _opened_and_read(events) == [
        "open IMG_0.pdf", "open IMG_1.pdf", "read IMG_0.pdf", "open IMG_1.pdf",
        "open IMG_2.pdf", "read IMG_2.pdf", "open theirs.pdf", "read theirs.pdf"]


def test_a_file_read_ahead_gives_the_page_asked_for_when_its_first_is_not_wanted():
    """A resumed batch skips the pages already stored: its first page, read ahead, is
    dropped, and every page is the one decoding in the process itself gives."""
    from scanner import open_scan

    piles = [pages_pdf([np.full((1169, 827), g, np.uint8) for g in greys], dpi=100)
             for greys in ((30,), (70, 110, 150))]
    decoder = Decoder()
    try:
        first = open_scan(piles[0], "first.pdf", decoder=decoder)
        decoder.expect(piles[1], "second.pdf", first.limits)
        first.page(0)
        first.close()
        pid = decoder.pid
        second = open_scan(piles[1], "second.pdf", decoder=decoder)
        assert decoder.pid == pid  # the child that read it ahead
        assert second._ready is not None
        here = open_scan(piles[1], "second.pdf", isolate=False)
        for i in (1, 2, 0):
            assert np.array_equal(second.page(i).image, here.page(i).image)
        second.close()
        here.close()
    finally:
        decoder.kill()
