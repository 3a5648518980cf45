"""Configuration from the environment, with safe defaults for a classroom laptop.

Every setting is read here, from the SETTINGS table (name, default, unit, reason);
other modules read `current_app.config[...]` without defaults of their own
(tests/web/test_config.py checks both)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """The deployment's settings are unsafe or inconsistent; the message says what to set."""


def _secret_key(instance: Path, production: bool) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/
    (fine for a classroom laptop; production must set a real one)."""
    key = setting("SECRET_KEY")
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

    value = value.strip() or str(PUPIL_NUMBER_MAX)
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


@dataclass(frozen=True)
class ConfigSetting:
    """One environment variable the app reads: its default as typed in the environment
    ("" = unset), its unit, and why it exists. `from_environment` reads every variable
    through this table, so the default is written here only."""

    name: str
    default: str
    unit: str
    reason: str


#: Time zone used when TIMEZONE is not set: dates typed on pages, shown on them and cut
#: by the results filters are in the schools' local time.
DEFAULT_TIMEZONE = "Europe/London"

#: Every setting, in the order of the settings table in docs/running/settings.md.
SETTINGS: tuple[ConfigSetting, ...] = (
    ConfigSetting("SURVEY_APP_ENV", "", "`production` or unset",
                  "production refuses unsafe defaults (a generated SECRET_KEY)"),
    ConfigSetting("SURVEY_APP_INSTANCE", "", "directory",
                  "where the instance folder is (SQLite file, secret key, stored files); "
                  "unset: Flask's `instance/` beside the package"),
    ConfigSetting("SECRET_KEY", "", "32+ random characters",
                  "signs sessions and links; unset: one generated once into instance/secret_key"),
    ConfigSetting("DATABASE_URL", "", "SQLAlchemy URL",
                  "PostgreSQL for a shared server; unset: SQLite in the instance folder"),
    ConfigSetting("PUBLIC_BASE_URL", "", "URL",
                  "the address printed in QR codes and letters when the app is behind a proxy"),
    ConfigSetting("TIMEZONE", DEFAULT_TIMEZONE, "IANA zone name",
                  "dates typed and shown on pages are the schools' local time"),
    ConfigSetting("STORAGE_DIR", "", "directory",
                  "where scans and write-in crops are kept; unset: instance/storage"),
    ConfigSetting("STORAGE_BACKEND", "local", "`local` or `database`",
                  "`database` shares stored files between servers on one database"),
    ConfigSetting("HTTPS", "", "1/true/yes",
                  "served over HTTPS: session cookies are marked Secure"),
    ConfigSetting("RATELIMIT_STORAGE_URI", "memory://", "URI",
                  "memory:// suits one server; redis://host:6379 when several share load"),
    ConfigSetting("LOGIN_RATE_LIMIT", "10 per 5 minutes;30 per hour", "limits per (address, email)",
                  "slows password guessing against one account (wrong passwords only)"),
    ConfigSetting("LOGIN_ADDRESS_RATE_LIMIT", "50 per 5 minutes;200 per hour",
                  "limits per client address", "slows guessing across many accounts"),
    ConfigSetting("TRUSTED_PROXIES", "", "addresses/networks, comma separated",
                  "only these proxies' X-Forwarded-For/-Proto are believed"),
    ConfigSetting("AUTH_MAX_BODY_BYTES", str(8 * 1024), "bytes",
                  "a sign-in form is small: larger bodies are refused before parsing"),
    ConfigSetting("ANSWER_MAX_BODY_BYTES", str(64 * 1024), "bytes",
                  "a pupil's answers: 3 write-ins of 2000 characters in another script fit"),
    ConfigSetting("ANSWER_RATE_LIMIT", "600 per minute;3000 per hour", "limits per client address",
                  "sends to pupil links; a whole school behind one NAT fits"),
    ConfigSetting("CLOSE_GRACE_MINUTES", "5", "minutes",
                  "a form shown before a collection closed may still be sent this long after"),
    ConfigSetting("JOIN_RATE_LIMIT", "20 per minute;200 per day", "wrong codes per client address",
                  "a class behind one router may mistype; a guesser runs out long before a hit"),
    ConfigSetting("MAX_UPLOAD_MB", "200", "MiB",
                  "the largest request (a scanned pile of a whole school fits)"),
    ConfigSetting("MIN_GROUP_PUPIL", "5", "responses",
                  "smaller groups of pupils' answers are not shown (could point at a child)"),
    ConfigSetting("MIN_GROUP_TEACHER", "3", "responses",
                  "smaller groups of teachers are not shown"),
    ConfigSetting("MIN_GROUP_SCHOOL", "1", "responses", "smallest group for school-level surveys"),
    ConfigSetting("MIN_GROUP_PARENT", "5", "responses",
                  "a parent's answer can point at their child: suppressed like pupils'"),
    ConfigSetting("PUPIL_NUMBER_MAX", "", "number",
                  "unset: 99 (two digit rows on paper, forms.answers.PUPIL_NUMBER_MAX); "
                  "up to 999 for large schools"),
    ConfigSetting("TALLY_REFRESH_S", "30", "seconds",
                  "how often an idle worker rebuilds out-of-date results counts"),
    ConfigSetting("WORKER_IDLE_S", "1", "seconds",
                  "how long the scan worker sleeps when no job waits (a new upload waits at "
                  "most this)"),
    ConfigSetting("SCAN_MAX_ATTEMPTS", "3", "runs",
                  "runs of one scan batch that may die before it is set aside as failed"),
    ConfigSetting("SCAN_STALE_SECONDS", "90", "seconds",
                  "a running scan job silent this long is taken as dead and restarted "
                  "(a page takes well under a second)"),
    ConfigSetting("SCAN_MAX_PAGES", "", "pages",
                  "pages in one uploaded file; unset: the scanner's own (scanner/tuning.py "
                  "MAX_PAGES)"),
    ConfigSetting("SCAN_MAX_BYTES", "", "bytes",
                  "bytes in one uploaded file; unset: the scanner's own (scanner/tuning.py "
                  "MAX_FILE_BYTES)"),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> str:
    """The environment's value of a setting in SETTINGS, else its default."""
    return os.environ.get(name, _BY_NAME[name].default)


