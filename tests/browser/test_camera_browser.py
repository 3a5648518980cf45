"""A teacher photographs sheets with a phone (issue 15, item 4), as it really runs: the app
served by `survey-app serve` and read by `survey-app worker`, each in its own process, and
Chromium whose camera is a fake device fed with a generator photo of a printed, filled
sheet. The photo is taken in the viewfinder, judged in the browser, sent, read by the
worker, and its outcome shown; a bad photo is retaken from the file input and replaces it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.scan.test_import import _render
from tests.security.test_live_crawl import _free_port, _wait_until_up
from tests.support.generate import degrade_photo, jpeg

REPO = Path(__file__).resolve().parents[2]
SURVEY_APP = [sys.executable, "-m", "survey_app.cli"]
EMAIL, PASSWORD = "t@oak.example.org", "correct horse battery"


def _y4m(img: np.ndarray, path: Path) -> None:
    """One still frame as a Y4M file, the format Chromium's fake camera plays in a loop."""
    h, w = (img.shape[0] // 2) * 2, (img.shape[1] // 2) * 2
    yuv = cv2.cvtColor(np.ascontiguousarray(img[:h, :w]), cv2.COLOR_BGR2YUV_I420)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F5:1 Ip A1:1 C420jpeg\n".encode())
        f.write(b"FRAME\n" + yuv.tobytes())


@pytest.fixture
def served(template_db, tmp_path):
    """A pack printed for Oak Primary's Year 5, a teacher, and the server and the worker."""
    db_file = tmp_path / "camera.sqlite3"
    shutil.copy(template_db["sqlite"], db_file)
    env = {**os.environ, "SURVEY_APP_INSTANCE": str(tmp_path / "instance"),
           "DATABASE_URL": f"sqlite:///{db_file}", "STORAGE_DIR": str(tmp_path / "storage"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "SECRET_KEY": "camera-secret-" + "x" * 32}
    env.pop("SURVEY_APP_ENV", None)
    pack_pdf, document = _print_pack(env, db_file, tmp_path)
    images, _ = _render(pack_pdf, document, seed=41)
    rng = np.random.default_rng(42)
    photo = degrade_photo(images[0][2], rng, rates={})
    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        procs = [subprocess.Popen([*SURVEY_APP, *args], env=env, cwd=tmp_path, stdout=out,
                                  stderr=subprocess.STDOUT)
                 for args in (["serve", "--port", str(port)], ["worker"])]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, procs[0], log)
        yield base, db_file, photo, log
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _print_pack(env: dict, db_file: Path, tmp_path: Path) -> tuple[bytes, dict]:
    import json

    script = (
        "from survey_app import create_app\n"
        "from survey_app.extensions import db\n"
        "from survey_app.admin.operations import resolve_partnership, load_survey_version,"
        " create_collection\n"
        "from survey_app.auth.operations import create_user\n"
        "from survey_app.paper.operations import print_class_pack\n"
        "from forms.definition import load_survey\n"
        "import sys, pathlib, json\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    p = resolve_partnership('Riverside Science Partnership', create=True)\n"
        "    load_survey_version(p, load_survey(pathlib.Path('forms/bank/"
        "pupil_attitudes_7_11.yaml')))\n"
        "    c = create_collection(p, survey_code='pupil_attitudes_7_11', school_name='Oak "
        "Primary', group_name='Year 5', phase='before')\n"
        "    db.session.flush()\n"
        "    pack = print_class_pack(c, 1)\n"
        "    db.session.commit()\n"
        f"    user, _ = create_user(p, {EMAIL!r}, 'teacher', school_name='Oak Primary')\n"
        f"    user.set_password({PASSWORD!r})\n"
        "    db.session.commit()\n"
        f"    pathlib.Path({str(tmp_path / 'pack.pdf')!r}).write_bytes(pack.pdf)\n"
        f"    pathlib.Path({str(tmp_path / 'pack.json')!r}).write_text(json.dumps("
        "pack.document))\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, check=True,
                   capture_output=True, text=True, timeout=120)
    return (tmp_path / "pack.pdf").read_bytes(), json.loads((tmp_path / "pack.json").read_text())


def _count(db_file: Path, sql: str) -> int:
    with sqlite3.connect(db_file) as con:
        return con.execute(sql).fetchone()[0]


def test_photos_taken_in_the_browser_are_read_and_a_bad_one_is_retaken(
        browser, served, tmp_path):
    base, db_file, photo, log = served
    cut = photo[: photo.shape[0] * 45 // 100]  # the bottom of the sheet out of frame
    feed = tmp_path / "cut.y4m"
    _y4m(cut, feed)
    camera = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={feed}"])
    try:
        context = camera.new_context(viewport=PHONE, base_url=base,
                                     permissions=["camera"])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto("/admin/scans/camera/")
        page.wait_for_selector("#camera:not([hidden])", timeout=15000)
        for _ in range(150):  # (wait_for_function evaluates a string: the CSP forbids it)
            if page.evaluate("document.getElementById('viewfinder').videoWidth") > 0:
                break
            page.wait_for_timeout(100)
        page.click("#shoot")
        bad = page.wait_for_selector("#photos li[data-state=retake]", timeout=60000)
        text = bad.inner_text()
        assert "Take it again" in text, text
        assert "bottom of the sheet" in text or "corner" in text, text
        assert _count(db_file, "SELECT count(*) FROM scan_page WHERE status='unreadable'") == 1
        page.screenshot(path=str(tmp_path / "retake.png"))

        # Retake from the file input (the phone's camera app): the new photo replaces it.
        bad.query_selector("button").click()
        assert page.is_visible("#retaking")
        good = tmp_path / "good.jpg"
        good.write_bytes(jpeg(photo))
        page.set_input_files("#photo-file", str(good))
        page.wait_for_selector("#photos li[data-state=read], #photos li[data-state=check]",
                               timeout=60000)
        assert page.locator("#photos li").count() == 1  # replaced, not added
        assert _count(db_file, "SELECT count(*) FROM scan_page WHERE status='unreadable'") == 0
        assert _count(db_file, "SELECT count(*) FROM response") == 1
        assert not errors, errors
        context.close()
    finally:
        camera.close()
    assert "Traceback" not in log.read_text()
