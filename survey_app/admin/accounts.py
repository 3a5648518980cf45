"""The coordinator's accounts page (`/admin/users`): add a teacher or coordinator, send a
set-password link, sign an account out everywhere, switch it off and on. Routes on the
admin blueprint (`survey_app.admin.views.bp`), kept apart from the collection pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from survey_app import access
from survey_app.admin.operations import SetupError
from survey_app.admin.views import bp
from survey_app.admin.wtf import ActionForm, UserForm, choices
from survey_app.auth.operations import (
    create_user,
    deactivate_user,
    issue_setup_token,
    reactivate_user,
    setup_link,
    sign_out_everywhere,
)
from survey_app.extensions import db
from survey_app.models import User


def _fill_user_choices(form: UserForm) -> None:
    form.school.choices = choices([("", gettext("Choose a school"))] + [
        (s.name, s.name) for s in access.schools()])


def _users() -> list[User]:
    return list(db.session.scalars(access.accounts_query().options(joinedload(User.school))
                                   .order_by(User.role, User.email)))


@bp.route("/users", methods=["GET", "POST"])
@login_required
@access.coordinator_required
def users():
    form = UserForm()
    _fill_user_choices(form)
    shown_link = None
    if form.validate_on_submit():
        school = (form.new_school.data or "").strip() or form.school.data or None
        try:
            if form.role.data == "teacher" and not school:
                # create_user's own refusal names the command line's --school.
                raise SetupError(gettext("A teacher belongs to a school: choose or type "
                                         "their school."))
            user, token = create_user(current_user.partnership, form.email.data,
                                      form.role.data,
                                      school if form.role.data == "teacher" else None)
        except SetupError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            shown_link = (user.email, setup_link(token))
            form = UserForm(formdata=None)
            _fill_user_choices(form)
    return render_template("admin/users.html", form=form, users=_users(),
                           new_link=shown_link, action=ActionForm())


@bp.post("/users/<int:user_id>/new-link")
@login_required
@access.coordinator_required
def new_link(user_id: int):
    user = access.account_or_404(user_id)
    if not user.is_active:
        flash(gettext("%(email)s is switched off: switch the account on first.",
                      email=user.email), "error")
        return redirect(url_for("admin.users"))
    token = issue_setup_token(user)
    db.session.commit()
    form = UserForm(formdata=None)
    _fill_user_choices(form)
    return render_template("admin/users.html", form=form, users=_users(),
                           new_link=(user.email, setup_link(token)), action=ActionForm())


@bp.post("/users/<int:user_id>/sign-out")
@login_required
@access.coordinator_required
def sign_out_user(user_id: int):
    """End every session of the account (a lost laptop); its password still works."""
    user = access.account_or_404(user_id)
    sign_out_everywhere(user)
    db.session.commit()
    flash(gettext("%(email)s is signed out everywhere.", email=user.email), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/deactivate")
@login_required
@access.coordinator_required
def deactivate(user_id: int):
    user = access.account_or_404(user_id)
    if user.id == current_user.id:
        flash(gettext("You cannot switch off your own account here; another coordinator can."),
              "error")
        return redirect(url_for("admin.users"))
    deactivate_user(user)
    db.session.commit()
    flash(gettext("%(email)s is switched off: signed out everywhere and cannot sign in. "
                  "Nothing they made is removed.", email=user.email), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
@login_required
@access.coordinator_required
def reactivate(user_id: int):
    user = access.account_or_404(user_id)
    reactivate_user(user)
    db.session.commit()
    flash(gettext("%(email)s can sign in again with their password (or send a new "
                  "set-password link).", email=user.email), "info")
    return redirect(url_for("admin.users"))
