"""Flask extensions, created once and bound to the app in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

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
migrate = Migrate()
csrf = CSRFProtect()
login = LoginManager()
login.login_view = "auth.login"
login.login_message = "Please sign in to see that page."
# No default limits: wrong passwords (auth.throttle) and sends to pupil links (answer.views)
# are counted by hand through `limiter.limiter`. Storage from
# RATELIMIT_STORAGE_URI (memory:// on one machine; redis://... shared across servers).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
