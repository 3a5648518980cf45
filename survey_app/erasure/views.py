"""Erasure pages: show what will be deleted, ask the person to type the name, then erase."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from survey_app import access
from survey_app.erasure.operations import erase_collection, erase_partnership, erase_school
from survey_app.extensions import db
from survey_app.models import Partnership

bp = Blueprint("erasure", __name__, url_prefix="/admin/erase")


class ConfirmForm(FlaskForm):
    confirm = StringField(lazy_gettext("Type the name shown above to confirm"),
                          validators=[DataRequired()])


def _confirm_page(kind: str, name: str, erase, *, after: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        if " ".join(form.confirm.data.split()).casefold() != " ".join(name.split()).casefold():
            flash(gettext("That does not match %(name)s; nothing was deleted.", name=repr(name)),
                  "error")
        else:
            summary = erase()
            flash(gettext("%(erased)s.", erased=summary.describe()), "info")
            if summary.undeleted_files:
                flash(gettext("%(n)s stored files could not be removed; "
                              "they are listed in the audit log.",
                              n=len(summary.undeleted_files)), "error")
            return redirect(after)
    return render_template("erasure/confirm.html", form=form, kind=kind, name=name,
                           cancel=request.referrer or url_for("admin.dashboard"))


@bp.route("/collection/<int:collection_id>", methods=["GET", "POST"])
@login_required
def collection(collection_id: int):
    c = access.collection_or_404(collection_id)
    name = f"{c.group.school.name} {c.group.name} {c.phase}"
    return _confirm_page("collection", name, lambda: erase_collection(c, current_user.email),
                         after=url_for("admin.dashboard"))


@bp.route("/school/<int:school_id>", methods=["GET", "POST"])
@login_required
@access.coordinator_required
def school(school_id: int):
    s = access.school_or_404(school_id)
    return _confirm_page("school", s.name, lambda: erase_school(s, current_user.email),
                         after=url_for("admin.dashboard"))


@bp.route("/partnership", methods=["GET", "POST"])
@login_required
@access.coordinator_required
def partnership():
    p = db.session.get(Partnership, current_user.partnership_id)
    email = current_user.email
    return _confirm_page("partnership", p.name, lambda: erase_partnership(p, email),
                         after=url_for("auth.login"))
