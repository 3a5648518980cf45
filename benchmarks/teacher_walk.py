"""A teacher's trial in Welsh, as issue 15 asks: the app served on the machine's network
address, a phone-sized Chromium joins with the typed code, answers in Welsh and sends; the
export then holds that one answer, as codes.

    .venv/bin/python benchmarks/teacher_walk.py

Prints what the phone saw (page language, title, buttons, thank-you words) and the row the
export holds; exits 1 when any of it is not as a Welsh-medium class would expect.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "survey-app")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PUPIL = "14"


def main() -> int:
    instance = Path(tempfile.mkdtemp(prefix="teacher-walk-"))
    env = dict(os.environ, SURVEY_APP_INSTANCE=str(instance), PYTHONPATH=str(REPO),
               SECRET_KEY="teacher-walk-" + "x" * 20)

    def cli(*args: str) -> str:
        return subprocess.run([CLI, *args], env=env, cwd=REPO, capture_output=True,
                              text=True, check=True).stdout

    address = subprocess.run(["hostname", "-I"], capture_output=True,
                             text=True).stdout.split()[0]
    with socket.socket() as s:
        s.bind(("", 0))
        port = s.getsockname()[1]
    cli("db", "upgrade")
    cli("demo")
    made = json.loads(cli("collections", "create", "--survey", "pupil_attitudes_7_11",
                          "--school", "Ysgol y Deri", "--group", "Blwyddyn 5", "--phase",
                          "before", "--pupil-number", "--language", "cy", "--json"))
    server = subprocess.Popen([CLI, "serve", "--host", "0.0.0.0", "--port", str(port)],
                              env=env, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    seen: dict[str, object] = {}
    try:
        printed = [server.stdout.readline().strip() for _ in range(3)]
        seen["serve printed"] = [line for line in printed if "http" in line]
        base = f"http://{address}:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/join", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_context(viewport={"width": 390, "height": 844},
                                       is_mobile=True, has_touch=True).new_page()
            page.goto(base + "/join")
            # As a child types it: lower case, no dash.
            page.fill("input[name=code]", made["join_code"].lower().replace("-", ""))
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/s/.*"))
            seen["lang"] = page.get_attribute("html", "lang")
            seen["title"] = page.title()
            page.fill("#pupil_number", PUPIL)
            seen["buttons"] = [page.locator("button.next").first.inner_text(),
                               page.locator("button.send").first.inner_text()]
            answered = 0
            while True:
                radios = page.locator("input[type=radio]:visible")
                if radios.count():
                    choice = radios.nth(min(3, radios.count() - 1)).get_attribute("id")
                    page.locator(f"label[for='{choice}']").click()
                    answered += 1
                if page.locator("button.send:visible").count():
                    page.locator("button.send:visible").click()
                    break
                page.locator("button.next:visible").click()
            page.wait_for_url(re.compile(r".*/thanks$"))
            seen["answered"] = answered
            seen["thanks"] = page.locator("h1").first.inner_text()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    out = instance / "answers.csv"
    cli("export", "--survey", "pupil_attitudes_7_11", "-o", str(out))
    with out.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["collection_id"] == str(made["id"])]
    seen["exported rows"] = len(rows)
    for key, value in seen.items():
        print(f"{key}: {value}")
    ok = (seen["lang"] == "cy" and seen["buttons"] == ["Nesaf", "Anfon"]
          and seen["thanks"] == "Diolch!" and len(rows) == 1 and rows[0]["pupil_number"] == PUPIL)
    print("as expected" if ok else "NOT as expected")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
