"""Configuration from the environment, with safe defaults for a classroom laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The deployment's settings are unsafe or inconsistent; the message says what to set."""


def _secret_key(instance: Path, production: bool) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/
    (fine for a classroom laptop; production must set a real one)."""
    key = os.environ.get("SECRET_KEY", "")
    if production and len(key) < 32:
        raise ConfigError(
            "SURVEY_APP_ENV=production needs a real SECRET_KEY (at least 32 random "
            "characters), e.g. SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_hex(32))')."
        )
    if key:
        return key
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_environment(instance: Path) -> dict:
    env = os.environ.get
    production = env("SURVEY_APP_ENV", "") == "production"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(instance, production),
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
        # memory:// suits one server; set redis://host:6379 when several servers share load.
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Wrong join codes per client address (right ones cost nothing): a class behind one
        # school router may mistype, a guesser runs out long before finding a code.
        "JOIN_RATE_LIMIT": env("JOIN_RATE_LIMIT", "20 per minute;200 per day"),
        "MAX_CONTENT_LENGTH": int(env("MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        "MIN_GROUP_PUPIL": int(env("MIN_GROUP_PUPIL", "5")),
        "MIN_GROUP_TEACHER": int(env("MIN_GROUP_TEACHER", "3")),
        "MIN_GROUP_SCHOOL": int(env("MIN_GROUP_SCHOOL", "1")),
        # How often an idle worker rebuilds out-of-date results counts (results tally).
        "TALLY_REFRESH_S": float(env("TALLY_REFRESH_S", "30")),
    }
