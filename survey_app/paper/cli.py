"""`survey-app print`: a class pack of bubble sheets as a PDF (and its layout JSON)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from survey_app.extensions import db


@click.command("print")
@click.argument("collection_id", type=int)
@click.option("--copies", type=int, help="How many sheets (one per pupil).")
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False),
              default="a4", show_default=True)
@click.option("--master", is_flag=True,
              help="One master sheet (serial 0) to photocopy; one-page surveys only.")
@click.option("--numbers", metavar="FROM-TO",
              help="A personalised pack: sheet k carries pupil number k (e.g. 1-30).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              required=True, help="Where to write the PDF.")
@click.option("--layout", "layout_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the sheets' layout JSON here (for the scanner or checks).")
@click.option("--letters", is_flag=True,
              help="Letters home for a parent survey: one letter per pupil with a reply "
                   "slip to tear off, send back and scan.")
@click.option("--language", metavar="LANG",
              help="The sheets' language (default: the collection's), e.g. cy, or a "
                   "bilingual sheet such as cy+en (Welsh and English side by side).")
@click.option("--letter-text", type=click.File("r", encoding="utf-8"),
              help="With --letters: a text file with your own letter (replaces the "
                   "standard one).")
@with_appcontext
def print_command(collection_id: int, copies: int | None, paper: str, master: bool,
                  numbers: str | None, output: str, layout_path: str | None,
                  letters: bool, letter_text, language: str | None) -> None:
    """Print paper copies of COLLECTION_ID: a cover sheet, then one sheet per pupil
    (or, with --letters, one letter home per pupil)."""
    from survey_app.models import Collection
    from survey_app.paper.letters import print_letter_pack
    from survey_app.paper.operations import PrintError, print_class_pack
    from survey_app.urls import cover_web_text, public_url

    collection = db.session.get(Collection, collection_id)
    if collection is None:
        click.echo(f"Error: there is no collection {collection_id}; `survey-app "
                   "collections list` lists them.", err=True)
        sys.exit(1)
    try:
        if letters and master:
            raise PrintError("Letters home are one per pupil: leave out --master.")
        if letter_text and not letters:
            raise PrintError("--letter-text goes with --letters.")
        if letters:
            result = print_letter_pack(
                collection, copies, paper, numbers,
                body=letter_text.read() if letter_text else "",
                web_url=public_url(collection), web_text=cover_web_text(collection))
        else:
            result = print_class_pack(collection, copies, paper, master, numbers,
                                      web_url=cover_web_text(collection),
                                      language=language)
    except PrintError as exc:
        db.session.rollback()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    # Recorded first: a sheet must never exist on paper without its serial stored.
    db.session.commit()
    with open(output, "wb") as f:
        f.write(result.pdf)
    if layout_path:
        with open(layout_path, "w", encoding="utf-8") as f:
            json.dump(result.document, f, indent=1)
    ids = result.sheet_ids
    what = ids[0] if len(ids) == 1 else f"{ids[0]} to {ids[-1]}"
    click.echo(f"Wrote {output}: {len(ids)} {'letter' if letters else 'sheet'}(s), "
               f"{what}, layout "
               f"{result.document['fingerprint']}.")
