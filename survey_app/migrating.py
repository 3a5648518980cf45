"""Flask-Migrate, wired in without importing Alembic at start-up (~0.15 s of every
command and worker, `benchmarks/startup_bench.py`): `survey-app db ...` and
`flask_migrate.upgrade()` load it on first use, and behave exactly as if `create_app` had
called `Migrate(app, db, ...)` itself."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


class _MigrateOnFirstUse:
    """Stands in `app.extensions["migrate"]` until Flask-Migrate is first asked for
    something, then binds the real `Migrate` (which replaces this entry) and answers."""

    def __init__(self, app: Flask):
        self._app = app

    def __getattr__(self, name: str):
        bind(self._app)
        return getattr(self._app.extensions["migrate"], name)


class _DbGroup(click.Group):
    """`survey-app db`: lists as Flask-Migrate's group does; parsing and running are
    handed to the real group (its options, subcommands and help)."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations.")

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name, args, parent=None, **extra):
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def get_params(self, ctx):
        return self._real().get_params(ctx)

    def list_commands(self, ctx):
        return self._real().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        return self._real().get_command(ctx, cmd_name)


def bind(app: Flask) -> None:
    """The real `Migrate(app, db, ...)`: Alembic is imported here."""
    from flask_migrate import Migrate

    from survey_app.extensions import db

    Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)


def init_app(app: Flask) -> None:
    """What `Migrate(app, db, ...)` sets up, with Alembic left for later."""
    app.extensions["migrate"] = _MigrateOnFirstUse(app)
    app.cli.add_command(_DbGroup())
