"""The signed "shown at" stamp a page carries, and the collection's "page was shown" note.

Shared by the routes (`views.py`: the grace after closing, the note) and the drawing of the
form (`pages.py`: the stamp in the page), so it lives apart from both.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, request
from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from survey_app.answer.offline import answered_at
from survey_app.extensions import db
from survey_app.models import Collection
from survey_app.models.base import utcnow

#: How often a collection notes that its page was opened ("Close now" warns on it).
NOTE_SHOWN_EVERY = timedelta(minutes=1)


def _shown_signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt="answer-form-shown")


def _shown_at(collection: Collection, stamp: str) -> datetime | None:
    """When the page carrying `stamp` was shown (signed, so it cannot be made up)."""
    try:
        value, when = _shown_signer().unsign(stamp, return_timestamp=True)
    except BadSignature:
        return None
    return when if value.decode() == collection.public_token else None


def shown_stamp(collection: Collection) -> str:
    """The signed time the form was first shown; a re-render keeps the posted one.
    Public: `pages.py` puts it in the form."""
    posted = request.form.get("_shown", "") if request.method == "POST" else ""
    if posted and _shown_at(collection, posted) is not None:
        return posted
    return _shown_signer().sign(collection.public_token).decode()


def in_grace(collection: Collection) -> bool:
    """A send after closing, from a page shown before it, answered within
    CLOSE_GRACE_MINUTES of closing: the pupil was mid-survey when the teacher pressed
    "Close now", or answered before it and the answers waited in the browser for the
    connection to come back (they then arrive late, answered_at says when). Public: the
    route (`views.py`) lets such a send in."""
    closes = collection.closes_at
    shown = _shown_at(collection, request.form.get("_shown", ""))
    if closes is None or shown is None:
        return False
    grace = timedelta(minutes=current_app.config["CLOSE_GRACE_MINUTES"])
    answered = answered_at(request.form) or utcnow()
    return shown < closes and answered <= closes + grace


def note_shown(collection: Collection) -> None:
    """Notes that the page was shown (at most every NOTE_SHOWN_EVERY), for the route in
    `views.py`. Best effort: a pupil's page never fails because it could not be written."""
    now = utcnow()
    if collection.last_shown_at is None or now - collection.last_shown_at > NOTE_SHOWN_EVERY:
        try:
            db.session.execute(update(Collection).where(Collection.id == collection.id)
                               .values(last_shown_at=now))
            db.session.commit()
        except SQLAlchemyError as exc:
            db.session.rollback()
            current_app.logger.warning("could not note that the survey was shown: %s", exc)
