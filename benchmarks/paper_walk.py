"""A new user's paper round trip, end to end, through the parts a user has.

A fresh instance: every bank survey and `all_kinds.yaml` loaded, one collection each, a
class pack of each printed with `survey-app print` (the pupil-number surveys as blank packs
with tens/units bubbles), every sheet filled with the generator's children's marks
(`tests.support.generate`: fills, ticks, circles, coloured faces, light pencil, marks
between two answers, changed minds...), then degraded as a copier PDF (one file, all packs,
cover pages included) and as phone photos (JPEGs). Both are uploaded through the real
upload page of `survey-app serve` (HTTP, signed in as a coordinator), read by
`survey-app worker --once`, and then the batch pages, the review queue, the results pages
and the CSV export are fetched over HTTP and compared with what was painted.

    .venv/bin/python benchmarks/paper_walk.py [--copies 6] [--photos 2] [--seed 700]

Prints, per channel: pages, answers painted, stored right, sent to review (required or
not), and any answer stored wrong or lost (the count that must be 0), and exits non-zero
if there is one. Seeds below 1000 (tuning seeds; the benchmark reports on 1100+).
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.generate import (  # noqa: E402
    REVIEW,
    degrade,
    fill_page,
    jpeg,
    pages_pdf,
)

BIN = Path(sys.executable).parent / "survey-app"
ROOT = Path(__file__).resolve().parent.parent
SURVEYS = [*sorted((ROOT / "forms" / "bank").glob("*.yaml")),
           ROOT / "benchmarks" / "all_kinds.yaml"]
PUPIL_NUMBER = {"pupil_attitudes_7_11", "workshop_knowledge", "all_kinds"}
EMAIL, PASSWORD = "coordinator@example.org", "walk-the-paper-42"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluator_walk import cli, free_port  # noqa: E402  (the walks share their helpers)


class Browser:
    """Cookies, CSRF tokens and multipart uploads over urllib (what a browser sends)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=120) as r:
            return r.geturl(), r.read().decode("utf-8", "replace")

    def post(self, path: str, fields: dict[str, str], files: dict | None = None
             ) -> tuple[str, str]:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)[1])
        fields = {**fields, "csrf_token": token.group(1) if token else ""}
        if files:
            boundary = uuid.uuid4().hex
            body = io.BytesIO()
            for k, v in fields.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"'
                           f"\r\n\r\n{v}\r\n".encode())
            for k, (name, data, ctype) in files.items():
                body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; '
                           f'filename="{name}"\r\nContent-Type: {ctype}\r\n\r\n'.encode())
                body.write(data + b"\r\n")
            body.write(f"--{boundary}--\r\n".encode())
            data, ctype = body.getvalue(), f"multipart/form-data; boundary={boundary}"
        else:
            data, ctype = urllib.parse.urlencode(fields).encode(), \
                "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=data,
                                     headers={"Content-Type": ctype})
        with self.opener.open(req, timeout=600) as r:
            return r.geturl(), r.read().decode("utf-8", "replace")


def text_of(html: str) -> str:
    """The words of a page, for printing what a user reads."""
    html = re.sub(r"(?s)<(script|style).*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def fill_packs(packs: dict, condition: str, seed: int, sheets: slice
               ) -> tuple[list[np.ndarray], dict[str, dict[str, str]], dict[str, set]]:
    """Every page of every pack (cover pages as printed), the sheets' filled in with the
    generator's marks and degraded. Returns the images, the truth per sheet id and the
    columns where review is acceptable too."""
    rng = np.random.default_rng(seed)
    images, truth, lenient = [], {}, {}
    for pdf, doc in packs.values():
        where = {}
        for sheet in doc["sheets"][sheets]:
            for p in sheet["pages"]:
                where[p["pdf_page"]] = (sheet["sheet_id"], p["page"])
        with pdfium.PdfDocument(pdf) as d:
            for i in range(len(d)):
                if i not in where and i != 0:
                    continue  # the other channel's sheets
                rgb = d[i].render(scale=200 / 72).to_numpy()[:, :, :3]
                img = np.ascontiguousarray(rgb[:, :, ::-1])
                if i in where:
                    sid, page = where[i]
                    soft: set = set()
                    t = fill_page(img, doc, page, 200, rng, lenient=soft)
                    truth.setdefault(sid, {}).update(t)
                    lenient.setdefault(sid, set()).update(soft)
                elif condition == "photo":
                    continue  # nobody photographs the cover page
                images.append(degrade(img, condition, rng))
    return images, truth, lenient


