"""An evaluator's check of the results, end to end, through the parts a user has.

A fresh instance is served by `survey-app serve` in its own process. Pupils answer the
"Me and science" (7-11) survey through the real pupil pages over HTTP: a class that took
part and a comparison class, before and after, paired by pupil number. One item
(`good_at`) carries a built-in effect for the class that took part; every other item is
noise drawn the same way before and after in both classes. The coordinator declares
`good_at` the primary outcome. Then the SPSS export is read back with pyreadstat and every
figure of `survey-app results --json` is recomputed independently with SciPy:

- Wilcoxon signed-rank, zero differences dropped (R's `wilcox.test` default; SciPy's
  `zero_method="wilcox"`, normal approximation with continuity correction when there are
  ties or zeros, exact otherwise);
- the matched-pairs rank-biserial correlation (Kerby 2014) from the same ranks;
- the difference in change between the groups (mean change of participants minus mean
  change of the comparison group) and Mann-Whitney U on the change scores.

It prints each figure beside its recomputation and exits non-zero on any disagreement,
and checks that the impact report headlines the declared outcome and no other.

    .venv/bin/python benchmarks/evaluator_walk.py [--pupils 30] [--seed 11]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pyreadstat
from scipy import stats

BIN = Path(sys.executable).parent / "survey-app"
SURVEY = "pupil_attitudes_7_11"
BANK = Path(__file__).resolve().parent.parent / "forms" / "bank" / f"{SURVEY}.yaml"
ITEMS = ("enjoy", "fun_lessons", "good_at", "explain", "learn_more", "like_me",
         "science_job", "family_talk")
EFFECT_ITEM = "good_at"


def cli(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        sys.exit(f"survey-app {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answer(link: str, values: dict[str, str]) -> None:
    """One pupil on their own device: open the link, send the form."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(link).read().decode()
    hidden = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"',
                             page))
    body = urllib.parse.urlencode({**hidden, **values}).encode()
    with opener.open(urllib.request.Request(link, data=body, method="POST")) as resp:
        if "/thanks" not in resp.url:
            sys.exit(f"the pupil page did not take the answers: {resp.url}")


def simulate(rng: np.random.Generator, n: int, took_part: bool) -> tuple[list, list]:
    """Before and after answers (1-5) for n pupils."""
    before, after = [], []
    for _ in range(n):
        b = {item: int(rng.integers(1, 6)) for item in ITEMS}
        a = {item: int(rng.integers(1, 6)) for item in ITEMS}
        b[EFFECT_ITEM] = int(rng.integers(1, 4))
        change = int(rng.choice([1, 1, 2, 0])) if took_part else int(rng.choice([-1, 0, 0, 1]))
        a[EFFECT_ITEM] = int(np.clip(b[EFFECT_ITEM] + change, 1, 5))
        before.append(b)
        after.append(a)
    return before, after


