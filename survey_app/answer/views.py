"""The public answering page, `/s/<token>`: what a pupil reaches from the QR code.

The POST path is kept lean on purpose (a class of thirty submits within a minute): one
query for the collection with its survey version, the cached definition and form class,
the normaliser, and `record_response`'s one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, lazy_gettext
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, TimestampSigner
from limits import parse_many
from markupsafe import Markup
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from wtforms.validators import ValidationError

from forms.answers import normalise, normalise_pupil_number, unknown_fields
from forms.definition import NOW, THEN, Question, SurveyDefinition, retro_labels
from forms.faces import face_svg
from survey_app.answer.messages import translated
from survey_app.answer.offline import answered_at
from survey_app.answer.operations import record_response
from survey_app.answer.timings import clean_timings
from survey_app.answer.wtf import FORM_FIELDS, SUBMISSION_ID_RE, AnswerForm, form_class
from survey_app.extensions import csrf, db, limiter
from survey_app.languages import (
    declared,
    guess_language,
    in_language,
    language_name,
    language_name_in,
    pupil_language,
    remember_choice,
    use_language,
)
from survey_app.models import Collection, SurveyVersion
from survey_app.models.base import utcnow
from survey_app.models.collections import window_state
from survey_app.pupil_numbers import pupil_number_max

bp = Blueprint("answer", __name__)

#: Face size on the pupil page, in CSS px (the issue asks for about 72).
FACE_PX = 72
#: A Send with nothing ticked (a tap too early) would store an empty response.
NOTHING_ANSWERED = lazy_gettext(
    "You have not answered any questions yet. Please choose an answer.")
#: How often a collection notes that its page was opened ("Close now" warns on it).
NOTE_SHOWN_EVERY = timedelta(minutes=1)


@bp.url_value_preprocessor
def _small_bodies_only(_endpoint, _values):
    """A pupil's answers are a few KB: a bigger body is refused (413) before it is read,
    instead of the site-wide upload limit. Runs before every before_request hook."""
    request.max_content_length = current_app.config["ANSWER_MAX_BODY_BYTES"]


@bp.errorhandler(413)
def _too_big(_exc):
    use_language(guess_language())
    return render_template("answer/too_big.html", pupil=True), 413


#: Parsed ANSWER_RATE_LIMIT, by its text.
_rate_limits: dict[str, list] = {}


def _throttled() -> bool:
    """Counts this send against the client address's allowance (ANSWER_RATE_LIMIT); True
    once it is used up. Generous: a whole school may send from one NAT address."""
    if not limiter.enabled:
        return False
    setting = current_app.config["ANSWER_RATE_LIMIT"]
    items = _rate_limits.get(setting) or _rate_limits.setdefault(setting,
                                                                 parse_many(setting))
    address = request.remote_addr or ""
    return not all([limiter.limiter.hit(item, "answer", address) for item in items])


def _shown_signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt="answer-form-shown")


def _shown_at(collection: Collection, stamp: str) -> datetime | None:
    """When the page carrying `stamp` was shown (signed, so it cannot be made up)."""
    try:
        value, when = _shown_signer().unsign(stamp, return_timestamp=True)
    except BadSignature:
        return None
    return when if value.decode() == collection.public_token else None


def _shown_stamp(collection: Collection) -> str:
    """The signed time the form was first shown; a re-render keeps the posted one."""
    posted = request.form.get("_shown", "") if request.method == "POST" else ""
    if posted and _shown_at(collection, posted) is not None:
        return posted
    return _shown_signer().sign(collection.public_token).decode()


def _in_grace(collection: Collection) -> bool:
    """A send after closing, from a page shown before it, answered within
    CLOSE_GRACE_MINUTES of closing: the pupil was mid-survey when the teacher pressed
    "Close now", or answered before it and the answers waited in the browser for the
    connection to come back (they then arrive late, answered_at says when)."""
    closes = collection.closes_at
    shown = _shown_at(collection, request.form.get("_shown", ""))
    if closes is None or shown is None:
        return False
    grace = timedelta(minutes=current_app.config["CLOSE_GRACE_MINUTES"])
    answered = answered_at(request.form) or utcnow()
    return shown < closes and answered <= closes + grace


def _note_shown(collection: Collection) -> None:
    """Best effort: a pupil's page never fails because this note could not be written."""
    now = utcnow()
    if collection.last_shown_at is None or now - collection.last_shown_at > NOTE_SHOWN_EVERY:
        try:
            db.session.execute(update(Collection).where(Collection.id == collection.id)
                               .values(last_shown_at=now))
            db.session.commit()
        except SQLAlchemyError as exc:
            db.session.rollback()
            current_app.logger.warning("could not note that the survey was shown: %s", exc)