def compare(rows: list[dict], truth: dict[str, dict[str, str]], lenient: dict[str, set],
            label: str) -> dict[str, int]:
    """Stored answers (export rows by sheet id) against what was painted."""
    by_sheet = {r["sheet_id"]: r for r in rows if r.get("sheet_id")}
    out = {"answers": 0, "right": 0, "review_required": 0, "review_needless": 0,
           "wrong": 0, "sheets_missing": 0}
    for sid, cols in truth.items():
        row = by_sheet.get(sid)
        if row is None:
            out["sheets_missing"] += 1
            print(f"  {label}: sheet {sid} has no response")
            continue
        flagged = set(filter(None, (row.get("needs_review") or "").split(";")))
        for col, want in cols.items():
            out["answers"] += 1
            got = row.get(col, "")
            if col in flagged:
                key = "review_required" if want == REVIEW or col in lenient[sid] else \
                    "review_needless"
                out[key] += 1
            elif want == REVIEW or got != want:
                out["wrong"] += 1
                print(f"  {label}: sheet {sid} {col}: stored {got!r}, painted {want!r}")
            else:
                out["right"] += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=8, help="sheets per class pack")
    ap.add_argument("--photos", type=int, default=2,
                    help="of which photographed (the rest go through the copier)")
    ap.add_argument("--seed", type=int, default=700)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="paper-walk-"))
    env = {**os.environ, "SURVEY_APP_INSTANCE": str(work),
           "DATABASE_URL": os.environ.get("WALK_DATABASE_URL",
                                          f"sqlite:///{work / 'survey.sqlite3'}")}
    cli(env, "db", "upgrade")
    cli(env, "partnerships", "create", "Walk Partnership")
    packs = {}
    for path in SURVEYS:
        cli(env, "forms", "load", str(path))
        code = path.stem
        extra = ["--pupil-number"] if code in PUPIL_NUMBER else []
        coll = json.loads(cli(env, "collections", "create", "--survey", code, "--school",
                              "Alder Primary", "--group", "Class 3", "--phase", "before",
                              "--expected", str(args.copies), *extra, "--json"))
        pdf, layout = work / f"{code}.pdf", work / f"{code}.json"
        cli(env, "print", str(coll["id"]), "--copies", str(args.copies), "-o", str(pdf),
            "--layout", str(layout))
        packs[code] = (pdf.read_bytes(), json.loads(layout.read_text()))
    link = cli(env, "users", "create", EMAIL, "--role", "coordinator").strip().split()[-1]
    split = args.copies - args.photos  # the last sheets of each pack are photographed
    copier, truth_c, soft_c = fill_packs(packs, "copier", args.seed, slice(0, split))
    photos, truth_p, soft_p = fill_packs(packs, "photo", args.seed + 1, slice(split, None))
    print(f"Printed {len(packs)} class packs of {args.copies}; filled {len(truth_c)} sheets "
          f"({len(copier)} copier pages with the covers) and {len(truth_p)} sheets as "
          f"{len(photos)} phone photos. Instance: {work}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "server.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**env, "PUBLIC_BASE_URL": base}, stdout=log,
                              stderr=subprocess.STDOUT)
    failed = False
    try:
        for _ in range(600):  # a loaded machine takes a while to start the server
            try:
                urllib.request.urlopen(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        b = Browser(base)
        token_path = urllib.parse.urlparse(link).path
        b.post(token_path, {"password": PASSWORD, "confirm": PASSWORD})
        b.post("/login", {"email": EMAIL, "password": PASSWORD})
        uploads = [("pile.pdf", pages_pdf(copier, dpi=200, quality=75), "application/pdf")]
        uploads += [(f"IMG_{k:04d}.jpg", jpeg(img, 85), "image/jpeg")
                    for k, img in enumerate(photos)]
        batches = []
        t = time.perf_counter()
        for name, data, ctype in uploads:
            url, _ = b.post("/admin/scans/", {}, {"file": (name, data, ctype)})
            batches.append(url)
        print(f"Uploaded {len(uploads)} files through /admin/scans/ in "
              f"{time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        cli(env, "worker", "--once")
        print(f"survey-app worker --once read them in {time.perf_counter() - t:.1f} s")
        for url in (batches[0], batches[-1]):
            words = text_of(b.get(urllib.parse.urlparse(url).path)[1])
            print(f"  batch page {urllib.parse.urlparse(url).path}: {words[:600]}")
        review = text_of(b.get("/admin/review/")[1])
        print(f"  review queue: {review[:400]}")
        for code in packs:
            words = text_of(b.get(f"/results/survey/{code}")[1])
            print(f"  results {code}: {words[:300]}")
        # Per survey the export has its own columns: one wide file per survey.
        rows = []
        for code in packs:
            _, body = b.get(f"/admin/export/responses.csv?survey={code}")
            got = list(csv.DictReader(io.StringIO(body)))
            print(f"  export {code}: {len(got)} rows, {sum(1 for r in got if r['needs_review'])}"
                  " flagged needs_review")
            rows += got
        for label, truth, soft in (("copier", truth_c, soft_c), ("photos", truth_p, soft_p)):
            got = compare(rows, truth, soft, label)
            print(f"{label}: {got}")
            failed |= got["wrong"] > 0 or got["sheets_missing"] > 0
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    if "Traceback" in (work / "server.log").read_text():
        print(f"the server logged a Traceback: {work / 'server.log'}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
