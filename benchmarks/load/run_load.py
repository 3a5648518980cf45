"""Load test: N pupils open a survey and submit within T seconds, against gunicorn on
localhost, then check the database holds exactly one response per pupil.

    pip install -e '.[load]'   # locust + gunicorn
    .venv/bin/python benchmarks/load/run_load.py [--pupils 300] [--seconds 30] [--database-url URL]

Prints throughput and p50/p95/p99 latency. Exit status 1 if anything was lost or doubled.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, workdir: str, teachers: int, sheets: int) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "prepare.py"), workdir, str(teachers),
                          str(sheets)], env=env, cwd=REPO, check=True, capture_output=True,
                         text=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def count_responses(env: dict) -> tuple[int, int, int]:
    code = (
        "from survey_app import create_app\n"
        "from survey_app.extensions import db\n"
        "from survey_app.models import Response\n"
        "import sqlalchemy as sa\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    n = db.session.scalar(sa.select(sa.func.count()).select_from(Response))\n"
        "    key = sa.distinct(Response.submission_key)\n"
        "    k = db.session.scalar(sa.select(sa.func.count(key)))\n"
        "    paper = db.session.scalar(sa.select(sa.func.count()).select_from(Response)\n"
        "                              .where(Response.source == 'paper'))\n"
        "    print(n, k, paper)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=300)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--teachers", type=int, default=2, help="teachers uploading scans")
    ap.add_argument("--sheets", type=int, default=60, help="pages in each teacher's scan")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, SURVEY_APP_INSTANCE=f"{tmp}/instance", SECRET_KEY="load-test-" * 4)
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        world = prepare(env, tmp, args.teachers, args.sheets)
        token, columns = world["token"], world["columns"]
        port = free_port()
        worker = subprocess.Popen([str(BIN / "survey-app"), "worker"], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(args.workers), "--threads", str(args.threads),
             "-b", f"127.0.0.1:{port}", "survey_app.cli:_create_app()"],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/gunicorn.log", "w"))
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            results = f"{tmp}/results.json"
            spawn_rate = max(1, args.pupils / max(1, args.seconds - 5))
            t0 = time.perf_counter()
            subprocess.run(
                [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
                 "-u", str(args.pupils + args.teachers), "-r", f"{spawn_rate:.1f}",
                 "-t", f"{args.seconds}s",
                 "--host", f"http://127.0.0.1:{port}", "--csv", f"{tmp}/stats",
                 "--only-summary", "--stop-timeout", "10"],
                env=dict(env, LOAD_TOKEN=token, LOAD_COLUMNS=",".join(columns),
                         LOAD_RESULTS=results, LOAD_TEACHERS=";".join(world["teachers"])),
                cwd=REPO, check=False, capture_output=True, text=True)
            elapsed = time.perf_counter() - t0
            # The scans are read by the worker; wait for it to finish them.
            expected_paper = args.teachers * args.sheets
            t1 = time.perf_counter()
            while time.perf_counter() - t1 < 600:
                if count_responses(env)[2] >= expected_paper:
                    break
                time.sleep(2)
            scan_wait = time.perf_counter() - t1
        finally:
            server.terminate()
            server.wait(10)
            worker.terminate()
            worker.wait(10)
        res = json.loads(Path(results).read_text())
        stored, distinct, paper = count_responses(env)
        with open(f"{tmp}/stats_stats.csv") as f:
            rows = {r["Name"]: r for r in csv.DictReader(f)}
        locked = "database is locked" in Path(f"{tmp}/gunicorn.log").read_text()

    pupils = len(res["submitted"])
    print(f"database: {(args.database_url or 'sqlite').split(':')[0]}; gunicorn "
          f"{args.workers} workers x {args.threads} threads; {elapsed:.1f} s")
    print(f"pupils who submitted: {pupils} ({len(res['double_taps'])} double taps)")
    for name in ("GET survey", "POST answers", "POST scan upload", "Aggregated"):
        r = rows.get(name)
        if r:
            print(f"{name:13s} requests {int(r['Request Count']):5d}  failures "
                  f"{int(r['Failure Count']):3d}  {float(r['Requests/s']):6.1f}/s  "
                  f"p50 {r['50%']} ms  p95 {r['95%']} ms  p99 {r['99%']} ms")
    web = stored - paper
    print(f"web responses stored: {web} (distinct submissions {distinct - paper})")
    print(f"paper responses from {len(res['uploads'])} uploads of {args.sheets} pages: "
          f"{paper} (expected {expected_paper}); scans finished {scan_wait:.1f} s after "
          "the pupils")
    ok = (web == pupils and distinct == stored and paper == expected_paper
          and not res["errors"] and not locked)
    if not ok:
        print("FAILED:", res["errors"][:5], "locked" if locked else "")
    print("result:", "exactly one response per pupil" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
