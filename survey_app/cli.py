"""`survey-app`: a FlaskGroup over the app factory, so every `flask` command works too.

Each area defines its commands as module-level Click commands (or `AppGroup` groups) in its
own `cli.py`; `commands()` lists them and `register_commands` adds each with
`app.cli.add_command`, as the Flask tutorial's `flaskr` adds `init-db`. Heavy modules
(reportlab, cv2, scipy) are imported inside the commands that need them.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from survey_app import create_app


def commands() -> list[click.Command]:
    """Every command and group `survey-app` adds to Flask's own, in `--help` order of areas.

    Imported here, not at the top: `survey_app.cli` is imported by the console script
    before the app exists, and the areas' modules import the models."""
    from survey_app.admin.cli import collections_cli, forms_cli, partnerships_cli, users_cli
    from survey_app.backup import backup_command, restore_command
    from survey_app.demo import demo_command
    from survey_app.erasure.cli import erase
    from survey_app.export.cli import export_command
    from survey_app.paper.cli import print_command
    from survey_app.plans.cli import plan_cli
    from survey_app.results.cli import (
        pilot_group,
        primary_command,
        report_command,
        results_command,
        tally_command,
    )
    from survey_app.scans.cli import scan, worker
    from survey_app.serve import serve_command

    return [forms_cli, collections_cli, users_cli, partnerships_cli, backup_command,
            restore_command, demo_command, erase, export_command, print_command, plan_cli,
            results_command, primary_command, pilot_group, tally_command, report_command,
            scan, worker, serve_command]


def register_commands(app: Flask) -> None:
    """Attach every area's commands to `app.cli` (tests call this on their own app)."""
    for command in commands():
        app.cli.add_command(command)


def _create_app():
    app = create_app()
    register_commands(app)
    return app


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Before/after surveys for school partnerships."""


if __name__ == "__main__":  # pragma: no cover
    main()
