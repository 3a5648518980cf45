"""Load test for several machines (issue 15 item 5): N app servers (gunicorn) and W scan
workers against one PostgreSQL with STORAGE_BACKEND=database, pupils answering and
teachers uploading scans at once. Checks that nothing is lost or doubled, and reports
throughput.

    .venv/bin/python benchmarks/load/multi_server.py \\
        --database-url postgresql://postgres:postgres@127.0.0.1:5432/postgres \\
        --servers 1,2 --pupils 400 --teachers 2 --sheets 20

For each server count it makes a fresh database (dropped afterwards), sets up a pupil
collection and the teachers' scanned class packs (benchmarks/load/prepare.py), starts the
servers and workers, and sends the pupils round-robin to the servers from a thread pool
(a tenth of them press Send twice at once). Then it waits for the workers and checks:

- every pupil's submission id is stored exactly once (and no other web response);
- every uploaded page is read exactly once (one page row per page, each batch claimed
  once) and each teacher's sheets made exactly one paper response each.

Exit status 1 if anything was lost or doubled. Standard library only (no locust needed).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BIN = Path(sys.executable).parent
DOUBLE_TAP_EVERY = 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    return m.group(1) if m else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 303 is the answer we check
        return None


def _browser() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


def _send(opener, url: str, data: bytes | None = None,
          headers: dict | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(req, timeout=120) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@dataclass
class Tally:
    submitted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    uploads: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def pupil(base: str, token: str, columns: list[str], n: int, out: Tally) -> None:
    """One pupil: open the survey, answer, press Send (every tenth twice at once)."""
    b = _browser()
    t0 = time.perf_counter()
    status, html = _send(b, f"{base}/s/{token}")
    get_ms = (time.perf_counter() - t0) * 1000
    if status != 200:
        with out.lock:
            out.errors.append(f"GET {status}")
        return
    sid = _hidden(html, "submission_id")
    form = {c: str(1 + (n + i) % 3) for i, c in enumerate(columns)}
    form.update(csrf_token=_hidden(html, "csrf_token"), submission_id=sid)
    body = urllib.parse.urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def send() -> None:
        t = time.perf_counter()
        code, text = _send(b, f"{base}/s/{token}", body, headers)
        with out.lock:
            out.post_ms.append((time.perf_counter() - t) * 1000)
            if code not in (302, 303):
                out.errors.append(f"POST {code} {text[:120]}")

    if n % DOUBLE_TAP_EVERY == 0:
        taps = [threading.Thread(target=send) for _ in range(2)]
        for t in taps:
            t.start()
        for t in taps:
            t.join()
    else:
        send()
    with out.lock:
        out.submitted.append(sid)
        out.get_ms.append(get_ms)


def teacher(base: str, email: str, password: str, pdf: Path, out: Tally) -> None:
    """Sign in and upload one scanned class pack."""
    b = _browser()
    _, html = _send(b, f"{base}/login")
    _send(b, f"{base}/login", urllib.parse.urlencode(
        {"email": email, "password": password, "csrf_token": _hidden(html, "csrf_token")}
    ).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    _, html = _send(b, f"{base}/admin/scans/")
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{_hidden(html, 'csrf_token')}\r\n--{boundary}\r\nContent-Disposition: "
            f"form-data; name=\"file\"; filename=\"pile.pdf\"\r\nContent-Type: "
            "application/pdf\r\n\r\n").encode() + pdf.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    code, text = _send(b, f"{base}/admin/scans/", body,
                       {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with out.lock:
        if code != 303:
            out.errors.append(f"upload {code} {text[:200]}")
        else:
            out.uploads += 1


CHECK = """
import json
import sqlalchemy as sa
from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Response, ScanBatch, ScanPage, StoredFile
app = create_app()
with app.app_context():
    q = db.session.execute
    web = [k for (k,) in q(sa.select(Response.submission_key).where(Response.source == 'web'))]
    paper = q(sa.select(sa.func.count()).select_from(Response)
              .where(Response.source == 'paper')).scalar()
    batches = [dict(id=b.id, status=b.status, attempts=b.attempts, total=b.pages_total,
                    done=b.pages_done) for b in q(sa.select(ScanBatch)).scalars()]
    pages = [list(r) for r in q(sa.select(ScanPage.batch_id, ScanPage.page_index,
                                          ScanPage.status))]
    files = q(sa.select(sa.func.count()).select_from(StoredFile)).scalar()
    print(json.dumps(dict(web=web, paper=paper, batches=batches, pages=pages, files=files)))
