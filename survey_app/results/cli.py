"""`survey-app report`: the impact report as a PDF (or HTML) from the command line;
`survey-app results`: one survey's figures per question (JSON for scripts);
`survey-app primary`: declare a survey's primary outcomes;
`survey-app pilot report`: how a pilot's questions worked, and what to change;
`survey-app tally`: bring the results tally up to date (after a bulk import)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select


def _school(partnership, school_name):
    from survey_app.admin.operations import SetupError
    from survey_app.extensions import db
    from survey_app.models import School

    if not school_name:
        return None
    school = db.session.scalar(select(School).where(
        School.partnership_id == partnership.id, School.name == school_name))
    if school is None:
        names = ", ".join(s.name for s in partnership.schools) or "none yet"
        raise SetupError(f"No school called '{school_name}' in "
                         f"{partnership.name} (schools: {names}).")
    return school


@click.command("results")
@click.option("--survey", "survey_code", required=True, help="The survey (its code).")
@click.option("--partnership", "partnership_name",
              help="The partnership (needed when there is more than one).")
@click.option("--school", "school_name", help="Only this school (its name).")
@click.option("--compare", metavar="FIRST:LAST",
              help="The two time points to compare, e.g. before:follow-up (default: the "
                   "first and the last there are).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@with_appcontext
def results_command(survey_code, partnership_name, school_name, compare, as_json):
    """Print a survey's results per question: counts, top box, means, tests, the
    difference in change against the comparison group, primary or exploratory. The
    figures named before/after are those of the two time points compared."""
    import json

    from survey_app.admin.operations import SetupError, find_survey, resolve_partnership
    from survey_app.models import TIME_POINTS
    from survey_app.results import analysis
    from survey_app.results.figures import question_figures
    from survey_app.results.queries import ResultsScope

    try:
        partnership = resolve_partnership(partnership_name)
        survey = find_survey(partnership, survey_code)
        school = _school(partnership, school_name)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    points = None
    if compare:
        points = tuple(compare.split(":", 1))
        if len(points) != 2 or not all(p in TIME_POINTS for p in points) \
                or points[0] == points[1]:
            raise click.BadParameter(
                f"give two different time points as FIRST:LAST, from "
                f"{', '.join(TIME_POINTS)} (e.g. before:follow-up).", param_hint="--compare")
    scope = ResultsScope(partnership.id, school_id=school.id if school else None,
                  timezone=current_app.config["TIMEZONE"])
    res = analysis.build(survey, scope, analysis.min_group(current_app.config,
                                                            survey.audience), points=points)
    figures = question_figures(res)
    if as_json:
        click.echo(json.dumps({"survey": survey.code, "title": survey.title,
                               "school": school.name if school else None,
                               "time_points": list(res.present),
                               "compared": list(res.points),
                               "pupil_numbers_given_twice": res.reused_numbers,
                               "responses": res.n_responses, "min_group": res.min_n,
                               "questions": figures,
                               "knowledge_score": res.knowledge.figures(res.has_comparison)
                               if res.knowledge else None}, indent=2))
        return
    if res.knowledge:
        from survey_app.results.scores import sentence

        click.echo(sentence(res.knowledge) or "Knowledge score: too few pupils to show.")
    click.echo(f"Comparing {res.points[0]} with {res.points[1]} (time points: "
               f"{', '.join(res.present) or 'none'}).")
    for f in figures:
        p = f["participants"]
        did = f["difference_in_change"]
        click.echo(f"{f['code']} ({'primary' if f['primary'] else 'exploratory'}): "
                   f"top box {_fmt(p['top_box_before'])} -> {_fmt(p['top_box_after'])}"
                   f"; p = {_fmt(f['p'], 4)}, Holm-adjusted {_fmt(f['p_adjusted'], 4)}"
                   + (f"; difference in change {did['estimate']:+.2f} {did['unit']}"
                      if did else ""))


@click.command("primary")
@click.option("--survey", "survey_code", required=True, help="The survey (its code).")
@click.option("--partnership", "partnership_name",
              help="The partnership (needed when there is more than one).")
@click.argument("codes", nargs=-1)
@with_appcontext
def primary_command(survey_code, partnership_name, codes):
    """Declare the survey's primary outcomes (question codes; none clears them). The
    report headlines these, whatever they show."""
    from survey_app.admin.operations import SetupError, find_survey, resolve_partnership
    from survey_app.extensions import db
    from survey_app.results.operations import PrimaryError, set_primary_questions

    try:
        partnership = resolve_partnership(partnership_name)
        survey = find_survey(partnership, survey_code)
        chosen = set_primary_questions(survey, list(codes))
    except (SetupError, PrimaryError) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Primary outcomes of {survey.code}: {', '.join(chosen) or 'none'}.")
    from survey_app.plans.operations import plan_primary_codes

    planned = plan_primary_codes(survey)
    if planned is not None:
        click.echo("Note: the evaluation plan declares primary outcomes, so results use "
                   f"the plan's ({', '.join(planned) or 'none in this survey'}) until "
                   "it declares none.")


@click.group("pilot", cls=AppGroup)
def pilot_group():
    """Pilots: trial runs of a survey with a class (never in results)."""


@pilot_group.command("report")
@click.argument("collection_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
def pilot_report_command(collection_id, as_json):
    """Per question of a pilot collection: answered, skipped, "don't know", ceiling
    and floor, median time and read-aloud use (web), straight-lining, suggestions."""
    import json

    from survey_app.extensions import db
    from survey_app.models import Collection
    from survey_app.results import pilot

    collection = db.session.get(Collection, collection_id)
    if collection is None:
        raise click.ClickException(f"There is no collection {collection_id}.")
    if not collection.pilot:
        raise click.ClickException(
            f"Collection {collection_id} is not a pilot: its answers are in the results. "
            "Create pilots with `survey-app collections create ... --pilot`.")
    rep = pilot.build(collection)
    if as_json:
        click.echo(json.dumps(pilot.as_dict(rep), indent=2))
        return
    click.echo(f"Pilot {collection_id}: {rep.responses} responses; same answer to every "
               f"rating: {rep.straight_lined} of {rep.straight_checked}.")
    for line in rep.suggestions:
        click.echo(f"  * {line}")
    for c in rep.columns:
        click.echo(f"{c.column}: {c.answered} answered, {c.skipped} skipped"
                   + (f", {c.dont_know} don't know" if c.question.dont_know else "")
                   + (f", top {c.top}, bottom {c.bottom}" if c.top is not None else "")
                   + (f", median {c.median_seconds:.0f} s, read aloud {c.read_aloud} of "
                      f"{c.timed}" if c.median_seconds is not None else ""))
        for line in c.suggestions:
            click.echo(f"  * {line}")


@click.command("tally")
@with_appcontext
def tally_command():
    """Rebuild the stored results counts that are out of date (the worker does this
    when idle; pages rebuild what they need themselves, so this only saves time)."""
    from survey_app.results.analysis import refresh_tallies

    click.echo(f"Results tally: {refresh_tallies()} group block(s) rebuilt.")


@click.command("report")
@click.option("--survey", "survey_code", help="Only this survey (its code).")
@click.option("--school", "school_name", help="Only this school (its name).")
@click.option("--partnership", "partnership_name",
              help="The partnership (needed when there is more than one).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the report: a .pdf, or .html for the web page.")
@with_appcontext
def report_command(survey_code, school_name, partnership_name, output):
    """Write the impact report: reach, headline findings, charts and method note."""
    from survey_app.admin.operations import SetupError, find_survey, resolve_partnership
    from survey_app.results import report, report_pdf

    try:
        partnership = resolve_partnership(partnership_name)
        if survey_code:
            find_survey(partnership, survey_code)
        school = _school(partnership, school_name)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    rep = report.build_report(partnership, current_app.config, survey_code=survey_code,
                              school=school)
    path = Path(output)
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(report.render_html(rep), encoding="utf-8")
    else:
        path.write_bytes(report_pdf.render_pdf(rep))
    click.echo(f"Wrote {path}: {len(rep.sections)} survey(s), "
               f"{len(rep.headlines)} headline findings.")


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}"