@cache
def _by_token():
    """Built once, on first use: constructing an ORM select costs more than running it on
    SQLite, and the same statement object reuses its compiled form on every request. Not at
    import: `joinedload` configures every mapper (~0.1 s of each CLI command's start-up)."""
    return (
        select(Collection).options(joinedload(Collection.survey_version))
        .where(Collection.public_token == bindparam("token"))
    )


def _load(token: str) -> Collection | None:
    """The collection with its survey version, in one query."""
    return db.session.scalar(_by_token(), {"token": token})


#: The few columns a good submission needs, without building ORM objects: the hot path when
#: a class presses Send together (benchmarks/submit_bench.py). Anything else (a page to
#: show again, a closed collection) loads the full collection.
_LIGHT_BY_TOKEN = (
    select(Collection.id, Collection.opens_at, Collection.closes_at,
           Collection.ask_pupil_number, SurveyVersion.fingerprint,
           Collection.survey_version_id)
    .join(SurveyVersion, Collection.survey_version_id == SurveyVersion.id)
    .where(Collection.public_token == bindparam("token"))
)
#: Parsed definitions by fingerprint (a content hash, so an entry can never go stale).
_definitions: dict[str, SurveyDefinition] = {}


def _definition(fingerprint: str, version_id: int) -> SurveyDefinition:
    survey = _definitions.get(fingerprint)
    if survey is None:
        if len(_definitions) > 512:
            _definitions.clear()
        survey = _definitions[fingerprint] = db.session.get(SurveyVersion,
                                                            version_id).definition
    return survey


def _quick_submit(token: str):
    """Store a good submission with the least work; None when the full page is needed
    (closed, unknown fields, an old token, answers to correct). The checks are the same
    as the full path's (CSRF, forms.answers), only without building the WTForms form."""
    row = db.session.execute(_LIGHT_BY_TOKEN, {"token": token}).first()
    if row is None or window_state(row.opens_at, row.closes_at) != "open":
        return None
    survey = _definition(row.fingerprint, row.survey_version_id)
    posted = request.form
    sid = posted.get("submission_id", "")
    if unknown_fields(survey, list(posted.keys()), FORM_FIELDS) \
            or not SUBMISSION_ID_RE.match(sid):
        return None
    try:
        validate_csrf(posted.get("csrf_token"))
    except ValidationError:
        return None
    result = normalise(survey, posted.to_dict(flat=False))
    if not result.ok or not result.values:
        return None
    pupil_number = None
    if row.ask_pupil_number:
        try:
            pupil_number = normalise_pupil_number(posted.get("pupil_number"),
                                                  pupil_number_max())
        except ValueError:
            return None
        if pupil_number is None:
            return None
    record_response(row, result.values, source="web", submission_key="web:" + sid,
                    pupil_number=pupil_number, answered_at=answered_at(posted),
                    timings_json=_timings(survey))
    # 303: a reload of the thank-you page is a GET, never a second POST.
    return redirect(url_for("answer.thanks", token=token), code=303)


def _timings(survey: SurveyDefinition) -> str | None:
    """The page script's per-question timings, checked (never required)."""
    return clean_timings(request.form.get("_timings"), (q.code for q in survey.questions))


