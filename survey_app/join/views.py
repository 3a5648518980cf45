"""`/join`: a pupil types the collection's short code and lands on its answering page.

Public and without JavaScript: a GET form, so the code never needs a session or CSRF token.
Wrong codes are rate-limited per client address (JOIN_RATE_LIMIT, the same flask-limiter
as sign-in); once the limit is reached every try from that address is refused, right or
wrong, until the window passes, so guessing finds nothing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext
from sqlalchemy import select

from survey_app.extensions import db, limiter
from survey_app.join.codes import normalise_join_code
from survey_app.languages import guess_language, use_language
from survey_app.models import Collection

bp = Blueprint("join", __name__)

WRONG_CODE = lazy_gettext("We cannot find a survey with that code. Check each letter and "
                          "number with the board, then try again.")
TOO_MANY = lazy_gettext("That is a lot of tries. Please ask your teacher for help, or scan "
                        "the QR code instead.")


def _join_limit() -> str:
    return current_app.config["JOIN_RATE_LIMIT"]


def _is_try() -> bool:
    return "code" in request.args


def _too_many(_limit):
    """The refusal, rendered once per app and language: a guesser's thousands of tries
    stay cheap."""
    lang = guess_language()
    use_language(lang)
    key = f"join_too_many_{lang}"
    page = current_app.extensions.get(key)
    if page is None:
        page = render_template("join/join.html", pupil=True, message=TOO_MANY, typed="")
        current_app.extensions[key] = page
    return current_app.response_class(page, status=429)


@bp.get("/join")
@limiter.limit(_join_limit, exempt_when=lambda: not _is_try(),
               deduct_when=lambda response: response.status_code == 200,
               on_breach=_too_many)
def join():
    """The big box; with ?code=..., a redirect to the collection's pupil page."""
    use_language(guess_language())
    if not _is_try():
        return render_template("join/join.html", pupil=True, message=None, typed="")
    typed = request.args.get("code", "")[:40]
    code = normalise_join_code(typed)
    token = None
    if code is not None:
        token = db.session.scalar(select(Collection.public_token)
                                  .where(Collection.join_code == code))
    if token is None:
        return render_template("join/join.html", pupil=True, message=WRONG_CODE,
                               typed=typed), 200
    return redirect(url_for("answer.form", token=token))
