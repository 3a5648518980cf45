"""Accounts: creating users and one-time set-password links (no email server needed)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import select
from werkzeug.security import check_password_hash

from survey_app.extensions import db
from survey_app.models import ROLES, Partnership, User
from survey_app.models.base import utcnow
from survey_app.partnerships import SetupError, get_or_create_school

SETUP_LINK_DAYS = 7
MIN_PASSWORD = 10
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Checked when there is no account (or no password yet) for the email given, so a wrong
#: guess costs the same hash either way and the time taken tells nothing. Made with
#: werkzeug's default method (scrypt) from a random password nobody knows.
DUMMY_HASH = (
    "scrypt:32768:8:1$3A81ImoBMcVVgJ1o$4aca38b6fe2fc4aab21bde0aa549b48b9bc93018287a548449cd"
    "194d928e4fe3bbdfa47262561aa3e7a1f5d651fe6785b84bf5c91b40b4d28ea7c05b26fee7e4"
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_setup_token(user: User) -> str:
    """A new one-time token for the set-password page; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    user.setup_token_hash = _hash(token)
    user.setup_token_expires = utcnow() + timedelta(days=SETUP_LINK_DAYS)
    return token


def create_user(partnership: Partnership, email: str, role: str,
                school_name: str | None = None) -> tuple[User, str]:
    """A new account and its one-time set-password token."""
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise SetupError(gettext("'%(email)s' does not look like an email address.",
                                 email=email))
    if role not in ROLES:
        raise SetupError(gettext("Unknown role '%(role)s' (use coordinator or teacher).",
                                 role=role))
    if role == "teacher" and not school_name:
        raise SetupError("A teacher belongs to a school: give --school NAME.")
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.partnership_id == partnership.id:
        raise SetupError(gettext("There is already an account for %(email)s.", email=email))
    if existing is not None:
        # Another partnership's account: say nothing that confirms it exists.
        raise SetupError(gettext(
            "An account for %(email)s cannot be made here. Use another email address for "
            "this person (for example their school address).", email=email))
    school = get_or_create_school(partnership, school_name) if role == "teacher" else None
    user = User(email=email, role=role, partnership=partnership, school=school)
    token = issue_setup_token(user)
    db.session.add(user)
    db.session.flush()
    return user, token


def user_for_token(token: str) -> User | None:
    user = db.session.scalar(select(User).where(User.setup_token_hash == _hash(token)))
    if user is None or user.setup_token_expires is None or user.setup_token_expires < utcnow():
        return None
    if not user.is_active:
        return None
    return user


def set_password_with_token(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise SetupError(gettext("Please use at least %(n)s characters.", n=MIN_PASSWORD))
    user.set_password(password)
    user.setup_token_hash = None
    user.setup_token_expires = None


def check_credentials(email: str, password: str) -> User | None:
    """The account these match, or None. Exactly one password hash is checked whether or
    not the account exists, so the time taken does not tell which emails have accounts."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    stored = user.password_hash if user is not None and user.password_hash else None
    ok = check_password_hash(stored or DUMMY_HASH, password)
    return user if ok and stored else None


def sign_out_everywhere(user: User) -> None:
    """End every session of this account (a lost laptop, a shared computer)."""
    user.end_sessions()


def deactivate_user(user: User) -> None:
    """Switch an account off: its sessions end, it cannot sign in, its link stops working.
    Nothing it made is removed; `reactivate_user` switches it on again."""
    if user.deactivated_at is None:
        user.deactivated_at = utcnow()
    user.end_sessions()
    user.setup_token_hash = None
    user.setup_token_expires = None


def reactivate_user(user: User) -> None:
    """Let the account sign in again with its password (or a new set-password link)."""
    user.deactivated_at = None


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise SetupError(f"No account for {email}.")
    return user


def setup_link(token: str) -> str:
    """The set-password link to hand over: on PUBLIC_BASE_URL when set, else the host the
    request came in on, else the local default (the CLI on the serving laptop): the same
    base as the QR codes, from survey_app.urls."""
    from survey_app.urls import public_base

    return f"{public_base()}/set-password/{token}"
