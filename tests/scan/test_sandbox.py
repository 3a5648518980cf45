"""Decoding in a child process (scanner/sandbox.py), and the worker's bound on a batch that
keeps killing it: a decoder that runs out of time, processor or memory costs one child
process and one page, never the worker; a batch whose worker died SCAN_MAX_ATTEMPTS times
is set aside with a message and the next upload is read."""

from __future__ import annotations

import io
import os
import signal
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from scanner import DecodeLimitError, open_scan
from scanner.inputs import PageDecodeError
from scanner.sandbox import Budget, Decoder
from survey_app.extensions import db
from survey_app.models import ScanBatch
from survey_app.models.base import utcnow
from survey_app.scans.operations import GAVE_UP, claim_next_batch, retry_batch, submit_upload
from tests.support.generate import pages_pdf


def _pdf(pages: int = 3) -> bytes:
    imgs = [np.full((1169, 827), (40 + 80 * k) % 256, np.uint8) for k in range(pages)]
    return pages_pdf(imgs, dpi=100)


def _child(src) -> int:
    return src._decoder.pid


def test_pages_come_from_a_child_process_and_match_in_process_decoding():
    data = _pdf()
    src = open_scan(data, "copier.pdf")
    here = open_scan(data, "copier.pdf", isolate=False)
    try:
        assert _child(src) != os.getpid()
        assert len(src) == len(here) == 3
        for i in (0, 2, 1):  # out of order: a page read ahead is dropped, not mixed up
            a, b = src.page(i), here.page(i)
            assert a.index == i
            assert a.dpi == b.dpi
            assert np.array_equal(a.image, b.image)
    finally:
        src.close()
        here.close()


def test_a_decoder_killed_for_processor_time_costs_one_page_only():
    src = open_scan(_pdf(), "copier.pdf")
    try:
        src.page(0)
        # What RLIMIT_CPU does to a decoder stuck in a loop: the kernel sends SIGXCPU.
        os.kill(_child(src), signal.SIGXCPU)
        with pytest.raises(PageDecodeError, match="page 2 of copier.pdf cannot be decoded "
                           r"\(it needed more processor time than one page may use\)"):
            src.page(1)
        assert int(src.page(2).image.mean()) == 200  # a new child opened the file again
    finally:
        src.close()


def test_after_three_deaths_the_rest_of_the_file_is_not_tried():
    src = open_scan(_pdf(6), "copier.pdf")
    try:
        for i in (0, 2, 4):
            os.kill(_child(src), signal.SIGKILL)  # as the kernel does when memory runs out
            with pytest.raises(PageDecodeError, match="more memory"):
                src.page(i)
            if i < 4:
                src.page(i + 1)  # a new child reads the next page
        with pytest.raises(PageDecodeError, match="page 6 of copier.pdf was not tried"):
            src.page(5)
    finally:
        src.close()


def test_a_file_that_takes_too_long_to_open_is_refused_and_its_child_ended():
    decoder = Decoder(Budget(wall_s=0.001))
    with pytest.raises(DecodeLimitError, match="copier.pdf could not be opened: it needed "
                       "more than 0.001 seconds"):
        open_scan(_pdf(), "copier.pdf", decoder=decoder)
    assert not decoder.has_child


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_a_page_too_big_for_the_childs_memory_is_one_unreadable_page():
    """RLIMIT_AS is real: a 49 Mpx page (under the pixel limit) in a child allowed 20 MB
    more than it already uses cannot be decoded; the page says why and the child goes on."""
    import re

    from tests.scan.test_bad_files import _png

    probe = Decoder()
    open_scan(_png(400, 400), "small.png", decoder=probe).close()
    status = Path(f"/proc/{probe._proc.pid}/status").read_text()
    used = int(re.search(r"VmSize:\s+(\d+)", status).group(1)) * 1024
    probe.kill()
    decoder = Decoder(Budget(memory_bytes=used + 20 * 1024**2))
    src = open_scan(_png(7000, 7000), "big.png", decoder=decoder)
    with pytest.raises(PageDecodeError, match="page 1 of big.png cannot be decoded .it "
                       "needed more memory than one page may use"):
        src.page(0)
    src.close()
    small = open_scan(_png(400, 400), "small.png", decoder=decoder)
    assert small.page(0).image.shape == (400, 400)
    small.close()
    decoder.kill()


