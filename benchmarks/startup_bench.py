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


def _once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as instance:
        env = _env(cache, instance)
        for cmd in CASES.values():  # warm-up: compile byte-code, fill the OS file cache
            _once(cmd, env)
        print(f"load average {os.getloadavg()[0]:.2f}, {args.runs} runs each, median (min)")
        for name, cmd in CASES.items():
            times = [_once(cmd, env) for _ in range(args.runs)]
            goal = GOALS_S.get(name)
            verdict = "" if goal is None else (
                f"  goal < {goal} s: {'met' if statistics.median(times) < goal else 'NOT met'}")
            print(f"{name:20} {statistics.median(times):6.3f} s ({min(times):.3f}){verdict}")
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
