"""The partnership and its schools, found or made by name: shared by set-up (admin), the
accounts (auth) and every command that takes --partnership. Below the areas, so any of
them may use it without importing another area."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Partnership, School


class SetupError(ValueError):
    """A set-up request that cannot be done; the message says what to do instead."""


def resolve_partnership(name: str | None, *, create: bool = False) -> Partnership:
    """The named partnership (created if asked), or the only one when no name is given."""
    if name:
        p = db.session.scalar(select(Partnership).where(Partnership.name == name))
        if p is None:
            if not create:
                names = ", ".join(db.session.scalars(select(Partnership.name))) or "none yet"
                raise SetupError(f"No partnership called '{name}' (there are: {names}).")
            p = Partnership(name=name)
            db.session.add(p)
            db.session.flush()
        return p
    all_ = db.session.scalars(select(Partnership).order_by(Partnership.id).limit(2)).all()
    if len(all_) == 1:
        return all_[0]
    if not all_:
        raise SetupError("There is no partnership yet: pass --partnership NAME to create one.")
    raise SetupError("There are several partnerships: say which with --partnership NAME.")


def get_or_create_school(partnership: Partnership, name: str) -> School:
    name = " ".join(name.split())
    if not name:
        raise SetupError(gettext("A school needs a name."))
    school = db.session.scalar(
        select(School).where(School.partnership_id == partnership.id, School.name == name)
    )
    if school is None:
        school = School(partnership=partnership, name=name)
        db.session.add(school)
        db.session.flush()
    return school
