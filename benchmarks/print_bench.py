"""Class-pack printing speed and memory: a 30-sheet and a 1,000-sheet pack.

Two measurements for each size:
- render only (print/ alone: layout in, PDF bytes out), pupil 7-11 survey with digit
  bubbles for the pupil number;
- the whole `print_class_pack` (serials, PrintBatch with the layout JSON, Sheet rows,
  cover, PDF) on a temporary SQLite database, as `survey-app print` runs it.
Prints sheets per second, wall time, PDF size and peak Python memory (tracemalloc), then
the process's peak RSS. Goal: 30 sheets in well under a second.

    .venv/bin/python benchmarks/print_bench.py [--sizes 30,1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from forms.definition import load_survey  # noqa: E402
from print import CoverText, PackSheet, layout_for, render_pack  # noqa: E402

SURVEY = REPO / "forms" / "bank" / "pupil_attitudes_7_11.yaml"


def measure(fn, repeat: int) -> tuple[float, int, object]:
    """Best wall time of `repeat` runs (untraced), then one run under tracemalloc."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak, result


def report(label: str, n: int, seconds: float, peak: int, pdf: bytes) -> None:
    print(f"{label:<22} {n:>6} sheets  {seconds * 1000:8.0f} ms  {n / seconds:8.0f} sheets/s"
          f"  PDF {len(pdf) / 1e6:6.2f} MB  peak {peak / 1e6:6.1f} MB")


def render_only(sizes: list[int], repeat: int) -> None:
    layout = layout_for(load_survey(SURVEY), "a4", "bubbles")
    cover = CoverText(1, "Oakfield Primary School", "Year 5 Oak", "before")
    for n in sizes:
        sheets = [PackSheet(i) for i in range(1, n + 1)]

        def run(sheets=sheets):
            return render_pack(layout, sheets, installation="K7Q2XH", collection_id=1,
                               school="Oakfield Primary School", group="Year 5 Oak",
                               cover=cover)

        seconds, peak, pdf = measure(run, repeat)
        report("render only", n, seconds, peak, pdf)


def through_the_app(sizes: list[int], repeat: int) -> None:
    from bench_app import bench_collection, temporary_app

    from survey_app.extensions import db
    from survey_app.paper.operations import print_class_pack

    app = temporary_app("print-bench-")
    with app.app_context():
        _p, c = bench_collection(SURVEY)
        for n in sizes:
            def run(n=n):
                result = print_class_pack(c, n)
                db.session.commit()
                return result.pdf

            seconds, peak, pdf = measure(run, repeat)
            report("print_class_pack", n, seconds, peak, pdf)
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    render_only(sizes, args.repeat)
    through_the_app(sizes, args.repeat)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
