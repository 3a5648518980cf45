"""Coordinator and teacher pages: collections, their QR codes, surveys and accounts.

Every object comes through `survey_app.access`, so a teacher sees only their own school
and a coordinator only their partnership; anything outside is a 404, never a 403 that
would confirm it exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, gettext, lazy_gettext
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from forms.definition import DefinitionError, parse_survey
from survey_app import access
from survey_app.admin import qr
from survey_app.admin.operations import (
    SetupError,
    close_collection,
    create_collection,
    late_count,
    load_for_user,
    outcome_sentence,
    pupils_may_be_answering,
    reopen_collection,
    response_counts,
    survey_label,
    version_in_use,
)
from survey_app.admin.wtf import (
    ActionForm,
    CollectionForm,
    UploadSurveyForm,
    choices,
    choices_with_data,
)
from survey_app.downloads import content_disposition
from survey_app.extensions import db
from survey_app.join.codes import format_join_code
from survey_app.languages import language_choices
from survey_app.models import TIME_POINTS, Collection, Survey
from survey_app.urls import join_url, public_url, reach

bp = Blueprint("admin", __name__, url_prefix="/admin")

STATE_WORDS = {"open": lazy_gettext("open"), "closed": lazy_gettext("closed"),
               "not_open": lazy_gettext("not yet open")}


# --- helpers for templates -------------------------------------------------------------


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _to_utc(local: datetime | None) -> datetime | None:
    """A date and time typed on the page, read in the partnership's time zone."""
    return local.replace(tzinfo=_tz()).astimezone(UTC) if local else None


#: Date patterns (Unicode LDML, as Babel reads them): day first, as schools in the UK
#: write dates; Babel fills in the day and month names in the interface language.
LOCALTIME, SHORTDATE, LONGDATE = "EEE dd MMM yyyy, HH:mm", "EEE d MMM, HH:mm", "d MMMM yyyy"


def _in_words(value: datetime | None, pattern: str) -> str:
    """A stored UTC time in the configured zone, with day and month names in the page's
    language ("Mer 2 Rhag" on a Welsh page)."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(_tz()), pattern, rebase=False)


@bp.app_template_filter("localtime")
def localtime(value: datetime | None) -> str:
    """How the page shows a stored UTC time: "Wed 02 Dec 2026, 09:00"."""
    return _in_words(value, LOCALTIME)


@bp.app_template_filter("shortdate")
def shortdate(value: datetime | None) -> str:
    """A date for a table cell: "Wed 2 Dec, 09:00"."""
    return _in_words(value, SHORTDATE)


@bp.app_template_filter("longdate")
def longdate(value: datetime | None) -> str:
    """A day in a sentence: "2 December 2026"."""
    return _in_words(value, LONGDATE)


def _optional_link(endpoint: str, **values) -> str | None:
    """A link to a page another area provides, or None while that area is not built."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:  # the other area chose different URL parameters
        return None


@bp.app_context_processor
def _admin_globals() -> dict:
    return {"state_words": STATE_WORDS, "survey_label": survey_label}


# --- dashboard and collections ---------------------------------------------------------


@bp.get("/")
@login_required
def dashboard():
    collections = access.collections()
    counts = response_counts([c.id for c in collections])
    return render_template("admin/dashboard.html", collections=collections, counts=counts,
                           export_link=_optional_link("export.responses_csv"))


def _fill_collection_choices(form: CollectionForm) -> tuple[list[Survey], list[Collection]]:
    """The form's choices; each survey option says its audience and each "Pair with" option
    its survey, school and class, so the page lists only collections that can pair."""
    surveys = access.surveys()
    form.survey.choices = choices_with_data([("", gettext("Choose a survey"), {})] + [
        (s.code, gettext("%(survey)s, version %(n)s", survey=survey_label(s),
                         n=s.latest.version), {"audience": s.audience})
        for s in surveys])
    if current_user.is_coordinator:
        form.school.choices = choices([("", gettext("Choose a school"))] + [
            (s.name, s.name) for s in access.schools()])
    else:
        form.school.choices = choices([(current_user.school.name, current_user.school.name)])
    pairs = [c for c in access.collections() if c.phase in TIME_POINTS]
    form.pair_with.choices = choices_with_data([("", gettext("Not paired"), {})] + [
        (str(c.id), gettext("#%(id)s %(survey)s: %(school)s, %(group)s (%(phase)s)",
                            id=c.id, survey=survey_label(c.survey_version.survey),
                            school=c.school.name, group=c.group.name, phase=c.phase),
         {"survey": c.survey_version.survey.code, "school": c.school.name,
          "group": c.group.name}) for c in pairs])
    form.language.choices = language_choices(surveys)
    return surveys, pairs


