"""`make run` installs only what running needs; the test tools come with `make test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def _dry_run(target: str, tmp_path: Path) -> list[str]:
    """The pip install lines `make -n <target>` would run, against an empty venv path."""
    out = subprocess.run(["make", "-n", "-C", str(REPO), target, f"VENV={tmp_path}/venv"],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "pip install" in line and "-e" in line]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_run_installs_no_test_tools(tmp_path):
    installs = _dry_run("run", tmp_path)
    assert installs, "make run installs the package"
    assert all("[" not in line for line in installs), installs  # no extras at all


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_test_installs_the_test_extras(tmp_path):
    assert any("[test" in line for line in _dry_run("test", tmp_path))
