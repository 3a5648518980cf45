"""A coordinator's evaluation, end to end (issue 14), through the parts a user has.

A fresh instance; the bank loaded; then, as the DfE advice orders it:

1. an evaluation plan written from the bank (line of sight: question -> outcomes ->
   indicators -> survey questions; a primary outcome; three time points; two classes);
2. a pilot of the pupil survey with a third class, through the real pupil pages of
   `survey-app serve` (most pupils pick the happiest face for `enjoy`); the pilot report
   must flag it, and the question is then fixed (a new version of the survey);
3. random allocation of the two classes (seeded, stored, printed);
4. before, after and follow-up collections for both classes, answered over HTTP and
   paired by pupil number; the class taking part gains on `good_at`;
5. checks: the plan locks at the first "after" answer, a later change is an amendment
   with its reason, pilot answers are in no result and are marked in the export, results
   compare any two time points, and the impact report opens with the outcomes.

Prints what it saw and exits non-zero at the first thing that is wrong. The report PDF is
kept (its path printed) to look at with pdftoppm.

    .venv/bin/python benchmarks/coordinator_walk.py [--pupils 24] [--seed 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluator_walk import answer, free_port  # noqa: E402

BIN = Path(sys.executable).parent / "survey-app"
BANK = Path(__file__).resolve().parent.parent / "forms" / "bank"
SURVEY = "pupil_attitudes_7_11"
ITEMS = ("enjoy", "fun_lessons", "good_at", "explain", "learn_more", "like_me",
         "science_job", "family_talk")
SCHOOL = "Alder Primary"
CLASSES = ("Year 5 Ash", "Year 5 Oak")
PLAN = f"""\
evaluation_question: Does the partnership's science week change how pupils see science?
time_points: [before, after, follow-up]
questions:
  - code: q1
    text: Do pupils feel better at science?
    outcomes:
      - code: self_belief
        title: Pupils feel they are good at science
        category: pupils_attitudes
        primary: true
        indicators:
          - text: Share who say they are good at science
            measures:
              - {{survey: {SURVEY}, question: good_at}}
      - code: enjoyment
        title: Pupils enjoy science more
        category: pupils_attitudes
        indicators:
          - text: Share who enjoy science
            measures:
              - {{survey: {SURVEY}, question: enjoy}}
  - code: q2
    text: Do teachers feel more confident?
    outcomes:
      - code: teachers
        title: Teachers are more confident teaching science
        category: teachers_skills
        indicators:
          - text: Teachers confident teaching science
            measures:
              - {{survey: teacher_confidence, question: confident_teaching}}
              - {{text: Coordinator's notes of what teachers tried in class}}
groups:
  - {{school: {SCHOOL}, group: {CLASSES[0]}, arm: taking_part}}
  - {{school: {SCHOOL}, group: {CLASSES[1]}, arm: comparison}}
"""


def cli(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True,
                          check=False)
    if ok and done.returncode:
        sys.exit(f"survey-app {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def need(cond: bool, what: str) -> None:
    print(f"  {'ok ' if cond else 'NO '} {what}")
    if not cond:
        sys.exit(f"FAILED: {what}")


def collection(env: dict, group: str, phase: str, *extra: str) -> dict:
    return json.loads(cli(env, "collections", "create", "--survey", SURVEY, "--school",
                          SCHOOL, "--group", group, "--phase", phase, "--pupil-number",
                          *extra, "--json").stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pupils", type=int, default=24, help="pupils per class")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    work = Path(tempfile.mkdtemp(prefix="coordinator-"))
    env = {**os.environ, "SURVEY_APP_INSTANCE": str(work),
           "DATABASE_URL": f"sqlite:///{work / 'survey.sqlite3'}"}
    cli(env, "db", "upgrade")
    cli(env, "partnerships", "create", "Riverside Science Partnership")
    cli(env, "forms", "load", *map(str, sorted(BANK.glob("*.yaml"))))

    print("1. The plan, from the bank (the classes' 'before' collections first)")
    before = {group: collection(env, group, "before") for group in CLASSES}
    (work / "plan.yaml").write_text(PLAN)
    cli(env, "plan", "load", str(work / "plan.yaml"))
    shown = cli(env, "plan", "show").stdout
    need("Pupils feel they are good at science" in shown, "the plan shows its outcomes")
    cli(env, "plan", "pdf", "-o", str(work / "plan.pdf"))
    need((work / "plan.pdf").stat().st_size > 1000, f"plan PDF written: {work / 'plan.pdf'}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "server.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**env, "PUBLIC_BASE_URL": base}, stdout=log,
                              stderr=subprocess.STDOUT)

    def link(c: dict) -> str:
        return base + urllib.parse.urlparse(c["url"]).path

    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)

        print("2. A pilot with Year 4 Elm")
        pilot = json.loads(cli(env, "collections", "create", "--survey", SURVEY, "--school",
                               SCHOOL, "--group", "Year 4 Elm", "--phase", "before",
                               "--pilot", "--json").stdout)
        for _ in range(12):
            values = {item: str(int(rng.integers(2, 6))) for item in ITEMS}
            values["enjoy"] = "5" if rng.random() < 0.85 else "4"
            answer(link(pilot), values)
        report = json.loads(cli(env, "pilot", "report", str(pilot["id"]), "--json").stdout)
        enjoy = next(c for c in report["columns"] if c["column"] == "enjoy")
        print(f"     enjoy: top share {enjoy['top_share']}, suggestions {enjoy['suggestions']}")
        need(bool(enjoy["suggestions"]), "the pilot report flags the ceiling on 'enjoy'")
        fixed = (BANK / f"{SURVEY}.yaml").read_text().replace(
            "text: I enjoy science.", "text: I enjoy science more than most subjects.", 1)
        need("more than most subjects" in fixed, "the flagged question reworded")
        (work / f"{SURVEY}.yaml").write_text(fixed)
        loaded = cli(env, "forms", "load", str(work / f"{SURVEY}.yaml")).stdout
        need("version 2" in loaded, f"the fixed survey loaded as a new version: {loaded.strip()}")

        print("3. Random allocation of the two classes")
        drawn = cli(env, "plan", "allocate", "--seed", "424242", "-o",
                    str(work / "allocation.pdf")).stdout
        print("     " + drawn.strip().replace("\n", "\n     "))
        again = cli(env, "plan", "allocate", "--seed", "424242", "--dry-run").stdout
        need(all(g in again for g in CLASSES), "the same seed gives the same draw (dry run)")
        plan_yaml = cli(env, "plan", "export", "-o", str(work / "plan-after.yaml")).stdout
        allocation = (work / "plan-after.yaml").read_text()
        need("424242" in allocation, "the seed is stored in the plan file")
        took_part = next(g for g in CLASSES for line in drawn.splitlines()
                         if f"\t{g}\t" in line and line.endswith("Taking part"))
        print(f"     taking part: {took_part}; plan export said: {plan_yaml.strip()}")

        print("4. Before, after and follow-up, answered on the pupils' pages")
        ids = {}
        for group in CLASSES:
            comparison = [] if group == took_part else ["--comparison"]
            ids[group] = {"before": before[group],
                          **{phase: collection(env, group, phase, *comparison)
                             for phase in ("after", "follow-up")}}
        for group in CLASSES:
            gain = group == took_part
            for number in range(1, args.pupils + 1):
                base_score = int(rng.integers(1, 4))
                for step, phase in enumerate(("before", "after", "follow-up")):
                    values = {item: str(int(rng.integers(1, 6))) for item in ITEMS}
                    lift = (step and gain and rng.random() < 0.8) + (step == 2 and gain)
                    values["good_at"] = str(min(5, base_score + lift))
                    answer(link(ids[group][phase]), {"pupil_number": str(number), **values})
                    if phase == "before" and group == took_part and number == 1:
                        unlocked = cli(env, "plan", "show").stdout
                        need("locked" not in unlocked.lower().split("\n")[0],
                             "no lock while only 'before' answers exist")
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    need("Traceback" not in (work / "server.log").read_text(), "no Traceback in the server log")

    print("5. What the coordinator reads")
    shown = cli(env, "plan", "show").stdout
    need("lock" in shown.lower(), "the plan is locked now that 'after' answers exist")
    changed = PLAN.replace("Pupils enjoy science more", "Pupils enjoy science lessons more")
    (work / "plan2.yaml").write_text(changed)
    refused = cli(env, "plan", "load", str(work / "plan2.yaml"), ok=False)
    need(refused.returncode != 0, "a locked plan refuses a change without a reason")
    cli(env, "plan", "load", str(work / "plan2.yaml"), "--why",
        "Pilot showed pupils read 'science' as the lessons")
    shown = cli(env, "plan", "show").stdout
    need("Pilot showed pupils" in shown, "the change is kept as a dated amendment with its reason")

    results = json.loads(cli(env, "results", "--survey", SURVEY, "--json").stdout)
    need(results["compared"] == ["before", "follow-up"], f"first with last by default: "
         f"{results['compared']}")
    good = next(q for q in results["questions"] if q["code"] == "good_at")
    print(f"     good_at: primary {good['primary']}, participants {good['participants']}")
    need(good["primary"], "the plan's primary outcome is the headline question")
    n_pairs = good["participants"]["n_pairs"]
    need(n_pairs == args.pupils, f"pairs follow the pupil number: {n_pairs}")
    after = json.loads(cli(env, "results", "--survey", SURVEY, "--compare", "before:after",
                           "--json").stdout)
    need(after["compared"] == ["before", "after"], "any two time points can be compared")
    need(results["responses"] == 6 * args.pupils,
         f"pilot answers in no result: {results['responses']} responses = 6 x {args.pupils}")

    cli(env, "export", "--survey", SURVEY, "-o", str(work / "wide.csv"))
    with open(work / "wide.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    pilots = [r for r in rows if r.get("pilot") == "true"]
    need(len(pilots) == 12, f"the export keeps the 12 pilot answers, marked pilot=true "
         f"({len(pilots)} of {len(rows)} rows)")
    cli(env, "report", "-o", str(work / "report.pdf"))
    html = work / "report.html"
    cli(env, "report", "-o", str(html))
    text = html.read_text()
    first = text.find("Pupils feel they are good at science")
    need(first != -1, "the impact report names the outcome")
    need(first < text.find("Exploratory") if "Exploratory" in text else True,
         "the outcome comes before the exploratory findings")
    need("Pilot showed pupils" in text, "the report shows the plan's amendment")
    print(f"Report: {work / 'report.pdf'} (look at it: pdftoppm -r 60 -png)")
    print(f"Plan: {work / 'plan.pdf'}; allocation: {work / 'allocation.pdf'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