def asks_pupil_number_by_default(survey: Survey | None, phase: str | None) -> bool:
    """Pupil surveys given before or after an activity ask for the pupil number, so the two
    time points can be matched; a form with no survey chosen yet starts ticked too."""
    return (survey is None or survey.audience == "pupil") and phase in ("before", "after")


def _alone_after(form: CollectionForm, school: str, pairs: list[Collection]) -> bool:
    """An "after" with no collection of the same survey and class to compare with."""
    group = " ".join((form.group.data or "").split())
    return form.phase.data == "after" and not any(
        c.survey_version.survey.code == form.survey.data and c.school.name == school
        and c.group.name == group for c in pairs)


@bp.route("/collections/new", methods=["GET", "POST"])
@login_required
def new_collection():
    form = CollectionForm()
    surveys, pairs = _fill_collection_choices(form)
    pairable = {c.id for c in pairs}
    confirm_after = False
    if request.method == "GET":
        chosen = {s.code: s for s in surveys}.get(request.args.get("survey", ""))
        if chosen is not None:  # "Create a collection with ..." from the builder
            form.survey.data = chosen.code
        form.ask_pupil_number.data = asks_pupil_number_by_default(chosen, form.phase.data)
    if form.validate_on_submit():
        if current_user.is_coordinator:
            school = (form.new_school.data or "").strip() or form.school.data
        else:
            school = current_user.school.name
        pair_with = int(form.pair_with.data) if (form.pair_with.data or "").isdigit() else None
        if pair_with is not None and pair_with not in pairable:
            pair_with = -1  # outside this person's scope: reported as "no such collection"
        confirm_after = (pair_with is None and not form.after_alone.data
                         and _alone_after(form, " ".join((school or "").split()), pairs))
        try:
            if not school:
                raise SetupError(gettext("Choose a school, or type the name of a new one."))
            if confirm_after:
                raise SetupError(gettext(
                    "There is no 'before' of this survey for this class to compare with, so "
                    "this 'after' alone cannot show a change. Is that what you want? Tick "
                    "'Yes' below to create it anyway, or choose 'Before the activity'."))
            collection = create_collection(
                current_user.partnership, survey_code=form.survey.data, school_name=school,
                group_name=form.group.data, phase=form.phase.data, pair_with=pair_with,
                ask_pupil_number=form.ask_pupil_number.data,
                is_comparison=form.is_comparison.data, pilot=form.pilot.data,
                expected_size=form.expected_size.data,
                opens_at=_to_utc(form.opens_at.data), closes_at=_to_utc(form.closes_at.data),
                language=form.language.data or None,
            )
        except SetupError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(gettext("Collection created. Show the QR code to the class, or print the "
                          "poster."), "info")
            return redirect(url_for("admin.collection", collection_id=collection.id))
    groups = sorted({g.name for s in access.schools() for g in s.groups})
    return render_template("admin/new_collection.html", form=form, surveys=surveys,
                           groups=groups, timezone=str(_tz()), confirm_after=confirm_after)


@bp.get("/collections/<int:collection_id>")
@login_required
def collection(collection_id: int):
    c = access.collection_or_404(collection_id)
    counts = response_counts([c.id])[c.id]
    return render_template(
        "admin/collection.html", c=c, counts=counts, late=late_count(c.id),
        url=public_url(c), form=ActionForm(),
        join_code=format_join_code(c.join_code), join_url=join_url(), reach=reach(),
        print_link=_optional_link("paper.print_form", collection_id=c.id),
        csv_link=_optional_link("export.responses_csv", collection=c.id),
        codebook_link=_optional_link("export.codebook_csv",
                                     survey=c.survey_version.survey.code),
        timezone=str(_tz()),
    )


