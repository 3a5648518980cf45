"""Who may see what, decided in one place for every page, download, export and query.

A coordinator sees their partnership; a teacher sees their own school in it (and the
partnership's shared surveys); the command line, run by whoever owns the machine, sees
everything. Views ask here for the objects a URL names: anything outside the signed-in
person's scope is a 404, never a 403 that would confirm it exists. Only pages that are
the coordinator's business whatever the object (accounts, erasing a school) say 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from survey_app.extensions import db
from survey_app.models import (
    Collection,
    Group,
    Response,
    ResponseImage,
    ReviewItem,
    ScanBatch,
    ScanPage,
    School,
    Survey,
    SurveyVersion,
    User,
)

#: A teacher whose school is missing sees no school at all (never the whole partnership).
NO_SCHOOL = -1


@dataclass(frozen=True)
class Scope:
    """Whose data a person may read: a partnership (coordinators), one school in it
    (teachers), or everything (None, None: the command line)."""

    partnership_id: int | None = None
    school_id: int | None = None

    @classmethod
    def for_user(cls, user) -> Scope:
        if user.is_coordinator:
            return cls(partnership_id=user.partnership_id)
        return cls(partnership_id=user.partnership_id,
                   school_id=user.school_id if user.school_id is not None else NO_SCHOOL)

    @property
    def whole_partnership(self) -> bool:
        """Every school of the partnership (a coordinator, or the command line)."""
        return self.school_id is None

    def schools(self, stmt: Select) -> Select:
        """Narrow a select that joins School to the schools in scope."""
        if self.partnership_id is not None:
            stmt = stmt.where(School.partnership_id == self.partnership_id)
        if self.school_id is not None:
            stmt = stmt.where(School.id == self.school_id)
        return stmt

    def surveys(self, stmt: Select) -> Select:
        """Narrow a select over Survey: the partnership's shared surveys, and a school's
        own surveys only for that school (and the coordinator)."""
        if self.partnership_id is not None:
            stmt = stmt.where(Survey.partnership_id == self.partnership_id)
        if self.school_id is not None:
            stmt = stmt.where(Survey.school_id.is_(None) | (Survey.school_id == self.school_id))
        return stmt

    def batches(self, stmt: Select) -> Select:
        """Narrow a select over ScanBatch: a teacher sees their school's uploads only."""
        if self.partnership_id is not None:
            stmt = stmt.where(ScanBatch.partnership_id == self.partnership_id)
        if self.school_id is not None:
            stmt = stmt.where(ScanBatch.school_id == self.school_id)
        return stmt

    def sees_batch(self, batch: ScanBatch) -> bool:
        return ((self.partnership_id in (None, batch.partnership_id))
                and self.school_id in (None, batch.school_id))

    def covers(self, other: Scope) -> bool:
        """Everything `other` reaches is inside this scope."""
        return (self.partnership_id in (None, other.partnership_id)
                and self.school_id in (None, other.school_id))


def current() -> Scope:
    """The signed-in person's scope."""
    return Scope.for_user(current_user)


def _found(obj):
    if obj is None:
        abort(404)
    return obj


def coordinator_required(view):
    """Accounts and whole-school erasure are the coordinator's business: teachers get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# --- collections, schools, surveys -------------------------------------------------------


def collections_query() -> Select:
    """The collections in scope (joined to Group and School, for ordering and filters)."""
    return current().schools(select(Collection).join(Collection.group).join(Group.school))


def collections() -> list[Collection]:
    """The collections in scope with their group, school and survey, for listing."""
    query = (collections_query().join(Collection.survey_version).join(SurveyVersion.survey)
             .options(joinedload(Collection.group).joinedload(Group.school),
                      joinedload(Collection.survey_version).joinedload(SurveyVersion.survey))
             .order_by(School.name, Group.name, Survey.title, Collection.id))
    return list(db.session.scalars(query).unique())


def collection_or_404(collection_id: int) -> Collection:
    return _found(db.session.scalar(collections_query().where(Collection.id == collection_id)))


def schools() -> list[School]:
    return list(db.session.scalars(current().schools(select(School).order_by(School.name))))


def school_or_404(school_id: int) -> School:
    return _found(db.session.scalar(current().schools(select(School))
                                    .where(School.id == school_id)))


def surveys() -> list[Survey]:
    """Partnership-wide surveys, plus (for a teacher) their own school's."""
    query = current().surveys(select(Survey).options(joinedload(Survey.versions))
                              .order_by(Survey.title))
    return list(db.session.scalars(query).unique())


def survey_or_404(code: str) -> Survey:
    return _found(db.session.scalar(current().surveys(select(Survey))
                                    .where(Survey.code == code)))


def accounts_query() -> Select:
    """The accounts a coordinator manages: their partnership's (the pages that use this
    are coordinator-only)."""
    return select(User).where(User.partnership_id == current_user.partnership_id)


def account_or_404(user_id: int) -> User:
    return _found(db.session.scalar(accounts_query().where(User.id == user_id)))


# --- scans, review, write-ins -------------------------------------------------------------


def batches_query() -> Select:
    return current().batches(select(ScanBatch))


def batch_or_404(batch_id: int) -> ScanBatch:
    return _found(db.session.scalar(batches_query().where(ScanBatch.id == batch_id)))


def page_or_404(page_id: int) -> ScanPage:
    return _found(db.session.scalar(
        current().batches(select(ScanPage).join(ScanBatch, ScanPage.batch_id == ScanBatch.id))
        .where(ScanPage.id == page_id)))


def _response_joins(stmt: Select, response_id_column) -> Select:
    return (stmt.join(Response, response_id_column == Response.id)
            .join(Collection, Response.collection_id == Collection.id)
            .join(Group, Collection.group_id == Group.id)
            .join(School, Group.school_id == School.id))


def review_items_query() -> Select:
    """Review items of responses in scope (a teacher: their school's collections)."""
    return current().schools(_response_joins(select(ReviewItem), ReviewItem.response_id))


def review_item_or_404(item_id: int) -> ReviewItem:
    return _found(db.session.scalar(review_items_query().where(ReviewItem.id == item_id)))


def response_image_or_404(image_id: int) -> ResponseImage:
    return _found(db.session.scalar(
        current().schools(_response_joins(select(ResponseImage), ResponseImage.response_id))
        .where(ResponseImage.id == image_id)))
