"""The fast path for a good submission, and the per-address allowance of sends.

The POST path is kept lean on purpose (a class of thirty submits within a minute): one
light query for the collection's few columns, the cached definition, the normaliser, and
`record_response`'s one transaction. The routes (`views.py`) fall back to the full page
whenever this path declines.
"""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_wtf.csrf import validate_csrf
from limits import parse_many
from sqlalchemy import bindparam, select
from wtforms.validators import ValidationError

from forms.answers import normalise, normalise_pupil_number, unknown_fields
from forms.definition import SurveyDefinition
from survey_app.answer.offline import answered_at
from survey_app.answer.operations import record_response
from survey_app.answer.timings import clean_timings
from survey_app.answer.wtf import FORM_FIELDS, SUBMISSION_ID_RE
from survey_app.extensions import db, limiter
from survey_app.models import Collection, SurveyVersion
from survey_app.models.collections import window_state
from survey_app.pupil_numbers import pupil_number_max

#: Parsed ANSWER_RATE_LIMIT, by its text.
_rate_limits: dict[str, list] = {}


def throttled() -> bool:
    """Counts this send against the client address's allowance (ANSWER_RATE_LIMIT); True
    once it is used up. Generous: a whole school may send from one NAT address. Public: the
    route (`views.py`) asks before trying the fast path, and shows a busy page."""
    if not limiter.enabled:
        return False
    setting = current_app.config["ANSWER_RATE_LIMIT"]
    items = _rate_limits.get(setting) or _rate_limits.setdefault(setting,
                                                                 parse_many(setting))
    address = request.remote_addr or ""
    return not all([limiter.limiter.hit(item, "answer", address) for item in items])


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


def quick_submit(token: str):
    """Store a good submission with the least work; None when the full page is needed
    (closed, unknown fields, an old token, answers to correct). The checks are the same
    as the full path's (CSRF, forms.answers), only without building the WTForms form.
    Public: the route (`views.py`) tries it first."""
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
                    timings_json=posted_timings(survey))
    # 303: a reload of the thank-you page is a GET, never a second POST.
    return redirect(url_for("answer.thanks", token=token), code=303)


def posted_timings(survey: SurveyDefinition) -> str | None:
    """The page script's per-question timings, checked (never required). Public: the
    fast path here and the full path in `views.py` both store them."""
    return clean_timings(request.form.get("_timings"), (q.code for q in survey.questions))
