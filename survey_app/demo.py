"""`survey-app demo`: a partnership with schools, collections and a few hundred answers, so
results and exports show real numbers on a fresh machine (`make run` loads it).

Everything goes through the same operations as real use (load_survey_version,
create_collection, record_response), so the demo also exercises them. Answers come from
a seeded random generator: the same seed gives the same data.
"""

from __future__ import annotations

import math
import os
import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select, update

from forms.definition import Question, load_survey, retro_part
from forms.scales import MULTI, NUMBER, SCALES, SINGLE, TEXT
from survey_app.admin.operations import (
    SetupError,
    create_collection,
    load_survey_version,
    resolve_partnership,
)
from survey_app.answer.operations import record_response
from survey_app.auth.operations import create_user
from survey_app.extensions import db
from survey_app.models import Collection, Partnership, Response
from survey_app.models.base import utcnow

DEFAULT_NAME = "Riverside Science Partnership"
BANK = Path(__file__).resolve().parent.parent / "forms" / "bank"
LOGIN_FILE = "demo-login.txt"
OAK, WILLOW, ST_ANNES = "Oak Primary", "Willow Primary", "St Anne's High (lead school)"

#: How much better "after" answers are, on the logistic scale the generator draws from:
#: groups that took part move clearly, the comparison group barely.
TOOK_PART_GAIN = 1.0
COMPARISON_GAIN = 0.1
#: Share of that gain at each time point (an Activity may list any of them): half way
#: through, all of it after, most of it kept at a follow-up; none when asked once.
PHASE_GAIN = {"before": 0.0, "during": 0.5, "after": 1.0, "follow-up": 0.8, "once": 0.0}
#: Spread between people, and of one person's answers around their level (logistic scale).
PERSON_SPREAD = 0.7
ANSWER_NOISE = 0.6
#: How much higher "now" is rated than "before the workshop" on a retrospective item.
RETRO_GAP = 1.6
#: Share of pupils who write their number (so most before/after answers pair up).
GIVES_NUMBER = 0.9
#: Share of answers sent on paper (the rest on a phone).
PAPER_SHARE = 0.2

TEACHER_COMMENTS = (
    "More time to try the practicals myself before teaching them.",
    "A set of ready-made resources for the classroom.",
    "Seeing another teacher teach it.",
    "Help with the misconceptions children bring.",
)
PARENT_COMMENTS = (
    "She explained how shadows are made over dinner.",
    "More activities like this, please.",
    "He wants a microscope for his birthday now.",
)
SCHOOL_COMMENTS = (
    "The workshops were the highlight of the year for our pupils.",
    "We would like more notice of dates.",
)


@dataclass(frozen=True)
class Activity:
    """One before/after (or once) pair of collections for a group."""

    survey: str
    school: str
    group: str
    size: int
    phases: tuple[str, ...] = ("before", "after")
    comparison: bool = False
    pupil_number: bool = True


ACTIVITIES = (
    Activity("pupil_attitudes_5_7", OAK, "Year 2 Acorns", 26),
    Activity("pupil_attitudes_7_11", OAK, "Year 5 Oak", 28),
    Activity("pupil_attitudes_7_11", WILLOW, "Year 4 Willow", 30),
    Activity("pupil_attitudes_7_11", WILLOW, "Year 5 Birch", 27, comparison=True),
    Activity("workshop_knowledge", OAK, "Year 5 Oak", 28, phases=("once",),
             pupil_number=False),
    Activity("workshop_knowledge", WILLOW, "Year 4 Willow", 30, phases=("once",),
             pupil_number=False),
    Activity("teacher_confidence", ST_ANNES, "Partnership teachers", 10, pupil_number=False),
    Activity("partner_school", ST_ANNES, "Senior leaders", 3, phases=("once",),
             pupil_number=False),
    # Last, so the activities above draw the same random answers as before parents came.
    Activity("parent_views", OAK, "Year 5 Oak", 17, phases=("once",)),
)


