"""`survey-app`: a FlaskGroup over the app factory, so every `flask` command works too.

Heavy modules (reportlab, cv2) are imported inside the commands that need them."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from survey_app import create_app


def register_commands(app) -> None:
    """Attach every area's commands to `app.cli` (tests call this on their own app)."""
    from survey_app.admin.cli import register as register_admin
    from survey_app.backup import register as register_backup
    from survey_app.demo import register as register_demo
    from survey_app.erasure.cli import register as register_erasure
    from survey_app.export.cli import register as register_export
    from survey_app.paper.cli import register as register_paper
    from survey_app.plans.cli import register as register_plans
    from survey_app.results.cli import register as register_results
    from survey_app.scans.cli import register as register_scans
    from survey_app.serve import register as register_serve

    for register in (register_admin, register_backup, register_demo, register_erasure,
                     register_export, register_paper, register_plans, register_results,
                     register_scans, register_serve):
        register(app)


def _create_app():
    app = create_app()
    register_commands(app)
    return app


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Before/after surveys for school partnerships."""


if __name__ == "__main__":  # pragma: no cover
    main()
