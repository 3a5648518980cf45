"""Flask extensions, created once and bound to the app in `create_app`.

Flask-Migrate is not here: it imports Alembic (~0.4 s), which only the `db` commands and
`create_app` need, so `create_app` makes it (and models, workers and tests load faster)."""

from flask_babel import Babel, gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


def N_(message: str) -> str:
    """Marks `message` for `make translations` (Babel's N_ keyword) without translating it
    yet: for words stored before any request, translated where they are shown."""
    return message


# Named constraints, so Alembic migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
#: Interface strings in the pupil's language (survey_app.languages picks it).
babel = Babel()
csrf = CSRFProtect()
login = LoginManager()
login.login_view = "auth.login"
#: Flask-Login flashes this when a page needs a signed-in account: marked with N_ for
#: extraction (a lazy string cannot go into the session), translated as it is flashed.
login.login_message = N_("Please sign in to see that page.")
login.localize_callback = gettext
# No default limits: wrong passwords (auth.throttle) and sends to pupil links (answer.views)
# are counted by hand through `limiter.limiter`. Storage from
# RATELIMIT_STORAGE_URI (memory:// on one machine; redis://... shared across servers).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets pupils submit while a coordinator reads; the busy timeout waits for locks
    instead of failing with 'database is locked'."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