def _not_found():
    use_language(guess_language())
    return render_template("answer/not_found.html", pupil=True), 404


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so a stale token keeps the answers (see wtf.py)
def form(token: str):
    posting = request.method == "POST"
    busy = posting and _throttled()
    if posting and not busy:
        done = _quick_submit(token)
        if done is not None:
            return done
    collection = _load(token)
    if collection is None:
        return _not_found()
    version = collection.survey_version
    survey = version.definition
    if not posting and request.args.get("lang"):
        remember_choice(request.args["lang"], declared(survey))
    use_language(pupil_language(declared(survey), collection.language))
    state = collection.state()
    if posting and state == "closed" and _in_grace(collection):
        state = "open"
    if state != "open":
        return _closed_page(collection, state), 403 if posting else 200

    the_form = form_class(version.fingerprint, survey, collection.ask_pupil_number)()
    the_form.ensure_submission_id()
    if not posting:
        _note_shown(collection)
        return _form_page(collection, the_form)
    if busy:
        # Too many sends from this address just now: keep every answer, ask to wait.
        return _form_page(collection, the_form, busy=True), 429, {"Retry-After": "60"}

    unknown = unknown_fields(survey, list(request.form.keys()), FORM_FIELDS)
    if unknown:
        return render_template("answer/bad_request.html", fields=unknown,
                               survey=_in_page_language(survey), collection=collection,
                               pupil=survey.audience == "pupil"), 400
    if not the_form.csrf_ok():
        # An old page (session cookie lost, server key changed): keep every answer, ask
        # for one more press. Nothing is stored without a valid token.
        return _form_page(collection, the_form, resend=True), 400
    result, pupil_number = the_form.check_answers()
    if result.ok and not result.values:
        first = survey.questions[0].columns[0]
        the_form.add_error(first, NOTHING_ANSWERED)
        result.errors[first] = NOTHING_ANSWERED
    if not result.ok:
        return _form_page(collection, the_form, errors=result.errors), 422
    record_response(collection, result.values, source="web",
                    submission_key="web:" + the_form.submission_id.data,
                    pupil_number=pupil_number, answered_at=answered_at(request.form),
                    timings_json=_timings(survey))
    # 303: a reload of the thank-you page is a GET, never a second POST.
    return redirect(url_for("answer.thanks", token=token), code=303)


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    collection = _load(token)
    if collection is None:
        return _not_found()
    survey = collection.survey_version.definition
    use_language(pupil_language(declared(survey), collection.language))
    pupil = survey.audience == "pupil"
    return render_template("answer/thanks.html", collection=collection,
                           survey=_in_page_language(survey), pupil=pupil,
                           speech_note=_speech_note() if pupil else "")


# --- rendering helpers -------------------------------------------------------------------


def _form_page(collection: Collection, form: AnswerForm, *, errors: dict | None = None,
               resend: bool = False, busy: bool = False) -> str:
    survey = _in_page_language(form.survey)
    pupil = survey.audience == "pupil"
    _translate_errors(form)
    summary = []
    for col, message in (errors or {}).items():
        message = translated(str(message))
        if col == "pupil_number":
            summary.append(("q-pupil_number", gettext("What is your number?") if pupil
                            else gettext("Your child's pupil number")
                            if survey.audience == "parent" else gettext("Your number"),
                            message))
        else:
            q = survey.question_for_column(col)
            summary.append((f"q-{q.code}", q.text, message))
    return render_template(
        "answer/form.html", collection=collection, survey=survey, form=form, pupil=pupil,
        summary=summary, resend=resend, busy=busy, face=_face, say=_say,
        retro_label=_retro_label, where=_where(collection), shown=_shown_stamp(collection),
        switch=_switch(form.survey), speech_note=_speech_note() if pupil else "",
    )


#: Surveys in one language, by (fingerprint, language): built once per process.
_by_language: dict[tuple[str, str], SurveyDefinition] = {}


def _in_page_language(survey: SurveyDefinition) -> SurveyDefinition:
    """The survey with every text in this page's language (use_language chose it)."""
    lang = g.get("page_lang") or declared(survey)[0]
    key = (survey.fingerprint, lang)
    found = _by_language.get(key)
    if found is None:
        if len(_by_language) > 512:
            _by_language.clear()
        found = _by_language[key] = in_language(survey, lang)
    return found


