"""Start-up time: `import survey_app`, `create_app()`, and `survey-app --help`, each in
fresh processes (median of several runs), against a bare `python -c pass`.

Every CLI command and every web worker pays the start-up, so heavy libraries (SciPy,
reportlab, OpenCV, qrcode) are imported where they are used. Goals: `survey-app --help`
under 1 s and `import survey_app` under 0.5 s. Byte-code is compiled once into a
temporary cache first (as an installed package has it), so the figures do not include
compiling the sources.

    .venv/bin/python benchmarks/startup_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: What each figure runs, in a fresh interpreter.
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import survey_app": [sys.executable, "-c", "import survey_app"],
    "create_app()": [sys.executable, "-c",
                     "from survey_app.cli import _create_app; _create_app()"],
    "survey-app --help": [sys.executable, "-c",
                          "import sys; sys.argv = ['survey-app', '--help'];"
                          "from survey_app.cli import main; main()"],
}
GOALS_S = {"import survey_app": 0.5, "survey-app --help": 1.0}


def _env(cache: str, instance: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["SURVEY_APP_INSTANCE"] = instance
    return env


def _once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one fresh process. On a busy
    machine the wall clock includes waiting for a core; the CPU time hardly does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as instance:
        env = _env(cache, instance)
        for cmd in CASES.values():  # warm-up: compile byte-code, fill the OS file cache
            _once(cmd, env)
        print(f"load average {os.getloadavg()[0]:.2f}, {args.runs} runs each: median wall "
              "clock (min), median CPU time")
        for name, cmd in CASES.items():
            runs = [_once(cmd, env) for _ in range(args.runs)]
            wall = statistics.median(w for w, _c in runs)
            cpu = statistics.median(c for _w, c in runs)
            goal = GOALS_S.get(name)
            verdict = "" if goal is None else (
                f"  goal < {goal} s: {'met' if wall < goal else 'NOT met'}")
            print(f"{name:20} {wall:6.3f} s ({min(w for w, _c in runs):.3f})  "
                  f"cpu {cpu:6.3f} s{verdict}")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
