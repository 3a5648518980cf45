"""The "Print paper copies" page: a form, then the class pack as a PDF download.

Scoped like the admin pages: a teacher prints only their own school's collections, a
coordinator their partnership's; anything else is a 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, url_for
from flask_login import login_required
from sqlalchemy import func, select

from survey_app import access
from survey_app.downloads import content_disposition
from survey_app.extensions import db
from survey_app.models import Collection, PrintBatch, Sheet
from survey_app.paper.letters import letter_pack_check, print_letter_pack
from survey_app.paper.operations import (
    PrintError,
    default_language_choice,
    language_choices,
    print_class_pack,
)
from survey_app.paper.wtf import LETTERS_CHOICE, PrintForm
from survey_app.urls import cover_web_text, public_base, public_url, reach

bp = Blueprint("paper", __name__, url_prefix="/admin/paper")

#: The count offered when the collection does not say how big the group is.
DEFAULT_COPIES = 30


def _printed(collection: Collection) -> tuple[int, int]:
    """(sheets printed so far, batches) for the page's summary."""
    sheets = db.session.scalar(select(func.count()).select_from(Sheet)
                               .where(Sheet.collection_id == collection.id))
    batches = db.session.scalar(select(func.count()).select_from(PrintBatch)
                                .where(PrintBatch.collection_id == collection.id))
    return sheets, batches


@bp.route("/collections/<int:collection_id>/print", methods=["GET", "POST"])
@login_required
def print_form(collection_id: int):
    c = access.collection_or_404(collection_id)
    form = PrintForm()
    form.language.choices = language_choices(c.survey_version.definition)
    letters_ok = letter_pack_check(c) is None
    if letters_ok:
        form.kind.choices = [*form.kind.choices, *LETTERS_CHOICE]
    if not form.is_submitted():
        if letters_ok:
            from print.letters import DEFAULT_LETTER  # reportlab: only when a letter is offered

            form.letter.data = DEFAULT_LETTER
            form.kind.data = "letters"
        form.copies.data = c.expected_size or DEFAULT_COPIES
        form.language.data = default_language_choice(c)
        form.numbers.data = f"1-{c.expected_size or DEFAULT_COPIES}"
        if letters_ok and not c.ask_pupil_number:
            form.numbers.data = ""  # letters without numbers, as the collection asks none
        if c.ask_pupil_number and not letters_ok:  # printed: nothing for a child to colour
            form.kind.data = "numbered"
    if form.validate_on_submit():
        kind = form.kind.data
        try:
            if kind == "letters":
                numbers = (form.numbers.data or "").strip() or None
                result = print_letter_pack(
                    c, None if numbers else form.copies.data, form.paper.data, numbers,
                    body=form.letter.data or "", web_url=public_url(c),
                    web_text=cover_web_text(c))
            else:
                result = print_class_pack(
                    c, None if kind == "numbered" else form.copies.data, form.paper.data,
                    master=kind == "master", numbers=form.numbers.data if kind == "numbered"
                    else None, web_url=cover_web_text(c), language=form.language.data or None,
                    scan_url=public_base() + url_for("scans.index"))
        except PrintError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            name = result.filename
            if kind == "letters":
                name = name.replace("paper-", "letters-", 1)
            return Response(result.pdf, mimetype="application/pdf", headers={
                "Content-Disposition": content_disposition(name),
                "Cache-Control": "no-store",
            })
    sheets, batches = _printed(c)
    return render_template("paper/print.html", c=c, form=form, printed_sheets=sheets,
                           printed_batches=batches, reach=reach(), letters_ok=letters_ok)