def instance_dir() -> str | None:
    """SURVEY_APP_INSTANCE, read before the app (and its config) exists."""
    return setting("SURVEY_APP_INSTANCE") or None


def _optional_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def from_environment(instance: Path) -> dict:
    env = setting
    production = env("SURVEY_APP_ENV") == "production"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(instance, production),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL")
        or f"sqlite:///{instance / 'survey.sqlite3'}",
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL"),
        "TIMEZONE": env("TIMEZONE") or DEFAULT_TIMEZONE,
        "STORAGE_DIR": env("STORAGE_DIR") or str(instance / "storage"),
        "STORAGE_BACKEND": _storage_backend(env("STORAGE_BACKEND")),
        # A pupil may take a while; the CSRF token lives as long as the browser session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("HTTPS") in ("1", "true", "yes"),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI"),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT"),
        "LOGIN_ADDRESS_RATE_LIMIT": env("LOGIN_ADDRESS_RATE_LIMIT"),
        "TRUSTED_PROXIES": _networks(env("TRUSTED_PROXIES")),
        "AUTH_MAX_BODY_BYTES": int(env("AUTH_MAX_BODY_BYTES")),
        "ANSWER_MAX_BODY_BYTES": int(env("ANSWER_MAX_BODY_BYTES")),
        "ANSWER_RATE_LIMIT": env("ANSWER_RATE_LIMIT"),
        "CLOSE_GRACE_MINUTES": float(env("CLOSE_GRACE_MINUTES")),
        "JOIN_RATE_LIMIT": env("JOIN_RATE_LIMIT"),
        "MAX_CONTENT_LENGTH": int(env("MAX_UPLOAD_MB")) * 1024 * 1024,
        "MIN_GROUP_PUPIL": int(env("MIN_GROUP_PUPIL")),
        "PUPIL_NUMBER_MAX": _pupil_number_max(env("PUPIL_NUMBER_MAX")),
        "MIN_GROUP_TEACHER": int(env("MIN_GROUP_TEACHER")),
        "MIN_GROUP_SCHOOL": int(env("MIN_GROUP_SCHOOL")),
        "MIN_GROUP_PARENT": int(env("MIN_GROUP_PARENT")),
        "TALLY_REFRESH_S": float(env("TALLY_REFRESH_S")),
        "WORKER_IDLE_S": float(env("WORKER_IDLE_S")),
        "SCAN_MAX_ATTEMPTS": int(env("SCAN_MAX_ATTEMPTS")),
        "SCAN_STALE_SECONDS": float(env("SCAN_STALE_SECONDS")),
        "SCAN_MAX_PAGES": _optional_int(env("SCAN_MAX_PAGES")),
        "SCAN_MAX_BYTES": _optional_int(env("SCAN_MAX_BYTES")),
    }
