"""Make every picture in docs/screenshots/ from a fresh demo, in one run.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]

It makes a throwaway instance (its own SQLite database), loads `survey-app demo --seed 1`,
prints class packs and letters with `survey-app print`, starts `survey-app serve` on a free
local port, and drives Debian's Chromium (`/usr/bin/chromium`) through Playwright as a
pupil, a teacher and the coordinator would. PDFs (sheets, the plan, the impact report) are
rendered with poppler's `pdftoppm`. Nothing here runs in the test suite: the tests check
the pages, this script only takes their pictures, so the docs change only when someone
runs it and commits the result.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
#: The address the pictures show in QR codes, links and printed sheets (a school's own
#: server), instead of this run's 127.0.0.1 and its random port. The browser never goes
#: there: every request to anything but the local server is refused (`new_context`).
PUBLIC_BASE_URL = "https://surveys.example.org"
WIDE = {"width": 1680, "height": 1050}
#: Screenshots of PDFs: A4 at 60 dpi is about 500 x 700 px, enough to read the layout.
SHEET_DPI = 60

#: What the pictured pupils tap (faces3: 1 sad .. 3 happy; faces5: 1 .. 5).
TAPS_5_7 = {"enjoy": "3", "fun_lessons": "2", "good_at": "3", "try_hard": "1",
            "learn_more": "3", "like_me": "2", "science_job": "1"}
TAPS_7_11 = {"enjoy": "5", "fun_lessons": "4", "good_at": "3", "explain": "2",
             "learn_more": "5", "like_me": "1", "science_job": "4", "family_talk": "2"}
TAPS_TEACHER = {"confident_teaching": "4", "confident_practicals": "2",
                "subject_knowledge": "5", "pupil_questions": "4", "interest": "5",
                "will_use": "4"}
#: A survey file with two problems, for the builder's "problems beside their questions".
BROKEN_YAML = """\
code: mirror_check
title: Light check
audience: pupil
ages: "7-11"
questions:
  - code: enjoy
    text: I enjoy science.
    scale: faces5
  - code: mirrors
    text: Which mirrors did you use?
    scale: choice
  - code: enjoy
    text: I know how shadows are made.
    scale: faces5
"""


class Demo:
    """A throwaway instance with the demo loaded, and the commands to drive it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {**os.environ, "SURVEY_APP_INSTANCE": str(root / "instance"),
                    "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        for name in ("DATABASE_URL", "SURVEY_APP_ENV", "STORAGE_BACKEND"):
            self.env.pop(name, None)
        self.env["PUBLIC_BASE_URL"] = PUBLIC_BASE_URL

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "survey_app.cli", *args], env=self.env,
                              cwd=self.root, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"survey-app {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def load(self) -> None:
        self.cli("db", "upgrade")
        self.cli("demo", "--seed", "1")
        logins = (self.root / "instance" / "demo-login.txt").read_text()
        self.coordinator = re.search(r"coordinator: (\S+)\s+password: (\S+)", logins).groups()
        self.collections = json.loads(self.cli("collections", "list", "--json"))

    def collection(self, survey: str, phase: str) -> dict:
        """The demo's first collection of this survey and phase (the "taking part" one)."""
        return next(c for c in self.collections
                    if c["survey"] == survey and c["phase"] == phase and not c["is_comparison"])

    def print_pdf(self, name: str, *args: str) -> Path:
        path = self.root / name
        self.cli("print", *args, "-o", str(path))
        return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(demo: Demo) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(demo.root / "server.log", "wb")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen([sys.executable, "-m", "survey_app.cli", "serve", "--port",
                               str(port)], env=demo.env, cwd=demo.root, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit((demo.root / "server.log").read_text())
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).close()
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("survey-app serve did not answer within 30 s")


