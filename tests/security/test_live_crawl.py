"""The app as people meet it: `survey-app serve` in its own process on 127.0.0.1 and a free
port, loaded with `survey-app demo` (two partnerships) and a scanned class pack, crawled
as each role.

Each crawl follows every same-origin link and download (`href` and `src`) from the
dashboard, reads every body to the end and fails on any 5xx, any link that leads to a
4xx, and any Traceback in the server's log. A real server matters: the test client runs
a streamed download inside the test's app context, where a lazy load after the view has
returned still works; a real server has closed the session by then (the codebook did
exactly that).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

SURVEY_APP = [sys.executable, "-m", "survey_app.cli"]
REPO = Path(__file__).resolve().parents[2]
#: Enough for every page of the demo; the crawl fails if a role reaches more (a link
#: generator gone wild is a finding too).
MAX_PAGES = 400
#: Distinct query strings followed per path: the results filters and per-question tables
#: multiply into hundreds of links to the same few views.
MAX_VARIANTS = 3
#: Never followed: signing out ends the crawl's session (and it is a POST anyway).
SKIP = ("/logout",)
SECOND = "Zebedee Valley Partnership"


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    size: int
    came_from: str


@dataclass
class Crawl:
    role: str
    visits: list[Visit] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)

    def bad(self) -> list[str]:
        return [f"{v.url} -> {v.status} (linked from {v.came_from})" for v in self.visits
                if v.status >= 400]


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects by itself."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            content = resp.read()  # the whole body: a stream that breaks half-way fails
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, content
        finally:
            conn.close()

    def sign_in(self, email: str, password: str) -> None:
        _, _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        status, headers, _ = self.request("POST", "/login", {
            "csrf_token": token, "email": email, "password": password})
        signed_in = status in (302, 303) and "/login" not in headers.get("location", "")
        assert signed_in, f"could not sign in as {email}: {status}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict, cwd: Path) -> str:
    out = subprocess.run([*SURVEY_APP, *args], env=env, cwd=cwd, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, f"survey-app {' '.join(args)} failed:\n{out.stdout}{out.stderr}"
    return out.stdout


def _logins(text: str) -> dict[str, tuple[str, str]]:
    """role -> (email, password) from the demo's login lines."""
    found = re.findall(r"^\s+(coordinator|teacher)[^:]*: (\S+)  password: (\S+)$", text, re.M)
    return {role: (email, password) for role, email, password in found}


@pytest.fixture
def demo_server(db_uri, tmp_path):
    """The demo served by `survey-app serve`; yields (base URL, logins, log path)."""
    env = {**os.environ, "SURVEY_APP_INSTANCE": str(tmp_path / "instance"),
           "DATABASE_URL": db_uri, "STORAGE_DIR": str(tmp_path / "storage"),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "SECRET_KEY": "crawl-secret-" + "x" * 32}
    env.pop("SURVEY_APP_ENV", None)
    logins = {"first": _logins(_run(["demo"], env, tmp_path)),
              "second": _logins(_run(["demo", "--partnership", SECOND], env, tmp_path))}
    _add_scans(env, tmp_path)
    log = tmp_path / "server.log"
    port = _free_port()
    with open(log, "wb") as out:
        server = subprocess.Popen([*SURVEY_APP, "serve", "--port", str(port)], env=env,
                                  cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, log)
        yield base, logins, log
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _add_scans(env: dict, tmp_path: Path) -> None:
    """A printed class pack scanned back (its cover is skipped, its spare sheets are
    unused), a blank page, and a photo of no sheet at all, which waits to be entered by
    hand: the scan pages then have content too."""
    import cv2
    import numpy as np

    pack = tmp_path / "pack.pdf"
    _run(["print", "1", "--copies", "2", "-o", str(pack)], env, tmp_path)
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((1400, 1000), 255, np.uint8))
    stranger = tmp_path / "stranger.png"
    rng = np.random.default_rng(7)
    cv2.imwrite(str(stranger), rng.integers(0, 256, (1400, 1000), dtype=np.uint8))
    _run(["scan", "--partnership", "Riverside Science Partnership", str(pack), str(blank),
          str(stranger)], env, tmp_path)


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()}")
        try:
            status, _, _ = Browser(base).request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer within 60 s:\n{log.read_text()}")


