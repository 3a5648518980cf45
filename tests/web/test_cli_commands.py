"""CLI commands are module-level Click commands that `survey_app.cli.register_commands`
adds with `app.cli.add_command`, as in flaskr: importable, testable on their own, and not
re-created inside a 50-line closure for every app."""

from __future__ import annotations

import sys

import click

from survey_app import create_app
from survey_app.cli import commands, register_commands


def _commands(group: click.Group, prefix: str = ""):
    for name, cmd in group.commands.items():
        yield f"{prefix}{name}", cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{prefix}{name} ")


def closures(group: click.Group) -> list[str]:
    """Commands whose callback was defined inside a `register` function (made per app; a
    module-level factory such as admin.cli's `_account_action` runs once, at import)."""
    return sorted(name for name, cmd in _commands(group)
                  if cmd.callback is not None and "register.<locals>" in getattr(
                      cmd.callback, "__wrapped__", cmd.callback).__qualname__)


def test_commands_are_module_level(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t"})
    register_commands(app)
    names = {name for name, _cmd in _commands(app.cli)}
    assert {"backup", "restore", "demo", "erase collection", "results", "pilot report",
            "report", "tally", "scan", "worker", "serve", "print", "export", "forms check",
            "collections create", "users sign-out", "partnerships create", "plan allocate",
            "primary"} <= names
    assert closures(app.cli) == []


def test_register_commands_adds_exactly_the_listed_commands(tmp_path, monkeypatch):
    """`commands()` is the one list: each is the object its module defines at top level
    (the same one on every app), and nothing else of ours is added."""
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "instance"))
    listed = commands()
    assert len({c.name for c in listed}) == len(listed)
    at_top = {id(value) for name, module in list(sys.modules.items())
              if name.startswith("survey_app.") for value in vars(module).values()}
    assert [c.name for c in listed if id(c) not in at_top] == []
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t"})
    before = set(app.cli.commands)
    register_commands(app)
    added = {name: cmd for name, cmd in app.cli.commands.items() if name not in before}
    assert added == {c.name: c for c in listed}


def test_the_check_sees_a_closure():
    group = click.Group()

    def register(g: click.Group) -> None:
        @g.command("inner")
        def inner() -> None:
            """Made inside a function."""

    register(group)
    assert closures(group) == ["inner"]


def test_db_group_is_flask_migrates_own(tmp_path, monkeypatch):
    """`survey-app db` (Alembic loaded on first use) shows Flask-Migrate's options and
    commands, as `Migrate(app, db)` would have registered them."""
    from click.testing import CliRunner
    from flask_migrate.cli import db as real

    from survey_app.cli import main

    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "instance"))
    out = CliRunner().invoke(main, ["db", "--help"], prog_name="survey-app").output
    assert "--directory" in out
    assert "--x-arg" in out
    for name in real.list_commands(None):
        assert f"  {name} " in out or out.rstrip().endswith(name), name
