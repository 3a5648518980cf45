"""`survey-app plan ...`: show, export, load, print and randomly allocate the evaluation
plan, through the same operations as the plan pages."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from survey_app.admin.cli import partnership_option, setup_errors
from survey_app.admin.operations import resolve_partnership
from survey_app.extensions import db

plan_cli = AppGroup("plan", help="The evaluation plan: export, load, print, allocate.")
#: Who the command line acts as in amendments and allocations.
CLI_ACTOR = "command line"


def _fail(problems: list[str]) -> None:
    db.session.rollback()
    for p in problems:
        click.echo(p, err=True)
    sys.exit(1)


@plan_cli.command("show")
@partnership_option
@setup_errors
def plan_show(partnership_name: str | None) -> None:
    """Print the plan's line of sight, its lock and amendments."""
    from survey_app.plans import document
    from survey_app.plans.operations import amendments, plan_for, refresh_lock

    partnership = resolve_partnership(partnership_name)
    plan = plan_for(partnership.id)
    if plan is None:
        click.echo(f"{partnership.name} has no evaluation plan yet.")
        return
    refresh_lock(plan)
    db.session.commit()
    body = plan.body
    click.echo(f"Evaluation question: {body['evaluation_question'] or '(not written yet)'}")
    for o in document.outcomes(body):
        click.echo(f"- {o['title']} [{o['category']}]{' PRIMARY' if o['primary'] else ''}")
        for ind in o["indicators"]:
            ms = ", ".join(f"{m['survey']}.{m['question']}" if m.get("survey")
                           else repr(m["text"]) for m in ind["measures"])
            click.echo(f"    {ind['text']}: {ms or 'no question yet'}")
    click.echo("Locked: " + (f"since {plan.locked_at:%Y-%m-%d %H:%M} UTC" if plan.locked_at
                             else "no (no after answers yet)"))
    for a in amendments(plan):
        click.echo(f"Amendment {a.made_at:%Y-%m-%d} by {a.made_by}: {a.why}")


@plan_cli.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The YAML file to write ('-' for the terminal).")
@partnership_option
@setup_errors
def plan_export(output: str, partnership_name: str | None) -> None:
    """Write the plan as YAML (what `plan load` reads back)."""
    from survey_app.plans.operations import plan_for, refresh_lock, to_yaml

    partnership = resolve_partnership(partnership_name)
    plan = plan_for(partnership.id)
    if plan is not None:
        refresh_lock(plan)
        db.session.commit()
    text = to_yaml(plan, partnership)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")


@plan_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--why", default="", help="Why the plan changes (needed once it is locked).")
@partnership_option
@setup_errors
def plan_load(path: str, why: str, partnership_name: str | None) -> None:
    """Replace the plan with a YAML file, checked first; nothing changes if it has a
    problem. Once the plan is locked the change is kept as a dated amendment."""
    from survey_app.plans.document import PlanError
    from survey_app.plans.operations import parse_yaml, save_plan

    partnership = resolve_partnership(partnership_name)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        _fail([f"{path}: cannot read the file: {exc.strerror or exc}"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _fail([f"{path}: the file is not UTF-8 text; save it as UTF-8."])
    try:
        _plan, amendment, changes = save_plan(partnership, parse_yaml(text, path), CLI_ACTOR,
                                              why)
    except PlanError as exc:
        _fail(exc.problems + ["Nothing was loaded: fix the problems above and run this "
                              "again."])
    db.session.commit()
    if not changes:
        click.echo("The plan is unchanged.")
        return
    for line in changes:
        click.echo(f"  {line}")
    click.echo(f"Plan loaded: {len(changes)} change(s)"
               + (", kept as a dated amendment." if amendment else "."))


@plan_cli.command("pdf")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@partnership_option
@setup_errors
def plan_pdf(output: str, partnership_name: str | None) -> None:
    """Write the one-page plan (the line of sight as a table) as a PDF."""
    from survey_app.plans.operations import plan_for, refresh_lock
    from survey_app.plans.pdf import plan_pdf as render

    partnership = resolve_partnership(partnership_name)
    plan = plan_for(partnership.id)
    if plan is not None:
        refresh_lock(plan)
        db.session.commit()
    Path(output).write_bytes(render(partnership, plan))
    click.echo(f"Wrote {output}.")


def _group_pair(text: str) -> tuple[str, str]:
    school, sep, group = text.partition("/")
    if not sep or not school.strip() or not group.strip():
        raise click.BadParameter(f"'{text}': write a group as 'School name/Group name'.")
    return school.strip(), group.strip()


@plan_cli.command("allocate")
@click.option("--unit", type=click.Choice(["class", "pupil"]), default="class",
              show_default=True, help="Allocate whole classes, or pupil numbers in each.")
@click.option("--group", "groups", multiple=True, metavar="SCHOOL/GROUP",
              help="A class to allocate (repeat; default: the plan's groups, else all).")
@click.option("--size", "sizes", multiple=True, metavar="SCHOOL/GROUP=N",
              help="A class's number of pupils (unit pupil; default: its collections' "
                   "expected size).")
@click.option("--stratify", is_flag=True, help="Allocate classes within each school.")
@click.option("--seed", type=int, help="Repeat an earlier draw (default: a new random seed).")
@click.option("--dry-run", is_flag=True, help="Show the draw without storing it.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Also write the allocation as a PDF to print.")
@partnership_option
@setup_errors
def plan_allocate(unit, groups, sizes, stratify, seed, dry_run, output, partnership_name):
    """Randomly allocate classes (or pupil numbers within classes) to taking part or
    comparison. The seed is printed and stored: the same seed gives the same allocation."""
    from survey_app.plans.allocation import allocate, allocation_rows, balance
    from survey_app.plans.document import PlanError

    partnership = resolve_partnership(partnership_name)
    size_map = {}
    for s in sizes:
        pair, _eq, n = s.rpartition("=")
        if not n.isdigit():
            raise click.BadParameter(f"'{s}': write a size as 'School/Group=28'.")
        size_map[_group_pair(pair)] = int(n)
    try:
        alloc, changed = allocate(partnership, CLI_ACTOR, unit=unit,
                                  groups=[_group_pair(g) for g in groups], sizes=size_map,
                                  seed=seed, stratify=stratify, apply=not dry_run)
    except PlanError as exc:
        _fail(exc.problems)
    for row in allocation_rows(alloc):
        click.echo("\t".join(row))
    for stratum, (took, cmp) in balance(alloc).items():
        click.echo(f"{stratum}: {took} taking part, {cmp} comparison")
    click.echo(f"Seed {alloc.seed} ({'classes within each school' if alloc.stratified else unit}"
               f"): run again with --seed {alloc.seed} to get the same allocation.")
    if output:
        from survey_app.plans.pdf import allocation_pdf

        Path(output).write_bytes(allocation_pdf(partnership, alloc))
        click.echo(f"Wrote {output}.")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was stored.")
        return
    db.session.commit()
    click.echo(f"Stored; {changed} collection(s) set to their arm.")