@bp.get("/collections/<int:collection_id>/board")
@login_required
def board(collection_id: int):
    """The QR code as big as the screen, for the classroom projector: no menus, no counts."""
    c = access.collection_or_404(collection_id)
    return render_template("admin/board.html", c=c, url=public_url(c), reach=reach(),
                           join_code=format_join_code(c.join_code), join_url=join_url())


@bp.post("/collections/<int:collection_id>/close")
@login_required
def close(collection_id: int):
    c = access.collection_or_404(collection_id)
    grace = current_app.config["CLOSE_GRACE_MINUTES"]
    if pupils_may_be_answering(c) and request.form.get("confirmed") != "yes":
        return render_template("admin/close_confirm.html", c=c, form=ActionForm(),
                               grace=grace, since=localtime(c.last_shown_at))
    close_collection(c)
    db.session.commit()
    flash(gettext("The collection is closed: the link no longer takes answers (a pupil who "
                  "had the survey open may still send it in the next %(minutes)s minutes). "
                  "Paper copies can still be scanned.", minutes=format(grace, "g")), "info")
    return redirect(url_for("admin.collection", collection_id=c.id))


@bp.post("/collections/<int:collection_id>/reopen")
@login_required
def reopen(collection_id: int):
    c = access.collection_or_404(collection_id)
    reopen_collection(c)
    db.session.commit()
    flash(gettext("The collection is open again: the link takes answers until you close it."),
          "info")
    return redirect(url_for("admin.collection", collection_id=c.id))


def _download(data: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(filename, inline=inline),
        "Cache-Control": "private, max-age=300",
    })


def _file_stem(c: Collection) -> str:
    return f"collection-{c.id}"


@bp.get("/collections/<int:collection_id>/qr.png")
@login_required
def qr_png(collection_id: int):
    c = access.collection_or_404(collection_id)
    return _download(qr.qr_png(public_url(c)), "image/png", f"{_file_stem(c)}-qr.png")


@bp.get("/collections/<int:collection_id>/qr.svg")
@login_required
def qr_svg(collection_id: int):
    c = access.collection_or_404(collection_id)
    # Inline when shown on the collection page; the download link adds ?download=1.
    return _download(qr.qr_svg(public_url(c)), "image/svg+xml", f"{_file_stem(c)}-qr.svg",
                     inline="download" not in request.args)


@bp.get("/collections/<int:collection_id>/poster.pdf")
@login_required
def poster(collection_id: int):
    c = access.collection_or_404(collection_id)
    pdf = qr.poster_pdf(qr.Poster(url=public_url(c), survey_title=c.survey_version.survey.title,
                                  school=c.school.name, group=c.group.name,
                                  join_url=join_url(), join_code=format_join_code(c.join_code)))
    return _download(pdf, "application/pdf", f"{_file_stem(c)}-poster.pdf")


# --- surveys ---------------------------------------------------------------------------


@bp.route("/surveys", methods=["GET", "POST"])
@login_required
def surveys():
    form = UploadSurveyForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        name = upload.filename or "upload.yaml"
        raw = upload.read()
        try:
            definition = parse_survey(raw.decode("utf-8"), name)
        except UnicodeDecodeError:
            problems = [gettext("%(file)s: the file is not UTF-8 text; save it as UTF-8 and "
                                "try again.", file=name)]
        except DefinitionError as exc:
            problems = [str(p) for p in exc.problems]
        else:
            try:
                result = load_for_user(current_user, definition)
            except SetupError as exc:
                db.session.rollback()
                problems = [str(exc)]
            else:
                db.session.commit()
                flash(outcome_sentence(result.version, result.outcome), "info")
                return redirect(url_for("admin.surveys"))
    elif form.is_submitted():
        problems = [e for errs in form.errors.values() for e in errs]
    rows = []
    for s in access.surveys():
        rows.append((s, [(v, version_in_use(v)) for v in reversed(s.versions)]))
    return render_template("admin/surveys.html", form=form, rows=rows, problems=problems)


# The accounts routes live in their own module and register on `bp` when it is imported;
# imported last, when `bp` exists (as plans.views does with plans.editing).
from survey_app.admin import accounts  # noqa: E402, F401
