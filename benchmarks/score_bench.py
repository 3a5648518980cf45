"""Knowledge scores at scale: the results page of the bank's `light_check` (four knowledge
checks) before and after, for many pupils, and how much of it the scores take. Scores are
computed per response from the knowledge answers (results/scores.py), not from the tally,
so this is the figure to watch.

    .venv/bin/python benchmarks/score_bench.py                       # 20,000 responses, SQLite
    .venv/bin/python benchmarks/score_bench.py --responses 100000 --database-url postgresql://...

Data are bulk-inserted (not through the web form): the benchmark measures reading.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SURVEY = "light_check"
CHUNK = 20_000


def generate(responses: int, schools: int, groups: int, seed: int = 14) -> int:
    """Fill an empty, migrated database: before and after per group, pupils paired."""
    from forms.definition import load_survey
    from survey_app.admin.operations import (
        create_collection,
        load_survey_version,
        resolve_partnership,
    )
    from survey_app.extensions import db
    from survey_app.models import Answer, Response

    rng = np.random.default_rng(seed)
    p = resolve_partnership("Riverside Science Partnership", create=True)
    definition = load_survey_version(p, load_survey(REPO / "forms" / "bank" / f"{SURVEY}.yaml")
                                     ).version.definition
    checks = definition.knowledge_questions
    per_group = max(1, min(99, math.ceil(responses / (schools * groups * 2))))
    plan = []
    for s in range(schools):
        for g in range(groups):
            before = create_collection(p, survey_code=SURVEY, school_name=f"School {s + 1}",
                                       group_name=f"Group {g + 1}", phase="before",
                                       ask_pupil_number=True)
            after = create_collection(p, survey_code=SURVEY, school_name=f"School {s + 1}",
                                      group_name=f"Group {g + 1}", phase="after",
                                      pair_with=before.id, ask_pupil_number=True)
            plan += [(before, 0.4), (after, 0.7)]  # chance of knowing each answer
    db.session.commit()
    start = datetime(2026, 9, 14, 9, tzinfo=UTC)
    rid, rows, answers = 0, [], []
    for collection, knows in plan:
        for pupil in range(1, per_group + 1):
            rid += 1
            rows.append({"id": rid, "collection_id": collection.id, "source": "web",
                         "submission_key": f"b{rid}", "pupil_number": pupil,
                         "submitted_at": start + timedelta(minutes=rid % 600)})
            for q in checks:
                right = rng.random() < knows
                wrong = [c for c in q.option_codes if c not in q.correct_codes]
                value = q.correct_codes[0] if right else wrong[int(rng.integers(len(wrong)))]
                answers.append({"response_id": rid, "question_code": q.code, "value": value,
                                "status": "ok", "confidence": None})
            if len(answers) >= CHUNK:
                db.session.execute(insert(Response), rows)
                db.session.execute(insert(Answer), answers)
                db.session.commit()
                rows, answers = [], []
    if rows:
        db.session.execute(insert(Response), rows)
        db.session.execute(insert(Answer), answers)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("response", "answer"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return rid


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--groups-per-school", type=int, default=6)
    parser.add_argument("--database-url", help="an EMPTY database (default: temporary SQLite)")
    parser.add_argument("--keep", help="fill (or, if it exists, reuse) this SQLite file")
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    os.environ["SURVEY_APP_INSTANCE"] = tmp.name
    path = Path(args.keep).resolve() if args.keep else Path(tmp.name) / "bench.sqlite3"
    reuse = path.exists()
    uri = args.database_url or f"sqlite:///{path}"

    from flask_migrate import upgrade

    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Survey
    from survey_app.results import analysis, scores
    from survey_app.results.queries import ResultsScope
    from survey_app.results.queries import collections as infos_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        if not (reuse and not args.database_url):
            upgrade()
            t0 = time.perf_counter()
            n = generate(args.responses, args.schools, args.groups_per_school)
            print(f"{n} responses ({db.engine.dialect.name}) generated in "
                  f"{time.perf_counter() - t0:.1f} s")
        survey = db.session.query(Survey).filter_by(code=SURVEY).one()
        scope = ResultsScope(survey.partnership_id)
        infos = infos_of(scope, survey.id)
        res = analysis.build(survey, scope, 5)
        pc = res.knowledge.arm_paired()
        print(f"pairs {pc.n}, can do more {pc.improved} ({100 * pc.improved / pc.n:.0f}%), "
              f"mean {res.knowledge.shown('before').mean:.2f} -> "
              f"{res.knowledge.shown('after').mean:.2f}, p = {pc.test.p:.3g}")
        whole = best(lambda: analysis.build(survey, scope, 5))
        counts = best(lambda: scores.group_counts(scope, infos, survey))
        print(f"analysis.build (whole results page's figures): {1000 * whole:.0f} ms")
        print(f"  of which one pass of scores over the responses: {1000 * counts:.0f} ms "
              "(the page makes two: suppression counts and figures)")
        db.session.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
