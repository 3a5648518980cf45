"""The migrations, applied from empty, give exactly the schema the models describe."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey_app.extensions import db


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ: run 'survey-app db migrate': {diff}"


#: The newest revision on databases deployed before sheet keys, join codes and sessions:
#: upgrading from it must keep every row (SQLite rebuilds tables that others point at).
LANDED = "715dcb97ae5e"
TABLES = ("collection", "response", "answer", "survey_version", "app_user", "school")


def _counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES}


def test_down_and_up_again_with_answers_in_the_database_keeps_every_row(app, runner):
    from flask_migrate import downgrade, upgrade

    assert runner.invoke(args=["demo", "--seed", "3"]).exit_code == 0
    db.session.remove()
    before = _counts()
    assert before["response"] > 100
    assert before["answer"] > before["response"]
    downgrade(revision=LANDED)
    assert _counts() == before
    upgrade()
    assert _counts() == before
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        if conn.dialect.name == "sqlite":  # ids that leave the database are never reused
            made = dict(conn.execute(sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
            for table in ("collection", "response", "print_batch"):
                assert "AUTOINCREMENT" in made[table], table