def wilcoxon_like_r(diff: np.ndarray) -> tuple[float, float]:
    """p and the matched-pairs rank-biserial r, zeros dropped."""
    d = diff[diff != 0]
    ranks = stats.rankdata(np.abs(d))
    r = (ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum()
    ties = len(np.unique(np.abs(d))) < len(d)
    method = "exact" if len(d) < 50 and not ties else "approx"
    p = stats.wilcoxon(d, zero_method="wilcox", correction=method == "approx",
                       method=method).pvalue
    return float(p), float(r)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=30, help="pupils per class")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    work = Path(tempfile.mkdtemp(prefix="evaluator-"))
    env = {**os.environ, "SURVEY_APP_INSTANCE": str(work),
           "DATABASE_URL": f"sqlite:///{work / 'survey.sqlite3'}"}
    cli(env, "db", "upgrade")
    cli(env, "partnerships", "create", "Evaluator Partnership")
    cli(env, "forms", "load", str(BANK))
    ids = {}
    for arm, school, flag in (("took_part", "Alder Primary", []),
                              ("comparison", "Beech Primary", ["--comparison"])):
        before = json.loads(cli(env, "collections", "create", "--survey", SURVEY,
                                "--school", school, "--group", "Year 5", "--phase", "before",
                                "--pupil-number", "--expected", str(args.pupils), *flag,
                                "--json"))
        after = json.loads(cli(env, "collections", "create", "--survey", SURVEY,
                               "--school", school, "--group", "Year 5", "--phase", "after",
                               "--pupil-number", "--pair-with", str(before["id"]),
                               "--expected", str(args.pupils), *flag, "--json"))
        ids[arm] = (before, after)
    port = free_port()
    log = open(work / "server.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
                              stdout=log, stderr=subprocess.STDOUT)
    truth = {}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        started = time.perf_counter()
        def link(c: dict) -> str:
            return f"http://127.0.0.1:{port}" + urllib.parse.urlparse(c["url"]).path

        for arm, (before_c, after_c) in ids.items():
            before, after = simulate(rng, args.pupils, arm == "took_part")
            truth[arm] = (before, after)
            for number, (b, a) in enumerate(zip(before, after, strict=True), start=1):
                answer(link(before_c), {"pupil_number": str(number),
                                          **{k: str(v) for k, v in b.items()}})
                answer(link(after_c), {"pupil_number": str(number),
                                         **{k: str(v) for k, v in a.items()}})
        sent = 4 * args.pupils
        print(f"{sent} pupils' answers sent through the pupil pages in "
              f"{time.perf_counter() - started:.1f} s")
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    if "Traceback" in (work / "server.log").read_text():
        sys.exit(f"the server logged a Traceback: {work / 'server.log'}")

    cli(env, "primary", "--survey", SURVEY, EFFECT_ITEM)
    results = json.loads(cli(env, "results", "--survey", SURVEY, "--json"))
    sav = work / "responses.sav"
    cli(env, "export", "--survey", SURVEY, "-o", str(sav))
    df, meta = pyreadstat.read_sav(str(sav))
    print(f"SPSS file: {len(df)} rows; arm labels {meta.variable_value_labels.get('arm')}")

    rows = results["questions"] if isinstance(results, dict) else results
    by_code = {q["code"]: q for q in rows}
    arm_codes = {v: k for k, v in meta.variable_value_labels["arm"].items()}
    # Time points are coded in their order (1 before, 2 during, 3 after, 4 follow-up): read
    # the codes from the file's own labels rather than assume them.
    points = {v.lower(): k for k, v in meta.variable_value_labels["time_point"].items()}
    before = next(k for v, k in points.items() if v.startswith("before"))
    after = next(k for v, k in points.items() if v.startswith("after"))
    bad = 0

    def check(what: str, app: float | None, mine: float, tol: float = 5e-4) -> None:
        nonlocal bad
        ok = app is not None and abs(app - mine) <= tol
        bad += not ok
        print(f"  {what:<44} app {app!s:<22} recomputed {mine:.6g}  {'ok' if ok else 'DIFFERS'}")

    for item in ITEMS:
        q = by_code[item]
        print(f"{item} (primary: {q['primary']})")
        changes = {}
        for arm_name, key in (("Took part", "participants"),
                              ("Comparison group (did not take part)", "comparison")):
            part = df[df["arm"] == arm_codes[arm_name]]
            wide = part.pivot_table(index="pupil_number", columns="time_point", values=item)
            wide = wide.dropna()
            diff = (wide[after] - wide[before]).to_numpy()
            changes[key] = diff
            p, r = wilcoxon_like_r(diff)
            check(f"{key} pairs", q[key]["n_pairs"], len(diff), 0)
            check(f"{key} Wilcoxon p", q[key]["wilcoxon_p"], p)
            check(f"{key} rank-biserial r", q[key]["rank_biserial"], r)
            top = lambda s: float(np.isin(s, (4, 5)).mean())  # noqa: E731
            check(f"{key} top box before", q[key]["top_box_before"], top(wide[before].to_numpy()))
            check(f"{key} top box after", q[key]["top_box_after"], top(wide[after].to_numpy()))
        dic = q["difference_in_change"]
        est = changes["participants"].mean() - changes["comparison"].mean()
        mw = stats.mannwhitneyu(changes["participants"], changes["comparison"],
                                alternative="two-sided").pvalue
        check("difference in change (mean points)", dic and dic["estimate"], est)
        check("difference in change Mann-Whitney p", dic and dic["p"], mw)
    report = work / "report.pdf"
    cli(env, "report", "-o", str(report))
    text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True,
                          check=True).stdout
    headline = text.split("Exploratory")[0] if "Exploratory" in text else text
    named = [t for t in ("I am good at science", "I enjoy science", "Science lessons are fun")
             if t in headline]
    print(f"report: before 'Exploratory' it names {named}")
    if named != ["I am good at science"]:
        bad += 1
        print("  DIFFERS: the headlines are not the declared outcome alone")
    print(f"work folder: {work}")
    print("all figures agree" if not bad else f"{bad} figures differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
