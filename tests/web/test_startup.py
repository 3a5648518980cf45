"""Start-up stays light: building the app and its CLI loads none of the heavy libraries.

Every `survey-app` command and every web worker pays for what `create_app` imports, so
SciPy, reportlab, OpenCV, numpy, qrcode and Alembic are imported where they are used. The figures
are in `benchmarks/startup_bench.py`; these tests check the property, never a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

#: Each costs 0.1-2.5 s to import; none is needed to start the app or list its commands.
HEAVY = ("scipy", "cv2", "reportlab", "numpy", "qrcode", "PIL", "print", "scanner",
         "alembic")


def _loaded_after(code: str, tmp_path: Path) -> set[str]:
    """The top-level packages loaded after running `code` in a fresh interpreter."""
    script = (code + "\nimport json, sys\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    env = dict(os.environ, SURVEY_APP_INSTANCE=str(tmp_path / "instance"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "from survey_app.cli import _create_app; _create_app()",  # what `survey-app --help` runs
    "from survey_app import create_app; create_app()",
])
def test_app_and_cli_start_without_heavy_libraries(code, tmp_path):
    loaded = _loaded_after(code, tmp_path)
    assert "flask" in loaded  # the app really was built
    assert sorted(loaded & set(HEAVY)) == []


def test_importing_the_package_loads_no_framework(tmp_path):
    """`import survey_app` (what `survey_app.config` or `.storage` users pay) is the package
    alone: Flask, SQLAlchemy and Alembic come with `create_app`."""
    loaded = _loaded_after("import survey_app", tmp_path)
    assert sorted(loaded & {"flask", "sqlalchemy", "alembic", *HEAVY}) == []


def test_db_commands_still_load_alembic(tmp_path):
    """`survey-app db ...` and `flask_migrate.upgrade()` bind Flask-Migrate on first use."""
    loaded = _loaded_after(
        "from survey_app import create_app\nfrom flask_migrate import upgrade\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/m.sqlite3'}})\n"
        "with app.app_context():\n    upgrade()\n"
        "    assert type(app.extensions['migrate']).__name__ == '_MigrateConfig'", tmp_path)
    assert "alembic" in loaded


def test_the_check_sees_a_heavy_import(tmp_path):
    """The check can fail: drawing a chart really does load reportlab, and the review crop
    OpenCV; the same probe reports them."""
    loaded = _loaded_after("import survey_app.results.charts\nimport scanner", tmp_path)
    assert {"reportlab", "cv2", "numpy"} <= loaded
