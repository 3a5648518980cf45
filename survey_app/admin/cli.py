"""Set-up commands for scripts and the terminal: forms, collections, users, partnerships.

They call the same operations as the coordinator pages. A `SetupError` becomes its message
and exit status 1, never a traceback: the person reading it is setting up a school, not
debugging Python.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.definition import DefinitionError, check_files, load_survey
from survey_app.admin.operations import (
    SetupError,
    create_collection,
    load_survey_version,
    resolve_partnership,
    response_counts,
)
from survey_app.extensions import db
from survey_app.models import PHASES

partnership_option = click.option(
    "--partnership", "partnership_name", metavar="NAME",
    help="Which partnership (default: the only one there is).")


def setup_errors(fn: Callable) -> Callable:
    """Print a SetupError's message and exit 1; roll back anything half done."""

    @wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SetupError as exc:
            db.session.rollback()
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapped


def _yaml_files(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted([*p.glob("**/*.yaml"), *p.glob("**/*.yml")]))
        else:
            out.append(p)
    return out


# --- forms -----------------------------------------------------------------------------

forms_cli = AppGroup("forms", help="Check and load survey definition files.")


@forms_cli.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--strict", is_flag=True,
              help="Fail on warnings too (a text missing in one of the survey's languages).")
def forms_check(paths: tuple[str, ...], strict: bool) -> None:
    """Validate survey files (directories: every .yaml inside); list every problem, and
    warn about each text missing in one of a survey's languages (it falls back to the
    default language, so the survey still loads)."""
    files = _yaml_files(paths)
    if not files:
        click.echo("Error: no .yaml files found there.", err=True)
        sys.exit(1)
    found = check_files(files, warnings=True)
    for p in found:
        click.echo(str(p))
    problems = [p for p in found if not p.warning]
    warned = len(found) - len(problems)
    if warned:
        click.echo(f"{warned} warning(s): those texts show in the survey's first language.",
                   err=True)
    if problems or (strict and warned):
        failing = found if strict else problems
        bad = len({p.file for p in failing})
        click.echo(f"{len(failing)} problem(s) in {bad} of {len(files)} file(s).", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file(s) valid.")


@forms_cli.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@partnership_option
@setup_errors
def forms_load(paths: tuple[str, ...], partnership_name: str | None) -> None:
    """Load survey files: a new survey, a new version of one in use, or an update."""
    files = _yaml_files(paths)
    problems = check_files(files)
    if problems:
        for p in problems:
            click.echo(str(p))
        click.echo("Nothing was loaded: fix the problems above and run this again.", err=True)
        sys.exit(1)
    partnership = resolve_partnership(partnership_name)
    for f in files:
        try:
            result = load_survey_version(partnership, load_survey(f))
        except DefinitionError as exc:  # pragma: no cover - checked just above
            raise SetupError(str(exc)) from None
        v = result.version
        click.echo(f"{v.survey.code}\tversion {v.version}\t{result.outcome}")
    db.session.commit()


# --- collections -----------------------------------------------------------------------

collections_cli = AppGroup("collections", help="Create and list collections.")


def _collection_dict(c, counts: dict[str, int] | None = None) -> dict:
    from survey_app.join.codes import format_join_code
    from survey_app.urls import public_url

    d = {
        "id": c.id, "url": public_url(c), "join_code": format_join_code(c.join_code),
        "survey": c.survey_version.survey.code,
        "survey_version": c.survey_version.version, "school": c.school.name,
        "group": c.group.name, "phase": c.phase, "state": c.state(),
        "paired_with": c.paired_with_id, "ask_pupil_number": c.ask_pupil_number,
        "is_comparison": c.is_comparison, "pilot": c.pilot, "expected_size": c.expected_size,
        "opens_at": c.opens_at.isoformat() if c.opens_at else None,
        "closes_at": c.closes_at.isoformat() if c.closes_at else None,
        "language": c.language,
    }
    if counts is not None:
        d["responses"] = counts
    return d


@collections_cli.command("create")
@click.option("--survey", "survey_code", required=True, metavar="CODE")
@click.option("--school", required=True, metavar="NAME", help="Created if new.")
@click.option("--group", required=True, metavar="NAME", help="Created if new.")
@click.option("--phase", required=True, type=click.Choice(PHASES))
@click.option("--pair-with", type=int, metavar="ID",
              help="The before (or after) collection of the same survey.")
@click.option("--pupil-number", is_flag=True,
              help="Ask each pupil for their number (1-99, or up to PUPIL_NUMBER_MAX).")
@click.option("--comparison", is_flag=True, help="A comparison group (did not take part).")
@click.option("--pilot", is_flag=True,
              help="A trial run: answers feed the pilot report only, never results.")
@click.option("--expected", type=int, metavar="N", help="How many pupils in the group.")
@click.option("--language", metavar="CODE",
              help="The language the pupils' page opens in (cy, en...): one the survey is "
                   "written in; its first by default. Pupils can switch on the first screen.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@partnership_option
@setup_errors
def collections_create(survey_code, school, group, phase, pair_with, pupil_number, comparison,
                       pilot, expected, language, as_json, partnership_name) -> None:
    """Create a collection; prints its id and public link."""
    partnership = resolve_partnership(partnership_name)
    c = create_collection(partnership, survey_code=survey_code, school_name=school,
                          group_name=group, phase=phase, pair_with=pair_with,
                          ask_pupil_number=pupil_number, is_comparison=comparison, pilot=pilot,
                          expected_size=expected, language=language)
    db.session.commit()
    d = _collection_dict(c)
    if as_json:
        click.echo(json.dumps(d))
    else:
        click.echo(f"{d['id']}\t{d['url']}")


@collections_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@partnership_option
@setup_errors
def collections_list(as_json: bool, partnership_name: str | None) -> None:
    """List the partnership's collections with their links and response counts."""
    from survey_app.models import Collection, Group, School

    partnership = resolve_partnership(partnership_name)
    rows = list(db.session.scalars(
        select(Collection).join(Collection.group).join(Group.school)
        .where(School.partnership_id == partnership.id)
        .options(joinedload(Collection.group).joinedload(Group.school))
        .order_by(Collection.id)).unique())
    counts = response_counts([c.id for c in rows])
    items = [_collection_dict(c, counts[c.id]) for c in rows]
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    if not items:
        click.echo("No collections yet: create one with `survey-app collections create`.")
        return
    for d in items:
        n = d["responses"]
        click.echo(f"{d['id']}\t{d['survey']} v{d['survey_version']}\t{d['school']}\t"
                   f"{d['group']}\t{d['phase']}\t{d['state']}\t"
                   f"{n['web']} web, {n['paper']} paper\t{d['url']}")


# --- users and partnerships ------------------------------------------------------------

users_cli = AppGroup("users", help="Accounts for coordinators and teachers.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["coordinator", "teacher"]))
@click.option("--school", metavar="NAME", help="Teachers: their school (created if new).")
@partnership_option
@setup_errors
def users_create(email: str, role: str, school: str | None,
                 partnership_name: str | None) -> None:
    """Create an account; prints the one-time set-password link to send them."""
    from survey_app.auth.operations import create_user, setup_link

    partnership = resolve_partnership(partnership_name)
    user, token = create_user(partnership, email, role, school)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}. Send them this link to set a password "
               "(it works once, for 7 days):")
    _guessed_address_hint()
    click.echo(setup_link(token))


def _guessed_address_hint() -> None:
    """A terminal cannot know where the app is served: without PUBLIC_BASE_URL the link
    carries the local default, which only works on this machine and that port. Printed
    before the link, so the link stays the last line for scripts."""
    from flask import current_app

    from survey_app.urls import DEFAULT_BASE

    if not current_app.config["PUBLIC_BASE_URL"]:
        click.echo(f"(PUBLIC_BASE_URL is not set, so the link starts with {DEFAULT_BASE}: if "
                   "the app is served at another address or port, put that address in its "
                   "place, or set PUBLIC_BASE_URL.)")


@users_cli.command("reset-password")
@click.argument("email")
@setup_errors
def users_reset_password(email: str) -> None:
    """A new one-time set-password link (the old password works until it is used)."""
    from survey_app.auth.operations import find_user, issue_setup_token, setup_link

    user = find_user(email)
    token = issue_setup_token(user)
    db.session.commit()
    click.echo(f"Send {user.email} this link to set a new password (it works once, for 7 "
               "days):")
    _guessed_address_hint()
    click.echo(setup_link(token))


def _account_action(action: str, done: str) -> Callable:
    """A users command that applies one auth operation to the account EMAIL."""

    @click.argument("email")
    @setup_errors
    def command(email: str) -> None:
        from survey_app.auth import operations

        user = operations.find_user(email)
        getattr(operations, action)(user)
        db.session.commit()
        click.echo(done.format(email=user.email))

    return command


users_cli.command("sign-out", help="End every session of an account (a lost or shared "
                  "computer); the password still works.")(
    _account_action("sign_out_everywhere", "Signed {email} out everywhere."))
users_cli.command("deactivate", help="Switch an account off: its sessions end and it "
                  "cannot sign in or use a set-password link. Nothing it made is removed.")(
    _account_action("deactivate_user", "Switched off {email}: signed out everywhere, "
                    "cannot sign in."))
users_cli.command("reactivate", help="Switch an account on again (same password).")(
    _account_action("reactivate_user", "Switched {email} on again."))


partnerships_cli = AppGroup("partnerships", help="Partnerships of schools.")


@partnerships_cli.command("create")
@click.argument("name")
@setup_errors
def partnerships_create(name: str) -> None:
    """Create a partnership (nothing happens if it exists already)."""
    from survey_app.models import Partnership

    name = " ".join(name.split())
    if not name:
        raise SetupError("A partnership needs a name.")
    if db.session.scalar(select(Partnership).where(Partnership.name == name)):
        click.echo(f"Partnership '{name}' already exists.")
        return
    resolve_partnership(name, create=True)
    db.session.commit()
    click.echo(f"Created partnership '{name}'.")
