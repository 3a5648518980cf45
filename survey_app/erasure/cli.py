"""`survey-app erase collection|school|partnership ...`"""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.admin.operations import SetupError, resolve_partnership
from survey_app.erasure.operations import erase_collection, erase_partnership, erase_school
from survey_app.extensions import db
from survey_app.models import Collection, School


@click.group("erase", cls=AppGroup)
def erase() -> None:
    """Delete a collection, school or partnership with all its data (audited)."""


def _confirm(what: str, yes: bool) -> None:
    if not yes:
        click.confirm(f"Permanently erase {what} and all its responses and images?",
                      abort=True)


@erase.command("collection")
@click.argument("collection_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_collection_cmd(collection_id: int, yes: bool) -> None:
    c = db.session.get(Collection, collection_id)
    if c is None:
        raise click.ClickException(f"There is no collection {collection_id}.")
    _confirm(f"collection {collection_id}", yes)
    click.echo(erase_collection(c, "cli").describe())


@erase.command("school")
@click.argument("name")
@click.option("--partnership", default=None)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_school_cmd(name: str, partnership: str | None, yes: bool) -> None:
    try:
        p = resolve_partnership(partnership)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    s = db.session.scalar(select(School).where(School.partnership_id == p.id,
                                               School.name == name))
    if s is None:
        raise click.ClickException(f"There is no school called {name!r} in {p.name}.")
    _confirm(f"school {name!r}", yes)
    click.echo(erase_school(s, "cli").describe())


@erase.command("partnership")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_partnership_cmd(name: str, yes: bool) -> None:
    try:
        p = resolve_partnership(name)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    _confirm(f"partnership {name!r}", yes)
    click.echo(erase_partnership(p, "cli").describe())