def pdf_page(pdf: Path, page: int, out: Path, dpi: int = SHEET_DPI) -> Path:
    """One page of a PDF as a PNG (poppler's pdftoppm)."""
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def side_by_side(images: list[Path], out: Path, gap: int = 24) -> None:
    """Pages next to each other on grey, as a PDF viewer shows them."""
    pages = [Image.open(p).convert("RGB") for p in images]
    height = max(p.height for p in pages)
    sheet = Image.new("RGB", (sum(p.width for p in pages) + gap * (len(pages) - 1), height),
                      (136, 136, 136))
    x = 0
    for p in pages:
        sheet.paste(p, (x, 0))
        x += p.width + gap
    sheet.save(out, optimize=True)


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def page_text(pdf: Path, n: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def first_sheet(pdf: Path) -> int:
    """The first page after a pack's cover that has any text (the cover may have a blank
    back, for double-sided printing)."""
    for n in range(2, pdf_pages(pdf) + 1):
        if page_text(pdf, n).strip():
            return n
    raise SystemExit(f"{pdf.name} has no sheet after its cover")


def new_context(browser, base: str, **options):
    """A browser context that reaches the local server only: any other request (the
    pictured public address, anything outside this machine) is refused."""
    context = browser.new_context(**options)

    def local_only(route) -> None:
        url = route.request.url
        if url == base or url.startswith(base + "/"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    return context


# --- the pictures -------------------------------------------------------------------

def sheets(demo: Demo, out: Path, work: Path) -> None:
    """A pupil sheet with the pupil number printed, a teacher sheet, the cover, a letter."""
    young = demo.collection("pupil_attitudes_5_7", "after")
    pack = demo.print_pdf("pupil.pdf", str(young["id"]), "--numbers", "1-2")
    pdf_page(pack, 1, out / "sheet-cover.png")
    pdf_page(pack, first_sheet(pack), out / "sheet-pupil.png")
    teacher = demo.collection("teacher_confidence", "after")
    pack = demo.print_pdf("teacher.pdf", str(teacher["id"]), "--copies", "1")
    pdf_page(pack, first_sheet(pack), out / "sheet-teacher.png")
    parents = demo.collection("parent_views", "once")
    pdf_page(demo.print_pdf("letters.pdf", str(parents["id"]), "--letters", "--numbers",
                            "1-1"), 1, out / "letter-home.png")


def _answer_5_7(page, number: int, shot: Callable[[], None] | None = None) -> None:
    page.fill("#pupil_number", str(number))
    page.click("button.next")
    codes = list(TAPS_5_7)
    for i, code in enumerate(codes):
        page.click(f"label[for='{code}-{TAPS_5_7[code]}']")
        if code == "good_at" and shot:
            shot()
        if i < len(codes) - 1:
            page.click("button.next")
    page.click("button.send")


def pupil(browser, base: str, demo: Demo, out: Path) -> None:
    """The pupil's phone page, the thank-you page, the page without JavaScript."""
    url = demo.collection("pupil_attitudes_5_7", "after")["url"].rsplit("/s/", 1)[1]
    context = new_context(browser, base, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/s/{url}")
    _answer_5_7(page, 7, lambda: page.screenshot(path=str(out / "pupil-phone.png")))
    page.wait_for_url(re.compile(r".*/thanks$"))
    page.screenshot(path=str(out / "pupil-thanks.png"))
    # The same survey in Welsh: the pupil's switch on the first screen (the bank's 5-7
    # survey is written in English and Welsh).
    page = context.new_page()
    page.goto(f"{base}/s/{url}?lang=cy")
    page.screenshot(path=str(out / "pupil-welsh.png"))
    context.close()

    token = demo.collection("pupil_attitudes_7_11", "after")["url"].rsplit("/s/", 1)[1]
    context = new_context(browser, base, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/s/{token}")
    page.fill("#pupil_number", "12")
    for code, value in TAPS_7_11.items():
        page.click(f"label[for='{code}-{value}']")
    page.screenshot(path=str(out / "pupil-nojs.png"), full_page=True)
    context.close()


def offline(browser, base: str, demo: Demo, out: Path) -> None:
    """After Send with no connection, and the next pupil's page with answers waiting."""
    token = demo.collection("pupil_attitudes_5_7", "after")["url"].rsplit("/s/", 1)[1]
    context = new_context(browser, base, viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{base}/s/{token}")
    page.wait_for_selector("html[data-offline-ready=yes]", state="attached")
    context.set_offline(True)
    _answer_5_7(page, 4)
    page.locator("#saved-offline").wait_for(state="visible")
    page.screenshot(path=str(out / "pupil-saved-offline.png"))
    page.click("#saved-offline a.next-pupil")
    _answer_5_7(page, 9)
    page.reload()
    page.locator("#outbox-status").wait_for(state="visible")
    page.screenshot(path=str(out / "pupil-waiting-offline.png"))
    context.set_offline(False)
    context.close()


def teacher_form(browser, base: str, demo: Demo, out: Path) -> None:
    token = demo.collection("teacher_confidence", "after")["url"].rsplit("/s/", 1)[1]
    context = new_context(browser, base, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/s/{token}")
    for code, value in TAPS_TEACHER.items():
        page.check(f"#{code}-{value}")
    page.fill("#comments", "More practical kit, please.")
    page.screenshot(path=str(out / "teacher-form.png"), full_page=True)
    context.close()


def _signed_in(browser, base: str, demo: Demo, viewport: dict):
    context = new_context(browser, base, viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/login")
    email, password = demo.coordinator
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/?$"))
    return context, page


def coordinator(browser, base: str, demo: Demo, out: Path) -> None:
    """The collections page and one collection with its QR code."""
    context, page = _signed_in(browser, base, demo, DESKTOP)
    page.screenshot(path=str(out / "coordinator-dashboard.png"))
    page.goto(f"{base}/admin/collections/{demo.collection('pupil_attitudes_7_11', 'after')['id']}")
    page.screenshot(path=str(out / "coordinator-collection.png"))
    context.close()


def builder(browser, base: str, demo: Demo, out: Path) -> None:
    """The builder with two bank questions and one of the coordinator's own, the bank
    filtered to ages 7-11, and a file with problems."""
    context, page = _signed_in(browser, base, demo, WIDE)
    page.goto(f"{base}/admin/builder/")
    page.fill("#title", "Light workshop")
    page.fill("#ages", "7-11")
    page.select_option("#bank_ages", "7-11")
    page.get_by_role("button", name="Add: I enjoy science.").click()
    page.get_by_role("button", name="Add: I am good at science.").click()
    page.fill("#new-text", "I liked making a periscope.")
    page.select_option("#new-scale", "faces5")
    page.get_by_role("button", name="Add this question").click()
    page.locator("textarea.q-text").nth(2).wait_for()
    phone = page.frame_locator("#phone-preview")
    phone.get_by_text("I liked making a periscope.").wait_for(state="attached")
    page.wait_for_function("() => { const i = document.getElementById('paper-preview');"
                           " return i.complete && i.naturalWidth > 800; }")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "builder.png"))
    page.evaluate("window.scrollTo(0, document.getElementById('bank').offsetTop - 10)")
    page.screenshot(path=str(out / "builder-bank.png"))

    broken = demo.root / "mirror_check.yaml"
    broken.write_text(BROKEN_YAML, encoding="utf-8")
    page.goto(f"{base}/admin/builder/")
    page.set_input_files("#yaml_file", str(broken))
    page.get_by_role("button", name="Upload into the builder").click()
    page.locator("#q-1 .problems-beside").wait_for()
    page.frame_locator("#phone-preview").get_by_text("I enjoy science.").wait_for(state="attached")
    page.evaluate("window.scrollTo(0, document.getElementById('questions').offsetTop - 80)")
    page.screenshot(path=str(out / "builder-problems.png"))
    context.close()


def results(browser, base: str, demo: Demo, out: Path) -> None:
    """A survey's results page, the impact report's first pages and the plan on a page."""
    context, page = _signed_in(browser, base, demo, {"width": 1200, "height": 1700})
    page.goto(f"{base}/results/survey/pupil_attitudes_7_11")
    page.screenshot(path=str(out / "results-dashboard.png"))

    work = demo.root
    report = work / "report.pdf"
    report.write_bytes(page.request.get(f"{base}/results/report.pdf").body())
    # The cover, the headline findings, and the first page with a before/after chart.
    charts = next((n for n in range(3, pdf_pages(report) + 1)
                   if "Before, took part" in page_text(report, n)), 3)
    chosen = [1, 2, charts]
    side_by_side([pdf_page(report, n, work / f"report-{n}.png", dpi=70) for n in chosen],
                 out / "results-report.png")

    plan = work / "plan.pdf"
    plan.write_bytes(page.request.get(f"{base}/plan/plan.pdf").body())
    pdf_page(plan, 1, out / "plan-pdf.png", dpi=70)
    context.close()


BROWSER_SHOTS = {"pupil": pupil, "offline": offline, "teacher_form": teacher_form,
                 "coordinator": coordinator, "builder": builder, "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", choices=["sheets", *BROWSER_SHOTS],
                        help="make only these groups of pictures")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["sheets", *BROWSER_SHOTS])
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        demo = Demo(Path(tmp))
        demo.load()
        if "sheets" in wanted:
            sheets(demo, args.out, demo.root)
        server, base = serve(demo)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, shoot in BROWSER_SHOTS.items():
                    if name in wanted:
                        shoot(browser, base, demo, args.out)
                        print(f"{name}: done", flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    for png in sorted(args.out.glob("*.png")):
        with Image.open(png) as im:
            print(f"{png.relative_to(REPO) if png.is_relative_to(REPO) else png}: "
                  f"{im.width} x {im.height}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
