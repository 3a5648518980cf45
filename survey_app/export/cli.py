"""`survey-app export`: responses as CSV (wide or long) and the codebook that explains them."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import click
from flask import Flask

from survey_app.access import Scope
from survey_app.admin.operations import SetupError, resolve_partnership
from survey_app.export.csvfile import write_csv
from survey_app.export.tables import (
    ExportError,
    Filters,
    SeveralSurveys,
    codebook_rows,
    long_rows,
    survey_codes,
    wide_rows,
)
from survey_app.models import PHASES

LONG_FILE_NAME = "responses_long.csv"


def _is_directory(output: str) -> bool:
    """-o names a directory when it is one, or ends with a slash (created if missing)."""
    return Path(output).is_dir() or output.endswith(("/", os.sep))


def _scope(partnership: str | None) -> Scope:
    """Without --partnership the command line exports every partnership on the machine
    (the export then gains a `partnership` column if there are several)."""
    if not partnership:
        return Scope()
    try:
        return Scope(partnership_id=resolve_partnership(partnership).id)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None


def _export(scope: Scope, filters: Filters, output: str, long: bool) -> list[tuple[Path, int]]:
    """Write the file(s); return (path, rows) for each."""
    if long:
        path = Path(output) / LONG_FILE_NAME if _is_directory(output) else Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        return [(path, write_csv(long_rows(scope, filters), path))]
    if not _is_directory(output):
        try:
            rows = wide_rows(scope, filters)
        except SeveralSurveys as exc:
            raise ExportError(
                f"The responses to export come from several surveys ({', '.join(exc.codes)}): "
                "choose one with --survey CODE, or give a directory with -o DIR/ to get one "
                "file per survey, or use --long for one file with every answer.") from None
        return [(Path(output), write_csv(rows, output))]
    directory = Path(output)
    directory.mkdir(parents=True, exist_ok=True)
    codes = [filters.survey] if filters.survey else survey_codes(scope, filters)
    if not codes:
        raise ExportError("There are no responses to export for these choices yet.")
    written = []
    for code in codes:
        path = directory / f"{code}.csv"
        written.append((path, write_csv(wide_rows(scope, replace(filters, survey=code)), path)))
    return written


def register(app: Flask) -> None:
    """Add `survey-app export` to the app's CLI."""

    @app.cli.command("export")
    @click.option("--survey", metavar="CODE", help="Only this survey (required for one wide "
                  "file when several surveys have responses).")
    @click.option("--collection", type=int, metavar="ID", help="Only this collection.")
    @click.option("--school", metavar="NAME", help="Only this school.")
    @click.option("--phase", type=click.Choice(PHASES), help="Only this phase.")
    @click.option("--labels", is_flag=True, help="Answer words instead of option codes.")
    @click.option("--long", "long_", is_flag=True,
                  help="One row per answer, every survey in one file (for R and pandas).")
    @click.option("--partnership", metavar="NAME",
                  help="Only this partnership (default: every partnership).")
    @click.option("-o", "--output", required=True, metavar="FILE.csv|DIR/",
                  help="The CSV file to write, or a directory for one file per survey.")
    @click.option("--codebook", type=click.Path(dir_okay=False), metavar="FILE.csv",
                  help="Also write the codebook: what each code means.")
    def export_command(survey, collection, school, phase, labels, long_, partnership, output,
                       codebook):
        """Export responses as CSV (one row per response, one column per question)."""
        scope = _scope(partnership)
        filters = Filters(survey=survey, collection_id=collection, school=school, phase=phase,
                          labels=labels)
        try:
            written = _export(scope, filters, output, long_)
            if codebook:
                Path(codebook).parent.mkdir(parents=True, exist_ok=True)
                count = write_csv(codebook_rows(scope, survey), codebook)
                written.append((Path(codebook), count))
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        for path, count in written:
            what = "codebook rows" if codebook and path == Path(codebook) else (
                "answers" if long_ else "responses")
            click.echo(f"Wrote {count} {what} to {path}")
