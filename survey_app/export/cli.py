"""`survey-app export`: responses as CSV (wide or long; plain or for Excel), SPSS .sav or
Stata .dta, with the codebook and a datapackage.json that explain them."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey_app.access import Scope
from survey_app.admin.operations import SetupError, resolve_partnership
from survey_app.export import formats
from survey_app.export.csvfile import write_csv
from survey_app.export.rows import long_rows, wide_table
from survey_app.export.tables import (
    ExportError,
    Filters,
    SeveralSurveys,
    codebook_rows,
    survey_codes,
)
from survey_app.models import PHASES

LONG_FILE_NAME = "responses_long.csv"
#: --format -> file extension ("excel" is a CSV with a byte-order mark).
FORMATS = {"csv": "csv", "excel": "csv", "sav": "sav", "dta": "dta"}


def _is_directory(output: str) -> bool:
    """-o names a directory when it is one, or ends with a slash (created if missing)."""
    return Path(output).is_dir() or output.endswith(("/", os.sep))


def _scope(partnership: str | None) -> Scope:
    """Without --partnership the command line exports every partnership on the machine
    (the `partnership` column says which each row is from)."""
    if not partnership:
        return Scope()
    try:
        return Scope(partnership_id=resolve_partnership(partnership).id)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None


def _format(output: str, fmt: str | None) -> str:
    """--format, else the output's extension (.sav, .dta), else CSV."""
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in ("sav", "dta") else "csv"


def _write_wide(scope: Scope, filters: Filters, path: Path, fmt: str,
                datapackage: bool) -> list[tuple[Path, int]]:
    fields, rows = wide_table(scope, filters)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("sav", "dta"):
        written = [(path, formats.write(fields, rows, path, fmt, filters.survey or ""))]
    else:
        written = [(path, write_csv(rows, path, bom=fmt == "excel"))]
    if datapackage:
        package = formats.datapackage(fields, path.name, path.stem, filters.survey or
                                      path.stem, bom=fmt == "excel")
        described = path.with_name(f"{path.stem}.datapackage.json")
        described.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        written.append((described, len(package["resources"][0]["schema"]["fields"])))
    return written


def _export(scope: Scope, filters: Filters, output: str, long: bool, fmt: str | None = None,
            datapackage: bool = False) -> list[tuple[Path, int]]:
    """Write the file(s); return (path, rows) for each."""
    fmt = _format(output, fmt)
    if long:
        if fmt in ("sav", "dta") or datapackage:
            raise ExportError("SPSS, Stata and the data package hold one survey, one row per "
                              "response: leave out --long.")
        path = Path(output) / LONG_FILE_NAME if _is_directory(output) else Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        return [(path, write_csv(long_rows(scope, filters), path, bom=fmt == "excel"))]
    if not _is_directory(output):
        try:
            return _write_wide(scope, filters, Path(output), fmt, datapackage)
        except SeveralSurveys as exc:
            raise ExportError(
                f"The responses to export come from several surveys ({', '.join(exc.codes)}): "
                "choose one with --survey CODE, or give a directory with -o DIR/ to get one "
                "file per survey, or use --long for one file with every answer.") from None
    directory = Path(output)
    directory.mkdir(parents=True, exist_ok=True)
    codes = [filters.survey] if filters.survey else survey_codes(scope, filters)
    if not codes:
        raise ExportError("There are no responses to export for these choices yet.")
    written = []
    for code in codes:
        path = directory / f"{code}.{FORMATS[fmt]}"
        written += _write_wide(scope, replace(filters, survey=code), path, fmt, datapackage)
    return written


@click.command("export")
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
@click.option("-o", "--output", required=True, metavar="FILE|DIR/",
              help="The file to write (.csv, .sav for SPSS, .dta for Stata), or a "
              "directory for one file per survey.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              help="csv (default), excel (CSV with a byte-order mark, so Excel shows "
              "accents right), sav (SPSS) or dta (Stata), with value labels. Default: "
              "from the file's extension.")
@click.option("--datapackage", is_flag=True,
              help="Also write NAME.datapackage.json beside each file (Frictionless Data: "
              "each column's type, title, codes and labels).")
@click.option("--codebook", type=click.Path(dir_okay=False), metavar="FILE.csv",
              help="Also write the codebook: what each code means.")
@with_appcontext
def export_command(survey, collection, school, phase, labels, long_, partnership, output,
                   fmt, datapackage, codebook):
    """Export responses (one row per response, one column per question): CSV, CSV for
    Excel, SPSS or Stata."""
    scope = _scope(partnership)
    filters = Filters(survey=survey, collection_id=collection, school=school, phase=phase,
                      labels=labels)
    try:
        if labels and _format(output, fmt) in ("sav", "dta"):
            raise ExportError("SPSS and Stata files carry the words as value labels: "
                              "leave out --labels.")
        written = _export(scope, filters, output, long_, fmt, datapackage)
        if codebook:
            Path(codebook).parent.mkdir(parents=True, exist_ok=True)
            count = write_csv(codebook_rows(scope, survey), codebook,
                              bom=fmt == "excel")
            written.append((Path(codebook), count))
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    for path, count in written:
        what = "codebook rows" if codebook and path == Path(codebook) else (
            "column descriptions" if path.name.endswith(".datapackage.json") else
            "answers" if long_ else "responses")
        click.echo(f"Wrote {count} {what} to {path}")