"""


def database_state(env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _wait_healthy(port: int) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def _database(admin_url: str, name: str, create: bool) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if create:
            c.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return re.sub(r"/[^/]*$", f"/{name}", admin_url)


def run(args, servers: int) -> dict:
    """One run with `servers` app servers; returns its figures and checks."""
    name = f"survey_load_{os.getpid()}_{servers}"
    url = _database(args.database_url, name, create=True)
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, SURVEY_APP_INSTANCE=f"{tmp}/instance",
                       SECRET_KEY="load-test-" * 4, DATABASE_URL=url,
                       STORAGE_BACKEND="database", STORAGE_DIR=f"{tmp}/not-used",
                       # One client address sends everything here: lift the per-address
                       # limit, which is not what is measured.
                       ANSWER_RATE_LIMIT="1000000 per minute",
                       PYTHONPATH=str(REPO))
            prep = subprocess.run([sys.executable, str(HERE / "prepare.py"), tmp,
                                   str(args.teachers), str(args.sheets)], env=env, cwd=REPO,
                                  check=True, capture_output=True, text=True)
            world = json.loads(prep.stdout.strip().splitlines()[-1])
            ports = [free_port() for _ in range(servers)]
            for port in ports:
                logs.append(open(f"{tmp}/gunicorn-{port}.log", "w"))  # noqa: SIM115
                procs.append(subprocess.Popen(
                    [str(BIN / "gunicorn"), "-w", str(args.gunicorn_workers), "--threads",
                     str(args.threads), "-b", f"127.0.0.1:{port}",
                     "survey_app.cli:_create_app()"], env=env, cwd=REPO,
                    stdout=subprocess.DEVNULL, stderr=logs[-1]))
            for _ in range(args.workers):
                procs.append(subprocess.Popen([str(BIN / "survey-app"), "worker"], env=env,
                                              cwd=REPO, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
            for port in ports:
                _wait_healthy(port)
            bases = [f"http://127.0.0.1:{p}" for p in ports]
            out = Tally()
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                jobs = [pool.submit(teacher, bases[i % servers], *t.split(":", 2)[:2],
                                    Path(t.split(":", 2)[2]), out)
                        for i, t in enumerate(world["teachers"])]
                jobs += [pool.submit(pupil, bases[n % servers], world["token"],
                                     world["columns"], n, out) for n in range(args.pupils)]
                for j in jobs:
                    j.result()
            answering_s = time.perf_counter() - t0
            expected_pages = args.teachers * args.sheets
            while time.perf_counter() - t0 < args.scan_timeout:
                state = database_state(env)
                if sum(1 for b in state["batches"] if b["status"] in ("done", "failed")) \
                        >= out.uploads:
                    break
                time.sleep(1)
            all_s = time.perf_counter() - t0
            state = database_state(env)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        for f in logs:
            f.close()
        _database(args.database_url, name, create=False)

    keys = state["web"]
    expected_keys = sorted(f"web:{sid}" for sid in out.submitted)
    page_keys = [(b, i) for b, i, _ in state["pages"]]
    checks = {
        "every pupil's submission stored once": sorted(keys) == expected_keys
        and len(out.submitted) == args.pupils,
        "every upload accepted": out.uploads == args.teachers,
        "every uploaded page read once": len(page_keys) == len(set(page_keys))
        == expected_pages and all(b["status"] == "done" and b["attempts"] == 1
                                   and b["done"] == b["total"] for b in state["batches"]),
        "every scanned sheet one paper response": state["paper"] == expected_pages,
        "no request failed": not out.errors,
    }
    return {
        "servers": servers, "pupils": len(out.submitted), "answering_s": answering_s,
        "pupils_per_s": len(out.submitted) / answering_s, "all_done_s": all_s,
        "pages": len(page_keys), "pages_per_s": len(page_keys) / all_s,
        "post_p50_ms": statistics.median(out.post_ms) if out.post_ms else 0,
        "post_p95_ms": statistics.quantiles(out.post_ms, n=20)[-1] if len(out.post_ms) > 1
        else 0,
        "stored_files": state["files"], "errors": out.errors[:5], "checks": checks,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True,
                    help="a PostgreSQL URL whose user may create databases")
    ap.add_argument("--servers", default="1,2", help="server counts to run, e.g. 1,2")
    ap.add_argument("--workers", type=int, default=2, help="scan workers")
    ap.add_argument("--gunicorn-workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--clients", type=int, default=32, help="pupils answering at once")
    ap.add_argument("--pupils", type=int, default=400)
    ap.add_argument("--teachers", type=int, default=2)
    ap.add_argument("--sheets", type=int, default=20, help="sheets in each teacher's scan")
    ap.add_argument("--scan-timeout", type=float, default=900)
    ap.add_argument("--json", action="store_true", help="print one JSON line per run")
    args = ap.parse_args(argv)
    ok = True
    for n in (int(x) for x in args.servers.split(",")):
        r = run(args, n)
        ok = ok and all(r["checks"].values())
        if args.json:
            print(json.dumps(r))
            continue
        print(f"{n} server(s) x gunicorn {args.gunicorn_workers}x{args.threads}, "
              f"{args.workers} workers, {args.clients} pupils at once:")
        print(f"  pupils: {r['pupils']} in {r['answering_s']:.1f} s = "
              f"{r['pupils_per_s']:.1f} submissions/s (POST p50 {r['post_p50_ms']:.0f} ms, "
              f"p95 {r['post_p95_ms']:.0f} ms)")
        print(f"  scans: {r['pages']} pages read, everything done {r['all_done_s']:.1f} s "
              f"after the start; {r['stored_files']} files in the database storage")
        for what, good in r["checks"].items():
            print(f"  {'ok ' if good else 'FAILED'} {what}")
        if r["errors"]:
            print("  errors:", r["errors"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
