"""Partnerships, schools, groups and the people who sign in."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.extensions import db
from survey_app.models.base import UTCDateTime, utcnow

ROLES = ("coordinator", "teacher")


class Partnership(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    schools: Mapped[list[School]] = relationship(back_populates="partnership",
                                                 order_by="School.name")


class School(db.Model):
    __table_args__ = (UniqueConstraint("partnership_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    partnership: Mapped[Partnership] = relationship(back_populates="schools")
    groups: Mapped[list[Group]] = relationship(back_populates="school", order_by="Group.name")


class Group(db.Model):
    """A class or workshop group ("Year 5 Oak")."""

    __tablename__ = "pupil_group"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    school: Mapped[School] = relationship(back_populates="groups")


class User(UserMixin, db.Model):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: None until the person has used their one-time set-password link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    #: Teachers only: the one school whose data they may see.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    #: SHA-256 of the one-time set-password token (the token itself is never stored).
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    setup_token_expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Copied into the session at sign-in and checked on every request; raising it (sign
    #: out, new password, deactivation) ends every session of this account at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Set when a coordinator switches the account off: no sign-in, no set-password link.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partnership: Mapped[Partnership] = relationship()
    school: Mapped[School | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session signed in before now stops working at its next request."""
        self.session_version = (self.session_version or 1) + 1

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"
