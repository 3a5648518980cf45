"""collection join codes: a short code per collection for /join, and every code ever issued

Revision ID: e4b7c2a9f315
Revises: c4d8e2f1a9b7
Create Date: 2026-12-03 19:20:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4b7c2a9f315'
down_revision = 'c4d8e2f1a9b7'
branch_labels = None
depends_on = None

#: Frozen here so a later change to survey_app.join.codes cannot change this migration.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

#: SQLite: batch mode rebuilds the table, and the rebuild must keep AUTOINCREMENT (set by
#: c4d8e2f1a9b7 so that an erased collection's id is never handed out again).
KEEP_AUTOINCREMENT = {"sqlite_autoincrement": True}


def _foreign_keys_off(step) -> None:
    """SQLite: rebuilding `collection` drops the old table, which with foreign keys on
    fails (or would cascade to every response); the pragma only works outside a
    transaction."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        step(conn)
        return
    with op.get_context().autocommit_block():
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            step(conn)
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade():
    _foreign_keys_off(_upgrade)


def downgrade():
    _foreign_keys_off(_downgrade)


def _upgrade(conn):
    op.create_table(
        'used_join_code',
        sa.Column('code', sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_used_join_code')),
    )
    with op.batch_alter_table('collection', table_kwargs=KEEP_AUTOINCREMENT) as batch_op:
        batch_op.add_column(sa.Column('join_code', sa.String(length=6), nullable=True))

    used = set()
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM collection ORDER BY id"))]
    for cid in ids:
        code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        while code in used:
            code = "".join(secrets.choice(ALPHABET) for _ in range(6))
        used.add(code)
        conn.execute(sa.text("UPDATE collection SET join_code = :c WHERE id = :i"),
                     {"c": code, "i": cid})
        conn.execute(sa.text("INSERT INTO used_join_code (code) VALUES (:c)"), {"c": code})

    with op.batch_alter_table('collection', table_kwargs=KEEP_AUTOINCREMENT) as batch_op:
        batch_op.alter_column('join_code', existing_type=sa.String(length=6), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_collection_join_code'), ['join_code'])


def _downgrade(conn):
    with op.batch_alter_table('collection', table_kwargs=KEEP_AUTOINCREMENT) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_collection_join_code'), type_='unique')
        batch_op.drop_column('join_code')
    op.drop_table('used_join_code')
