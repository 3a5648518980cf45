"""A live server for the real-browser tests: the app on its own migrated SQLite file,
served by werkzeug in a thread on 127.0.0.1 and a free port, and headless Chromium.

Chromium must start: a missing browser fails these tests, it never skips them (CI)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask import Flask
from werkzeug.serving import make_server

from survey_app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
#: At least this policy: the pages must work without inline scripts or styles.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


@dataclass
class LiveServer:
    app: Flask
    url: str
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def live_server(template_db, tmp_path, monkeypatch) -> Iterator[LiveServer]:
    """The app served over HTTP, with the bank loaded and one collection per bank survey
    (the 5-7 one asks for the pupil number)."""
    db_file = tmp_path / "live.sqlite3"
    shutil.copy(template_db["sqlite"], db_file)
    monkeypatch.setenv("SURVEY_APP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "TESTING": True,
                      "SECRET_KEY": "live-secret"})

    def _csp(response):
        # The app's own policy when it sends one; this one otherwise.
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    # after_request functions run last-registered first: put this one at the end.
    app.after_request_funcs.setdefault(None, []).insert(0, _csp)

    tokens = _set_up_collections(app)
    with serving(app) as url:
        yield LiveServer(app, url, tokens)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 and a free port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        with app.app_context():
            from survey_app.extensions import db

            db.engine.dispose()


def _set_up_collections(app: Flask) -> dict[str, str]:
    from forms.definition import load_survey
    from survey_app.admin.operations import (
        create_collection,
        load_survey_version,
        resolve_partnership,
    )
    from survey_app.extensions import db
    from tests.conftest import BANK

    with app.app_context():
        p = resolve_partnership("Riverside Science Partnership", create=True)
        for path in sorted(BANK.glob("*.yaml")):
            load_survey_version(p, load_survey(path))
        tokens = {}
        for code, group, ask in (("pupil_attitudes_5_7", "Year 2 Oak", True),
                                 ("pupil_attitudes_7_11", "Year 5 Ash", False),
                                 ("workshop_knowledge", "Year 4 Elm", False),
                                 ("teacher_confidence", "Staff", False)):
            c = create_collection(p, survey_code=code, school_name="Oak Primary",
                                  group_name=group, phase="before", ask_pupil_number=ask)
            tokens[code] = c.public_token
        db.session.commit()
        db.session.remove()
    return tokens


# The session-wide `browser` fixture lives in tests/conftest.py: one Playwright for the
# whole run (a second sync_playwright() in one process fails).
