"""The Flask application: `create_app` builds it; `survey-app` (cli.py) drives it.

Flask, SQLAlchemy and the extensions are imported inside `create_app`, so importing a
light module of the package (`survey_app.config`, `survey_app.storage`) stays light
(`benchmarks/startup_bench.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from survey_app import config, migrating

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.exc import OperationalError



def create_app(test_config: dict | None = None) -> Flask:
    from flask import Flask
    from sqlalchemy.exc import OperationalError

    from survey_app.extensions import babel, csrf, db, limiter, login
    from survey_app.proxies import TrustedProxies

    instance = config.instance_dir()
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    else:
        app.config.from_mapping(config.from_environment(Path(app.instance_path)))
        app.config.from_mapping(test_config)
    config.private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 30})
    db.init_app(app)
    migrating.init_app(app)  # Flask-Migrate, with Alembic imported on first use
    csrf.init_app(app)
    login.init_app(app)
    limiter.init_app(app)
    from survey_app.languages import init_languages
    from survey_app.words import init_words

    init_languages(app, babel)
    init_words(app)
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])
    app.after_request(_security_headers)
    app.register_error_handler(OperationalError, _database_unavailable)

    from survey_app import models  # noqa: F401  (register the tables)
    from survey_app.admin.views import bp as admin_bp
    from survey_app.answer.offline import bp as answer_offline_bp
    from survey_app.answer.views import bp as answer_bp
    from survey_app.auth.views import bp as auth_bp
    from survey_app.builder.views import bp as builder_bp
    from survey_app.erasure.views import bp as erasure_bp
    from survey_app.export.views import bp as export_bp
    from survey_app.join.views import bp as join_bp
    from survey_app.paper.views import bp as paper_bp
    from survey_app.plans.views import bp as plans_bp
    from survey_app.results.views import bp as results_bp
    from survey_app.scans.camera import bp as camera_bp
    from survey_app.scans.views import bp as scans_bp
    from survey_app.web import bp as web_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(answer_bp)
    app.register_blueprint(answer_offline_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(builder_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(erasure_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(scans_bp)
    app.register_blueprint(camera_bp)
    app.register_blueprint(join_bp)
    app.register_blueprint(plans_bp)
    return app


#: Pages satisfy this: no inline scripts or styles anywhere (tests check it in Chromium).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def _database_unavailable(exc: OperationalError):
    """The database went away for a moment (restart, failover, a lock held too long): the
    transaction is rolled back whole, and the person is told nothing was saved."""
    from flask import current_app, render_template

    from survey_app.extensions import db

    db.session.rollback()
    current_app.logger.warning("database unavailable: %s", exc)
    return render_template("errors/unavailable.html"), 503, {"Retry-After": "5"}