def _logistic(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _rating(rng: random.Random, codes: tuple[str, ...], z: float) -> str:
    """An ordered code: higher z, higher code (codes listed lowest first)."""
    position = _logistic(z + rng.gauss(0, ANSWER_NOISE))
    return codes[min(len(codes) - 1, int(position * len(codes)))]


def _answer(rng: random.Random, q: Question, column: str, z: float,
            audience: str = "") -> str:
    """One generated answer for a column; z is how positive this person is right now."""
    scale = SCALES[q.scale]
    if rng.random() < 0.03 and not q.required:
        return ""  # a few pupils skip a question
    if q.kind == SINGLE and scale.is_rating:
        if q.retrospective:  # "before the workshop" is rated lower than "now"
            z += -RETRO_GAP / 2 if retro_part(column) == "before" else RETRO_GAP / 2
        codes = tuple(sorted(q.option_codes, key=int))
        return _rating(rng, codes, z)
    if q.kind == SINGLE:
        if scale.top_box and len(q.option_codes) == 2:  # yes / no: yes is the top box
            (top,) = scale.top_box
            other = next(c for c in q.option_codes if c != top)
            return top if rng.random() < _logistic(z + 1.5) else other
        return rng.choice(q.option_codes)
    if q.kind == MULTI:
        return ";".join(c for c in q.option_codes if rng.random() < 0.5)
    if q.kind == NUMBER:
        return str(rng.randint(0, 30))
    if q.kind == TEXT:
        pool = PARENT_COMMENTS if audience == "parent" else TEACHER_COMMENTS \
            if "teach" in q.text else SCHOOL_COMMENTS
        return rng.choice(pool) if rng.random() < 0.4 else ""
    raise AssertionError(q.kind)


def _email(role: str, partnership: str) -> str:
    """The default partnership gets the documented addresses; another gets its own."""
    slug = "" if partnership == DEFAULT_NAME else "+" + re.sub(r"[^a-z0-9]+", "-",
                                                               partnership.lower()).strip("-")
    return {"coordinator": f"coordinator{slug}@example.org",
            "teacher": f"teacher{slug}@oak.example.org"}[role]


def _password() -> str:
    """Readable enough to type from the screen: 4 groups of 4 letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _account(partnership: Partnership, role: str, school: str | None) -> tuple[str, str]:
    email, password = _email(role, partnership.name), _password()
    user, _ = create_user(partnership, email, role, school)
    user.set_password(password)
    user.setup_token_hash = user.setup_token_expires = None
    return email, password


def _respond(rng: random.Random, collection: Collection, person: float, *, share: float,
             key: str, pupil_number: int | None, when: datetime, serial: int) -> dict:
    """Generate and record one response (`share`: of the activity's gain, PHASE_GAIN);
    return its id and when it was given."""
    definition = collection.survey_version.definition
    gain = (COMPARISON_GAIN if collection.is_comparison else TOOK_PART_GAIN) * share
    values = {}
    for q in definition.questions:
        for column in q.columns:
            value = _answer(rng, q, column, person + gain, definition.audience)
            if value:
                values[column] = value
    paper = rng.random() < PAPER_SHARE
    response, _ = record_response(
        collection, values, source="paper" if paper else "web", submission_key=key,
        pupil_number=pupil_number, sheet_id=f"{collection.id}-{serial}" if paper else None)
    return {"id": response.id, "submitted_at": when}


def _run_activity(rng: random.Random, partnership: Partnership, activity: Activity,
                  now: datetime) -> tuple[list[Collection], list[dict]]:
    """Create the activity's collections and their responses."""
    collections: list[Collection] = []
    for phase in activity.phases:
        collections.append(create_collection(
            partnership, survey_code=activity.survey, school_name=activity.school,
            group_name=activity.group, phase=phase, is_comparison=activity.comparison,
            ask_pupil_number=activity.pupil_number, expected_size=activity.size,
            pair_with=collections[0].id if phase == "after" else None,
            # Before: closed weeks ago; after and once: still open, so a visitor can
            # scan the QR code and answer on their own phone.
            opens_at=now - timedelta(days=60 if phase == "before" else 14),
            closes_at=now - timedelta(days=35) if phase == "before" else None,
        ))
    db.session.commit()
    people = [rng.gauss(-0.3, PERSON_SPREAD) for _ in range(activity.size)]
    stamps = []
    for collection in collections:
        later = collection.phase not in ("before", "once")
        start = now - timedelta(days=42 if collection.phase == "before" else 7)
        # Not everyone is there on the day: later sessions have a few absences.
        present = [i for i in range(activity.size) if not later or rng.random() > 0.08]
        for serial, i in enumerate(present, start=1):
            number = i + 1 if activity.pupil_number and rng.random() < GIVES_NUMBER else None
            when = start + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
            stamps.append(_respond(rng, collection, people[i],
                                   share=PHASE_GAIN[collection.phase],
                                   key=f"demo-{collection.id}-{serial}", pupil_number=number,
                                   when=when, serial=serial))
    return collections, stamps


def build_demo(name: str = DEFAULT_NAME, seed: int = 1) -> dict:
    """Create the demo partnership; return a summary with the two logins."""
    if db.session.scalar(select(Partnership).where(Partnership.name == name)):
        raise SetupError(f"There is already a partnership called '{name}': choose another "
                         "name with --partnership NAME.")
    rng = random.Random(seed)
    partnership = resolve_partnership(name, create=True)
    for path in sorted(BANK.glob("*.yaml")):
        load_survey_version(partnership, load_survey(path))
    logins = [("coordinator", *_account(partnership, "coordinator", None)),
              (f"teacher at {OAK}", *_account(partnership, "teacher", OAK))]
    db.session.commit()
    now = utcnow()
    collections, stamps = [], []
    for activity in ACTIVITIES:
        made, when = _run_activity(rng, partnership, activity, now)
        collections += made
        stamps += when
    # record_response stamps "now"; spread the answers over the weeks they would take.
    db.session.execute(update(Response), stamps)
    db.session.commit()
    _plan(partnership, min(s["submitted_at"] for s in stamps))
    return {"partnership": partnership, "collections": len(collections),
            "responses": len(stamps), "logins": logins}


def _plan(partnership: Partnership, first_answer: datetime) -> None:
    """The demo's evaluation plan, dated a week before the first answer (as if written at
    the start), so its primary outcomes count as declared in advance."""
    from survey_app.plans.operations import parse_yaml, save_plan

    path = Path(__file__).resolve().parent / "plans" / "demo_plan.yaml"
    plan, _a, _c = save_plan(partnership, parse_yaml(path.read_text("utf-8"), str(path)),
                             "demo")
    plan.created_at = plan.updated_at = first_answer - timedelta(days=7)
    db.session.commit()


def login_text(logins: list[tuple[str, str, str]], partnership: str) -> str:
    lines = [f"Demo logins for {partnership} (sign in at /login):"]
    lines += [f"  {role}: {email}  password: {password}" for role, email, password in logins]
    return "\n".join(lines) + "\n"


def write_login_file(instance: Path, text: str) -> Path:
    """Keep the generated passwords where `survey-app serve` can show them again, readable
    by this user only."""
    path = instance / LOGIN_FILE
    instance.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)  # an older file may have been created with wider rights
    return path


@click.command("demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already has a partnership.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed: the same seed gives the same answers.")
@click.option("--partnership", "name", default=DEFAULT_NAME, show_default=True,
              metavar="NAME", help="Name of the demo partnership.")
@with_appcontext
def demo_command(if_empty: bool, seed: int, name: str) -> None:
    """Load a demo partnership with schools, collections and generated answers."""
    if if_empty and db.session.scalar(select(Partnership.id).limit(1)) is not None:
        click.echo("The database already has a partnership: no demo loaded.")
        return
    try:
        summary = build_demo(name, seed)
    except SetupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    text = login_text(summary["logins"], name)
    path = write_login_file(Path(current_app.instance_path), text)
    click.echo(f"Demo loaded: {name}, {summary['collections']} collections, "
               f"{summary['responses']} responses.")
    click.echo(text.rstrip())
    click.echo(f"(These logins are also in {path}.)")
