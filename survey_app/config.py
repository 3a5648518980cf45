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


def private_sqlite_file(uri: str) -> None:
    """The SQLite file holds children's answers: create it readable by the app's user only
    (0600), and take group/other access away from an older one. SQLite gives its -wal and
    -shm files the database file's permissions."""
    from sqlalchemy.engine import make_url

    if not uri.startswith("sqlite"):
        return
    name = make_url(uri).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (path, Path(f"{name}-wal"), Path(f"{name}-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def _networks(value: str) -> list[str]:
    """TRUSTED_PROXIES: addresses or networks, comma separated ("127.0.0.1, 10.0.0.0/8")."""
    from ipaddress import ip_network

    out = []
    for part in value.replace(" ", "").split(","):
        if part:
            try:
                out.append(str(ip_network(part, strict=False)))
            except ValueError:
                raise ConfigError(f"TRUSTED_PROXIES: '{part}' is not an IP address or "
                                  "network (e.g. 127.0.0.1 or 10.0.0.0/8).") from None
    return out


def _pupil_number_max(value: str) -> int:
    """PUPIL_NUMBER_MAX: 99 (two digit rows on paper) or up to 999 for large schools."""
    from forms.answers import PUPIL_NUMBER_LIMIT, PUPIL_NUMBER_MAX

    if not value.isdigit() or not PUPIL_NUMBER_MAX <= int(value) <= PUPIL_NUMBER_LIMIT:
        raise ConfigError(f"PUPIL_NUMBER_MAX must be a whole number from {PUPIL_NUMBER_MAX} "
                          f"to {PUPIL_NUMBER_LIMIT} (999 for schools with more pupils than "
                          "99 in a year group), not '{value}'.")
    return int(value)


def _storage_backend(value: str) -> str:
    """STORAGE_BACKEND: `local` (files under STORAGE_DIR) or `database` (shared by every
    server using the same database; see survey_app.storage)."""
    from survey_app.storage import BACKENDS

    value = value.strip().lower() or "local"
    if value not in BACKENDS:
        raise ConfigError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not "
                          f"'{value}'.")
    return value


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
        # Where scans and write-in crops are kept: `local` (STORAGE_DIR) or `database`.
        "STORAGE_BACKEND": _storage_backend(env("STORAGE_BACKEND", "")),
        # A pupil may take a while; the CSRF token lives as long as the browser session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("HTTPS", "") in ("1", "true", "yes"),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # memory:// suits one server; set redis://host:6379 when several servers share load.
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        # Wrong passwords only, per (client address, email) and per client address.
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10 per 5 minutes;30 per hour"),
        "LOGIN_ADDRESS_RATE_LIMIT": env("LOGIN_ADDRESS_RATE_LIMIT",
                                        "50 per 5 minutes;200 per hour"),
        # Addresses of reverse proxies whose X-Forwarded-For / -Proto are believed.
        "TRUSTED_PROXIES": _networks(env("TRUSTED_PROXIES", "")),
        "AUTH_MAX_BODY_BYTES": int(env("AUTH_MAX_BODY_BYTES", str(8 * 1024))),
        # A pupil's answers: 3 write-ins of 2000 characters in another script fit.
        "ANSWER_MAX_BODY_BYTES": int(env("ANSWER_MAX_BODY_BYTES", str(64 * 1024))),
        # Sends to pupil links per client address (a whole school behind one NAT fits:
        # see README, "Limits on pupil links").
        "ANSWER_RATE_LIMIT": env("ANSWER_RATE_LIMIT", "600 per minute;3000 per hour"),
        # A form shown before a collection closed may still be sent this long after.
        "CLOSE_GRACE_MINUTES": float(env("CLOSE_GRACE_MINUTES", "5")),
        # Wrong join codes per client address (right ones cost nothing): a class behind one
        # school router may mistype, a guesser runs out long before finding a code.
        "JOIN_RATE_LIMIT": env("JOIN_RATE_LIMIT", "20 per minute;200 per day"),
        "MAX_CONTENT_LENGTH": int(env("MAX_UPLOAD_MB", "200")) * 1024 * 1024,
        "MIN_GROUP_PUPIL": int(env("MIN_GROUP_PUPIL", "5")),
        # The largest pupil number (99: two digit rows on paper; up to 999: three).
        "PUPIL_NUMBER_MAX": _pupil_number_max(env("PUPIL_NUMBER_MAX", "99")),
        "MIN_GROUP_TEACHER": int(env("MIN_GROUP_TEACHER", "3")),
        "MIN_GROUP_SCHOOL": int(env("MIN_GROUP_SCHOOL", "1")),
        # A parent's answer can point at their child: suppressed like pupils' answers.
        "MIN_GROUP_PARENT": int(env("MIN_GROUP_PARENT", "5")),
        # How often an idle worker rebuilds out-of-date results counts (results tally).
        "TALLY_REFRESH_S": float(env("TALLY_REFRESH_S", "30")),
        # Runs of one scan batch that may die before it is set aside as failed.
        "SCAN_MAX_ATTEMPTS": int(env("SCAN_MAX_ATTEMPTS", "3")),
    }
