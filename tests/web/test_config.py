"""Every setting is read in survey_app/config.py, with its default there and only there.

Other modules read `current_app.config["NAME"]` (no inline default that could drift from
the table), and no module reads the environment for a setting except the few allow-listed
below, each with its reason. The settings table in docs/running/settings.md lists them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from survey_app import config

REPO = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("survey_app", "forms", "print", "scanner")

#: Modules that may touch os.environ, and why (none of them reads a setting of the app).
ENVIRON_ALLOWED = {
    "survey_app/config.py": "the one place settings are read",
    "survey_app/backup.py": "passes the environment on to pg_dump/psql (PGPASSWORD etc.)",
    "scanner/sandbox.py": "the environment of the sandboxed scan process",
    "print/fonts.py": "PRINT_FONT_DIR: print stands alone (no app config) and finds fonts",
}
#: Keys Flask and its extensions define; the app reads them without listing them.
FRAMEWORK_KEYS = {"SQLALCHEMY_ENGINE_OPTIONS", "TESTING", "SERVER_NAME"}


def _sources():
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if "/migrations/" not in rel:
                yield rel, path.read_text(encoding="utf-8")


def environ_reads(source: str) -> list[int]:
    """Lines that read the process environment (os.environ, os.getenv, environ[...])."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                a.name in ("environ", "getenv") for a in node.names):
            lines.append(node.lineno)
    return lines


def _is_config(node: ast.expr) -> bool:
    """`current_app.config`, `app.config`, `config` or `cfg`."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id in ("config", "cfg"))


def inline_defaults(source: str) -> list[tuple[int, str]]:
    """`config.get("NAME", default)` / `config.get("NAME") or default` calls: a second
    default beside the one in config.py."""
    found = []
    for node in ast.walk(ast.parse(source)):
        call = node.values[0] if isinstance(node, ast.BoolOp) and isinstance(
            node.op, ast.Or) else node
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr in ("get", "setdefault") and _is_config(call.func.value)
                and call.args and isinstance(call.args[0], ast.Constant)
                and (len(call.args) > 1 or call is not node)):
            found.append((call.lineno, call.args[0].value))
    return found


def config_keys_read(source: str) -> set[str]:
    """Names read as `<config>["NAME"]` or `<config>.get("NAME")`."""
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and _is_config(node.value) and isinstance(
                node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.add(node.slice.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and _is_config(node.func.value) and node.args
              and isinstance(node.args[0], ast.Constant)):
            keys.add(node.args[0].value)
    return keys


def test_only_allow_listed_modules_read_the_environment():
    offenders = {rel: lines for rel, src in _sources()
                 if rel not in ENVIRON_ALLOWED and (lines := environ_reads(src))}
    assert offenders == {}, "read settings in survey_app/config.py (SETTINGS), not here"


def test_no_inline_defaults_outside_config():
    offenders = {rel: found for rel, src in _sources() if rel != "survey_app/config.py"
                 and (found := [f for f in inline_defaults(src) if f[1] not in FRAMEWORK_KEYS])}
    assert offenders == {}, "defaults live in survey_app/config.py SETTINGS only"


def test_every_key_read_is_set_by_config(tmp_path, monkeypatch):
    for s in config.SETTINGS:
        monkeypatch.delenv(s.name, raising=False)
    made = config.from_environment(tmp_path)
    read = set().union(*(config_keys_read(src) for rel, src in _sources()
                         if rel.startswith("survey_app/")))
    assert sorted(read - set(made) - FRAMEWORK_KEYS) == []


@pytest.mark.parametrize(("source", "environ", "defaults"), [
    ('import os\nx = os.environ.get("SCAN_MAX_PAGES", "300")\n', [2], []),
    ('from os import getenv\n', [1], []),
    ('x = current_app.config.get("WORKER_IDLE_S", 1.0)\n', [], [(1, "WORKER_IDLE_S")]),
    ('x = current_app.config.get("TIMEZONE") or "Europe/London"\n', [], [(1, "TIMEZONE")]),
    ('x = cfg.get("SCAN_MAX_BYTES", 5)\n', [], [(1, "SCAN_MAX_BYTES")]),
    ('x = current_app.config["TIMEZONE"]\ny = {}.get("a", 1)\n', [], []),
])
def test_the_checks_catch_a_violation(source, environ, defaults):
    """The checks can fail: the old ways of reading settings are caught, the new one not."""
    assert environ_reads(source) == environ
    assert inline_defaults(source) == defaults


def test_every_setting_has_a_unit_and_reason_and_is_documented():
    notes = (REPO / "docs" / "running" / "settings.md").read_text(encoding="utf-8")
    assert len({s.name for s in config.SETTINGS}) == len(config.SETTINGS)
    for s in config.SETTINGS:
        assert s.unit, s.name
        assert s.reason, s.name
        assert f"| `{s.name}` |" in notes, f"{s.name} missing from docs/running/settings.md"


def test_a_setting_from_the_environment_reaches_the_app(tmp_path, monkeypatch):
    """Read through the table: the environment wins, else the table's default."""
    monkeypatch.setenv("WORKER_IDLE_S", "2.5")
    monkeypatch.delenv("SCAN_STALE_SECONDS", raising=False)
    monkeypatch.delenv("TIMEZONE", raising=False)
    made = config.from_environment(tmp_path)
    assert made["WORKER_IDLE_S"] == 2.5
    assert made["SCAN_STALE_SECONDS"] == float(
        next(s.default for s in config.SETTINGS if s.name == "SCAN_STALE_SECONDS"))
    assert made["TIMEZONE"] == config.DEFAULT_TIMEZONE
    assert made["SCAN_MAX_PAGES"] is None  # unset: the scanner's own limit
