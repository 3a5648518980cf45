"""`survey-app report`: the impact report as a PDF (or HTML) from the command line;
`survey-app tally`: bring the results tally up to date (after a bulk import)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select


def register(app: Flask) -> None:
    """Add the `report` and `tally` commands to the app's CLI."""

    @app.cli.command("tally")
    def tally_command():
        """Rebuild the stored results counts that are out of date (the worker does this
        when idle; pages rebuild what they need themselves, so this only saves time)."""
        from survey_app.results.analysis import refresh_tallies

        click.echo(f"Results tally: {refresh_tallies()} group block(s) rebuilt.")

    @app.cli.command("report")
    @click.option("--survey", "survey_code", help="Only this survey (its code).")
    @click.option("--school", "school_name", help="Only this school (its name).")
    @click.option("--partnership", "partnership_name",
                  help="The partnership (needed when there is more than one).")
    @click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
                  help="Where to write the report: a .pdf, or .html for the web page.")
    def report_command(survey_code, school_name, partnership_name, output):
        """Write the impact report: reach, headline findings, charts and method note."""
        from survey_app.admin.operations import SetupError, find_survey, resolve_partnership
        from survey_app.extensions import db
        from survey_app.models import School
        from survey_app.results import report

        try:
            partnership = resolve_partnership(partnership_name)
            if survey_code:
                find_survey(partnership, survey_code)
            school = None
            if school_name:
                school = db.session.scalar(select(School).where(
                    School.partnership_id == partnership.id, School.name == school_name))
                if school is None:
                    names = ", ".join(s.name for s in partnership.schools) or "none yet"
                    raise SetupError(f"No school called '{school_name}' in "
                                     f"{partnership.name} (schools: {names}).")
        except SetupError as exc:
            raise click.ClickException(str(exc)) from None
        rep = report.build_report(partnership, current_app.config, survey_code=survey_code,
                                  school=school)
        path = Path(output)
        if path.suffix.lower() in (".html", ".htm"):
            path.write_text(report.render_html(rep), encoding="utf-8")
        else:
            path.write_bytes(report.render_pdf(rep))
        click.echo(f"Wrote {path}: {len(rep.sections)} survey(s), "
                   f"{len(rep.headlines)} headline findings.")
