"""The app on a throwaway SQLite database, with one collection of a bank survey: what the
benchmarks that go through the app (`print_bench.py`, `worker_bench.py`) start from."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temporary_app(prefix: str):
    """An app whose instance folder and SQLite database live in a new temporary folder (not
    yet migrated: `bench_collection` does it, inside the caller's `app.app_context()`)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["SURVEY_APP_INSTANCE"] = str(tmp / "instance")
    from survey_app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
                       "TESTING": True, "SECRET_KEY": "bench"})


def bench_collection(survey: Path):
    """Migrate, then one partnership ("Bench") with `survey` loaded and a before-collection
    of it for Year 5 at Oakfield that asks pupil numbers. Inside an app context."""
    from flask_migrate import upgrade

    from forms.definition import load_survey
    from survey_app.admin.operations import (
        create_collection,
        load_survey_version,
        resolve_partnership,
    )
    from survey_app.extensions import db

    upgrade()
    p = resolve_partnership("Bench", create=True)
    definition = load_survey(survey)
    load_survey_version(p, definition)
    c = create_collection(p, survey_code=definition.code, school_name="Oakfield",
                          group_name="Year 5", phase="before", ask_pupil_number=True)
    db.session.commit()
    return p, c
