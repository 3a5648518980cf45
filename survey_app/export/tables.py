"""Export tables: each yields a header, then rows of strings. Here: the columns and codes,
what the person asked for (Filters) and the survey versions it reaches, what each cell
says, and the codebook; the response rows are laid out in rows.py and the columns
described for SPSS and Stata in fields.py.

The CSV writers (csvfile.py) only format what these yield, so the command line and the
download route give the same bytes (Indico's `generate_spreadsheet_from_survey` pattern).
Rows come from streamed queries read in chunks (`yield_per`: server-side cursors on
PostgreSQL), so memory stays flat however many responses there are.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from forms.answers import MULTI_SEP
from forms.definition import RETRO_SHORT, SurveyDefinition
from forms.scales import TEXT
from forms.scoring import right_values
from forms.wording import DEFAULT_LANGUAGE
from survey_app.access import Scope
from survey_app.extensions import db
from survey_app.models import (
    TIME_POINTS,
    Collection,
    Group,
    Response,
    School,
    Survey,
    SurveyVersion,
)

FIXED_COLUMNS = (
    "partnership", "response_id", "survey", "survey_version", "collection_id", "school",
    "group", "arm", "phase", "time_point", "pilot", "source", "sheet_id", "pupil_number",
    "submitted_at", "needs_review",
)
LONG_COLUMNS = (*FIXED_COLUMNS[:-1], "question_code", "value", "status")
CODEBOOK_COLUMNS = (
    "survey", "survey_version", "question_code", "question_text", "scale", "measures",
    "value", "label",
)
#: Added after the answer columns when the survey has knowledge checks (forms.scoring).
SCORE_COLUMNS = ("score", "score_max")
SCORE_CODES = (
    ("score", "Knowledge checks answered right (options marked correct in the survey "
     "file); blank when none was answered or one still needs review", "knowledge"),
    ("score_max", "How many knowledge checks the pupil's survey version has", "knowledge"),
)
#: Added to the codebook label of an option marked correct (coordinators only see it).
CORRECT_NOTE = " (correct answer)"
#: The study design, coded: which arm a response is in and when it was given.
ARMS = {False: "participant", True: "comparison"}
#: Time points in the order they happen (models.TIME_POINTS); "once" has none.
TIME_POINT_CODES = {phase: str(i) for i, phase in enumerate(TIME_POINTS, start=1)}
#: A pilot collection's responses: exported (marked), never in results.
PILOT_CODES = {False: "false", True: "true"}
#: What the design columns mean, for the codebook (rows with no survey: every survey).
DESIGN_CODES = (
    ("partnership", "The partnership the school belongs to", "", ()),
    ("arm", "Took part in the activity, or a comparison group that did not", "", (
        ("participant", "Took part"), ("comparison", "Comparison group (did not take part)"))),
    ("phase", "When the collection was given", "", (
        ("before", "Before the activity"), ("during", "During the activity"),
        ("after", "After the activity"), ("follow-up", "Follow-up, some time after"),
        ("once", "Asked once"))),
    ("time_point", "Time point in order (blank: asked once)", "", tuple(
        (code, phase.capitalize()) for phase, code in TIME_POINT_CODES.items())),
    ("pilot", "A pilot (trial run of the questions), never part of results", "", (
        ("false", "Real survey"), ("true", "Pilot"))),
    ("source", "How the answers came in", "", (
        ("web", "On a phone, tablet or computer"), ("paper", "On a scanned paper sheet"))),
)
#: Rows fetched from the database per round trip; bounds memory, not correctness.
CHUNK_ROWS = 2000
#: A cell starting with one of these is a formula to Excel/LibreOffice (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RETRO_TEXT = {suffix: f" [{short}]" for suffix, short in RETRO_SHORT.items()}


class ExportError(ValueError):
    """An export that cannot be made as asked; the message says what to do instead."""


class SeveralSurveys(ExportError):
    """The wide format holds one survey; the caller says how to choose (flag or query)."""

    def __init__(self, codes: Sequence[str]):
        self.codes = list(codes)
        super().__init__(f"The responses to export come from several surveys "
                         f"({', '.join(self.codes)}): choose one survey.")


@dataclass(frozen=True)
class Filters:
    """What the person asked for, inside their scope. `school` is a name, `school_id` an
    id (the download links use ids; people at the command line type names)."""

    survey: str | None = None
    collection_id: int | None = None
    school: str | None = None
    school_id: int | None = None
    phase: str | None = None
    labels: bool = False


def safe_text(value: str | None) -> str:
    """Free text as a spreadsheet cell that is never run as a formula."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value or ""


def iso_utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


# --- which data: scope, filters and the survey versions they reach ---------------------