def _switch(survey: SurveyDefinition) -> list[tuple[str, str, bool]]:
    """The language links on the first screen: (code, its own name, shown now), one for
    each language the survey declares; none for a survey in one language."""
    if len(declared(survey)) < 2:
        return []
    lang = g.get("page_lang")
    return [(code, language_name(code), code == lang) for code in declared(survey)]


def _speech_note() -> str:
    """Said where the device has no voice for the page's language (answer.js decides)."""
    lang = g.get("page_lang") or "en"
    if lang.split("-")[0] == "en":
        return ""
    return gettext("This device cannot read %(language)s aloud.",
                   language=language_name_in(lang, str(get_locale())))


def _translate_errors(form: AnswerForm) -> None:
    """The normaliser's messages (forms.answers, plain English) in the page's language."""
    for field in form:
        if field.errors:
            field.errors = [translated(str(e)) for e in field.errors]


def preview_page(survey: SurveyDefinition, *, where: str = "",
                 ask_pupil_number: bool = False) -> str:
    """The answering page for a definition with no collection behind it (the survey
    builder's phone preview): the same template and form, a token that answers nothing."""
    the_form = form_class(survey.fingerprint, survey, ask_pupil_number)()
    the_form.ensure_submission_id()
    use_language(declared(survey)[0])
    return render_template(
        "answer/form.html", collection=SimpleNamespace(public_token="preview"),
        survey=_in_page_language(survey),
        form=the_form, pupil=survey.audience == "pupil", summary=[], resend=False,
        face=_face, say=_say, retro_label=_retro_label, where=where,
    )


def _closed_page(collection: Collection, state: str) -> str:
    survey = collection.survey_version.definition
    when = collection.opens_at if state == "not_open" else collection.closes_at
    return render_template("answer/closed.html", collection=collection,
                           survey=_in_page_language(survey), state=state, when=_local(when),
                           pupil=survey.audience == "pupil")


def _face(q: Question, index: int) -> Markup:
    """The face for option `index` of a faces question (saddest first, as on paper)."""
    return Markup(face_svg(index, len(q.options), size=FACE_PX))


def _retro_label(column: str) -> str:
    """"Before the workshop" or "Now" in the page's language (forms' phrasebook)."""
    for suffix, label in retro_labels(g.get("page_lang") or "en").items():
        if column.endswith(suffix):
            return label
    return ""


def _say(q: Question) -> str:
    """What the read-aloud button speaks: the question, then its choices, as sentences a
    voice reads naturally ("Do you like science? No, a bit, yes."): no doubled marks. An
    "I don't know" answer, where offered, is read last."""
    if not q.options:
        return _sentence(q.text)
    labels = [q.label(code).strip().rstrip(".") for code in q.answer_codes]
    words = ", ".join([labels[0], *(_mid_sentence(label) for label in labels[1:])])
    if q.retrospective:
        retro = retro_labels(g.get("page_lang") or "en")
        return f"{_sentence(q.text)} {retro[THEN]}: {words}. {retro[NOW]}: {words}."
    return f"{_sentence(q.text)} {words}."


def _sentence(text: str) -> str:
    """`text` ending as a sentence: a full stop only when it has no end mark of its own."""
    text = text.strip()
    return text if text.endswith((".", "?", "!", "\u2026")) else f"{text}."


def _mid_sentence(label: str) -> str:
    """A choice read after a comma: "A bit" becomes "a bit"; "I", "I'm" and capitals
    such as "STEM" stay as they are."""
    first = label.split(" ", 1)[0]
    if first == "I" or first.startswith("I'") or (len(first) > 1 and not first[1:].islower()):
        return label
    return label[:1].lower() + label[1:]


def _where(collection: Collection) -> str:
    """The group and school, so a teacher can check the QR code is the right one."""
    group = collection.group
    return f"{group.name}, {group.school.name}"


def _local(when: datetime | None) -> str:
    if when is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    t = when.astimezone(zone)
    locale = get_locale()
    return gettext("%(day)s at %(time)s", day=format_date(t, "EEEE d MMMM", locale=locale),
                   time=format_time(t, "HH:mm", locale=locale))
