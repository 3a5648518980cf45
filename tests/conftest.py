"""Shared fixtures: an app on a freshly migrated database (SQLite, and PostgreSQL when
TEST_POSTGRES_URL is set: CI sets it and fails rather than skip when it is missing)."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db

REPO = Path(__file__).resolve().parent.parent
BANK = REPO / "forms" / "bank"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
if os.environ.get("CI") and not POSTGRES_URL:
    raise RuntimeError("CI must test on PostgreSQL too: set TEST_POSTGRES_URL (.ci/run does).")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
_counter = itertools.count()


def _migrate(uri: str, instance: Path) -> None:
    from flask_migrate import upgrade

    os.environ["SURVEY_APP_INSTANCE"] = str(instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _pg_url(name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", POSTGRES_URL)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate from empty once per backend; each test then copies the result."""
    made = {}
    inst = tmp_path_factory.mktemp("template-instance")
    sqlite_file = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{sqlite_file}", inst)
    made["sqlite"] = sqlite_file
    if POSTGRES_URL:
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        name = f"survey_tmpl_{os.getpid()}"
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            c.execute(sa.text(f"CREATE DATABASE {name}"))
        _migrate(_pg_url(name), inst)
        made["postgresql"] = name
        yield made
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
        return
    yield made


def fresh_database(kind: str, template_db, tmp_path):
    """Yield the URI of a new migrated database of `kind` ("sqlite" or "postgresql"),
    dropped afterwards (modules that override `db_uri` reuse it)."""
    if kind == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copy(template_db["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    name = f"survey_t_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {template_db['postgresql']}"))
    yield _pg_url(name)
    with admin.connect() as c:
        c.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_uri(request, template_db, tmp_path):
    """A database URI for this test, already migrated."""
    yield from fresh_database(request.param, template_db, tmp_path)


#: survey_app.storage backends; modules about stored files run on each.
STORAGES = ["local", "database"]


@pytest.fixture
def storage_backend() -> str:
    """STORAGE_BACKEND for the test app: the default `local`. A module about stored
    files overrides it with `@pytest.fixture(params=STORAGES)` to run on each backend."""
    return "local"


@pytest.fixture
def app(db_uri, tmp_path, monkeypatch, storage_backend):
    instance = tmp_path / "instance"
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(instance))
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": db_uri,
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "STORAGE_DIR": str(tmp_path / "storage"),
        "STORAGE_BACKEND": storage_backend,
        "PUBLIC_BASE_URL": "http://survey.test",
    })
    from survey_app.cli import register_commands

    register_commands(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page (tests post with it, as a browser would)."""
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture
def partnership(app):
    from survey_app.admin.operations import resolve_partnership

    p = resolve_partnership("Riverside Science Partnership", create=True)
    db.session.commit()
    return p


@pytest.fixture
def loaded_bank(app, partnership):
    """Every bank survey loaded into the partnership; returns {code: SurveyVersion}."""
    from forms.definition import load_survey
    from survey_app.admin.operations import load_survey_version

    out = {}
    for path in sorted(BANK.glob("*.yaml")):
        result = load_survey_version(partnership, load_survey(path))
        out[result.version.survey.code] = result.version
    db.session.commit()
    return out


def make_user(partnership, email: str, role: str, school: str | None = None,
              password: str = "correct horse battery"):
    from survey_app.auth.operations import create_user

    user, _ = create_user(partnership, email, role, school)
    user.set_password(password)
    db.session.commit()
    return user


@pytest.fixture
def coordinator(app, partnership):
    return make_user(partnership, "coord@example.org", "coordinator")


def login_as(client, email: str, password: str = "correct horse battery"):
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(page)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


@pytest.fixture
def coordinator_client(client, coordinator):
    login_as(client, coordinator.email)
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one for the whole test run: every browser
    test (answering, results, builder, accessibility) shares it."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