class _LinkParser(HTMLParser):
    """href and src of every element a person can see (not inside `hidden`)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hidden" in attrs:
            return  # e.g. the builder's paper preview link before there is a question
        for name in ("href", "src"):
            if attrs.get(name):
                self.found.append(attrs[name])


def _links(base_path: str, body: bytes) -> list[str]:
    """Same-origin paths linked from a page (href and src), without fragments."""
    parser = _LinkParser()
    parser.feed(body.decode("utf-8", "replace"))
    out = []
    for raw in parser.found:
        url = raw.split("#", 1)[0].strip()
        if not url or url.startswith(("mailto:", "javascript:", "data:", "tel:")):
            continue
        absolute = urlsplit(urljoin("http://app" + base_path, url))
        if absolute.netloc != "app":
            continue  # another site (none expected, but never ours to crawl)
        path = absolute.path + (f"?{absolute.query}" if absolute.query else "")
        out.append(path)
    return out


def crawl(base: str, role: str, email: str, password: str) -> Crawl:
    browser = Browser(base)
    browser.sign_in(email, password)
    result = Crawl(role)
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    seen = {"/"}
    variants: Counter[str] = Counter()

    def follow(link: str, came_from: str) -> None:
        path_only = link.split("?", 1)[0]
        if link in seen or link.startswith(SKIP) or (
                "?" in link and variants[path_only] >= MAX_VARIANTS):
            return
        seen.add(link)
        variants[path_only] += "?" in link
        queue.append((link, came_from))

    while queue:
        path, came_from = queue.popleft()
        assert len(result.visits) < MAX_PAGES, (
            f"{role}: more than {MAX_PAGES} distinct links; the crawl would not end")
        status, headers, body = browser.request("GET", path)
        ctype = headers.get("content-type", "")
        result.visits.append(Visit(path, status, ctype, len(body), came_from))
        result.bodies[path] = body
        if status in (301, 302, 303, 307, 308):
            target = urlsplit(urljoin("http://app" + path, headers.get("location", "")))
            assert target.netloc == "app", f"{path} redirects off site: {target}"
            nxt = target.path + (f"?{target.query}" if target.query else "")
            assert not nxt.startswith("/login"), f"{role}: signed out by {path}"
            follow(nxt, path)
            continue
        if status == 200 and ctype.startswith("text/html"):
            for link in _links(path, body):
                follow(link, path)
    return result


def _tracebacks(log: Path) -> str:
    text = log.read_text(errors="replace")
    return text[text.index("Traceback"):][:4000] if "Traceback" in text else ""


def test_every_link_and_download_works_for_every_role(demo_server):
    base, logins, log = demo_server
    roles = [("coordinator", *logins["first"]["coordinator"]),
             ("teacher", *logins["first"]["teacher"]),
             ("second partnership's coordinator", *logins["second"]["coordinator"])]
    crawls = [crawl(base, role, email, password) for role, email, password in roles]
    problems = [f"{c.role}: {line}" for c in crawls for line in c.bad()]
    assert not problems, "\n".join(problems) + "\n" + _tracebacks(log)
    assert not _tracebacks(log), _tracebacks(log)
    by_role = {c.role: c for c in crawls}
    coordinator = by_role["coordinator"]
    # The crawl really went everywhere: results, exports, the codebook, scans, printing.
    visited = {v.url.split("?")[0] for v in coordinator.visits}
    for must in ("/results/", "/results/report", "/results/report.pdf",
                 "/admin/export/codebook.csv", "/admin/export/responses.csv",
                 "/admin/scans/", "/admin/users", "/plan/", "/plan/plan.pdf",
                 "/plan/plan.yaml", "/plan/results"):
        assert must in visited, f"the coordinator's crawl never reached {must}"
    assert any(p.startswith("/admin/paper/") for p in visited)
    assert any(p.startswith("/admin/scans/page/") for p in visited)
    codebooks = [b for u, b in coordinator.bodies.items()
                 if u.startswith("/admin/export/codebook.csv")]
    assert codebooks
    assert all(b.startswith(b"survey,") and b.count(b"\r\n") > 10
                             for b in codebooks)
    # A teacher reaches fewer pages than the coordinator, and never the accounts page.
    teacher = {v.url.split("?")[0] for v in by_role["teacher"].visits}
    assert "/admin/users" not in teacher
    assert len(teacher) < len(visited)
    # Nothing of the first partnership reaches the second one's coordinator.
    second = by_role["second partnership's coordinator"]
    leaked = [u for u, b in second.bodies.items() if b"Riverside" in b]
    assert not leaked, f"the second partnership sees the first one's name on {leaked}"