def test_memory_limit_applies_in_the_child():
    """A file the child cannot decode within its memory is refused, and the test process
    never held those pixels."""
    decoder = Decoder(Budget(memory_bytes=64 * 1024**2))  # less than Python + numpy need
    with pytest.raises(DecodeLimitError, match="more memory"):
        open_scan(_pdf(), "copier.pdf", decoder=decoder)


# --- the worker's bound on attempts ------------------------------------------------------


def test_a_batch_that_keeps_killing_the_worker_is_set_aside(app, partnership, coordinator):
    app.config["SCAN_MAX_ATTEMPTS"] = 3
    poison = submit_upload(io.BytesIO(_pdf(1)), "poison.pdf", partnership, coordinator).batch
    behind = submit_upload(io.BytesIO(_pdf(2)), "next.pdf", partnership, coordinator).batch
    long_ago = utcnow() - timedelta(hours=1)
    for attempt in (1, 2, 3):
        taken = claim_next_batch()
        assert taken.id == poison.id  # a dead worker's batch is tried again...
        assert taken.attempts == attempt
        taken.heartbeat_at = long_ago  # ...and its worker dies again
        db.session.commit()
    taken = claim_next_batch()
    assert taken.id == behind.id  # the next upload is read
    db.session.expire_all()
    poison = db.session.get(ScanBatch, poison.id)
    assert poison.status == "failed"
    assert poison.error == GAVE_UP.format(tries=3)
    assert "set aside" in poison.error
    retry_batch(poison)  # a person may try again: it gets its tries back
    assert poison.attempts == 0
    assert db.session.scalar(select(ScanBatch.status).where(ScanBatch.id == poison.id)) \
        == "queued"


# --- the worker's child, kept from one batch to the next -----------------------------------


@pytest.fixture
def started(monkeypatch) -> list[Decoder]:
    """Every decoding child started from here on, as its `Decoder` (the real `start`)."""
    out: list[Decoder] = []
    real = Decoder.start

    def start(self: Decoder) -> None:
        real(self)
        out.append((self, self._proc.pid))

    monkeypatch.setattr(Decoder, "start", start)
    return out


def _batches(app) -> list[ScanBatch]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScanBatch).order_by(ScanBatch.id)))


def test_the_worker_reads_a_partnerships_uploads_with_one_child_and_another_with_its_own(
        app, partnership, coordinator, started):
    from survey_app.admin.operations import resolve_partnership
    from survey_app.scans.worker import work
    from tests.conftest import make_user

    for k in range(3):  # a teacher's photos: one upload, one batch, each
        submit_upload(io.BytesIO(_pdf(k + 1)), f"IMG_{k}.pdf", partnership, coordinator)
    other = resolve_partnership("Hilltop Partnership", create=True)
    db.session.commit()
    submit_upload(io.BytesIO(_pdf(2)), "theirs.pdf", other,
                  make_user(other, "coord@hilltop.example.org", "coordinator"))
    started.clear()  # each upload's own check (in the web request) has a child of its own
    assert work(once=True, log=lambda _line: None) == 4
    batches = _batches(app)
    assert [(b.status, b.pages_done, len(b.pages)) for b in batches] == [
        ("done", 1, 1), ("done", 2, 2), ("done", 3, 3), ("done", 2, 2)]
    assert len(started) == 2  # one child for the first partnership's three, one for the other
    assert len({pid for _d, pid in started}) == 2
    assert not any(d.alive for d, _pid in started)  # an idle worker holds no child


def test_a_kept_child_that_ended_between_batches_is_replaced(app, partnership, coordinator,
                                                             started):
    from survey_app.scans.worker import work

    for k in range(2):
        submit_upload(io.BytesIO(_pdf(k + 2)), f"IMG_{k}.pdf", partnership, coordinator)
    started.clear()

    def log(line: str) -> None:
        if line.endswith(": IMG_1.pdf"):  # the second batch is about to be read
            decoder, _pid = started[0]
            decoder._proc.kill()  # ended while idle: killed by the system, say
            decoder._proc.wait()

    assert work(once=True, log=log) == 2
    assert [(b.status, b.pages_done, b.error) for b in _batches(app)] == [
        ("done", 2, None), ("done", 3, None)]
    assert len(started) == 2