def scoped(stmt: Select, scope: Scope, filters: Filters) -> Select:
    """Limit a select that already joins Collection, Group, School, SurveyVersion, Survey.
    Shared with `rows.py`, so the rows and the checks here reach the same responses."""
    stmt = scope.schools(stmt)
    conditions = []
    if filters.survey:
        conditions.append(Survey.code == filters.survey)
    if filters.collection_id is not None:
        conditions.append(Collection.id == filters.collection_id)
    if filters.school:
        conditions.append(School.name == filters.school)
    if filters.school_id is not None:
        conditions.append(School.id == filters.school_id)
    if filters.phase:
        conditions.append(Collection.phase == filters.phase)
    return stmt.where(*conditions)


def join_collection(stmt: Select) -> Select:
    """Join a select on Collection to its survey version, survey, group and school, as
    `scoped` needs (here and in `rows.py`)."""
    return (stmt.join(SurveyVersion, SurveyVersion.id == Collection.survey_version_id)
            .join(Survey, Survey.id == SurveyVersion.survey_id)
            .join(Group, Group.id == Collection.group_id)
            .join(School, School.id == Group.school_id))


@dataclass
class ExportedVersion:
    """One survey version the export reaches, with what its cells need precomputed (built
    here, read by `rows.py`)."""

    id: int
    code: str
    number: int
    partnership_id: int
    definition: SurveyDefinition
    text_columns: frozenset[str] = field(init=False)
    labels: dict[str, dict[str, str]] = field(init=False)
    order: dict[str, int] = field(init=False)
    #: Knowledge check code -> the stored answers that count as right (forms.scoring).
    right_values: dict[str, frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        d = self.definition
        self.text_columns = frozenset(c for q in d.questions if q.kind == TEXT
                                      for c in q.columns)
        self.labels = {c: {o: q.label(o) for o in q.answer_codes}
                       for q in d.questions for c in q.columns}
        self.order = {c: i for i, c in enumerate(d.columns)}
        self.right_values = {q.code: right_values(q) for q in d.knowledge_questions}

    def score_cells(self, answers: Sequence[Sequence[str]]) -> list[str]:
        """(score, score_max) of one response's answers (column, value, status rows), as
        forms.scoring counts it: blank when no knowledge check was answered or one waits
        for review."""
        right = self.right_values
        if not right:
            return ["", ""]
        mine = [(column, value, status) for _, column, value, status in answers
                if column in right]
        if not mine or any(status != "ok" for _c, _v, status in mine):
            return ["", str(len(right))]
        return [str(sum(value in right[column] for column, value, _s in mine)),
                str(len(right))]

    def cell(self, column: str, value: str, status: str, labels: bool) -> str:
        """The exported cell: blank unless status is ok; free text made formula-safe;
        option codes as stored, or their labels when asked."""
        if status != "ok" or not value:
            return ""
        if column in self.text_columns or column not in self.order:
            return safe_text(value)
        if labels:
            words = self.labels.get(column, {})
            return MULTI_SEP.join(safe_text(words.get(v, v)) for v in value.split(MULTI_SEP))
        return value


def check_filters(scope: Scope, filters: Filters) -> None:
    """Name what does not exist, rather than exporting an empty file that puzzles. Called
    by `rows.py` before it streams anything."""
    if filters.survey:
        stmt = scope.surveys(select(Survey.code).distinct().order_by(Survey.code))
        codes = list(db.session.scalars(stmt))
        if filters.survey not in codes:
            raise ExportError(f"There is no survey with code '{filters.survey}' (surveys: "
                              f"{', '.join(codes) or 'none loaded yet'}).")
    if filters.school:
        stmt = scope.schools(select(School.name).distinct().order_by(School.name))
        names = list(db.session.scalars(stmt))
        if filters.school not in names:
            raise ExportError(f"There is no school called '{filters.school}' (schools: "
                              f"{', '.join(names) or 'none yet'}).")
    if filters.collection_id is not None:
        found = db.session.scalar(scoped(join_collection(select(Collection.id)), scope,
                                          replace(filters, survey=None, school=None,
                                                  school_id=None, phase=None)))
        if found is None:
            raise ExportError(f"There is no collection {filters.collection_id} that you can "
                              "export: check its number on the Collections page (or with "
                              "`survey-app collections list`).")


def versions_in_scope(scope: Scope, filters: Filters) -> list[ExportedVersion]:
    """The survey versions that have responses in scope, oldest first (for `rows.py`)."""
    has_responses = exists().where(Response.collection_id == Collection.id)
    stmt = scoped(join_collection(
        select(SurveyVersion.id, School.partnership_id).distinct()
        .select_from(Collection)), scope, filters).where(has_responses)
    found = [(db.session.get(SurveyVersion, version_id), partnership_id)
             for version_id, partnership_id in db.session.execute(stmt).all()]
    found.sort(key=lambda pair: (pair[0].created_at, pair[0].id))
    return [ExportedVersion(v.id, v.survey.code, v.version, partnership_id, v.definition)
            for v, partnership_id in found]


def union_columns(definitions: Sequence[SurveyDefinition]) -> list[str]:
    """Answer columns across versions of one survey: the newest version's order, then
    columns only older versions had (newest first), as questions match by code."""
    out: dict[str, None] = {}
    for d in reversed(definitions):
        out.update(dict.fromkeys(d.columns))
    return list(out)


def latest_definition(scope: Scope, code: str) -> SurveyDefinition | None:
    """The newest definition of survey `code` in scope: the columns of an export with no
    responses yet (`rows.py`) and of the codebook here."""
    stmt = (select(SurveyVersion).join(Survey).where(Survey.code == code)
            .order_by(SurveyVersion.created_at.desc(), SurveyVersion.id.desc()).limit(1))
    if scope.partnership_id is not None:
        stmt = stmt.where(Survey.partnership_id == scope.partnership_id)
    v = db.session.scalar(stmt)
    return v.definition if v else None


def codebook_rows(scope: Scope, survey: str | None = None) -> Iterator[list[str]]:
    """What each code means: one row per option of every answer column of every survey
    version in scope (number and text columns: one row with no value or label)."""
    # The rows are streamed after the view returns, when the session is closed: load the
    # survey with its versions now (a lazy load then is a DetachedInstanceError).
    stmt = scope.surveys(select(SurveyVersion).join(Survey)
                         .options(joinedload(SurveyVersion.survey))
                         .order_by(Survey.code, SurveyVersion.version, SurveyVersion.id))
    if survey:
        stmt = stmt.where(Survey.code == survey)
    versions = list(db.session.scalars(stmt))
    return _codebook(versions)


def codebook_languages(versions: list[SurveyVersion]) -> list[str]:
    """The languages whose words the codebook adds (`question_text_<lang>`, `label_<lang>`
    for each): every language of the surveys in it, once any of them is written in more
    than English; none for English-only surveys (the codebook stays as it always was)."""
    langs = list(dict.fromkeys(lang for v in versions for lang in v.definition.languages))
    return [] if langs in ([], [DEFAULT_LANGUAGE]) else langs


def _codebook(versions: list[SurveyVersion]) -> Iterator[list[str]]:
    langs = codebook_languages(versions)
    yield [*CODEBOOK_COLUMNS, *(f"{name}_{lang}" for lang in langs
                                for name in ("question_text", "label"))]
    blank = [""] * (2 * len(langs))
    for column, text, measures, codes in DESIGN_CODES:
        if not codes:
            yield ["", "", column, text, "", measures, "", "", *blank]
        for value, label in codes:
            yield ["", "", column, text, "", measures, value, label, *blank]
    seen: set[tuple[str, int, str]] = set()
    for v in versions:
        key = (v.survey.code, v.version, v.fingerprint)
        if key in seen:  # the same bank file loaded into several partnerships
            continue
        seen.add(key)
        # Each language's survey (None where this one is not written in it).
        others = [v.definition.in_language(lang) if lang in v.definition.languages else None
                  for lang in langs]
        for q in v.definition.questions:
            said = [one.question(q.code) if one else None for one in others]
            for column in q.columns:
                retro = RETRO_TEXT.get(column[len(q.code):], "")
                head = [v.survey.code, str(v.version), column, safe_text(q.text + retro),
                        q.scale, q.measures or ""]
                texts = [safe_text(o.text + retro) if o else "" for o in said]
                if not q.options:
                    yield [*head, "", "", *(x for t in texts for x in (t, ""))]
                correct = set(q.correct_codes)
                for code in q.answer_codes:
                    note = ("" if code in q.option_codes else " (missing)") \
                        + (CORRECT_NOTE if code in correct else "")
                    labels = [safe_text(o.label(code) + note) if o else "" for o in said]
                    yield [*head, code, safe_text(q.label(code) + note),
                           *(x for pair in zip(texts, labels, strict=True) for x in pair)]
        checks = len(v.definition.knowledge_questions)
        for column, text, measures in SCORE_CODES if checks else ():
            value = str(checks) if column == "score_max" else ""
            yield [v.survey.code, str(v.version), column, text, "", measures, value, "",
                   *blank]


def survey_codes(scope: Scope, filters: Filters) -> list[str]:
    """The surveys that have responses in scope (one file each for a directory export)."""
    check_filters(scope, filters)
    return sorted({v.code for v in versions_in_scope(scope, filters)})
