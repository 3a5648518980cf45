"""Submissions per second through the real WSGI stack, against a bare baseline.

The baseline route, added to the same app in the same run, checks a CSRF token and inserts
one 10-column row with SQLAlchemy in one transaction: the least any form submission costs.
The goal is a ratio (baseline / survey) of at most 2.

    .venv/bin/python benchmarks/submit_bench.py [--n 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask import request
from flask_wtf.csrf import validate_csrf

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from forms.definition import load_survey  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.extensions import csrf, db  # noqa: E402

BASELINE = sa.Table(
    "bench_baseline", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(f"c{i}", sa.String(50)) for i in range(9)),
)


def add_baseline_route(app) -> None:
    @app.post("/bench/baseline")
    @csrf.exempt  # checked by hand below, exactly like Flask-WTF does for a form
    def baseline():
        validate_csrf(request.form["csrf_token"])
        with db.engine.begin() as conn:
            conn.execute(BASELINE.insert().values(**{f"c{i}": request.form.get(f"c{i}", "")
                                                     for i in range(9)}))
        return "ok"


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    if not m:
        raise SystemExit(f"the form has no hidden field {name!r}")
    return m.group(1)


def setup(database_url: str | None, workdir: Path):
    from flask_migrate import upgrade

    from survey_app.admin.operations import (
        create_collection,
        load_survey_version,
        resolve_partnership,
    )

    os.environ["SURVEY_APP_INSTANCE"] = str(workdir / "instance")
    uri = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench",
                      "PUBLIC_BASE_URL": "http://bench.test"})
    add_baseline_route(app)
    with app.app_context():
        upgrade()
        BASELINE.create(db.engine, checkfirst=True)
        p = resolve_partnership("Bench partnership", create=True)
        load_survey_version(p, load_survey(REPO / "forms/bank/pupil_attitudes_7_11.yaml"))
        c = create_collection(p, survey_code="pupil_attitudes_7_11", school_name="Oak",
                              group_name="Y5", phase="before", ask_pupil_number=True)
        db.session.commit()
        token = c.public_token
        columns = c.survey_version.definition.columns
    return app, token, columns


def run(n: int, database_url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        app, token, columns = setup(database_url, Path(tmp))
        client = app.test_client()
        form_url = f"/s/{token}"

        # Render the forms first: only the POSTs are timed, on both sides.
        pages = [client.get(form_url).get_data(as_text=True) for _ in range(n)]
        posts = []
        for i, page in enumerate(pages):
            data = {c: str(1 + (i + j) % 5) for j, c in enumerate(columns)}
            data.update(csrf_token=hidden(page, "csrf_token"),
                        submission_id=hidden(page, "submission_id"),
                        pupil_number=str(1 + i % 30))
            posts.append(data)
        base_posts = [{"csrf_token": hidden(pages[0], "csrf_token"),
                       **{f"c{k}": f"value {i} {k}" for k in range(9)}} for i in range(n)]

        # Interleaved, one of each in turn, so that a busy moment of the machine (or a
        # WAL checkpoint) falls on both sides alike.
        survey_s = survey_cpu = base_s = base_cpu = 0.0
        for data, base in zip(posts, base_posts, strict=True):
            t0, c0 = time.perf_counter(), time.process_time()
            resp = client.post(form_url, data=data)
            survey_s += time.perf_counter() - t0
            survey_cpu += time.process_time() - c0
            if resp.status_code not in (302, 303):
                raise SystemExit(f"submission failed: {resp.status_code} "
                                 f"{resp.get_data(as_text=True)[:300]}")
            t0, c0 = time.perf_counter(), time.process_time()
            ok = client.post("/bench/baseline", data=base).status_code == 200
            base_s += time.perf_counter() - t0
            base_cpu += time.process_time() - c0
            if not ok:
                raise SystemExit("baseline failed")

        with app.app_context():
            from survey_app.models import Response

            stored = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
            db.engine.dispose()
        if stored != n:
            raise SystemExit(f"expected {n} responses, found {stored}")
    return {"survey_per_s": n / survey_s, "baseline_per_s": n / base_s,
            "ratio": survey_s / base_s, "questions": len(columns),
            "survey_cpu_ms": survey_cpu / n * 1000, "base_cpu_ms": base_cpu / n * 1000}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = ap.parse_args()
    r = run(args.n, args.database_url)
    db_name = (args.database_url or "sqlite").split(":")[0]
    print(f"database: {db_name}, {args.n} submissions of {r['questions']} answers + pupil number")
    print(f"survey submissions:   {r['survey_per_s']:8.1f} /s")
    print(f"baseline (1 row):     {r['baseline_per_s']:8.1f} /s")
    print(f"ratio baseline/survey: {r['ratio']:.2f}  (goal: at most 2)")
    # CPU time is steadier than wall time on a machine that is doing other work.
    print(f"CPU per request: survey {r['survey_cpu_ms']:.2f} ms, baseline "
          f"{r['base_cpu_ms']:.2f} ms, ratio {r['survey_cpu_ms'] / r['base_cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
