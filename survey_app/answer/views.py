"""The public answering page, `/s/<token>`: what a pupil reaches from the QR code.

The routes only: a good submission takes the fast path in `submit.py`; the pages are drawn
by `pages.py`; the signed "shown at" stamp is in `shown.py`.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from forms.answers import unknown_fields
from survey_app.answer.offline import answered_at
from survey_app.answer.operations import record_response
from survey_app.answer.pages import (
    closed_page,
    form_page,
    in_page_language,
    preview_page,
    speech_note,
)
from survey_app.answer.shown import in_grace, note_shown
from survey_app.answer.submit import posted_timings, quick_submit, throttled
from survey_app.answer.wtf import FORM_FIELDS, form_class
from survey_app.extensions import csrf, db
from survey_app.languages import (
    declared,
    guess_language,
    pupil_language,
    remember_choice,
    use_language,
)
from survey_app.models import Collection

__all__ = ["bp", "preview_page"]

bp = Blueprint("answer", __name__)

#: A Send with nothing ticked (a tap too early) would store an empty response.
NOTHING_ANSWERED = lazy_gettext(
    "You have not answered any questions yet. Please choose an answer.")


@bp.url_value_preprocessor
def _small_bodies_only(_endpoint, _values):
    """A pupil's answers are a few KB: a bigger body is refused (413) before it is read,
    instead of the site-wide upload limit. Runs before every before_request hook."""
    request.max_content_length = current_app.config["ANSWER_MAX_BODY_BYTES"]


@bp.errorhandler(413)
def _too_big(_exc):
    use_language(guess_language())
    return render_template("answer/too_big.html", pupil=True), 413


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


def _not_found():
    use_language(guess_language())
    return render_template("answer/not_found.html", pupil=True), 404


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked by the form itself, so a stale token keeps the answers (see wtf.py)
def form(token: str):
    posting = request.method == "POST"
    busy = posting and throttled()
    if posting and not busy:
        done = quick_submit(token)
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
    if posting and state == "closed" and in_grace(collection):
        state = "open"
    if state != "open":
        return closed_page(collection, state), 403 if posting else 200

    the_form = form_class(version.fingerprint, survey, collection.ask_pupil_number)()
    the_form.ensure_submission_id()
    if not posting:
        note_shown(collection)
        return form_page(collection, the_form)
    if busy:
        # Too many sends from this address just now: keep every answer, ask to wait.
        return form_page(collection, the_form, busy=True), 429, {"Retry-After": "60"}

    unknown = unknown_fields(survey, list(request.form.keys()), FORM_FIELDS)
    if unknown:
        return render_template("answer/bad_request.html", fields=unknown,
                               survey=in_page_language(survey), collection=collection,
                               pupil=survey.audience == "pupil"), 400
    if not the_form.csrf_ok():
        # An old page (session cookie lost, server key changed): keep every answer, ask
        # for one more press. Nothing is stored without a valid token.
        return form_page(collection, the_form, resend=True), 400
    result, pupil_number = the_form.check_answers()
    if result.ok and not result.values:
        first = survey.questions[0].columns[0]
        the_form.add_error(first, NOTHING_ANSWERED)
        result.errors[first] = NOTHING_ANSWERED
    if not result.ok:
        return form_page(collection, the_form, errors=result.errors), 422
    record_response(collection, result.values, source="web",
                    submission_key="web:" + the_form.submission_id.data,
                    pupil_number=pupil_number, answered_at=answered_at(request.form),
                    timings_json=posted_timings(survey))
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
                           survey=in_page_language(survey), pupil=pupil,
                           speech_note=speech_note() if pupil else "")
