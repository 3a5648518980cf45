"""Export speed and memory: 100k responses to CSV, streamed.

Generates N responses (8 answers each) to the 7-11 attitudes survey in 10 collections,
then exports them with the same code as `survey-app export`:
- wide CSV of all N responses: rows per second (no tracing), then peak Python memory
  under tracemalloc;
- wide CSV of one collection (N/10 responses) under tracemalloc: if memory is constant,
  its peak is about the same as for all N;
- long CSV (one row per answer): rows per second.
Also prints the process's peak RSS (resource.getrusage), which includes generating the data.

    .venv/bin/python benchmarks/export_bench.py [--n 100000] [--database-url URL]

--database-url must point at an empty database (it is migrated here); default: a
temporary SQLite file.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from forms.definition import load_survey  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402

COLLECTIONS = 10
BATCH = 5000


def generate(n: int) -> list[int]:
    """N responses with answers, inserted in batches; return the collection ids."""
    from survey_app.admin.operations import (
        create_collection,
        load_survey_version,
        resolve_partnership,
    )
    from survey_app.models import Answer, Response

    p = resolve_partnership("Bench Partnership", create=True)
    definition = load_survey(REPO / "forms" / "bank" / "pupil_attitudes_7_11.yaml")
    load_survey_version(p, definition)
    collections = [create_collection(p, survey_code=definition.code,
                                     school_name=f"School {i % 3}", group_name=f"Group {i}",
                                     phase="before" if i % 2 else "after")
                   for i in range(COLLECTIONS)]
    db.session.commit()
    rng = random.Random(1)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    next_id = 1
    for first in range(0, n, BATCH):
        count = min(BATCH, n - first)
        responses, answers = [], []
        for i in range(count):
            rid = next_id + i
            c = collections[(first + i) * COLLECTIONS // n]
            responses.append({"id": rid, "collection_id": c.id, "source": "web",
                              "submission_key": f"b{rid}", "pupil_number": rid % 30 + 1,
                              "sheet_id": None,
                              "submitted_at": start + timedelta(seconds=rid)})
            answers += [{"response_id": rid, "question_code": col,
                         "value": str(rng.randint(1, 5)), "status": "ok", "confidence": None}
                        for col in definition.columns]
        db.session.execute(insert(Response), responses)
        db.session.execute(insert(Answer), answers)
        db.session.commit()
        next_id += count
    return [c.id for c in collections]


def timed_export(path: Path, **filters) -> tuple[int, float]:
    from survey_app.export.csvfile import write_csv
    from survey_app.export.rows import long_rows, wide_rows
    from survey_app.export.tables import Filters, Scope

    long = filters.pop("long", False)
    started = time.perf_counter()
    f = Filters(**filters)
    rows = write_csv(long_rows(Scope(), f) if long else wide_rows(Scope(), f), path)
    db.session.rollback()  # end the read transaction, as a request would
    return rows, time.perf_counter() - started


def traced_peak(path: Path, **filters) -> tuple[int, int]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    rows, _ = timed_export(path, **filters)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["SURVEY_APP_INSTANCE"] = str(tmp / "instance")
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            started = time.perf_counter()
            collection_ids = generate(args.n)
            print(f"database: {db.engine.dialect.name}; generated {args.n} responses "
                  f"({args.n * 8} answers) in {time.perf_counter() - started:.1f} s")
            out = tmp / "out.csv"
            rows, seconds = timed_export(out, survey="pupil_attitudes_7_11")
            size_mb = out.stat().st_size / 1e6
            print(f"wide, all:        {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} "
                  f"rows/s ({size_mb:.1f} MB)")
            rows_all, peak_all = traced_peak(out, survey="pupil_attitudes_7_11")
            rows_one, peak_one = traced_peak(out, collection_id=collection_ids[0])
            print(f"peak Python memory (tracemalloc): {peak_all / 1e6:.1f} MB for {rows_all} "
                  f"rows, {peak_one / 1e6:.1f} MB for {rows_one} rows")
            rows, seconds = timed_export(out, long=True)
            print(f"long, all:        {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} "
                  f"rows/s")
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS of the whole run (incl. generating): {rss:.0f} MB")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
