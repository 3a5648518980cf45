"""Set-up actions shared by the coordinator pages and the CLI: partnerships, schools,
groups, survey versions and collections. Views and commands call these, so the same rules
hold whichever door a user comes in by."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select

from forms.definition import SurveyDefinition
from survey_app.extensions import db
from survey_app.languages import declared, language_name
from survey_app.models import (
    PHASES,
    Collection,
    Group,
    Partnership,
    School,
    Survey,
    SurveyVersion,
)

# Moved to survey_app.partnerships (auth needs them and must not import admin); callers
# that import them from here keep working.
from survey_app.partnerships import (  # noqa: F401
    SetupError,
    get_or_create_school,
    resolve_partnership,
)


def get_or_create_group(school: School, name: str) -> Group:
    name = " ".join(name.split())
    if not name:
        raise SetupError(gettext("A group needs a name (for example 'Year 5 Oak')."))
    group = db.session.scalar(
        select(Group).where(Group.school_id == school.id, Group.name == name)
    )
    if group is None:
        group = Group(school=school, name=name)
        db.session.add(group)
        db.session.flush()
    return group


@dataclass
class LoadResult:
    version: SurveyVersion
    #: "created" (new survey), "new_version", "updated" (unused version edited), "unchanged"
    outcome: str


def version_in_use(version: SurveyVersion) -> bool:
    """Frozen: a collection uses it (and so may have answers)."""
    return db.session.scalar(
        select(func.count()).select_from(Collection)
        .where(Collection.survey_version_id == version.id)
    ) > 0


def load_survey_version(partnership: Partnership, definition: SurveyDefinition, *,
                        school: School | None = None) -> LoadResult:
    """Store a validated definition: a new survey, a new version of a frozen one, or an
    in-place update of a version nobody has used yet."""
    survey = db.session.scalar(
        select(Survey).where(Survey.partnership_id == partnership.id,
                             Survey.code == definition.code)
    )
    if survey is not None:
        _check_owner(survey, school)
    payload = json.dumps(definition.to_dict(), sort_keys=True, ensure_ascii=False)
    if survey is None:
        survey = Survey(partnership_id=partnership.id, code=definition.code,
                        title=definition.title, audience=definition.audience,
                        school_id=school.id if school else None)
        db.session.add(survey)
        version = SurveyVersion(survey=survey, version=1, definition_json=payload,
                                fingerprint=definition.fingerprint)
        db.session.add(version)
        db.session.flush()
        return LoadResult(version, "created")
    latest = survey.latest
    survey.title, survey.audience = definition.title, definition.audience
    if latest.fingerprint == definition.fingerprint:
        return LoadResult(latest, "unchanged")
    if version_in_use(latest):
        version = SurveyVersion(survey=survey, version=latest.version + 1,
                                definition_json=payload, fingerprint=definition.fingerprint)
        db.session.add(version)
        db.session.flush()
        return LoadResult(version, "new_version")
    latest.definition_json, latest.fingerprint = payload, definition.fingerprint
    db.session.flush()
    return LoadResult(latest, "updated")


def _check_owner(survey: Survey, school: School | None) -> None:
    """A survey code belongs to one owner (the coordinator's partnership-wide surveys, or one
    school's): an upload by anyone else is refused, saying whose it is, never merged."""
    owner_id = school.id if school is not None else None
    if survey.school_id == owner_id:
        return
    code = survey.code
    if school is None:
        owner = db.session.get(School, survey.school_id)
        raise SetupError(gettext(
            "The survey code '%(code)s' belongs to %(school)s's survey '%(title)s': give "
            "yours a different code, so theirs is not replaced.",
            code=code, school=owner.name, title=survey.title))
    if survey.school_id is None:
        raise SetupError(gettext(
            "The survey code '%(code)s' is already used by your partnership's "
            "coordinator: give your survey a different code.", code=code))
    raise SetupError(gettext(
        "The survey code '%(code)s' is already used by another school in your "
        "partnership: give your survey a different code.", code=code))


def find_survey(partnership: Partnership, code: str) -> Survey:
    survey = db.session.scalar(
        select(Survey).where(Survey.partnership_id == partnership.id, Survey.code == code)
    )
    if survey is None:
        codes = ", ".join(db.session.scalars(
            select(Survey.code).where(Survey.partnership_id == partnership.id)
            .order_by(Survey.code))) or gettext("none loaded yet")
        raise SetupError(gettext("No survey with code '%(code)s' (surveys: %(codes)s).",
                                 code=code, codes=codes))
    return survey


def create_collection(
    partnership: Partnership, *, survey_code: str, school_name: str, group_name: str,
    phase: str, pair_with: int | None = None, ask_pupil_number: bool = False,
    is_comparison: bool = False, expected_size: int | None = None, pilot: bool = False,
    opens_at: datetime | None = None, closes_at: datetime | None = None,
    language: str | None = None,
) -> Collection:
    """A new collection on the survey's latest version (which freezes that version).
    `language`: the one the pupils' page opens in (the survey's first when not given)."""
    if phase not in PHASES:
        raise SetupError(gettext("Unknown phase '%(phase)s' (use %(phases)s).",
                                 phase=phase, phases=", ".join(PHASES)))
    if opens_at and closes_at and closes_at <= opens_at:
        raise SetupError(gettext("The closing date must be after the opening date."))
    if expected_size is not None and not 0 < expected_size <= 1000:
        raise SetupError(gettext("The group size must be between 1 and 1000."))
    survey = find_survey(partnership, survey_code)
    school = get_or_create_school(partnership, school_name)
    group = get_or_create_group(school, group_name)
    partner = None
    if pair_with is not None:
        partner = db.session.get(Collection, pair_with)
        if partner is None or partner.partnership_id != partnership.id:
            raise SetupError(gettext("There is no collection %(id)s to pair with.",
                                     id=pair_with))
        if partner.survey_version.survey_id != survey.id:
            raise SetupError(gettext("A paired collection must use the same survey."))
        if partner.group_id != group.id:
            raise SetupError(gettext(
                "A paired collection must be the same class: pair with the %(phase)s "
                "collection of %(group)s at %(school)s, or choose 'Not paired'.",
                phase=partner.phase, group=partner.group.name, school=partner.school.name))
    offered = declared(survey.latest.definition)
    if language and language not in offered:
        raise SetupError(gettext(
            "This survey is written in %(names)s (%(codes)s), not '%(lang)s': choose one "
            "of those.", names=", ".join(language_name(c) for c in offered),
            codes=", ".join(offered), lang=language))
    collection = Collection(
        survey_version=survey.latest, group=group, phase=phase, paired_with=partner,
        language=language or offered[0],
        ask_pupil_number=ask_pupil_number, is_comparison=is_comparison, pilot=pilot,
        expected_size=expected_size, opens_at=opens_at, closes_at=closes_at,
    )
    db.session.add(collection)
    db.session.flush()
    if partner is not None and partner.paired_with_id is None:
        partner.paired_with_id = collection.id
    return collection


def close_collection(collection: Collection, now: datetime | None = None) -> None:
    """Stop web answers now (paper is still accepted late); a collection that had not opened
    yet counts as closed too."""
    from survey_app.models.base import utcnow

    now = now or utcnow()
    if collection.opens_at and collection.opens_at > now:
        collection.opens_at = now
    if collection.closes_at is None or collection.closes_at > now:
        collection.closes_at = now


#: A pupil page opened this recently means the class may still be answering.
ANSWERING_MINUTES = 20


def pupils_may_be_answering(collection: Collection, now: datetime | None = None) -> bool:
    """The link is open and someone opened the page in the last ANSWERING_MINUTES."""
    from datetime import timedelta

    from survey_app.models.base import utcnow

    now = now or utcnow()
    last = collection.last_shown_at
    return (collection.state(now) == "open" and last is not None
            and now - last < timedelta(minutes=ANSWERING_MINUTES))


def response_counts(collection_ids: list[int]) -> dict[int, dict[str, int]]:
    """{collection id: {"web": n, "paper": n}} for the given collections."""
    from survey_app.models import Response

    out: dict[int, dict[str, int]] = {cid: {"web": 0, "paper": 0} for cid in collection_ids}
    if not collection_ids:
        return out
    rows = db.session.execute(
        select(Response.collection_id, Response.source, func.count())
        .where(Response.collection_id.in_(collection_ids))
        .group_by(Response.collection_id, Response.source)
    )
    for cid, source, n in rows:
        out[cid][source] = n
    return out


def late_count(collection_id: int) -> int:
    """Answers that arrived late: they waited in a pupil's browser while the connection
    was down and were sent when it came back (the ones with an `answered_at`)."""
    from survey_app.models import Response

    return db.session.scalar(
        select(func.count(Response.answered_at))
        .where(Response.collection_id == collection_id)) or 0


def reopen_collection(collection: Collection) -> None:
    """Undo "Close now" (or a past closing date): web answers are taken again until the
    coordinator or teacher closes it."""
    collection.closes_at = None


# --- loading surveys as a person does (the survey page and the builder) -------------

#: Keeps "7-11" on one line in narrow table cells.
NB_HYPHEN = "\u2011"


def title_names_ages(title: str, ages: str | None) -> bool:
    """True when the title already says the ages ("Pupils 7-11" for ages 7-11), whichever
    dash it uses: adding "(ages 7-11)" again would say it twice."""
    if not ages:
        return False
    dashes = str.maketrans({NB_HYPHEN: "-", "\u2013": "-", "\u2012": "-", "\u2010": "-"})
    plain = re.escape("".join(ages.translate(dashes).split()))
    return re.search(rf"(?<!\d){plain}(?!\d)", "".join(title.translate(dashes).split())) is not None


def survey_label(survey: Survey) -> str:
    """Two bank surveys share the title "Me and science": the ages tell them apart (unless
    the title says them already)."""
    ages = survey.latest.definition.ages
    if not ages or title_names_ages(survey.title, ages):
        return survey.title
    # A non-breaking hyphen keeps "7-11" on one line in narrow table cells.
    return gettext("%(title)s (ages %(ages)s)", title=survey.title,
                   ages=ages.replace("-", NB_HYPHEN))


def load_for_user(user, definition: SurveyDefinition):
    """Load a definition as `user` does: coordinators load partnership-wide surveys; a
    teacher's upload belongs to their school and may not replace a survey someone else owns."""
    school = None if user.is_coordinator else user.school
    return load_survey_version(user.partnership, definition, school=school)


def outcome_sentence(version: SurveyVersion, outcome: str) -> str:
    """What loading a survey did, as the page tells it."""
    title, n = version.survey.title, version.version
    if outcome == "created":
        return gettext("Loaded the new survey '%(title)s' (version %(n)s).", title=title, n=n)
    if outcome == "new_version":
        return gettext("'%(title)s' is already in use, so the changes became version %(n)s; "
                       "collections already running keep their version.", title=title, n=n)
    if outcome == "updated":
        return gettext("Updated '%(title)s' version %(n)s (no collection used it yet).",
                       title=title, n=n)
    return gettext("'%(title)s' is unchanged (version %(n)s).", title=title, n=n)
