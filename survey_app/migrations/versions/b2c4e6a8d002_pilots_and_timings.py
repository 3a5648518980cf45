"""pilot collections, and per-question timings of web responses

Revision ID: b2c4e6a8d002
Revises: b1a7e9c3d401
Create Date: 2026-12-04 14:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2c4e6a8d002'
down_revision = 'b1a7e9c3d401'
branch_labels = None
depends_on = None

#: SQLite: a batch rebuild must keep AUTOINCREMENT (see c4d8e2f1a9b7).
KEEP_AUTOINCREMENT = {"sqlite_autoincrement": True}


def _foreign_keys_off(step) -> None:
    """SQLite: dropping a column rebuilds the table, which with foreign keys on fails (or
    cascades to every answer); the pragma only works outside a transaction."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        step()
        return
    with op.get_context().autocommit_block():
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            step()
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade():
    # Adding a column is a plain ALTER TABLE on both databases: no rebuild.
    op.add_column('collection', sa.Column('pilot', sa.Boolean(), server_default=sa.false(),
                                          nullable=False))
    op.add_column('response', sa.Column('timings_json', sa.Text(), nullable=True))


def _downgrade():
    with op.batch_alter_table('response', table_kwargs=KEEP_AUTOINCREMENT) as batch_op:
        batch_op.drop_column('timings_json')
    with op.batch_alter_table('collection', table_kwargs=KEEP_AUTOINCREMENT) as batch_op:
        batch_op.drop_column('pilot')


def downgrade():
    _foreign_keys_off(_downgrade)
