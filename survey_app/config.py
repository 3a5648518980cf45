"""Configuration from the environment, with safe defaults for a classroom laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_environment(instance: Path) -> dict:
    env = os.environ.get
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL")
        or f"sqlite:///{instance / 'survey.sqlite3'}",
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", ""),
        "TIMEZONE": env("TIMEZONE", "Europe/London"),
        "STORAGE_DIR": env("STORAGE_DIR") or str(instance / "storage"),
        # A pupil may take a while; the CSRF token lives as long as the browser session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("HTTPS", "") in ("1", "true", "yes"),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": int(env("MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        "MIN_GROUP_PUPIL": int(env("MIN_GROUP_PUPIL", "5")),
        "MIN_GROUP_TEACHER": int(env("MIN_GROUP_TEACHER", "3")),
        "MIN_GROUP_SCHOOL": int(env("MIN_GROUP_SCHOOL", "1")),
    }
