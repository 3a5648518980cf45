"""Signing in and out, and the one-time set-password page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from survey_app.auth.operations import (
    check_credentials,
    set_password_with_token,
    user_for_token,
)
from survey_app.auth.throttle import count_failure, sign_in_blocked
from survey_app.auth.wtf import LoginForm, SetPasswordForm
from survey_app.extensions import db
from survey_app.extensions import login as login_manager
from survey_app.languages import choose_staff_language
from survey_app.models import User

bp = Blueprint("auth", __name__)

NO_MATCH = _l("That email and password do not match an account.")
TOO_MANY = _l("Too many wrong passwords from this computer. Please wait a few minutes and "
              "try again, or ask your coordinator for a new set-password link.")
SWITCHED_OFF = _l("This account has been switched off. Ask your partnership's coordinator "
                  "if you need it again.")


@bp.url_value_preprocessor
def _small_bodies_only(_endpoint, _values):
    """Sign-in and set-password forms are a few hundred bytes: refuse a big body before
    reading it (413) rather than allow the site-wide upload limit. A URL value preprocessor
    because it runs before every before_request hook (the CSRF check reads the body)."""
    request.max_content_length = current_app.config["AUTH_MAX_BODY_BYTES"]


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in account, if the session's version is still the account's current one
    (sign out, a new password or deactivation raise it, ending older sessions)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        address = request.remote_addr or ""
        if sign_in_blocked(address, email):
            # Checked before the password, so guessing on does not tell right from wrong.
            flash(str(TOO_MANY), "error")
            status = 429
        else:
            user = check_credentials(email, form.password.data)
            if user is not None and user.is_active:
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
            if user is None:
                count_failure(address, email)
            flash(str(NO_MATCH if user is None else SWITCHED_OFF), "error")
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Signing out ends this account's sessions everywhere, so a copied cookie is dead."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/language")
@login_required
def language():
    """The staff menu's choice of interface language; a language without a catalog (a
    hand-made request) changes nothing and says so."""
    if not choose_staff_language(request.form.get("lang", "")):
        flash(gettext("That language is not offered here: the pages stay as they were."),
              "error")
    return redirect(_safe_next(request.form.get("next")), code=303)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    user = user_for_token(token)
    if user is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password_with_token(user, form.password.data)
        db.session.commit()
        login_user(user)
        flash(gettext("Your password is set."), "info")
        return redirect(url_for("admin.dashboard"))
    return render_template("auth/set_password.html", form=form, user=user)
